"""The spans a run records about itself: shape, data, errors, switches, threads and nesting."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from test_tracing_support import Collector, recording, span_type, tree

from agents_lite import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrailTripwireTriggered,
    MaxTurnsExceeded,
    RunConfig,
    Runner,
    UserError,
    function_tool,
    input_guardrail,
    output_guardrail,
)
from agents_lite.models.interface import ModelTracing
from agents_lite.testing.fake_model import FakeModel
from agents_lite.testing.scripted import function_call
from agents_lite.tracing import custom_span, get_current_span, get_current_trace, trace


@pytest.fixture
def collector() -> Iterator[Collector]:
    """Tracing on, recorded by a `Collector` (the previous setup comes back afterwards)."""
    with recording() as recorder:
        yield recorder


class WatchingModel(FakeModel):
    """A FakeModel that remembers the `tracing` argument and the current span of each call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: list[tuple[ModelTracing, Any]] = []

    def get_response(self, *args: Any, **kwargs: Any) -> Any:
        self.seen.append((args[6], get_current_span()))
        return super().get_response(*args, **kwargs)

    def stream_response(self, *args: Any, **kwargs: Any) -> Any:
        self.seen.append((args[6], get_current_span()))
        return super().stream_response(*args, **kwargs)


def by_type(collector: Collector, kind: str) -> list[Any]:
    return [s for s in collector.spans if span_type(s) == kind]


def test_a_plain_run_is_one_trace_with_task_agent_turn_and_generation(collector: Collector) -> None:
    model = WatchingModel(["Hello!"], usage={"input_tokens": 7, "output_tokens": 2})
    agent = Agent(name="Assistant", instructions="Be brief.", model=model)
    result = Runner.run_sync(agent, "hi")
    assert result.final_output == "Hello!"

    assert len(collector.traces) == 1 and collector.ended_traces == collector.traces
    run_trace = collector.traces[0]
    assert run_trace.name == "Agent workflow"
    assert tree(collector.spans) == [["task", [["agent Assistant", [["turn 1", ["generation"]]]]]]]
    assert {s.trace_id for s in collector.spans} == {run_trace.trace_id}
    assert all(s.end_time is not None for s in collector.spans)

    (generation,) = by_type(collector, "generation")
    tracing, current = model.seen[0]
    assert tracing is ModelTracing.ENABLED
    assert current is generation  # the model call runs inside its generation span
    data = generation.export()["span_data"]  # type: ignore[index]
    assert data["model"] == "fake-model"
    assert data["input"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
    ]
    assert data["output"][0]["content"][0]["text"] == "Hello!"
    assert data["usage"] == {"input_tokens": 7, "output_tokens": 2}
    (agent_span,) = by_type(collector, "agent")
    assert agent_span.export()["span_data"] == {  # type: ignore[index]
        "type": "agent", "name": "Assistant", "handoffs": [], "tools": [], "output_type": "str",
    }
    (task,) = by_type(collector, "task")
    assert task.export()["span_data"]["data"]["usage"]["input_tokens"] == 7  # type: ignore[index]
    assert get_current_trace() is None and get_current_span() is None


def test_tool_calls_get_function_spans_under_the_turn_even_in_worker_threads(
    collector: Collector,
) -> None:
    seen: dict[str, Any] = {}

    @function_tool
    def slow_add(a: int, b: int) -> int:
        """Add slowly."""
        seen[f"add-{threading.get_ident()}"] = get_current_span()
        time.sleep(0.01)
        return a + b

    @function_tool
    def shout(text: str) -> str:
        """Shout."""
        seen["shout"] = get_current_span()
        seen["shout-thread"] = threading.get_ident()
        return text.upper()

    model = FakeModel([
        [function_call("slow_add", {"a": 1, "b": 2}), function_call("shout", {"text": "hi"})],
        "done",
    ])
    agent = Agent(name="Tools", model=model, tools=[slow_add, shout])
    Runner.run_sync(agent, "go")

    [[_, [[_, [[_, turn_one], turn_two]]]]] = tree(collector.spans)
    assert sorted(turn_one) == ["function shout", "function slow_add", "generation"]
    assert turn_two == ["turn 2", ["generation"]]
    functions = {s.span_data.name: s for s in by_type(collector, "function")}
    assert seen["shout"] is functions["shout"]  # current inside the tool, in its own thread
    assert seen["shout-thread"] != threading.get_ident()
    exported = functions["slow_add"].export()["span_data"]  # type: ignore[index]
    assert exported["input"] == '{"a": 1, "b": 2}' and exported["output"] == "3"
    (agent_span,) = by_type(collector, "agent")
    assert agent_span.span_data.tools == ["slow_add", "shout"]


def test_a_handoff_ends_the_agent_span_and_opens_a_sibling(collector: Collector) -> None:
    model = FakeModel([[function_call("transfer_to_billing", {})], "paid"])
    billing = Agent(name="Billing", model=model)
    triage = Agent(name="Triage", model=model, handoffs=[billing])
    assert Runner.run_sync(triage, "pay").final_output == "paid"
    assert tree(collector.spans) == [["task", [
        ["agent Triage", [["turn 1", ["generation", "handoff Triage->Billing"]]]],
        ["agent Billing", [["turn 2", ["generation"]]]],
    ]]]
    (triage_span,) = [s for s in by_type(collector, "agent") if s.span_data.name == "Triage"]
    assert triage_span.span_data.handoffs == ["Billing"]


def test_guardrails_get_spans_under_the_agent_with_their_verdict(collector: Collector) -> None:
    @input_guardrail
    def polite(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    @output_guardrail
    def short(ctx: Any, agent: Any, output: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    agent = Agent(name="G", model=FakeModel(["ok"]), input_guardrails=[polite],
                  output_guardrails=[short])
    Runner.run_sync(agent, "hi")
    agent_tree = tree(collector.spans)[0][1][0]
    assert agent_tree[0] == "agent G"
    assert sorted(x if isinstance(x, str) else x[0] for x in agent_tree[1]) == [
        "guardrail polite", "guardrail short", "turn 1",
    ]
    assert all(s.span_data.triggered is False for s in by_type(collector, "guardrail"))


def test_a_tripped_guardrail_is_marked_and_the_run_error_recorded(collector: Collector) -> None:
    @input_guardrail(run_in_parallel=False)
    def no_secrets(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info={"why": "secret"}, tripwire_triggered=True)

    agent = Agent(name="G", model=FakeModel(["never"]), input_guardrails=[no_secrets])
    with pytest.raises(InputGuardrailTripwireTriggered):
        Runner.run_sync(agent, "my password is hunter2")
    (guardrail,) = by_type(collector, "guardrail")
    assert guardrail.span_data.triggered is True
    (agent_span,) = by_type(collector, "agent")
    assert guardrail.parent_id == agent_span.span_id
    assert agent_span.error is not None and "no_secrets" in agent_span.error["message"]
    assert by_type(collector, "task")[0].error is not None
    assert collector.ended_traces == collector.traces  # the trace still ends


def test_errors_are_recorded_on_the_open_spans(collector: Collector) -> None:
    model = FakeModel(default_output=[function_call("noop", {})])

    @function_tool
    def noop() -> str:
        """Nothing."""
        return ""

    with pytest.raises(MaxTurnsExceeded):
        Runner.run_sync(Agent(name="Loop", model=model, tools=[noop]), "go", max_turns=2)
    (agent_span,) = by_type(collector, "agent")
    assert agent_span.error == {
        "message": "Max turns (2) exceeded",
        "data": {"type": "MaxTurnsExceeded", "error": "Max turns (2) exceeded"},
    }
    assert all(t.error is None for t in by_type(collector, "turn"))  # those turns went fine
    assert len(by_type(collector, "function")) == 2


def test_a_failing_tool_marks_its_function_span(collector: Collector) -> None:
    @function_tool(failure_error_function=None)
    def explode() -> str:
        """Fails."""
        raise RuntimeError("disk on fire")

    model = FakeModel([[function_call("explode", {})], "unreachable"])
    with pytest.raises(UserError, match="disk on fire"):
        Runner.run_sync(Agent(name="T", model=model, tools=[explode]), "go")
    (function,) = by_type(collector, "function")
    assert function.error is not None and "disk on fire" in function.error["message"]


def test_a_failing_model_marks_its_generation_span(collector: Collector) -> None:
    model = FakeModel([ConnectionError("model unreachable")])
    with pytest.raises(ConnectionError):
        Runner.run_sync(Agent(name="M", model=model), "go")
    (generation,) = by_type(collector, "generation")
    assert generation.error is not None and generation.error["message"] == "model unreachable"
    assert generation.end_time is not None


def test_a_tool_timeout_is_recorded_on_its_function_span(collector: Collector) -> None:
    @function_tool(timeout=0.05)
    def sleepy() -> str:
        """Sleeps."""
        time.sleep(0.5)
        return "late"

    model = FakeModel([[function_call("sleepy", {})], "ok"])
    Runner.run_sync(Agent(name="S", model=model, tools=[sleepy]), "go")
    (function,) = by_type(collector, "function")
    assert function.error is not None and "timed out" in function.error["message"]


def test_sensitive_data_can_be_left_out(collector: Collector, monkeypatch: pytest.MonkeyPatch) -> None:
    @function_tool
    def lookup(q: str) -> str:
        """Look up."""
        return "secret answer"

    def run(config: RunConfig) -> WatchingModel:
        model = WatchingModel([[function_call("lookup", {"q": "ssn"})], "done"])
        Runner.run_sync(Agent(name="P", model=model, tools=[lookup]), "private", run_config=config)
        return model

    model = run(RunConfig(trace_include_sensitive_data=False))
    assert {t for t, _ in model.seen} == {ModelTracing.ENABLED_WITHOUT_DATA}
    for span in by_type(collector, "generation"):
        data = span.export()["span_data"]  # type: ignore[index]
        assert data["input"] is None and data["output"] is None and data["usage"] is not None
    (function,) = by_type(collector, "function")
    data = function.export()["span_data"]  # type: ignore[index]
    assert "input" in data and data["input"] is None and data["output"] is None

    collector.events.clear()
    monkeypatch.setenv("OPENAI_AGENTS_TRACE_INCLUDE_SENSITIVE_DATA", "false")
    model = run(RunConfig())
    assert {t for t, _ in model.seen} == {ModelTracing.ENABLED_WITHOUT_DATA}
    assert by_type(collector, "function")[0].span_data.input is None
    collector.events.clear()
    model = run(RunConfig(trace_include_sensitive_data=True))  # the config wins over the env
    assert by_type(collector, "function")[0].span_data.output == "secret answer"


def test_task_and_turn_spans_can_be_switched_off(collector: Collector) -> None:
    @function_tool
    def ping() -> str:
        """Ping."""
        return "pong"

    model = FakeModel([[function_call("ping", {})], "done"])
    config = RunConfig(tracing={"include_task_and_turn_spans": False})
    Runner.run_sync(Agent(name="C", model=model, tools=[ping]), "go", run_config=config)
    assert tree(collector.spans) == [["agent C", ["generation", "function ping", "generation"]]]


def test_run_config_names_the_trace_and_runs_inside_trace_share_it(collector: Collector) -> None:
    config = RunConfig(workflow_name="Billing flow", trace_id="trace_" + "1" * 32, group_id="chat-9",
                       trace_metadata={"tenant": "t1"}, tracing={"api_key": "sk-run-key"})
    Runner.run_sync(Agent(name="A", model=FakeModel(["x"])), "go", run_config=config)
    (run_trace,) = collector.traces
    assert run_trace.export() == {"object": "trace", "id": "trace_" + "1" * 32,
                                  "workflow_name": "Billing flow", "group_id": "chat-9",
                                  "metadata": {"tenant": "t1"}}
    assert run_trace.tracing_api_key == "sk-run-key"
    assert {s.tracing_api_key for s in collector.spans} == {"sk-run-key"}

    collector.events.clear()
    model = FakeModel(["one", "two"])
    with trace("Nightly") as outer:
        with custom_span("batch") as batch:
            Runner.run_sync(Agent(name="A", model=model), "1")
            Runner.run_sync(Agent(name="B", model=model), "2")
    assert collector.traces == [outer]
    tasks = by_type(collector, "task")
    assert len(tasks) == 2 and all(t.parent_id == batch.span_id for t in tasks)
    assert {s.trace_id for s in collector.spans} == {outer.trace_id}


def test_a_run_with_tracing_disabled_records_nothing(collector: Collector) -> None:
    model = WatchingModel(["x"])
    Runner.run_sync(Agent(name="A", model=model), "go", run_config=RunConfig(tracing_disabled=True))
    assert collector.events == []
    assert model.seen[0][0] is ModelTracing.DISABLED


def test_an_untraced_run_nested_in_a_traced_tool_adds_no_spans(collector: Collector) -> None:
    inner_model = WatchingModel(["inner"])
    inner = Agent(name="Inner", model=inner_model)

    @function_tool
    def ask_inner() -> str:
        """Asks quietly."""
        config = RunConfig(tracing_disabled=True)
        return str(Runner.run_sync(inner, "x", run_config=config).final_output)

    model = FakeModel([[function_call("ask_inner", {})], "done"])
    Runner.run_sync(Agent(name="Outer", model=model, tools=[ask_inner]), "go")
    assert "Inner" not in str(tree(collector.spans))
    assert inner_model.seen[0] == (ModelTracing.DISABLED, None)


def test_an_agent_used_as_a_tool_runs_under_the_callers_function_span(collector: Collector) -> None:
    inner = Agent(name="Researcher", model=FakeModel(["facts"]))
    model = FakeModel([[function_call("research", {"input": "topic"})], "summary"])
    outer = Agent(name="Writer", model=model, tools=[inner.as_tool("research", "Research a topic")])
    assert Runner.run_sync(outer, "write").final_output == "summary"
    assert len(collector.traces) == 1
    assert tree(collector.spans) == [["task", [["agent Writer", [
        ["turn 1", ["generation", ["function research", [
            ["task", [["agent Researcher", [["turn 1", ["generation"]]]]]],
        ]]]],
        ["turn 2", ["generation"]],
    ]]]]]


def test_streamed_runs_keep_their_spans_out_of_the_consumers_context(collector: Collector) -> None:
    model = WatchingModel(["streamed answer"])
    result = Runner.run_streamed(Agent(name="S", model=model), "go")
    seen = []
    for _event in result.stream_events():
        seen.append((get_current_trace(), get_current_span()))
    assert seen and all(pair == (None, None) for pair in seen)
    assert result.final_output == "streamed answer"
    assert tree(collector.spans) == [["task", [["agent S", [["turn 1", ["generation"]]]]]]]
    assert model.seen[0][1] is by_type(collector, "generation")[0]
    assert collector.ended_traces == collector.traces


def test_closing_a_stream_early_finishes_every_span_and_the_trace(collector: Collector) -> None:
    model = FakeModel(["a long answer " * 20])
    result = Runner.run_streamed(Agent(name="S", model=model), "go")
    events = result.stream_events()
    for event in events:
        if getattr(event, "type", "") == "raw_response_event":
            break
    assert collector.ended_traces == []  # the run is suspended mid-stream
    events.close()  # type: ignore[attr-defined]
    assert len(collector.ended_traces) == 1
    started = {id(s) for s in collector.started_spans}
    assert started == {id(s) for s in collector.spans}  # everything that started has ended
    assert model.open_streams == 0


def test_eight_concurrent_runs_land_in_eight_separate_traces(collector: Collector) -> None:
    @function_tool
    def whoami(name: str) -> str:
        """Echo."""
        time.sleep(0.005)
        return name

    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            name = f"agent-{index}"
            model = FakeModel([[function_call("whoami", {"name": name})], f"done {index}"])
            agent = Agent(name=name, model=model, tools=[whoami])
            barrier.wait()
            assert Runner.run_sync(agent, "go").final_output == f"done {index}"
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(collector.traces) == 8 and len({t.trace_id for t in collector.traces}) == 8
    for run_trace in collector.traces:
        spans = [s for s in collector.spans if s.trace_id == run_trace.trace_id]
        ids = {s.span_id for s in spans}
        assert all(s.parent_id is None or s.parent_id in ids for s in spans)
        (agent_span,) = [s for s in spans if span_type(s) == "agent"]
        index = agent_span.span_data.name.split("-")[1]
        (function,) = [s for s in spans if span_type(s) == "function"]
        assert function.span_data.output == f"agent-{index}"  # the tool ran in this run's trace
        assert tree(spans) == [["task", [[f"agent agent-{index}", [
            ["turn 1", ["generation", "function whoami"]], ["turn 2", ["generation"]],
        ]]]]]
    assert len(collector.spans) == 8 * 7


def test_runs_resumed_after_approval_are_traced(collector: Collector) -> None:
    @function_tool(needs_approval=True)
    def delete_file(path: str) -> str:
        """Delete."""
        return f"deleted {path}"

    model = FakeModel([[function_call("delete_file", {"path": "/tmp/x"})], "all done"])
    agent = Agent(name="Ops", model=model, tools=[delete_file])
    first = Runner.run_sync(agent, "clean up")
    assert first.interruptions
    state = first.to_state()
    state.approve(first.interruptions[0])
    second = Runner.run_sync(agent, state)
    assert second.final_output == "all done"
    assert len(collector.traces) == 2
    second_spans = [s for s in collector.spans if s.trace_id == collector.traces[1].trace_id]
    assert tree(second_spans) == [["task", [["agent Ops", [
        ["turn 1", ["function delete_file"]], ["turn 2", ["generation"]],
    ]]]]]


def test_cancelling_a_stream_ends_every_span_and_the_trace(collector: Collector) -> None:
    model = FakeModel(["a long answer " * 20])
    result = Runner.run_streamed(Agent(name="C", model=model), "go")
    count = 0
    for event in result.stream_events():
        if getattr(event, "type", "") == "raw_response_event":
            count += 1
            if count == 2:
                result.cancel()
    assert count >= 2
    assert len(collector.ended_traces) == 1
    assert {id(s) for s in collector.started_spans} == {id(s) for s in collector.spans}
    assert all(s.error is None for s in collector.spans)  # a cancellation is not an error
    assert [span_type(s) for s in collector.spans][-1] == "task"
