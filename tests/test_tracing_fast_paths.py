"""The short paths that keep tracing cheap (direct calls to a lone batch processor, ready-made
IDs, the run's own span factory, the one-comparison queue append) must behave exactly like the
general ones: every item delivered once, failures isolated, limits kept."""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

import pytest
from test_tracing_support import Collector, Keep, recording, span_type, tree

from agents_lite import Agent, RunConfig, RunHooks, Runner
from agents_lite.testing.fake_model import FakeModel
from agents_lite.tracing import (
    BatchTraceProcessor,
    CustomSpanData,
    Span,
    Trace,
    TraceProvider,
    TracingProcessor,
    add_trace_processor,
    custom_span,
    gen_span_id,
    gen_trace_id,
    get_current_span,
    get_trace_provider,
    set_trace_provider,
    trace,
)


def plain_run() -> None:
    agent: Agent[Any] = Agent(name="A", instructions="Be brief.", model=FakeModel(["hi"]))
    assert Runner.run_sync(agent, "hello").final_output == "hi"


def test_ids_from_many_threads_never_repeat() -> None:
    found: list[list[str]] = []

    def draw() -> None:
        found.append([gen_span_id() for _ in range(3000)] + [gen_trace_id() for _ in range(300)])

    threads = [threading.Thread(target=draw) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [i for chunk in found for i in chunk]
    assert len(ids) == len(set(ids)) == 8 * 3300
    assert all(re.fullmatch(r"(span_[0-9a-f]{24}|trace_[0-9a-f]{32})", i) for i in ids)


def test_a_lone_batch_processor_is_called_directly_and_gets_every_item() -> None:
    exporter = Keep()
    processor = BatchTraceProcessor(exporter, schedule_delay=60)
    with recording() as collector:
        provider = get_trace_provider()
        provider.set_processors([processor])
        multi = provider._multi
        assert multi.on_span_end == processor.on_span_end  # no fan-out loop in between
        plain_run()
        processor.force_flush()
        assert isinstance(exporter.items[0], Trace)
        assert all(isinstance(i, Span) for i in exporter.items[1:]) and len(exporter.items) == 5
        # A second processor brings the loop (and its error isolation) back.
        provider.register_processor(collector)
        assert "on_span_end" not in vars(multi)
        plain_run()
        processor.force_flush()
    assert len(exporter.items) == 10 and len(set(map(id, exporter.items))) == 10
    assert tree(collector.spans) == [["task", [["agent A", [["turn 1", ["generation"]]]]]]]
    assert collector.spans == exporter.items[6:]  # the same objects, in the same order


def test_a_subclass_that_overrides_a_method_keeps_error_isolation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Failing(BatchTraceProcessor):
        def on_span_end(self, span: Span[Any]) -> None:
            raise RuntimeError("processor bug")

    processor = Failing(Keep(), schedule_delay=60)
    with recording() as collector, caplog.at_level(logging.WARNING, "agents_lite.tracing"):
        get_trace_provider().set_processors([processor])
        multi = get_trace_provider()._multi
        assert "on_span_end" not in vars(multi) and "on_trace_start" in vars(multi)
        plain_run()  # the failure never reaches the run
        add_trace_processor(collector)
        plain_run()
    assert "processor bug" in caplog.text
    assert len(collector.spans) == 4
    processor.shutdown(timeout=5)


def test_a_full_queue_drops_new_items_and_counts_them() -> None:
    exporter = Keep()
    processor = BatchTraceProcessor(exporter, max_queue_size=3, schedule_delay=60)
    processor.shutdown()  # no thread: every append takes the checked path
    with recording(processor):
        with trace("full"):  # the trace is item 1
            for index in range(4):
                with custom_span(f"s{index}"):
                    pass
    assert processor.queued == 3 and processor.dropped == 2
    processor.force_flush()
    names = [getattr(i, "name", None) or i.span_data.name for i in exporter.items]
    assert names == ["full", "s0", "s1"]  # the newest items were the ones dropped
    assert processor.exported == 3


def test_reaching_the_trigger_size_wakes_the_export_thread() -> None:
    exported = threading.Event()

    class Signal(Keep):
        def export(self, items: list[Any]) -> None:
            super().export(items)
            exported.set()

    exporter = Signal()
    processor = BatchTraceProcessor(exporter, max_queue_size=10, schedule_delay=600,
                                    export_trigger_ratio=0.5)
    try:
        with recording(processor):
            with trace("t"):
                for index in range(4):
                    with custom_span(f"s{index}"):
                        pass
            # Five items queued: without the trigger nothing would go out for ten minutes.
            assert exported.wait(30)
    finally:
        processor.shutdown(timeout=5)
    assert len(exporter.items) == 5 and processor.dropped == 0


def test_a_provider_subclass_still_makes_the_runs_spans_and_trace() -> None:
    made: list[str] = []

    class Counting(TraceProvider):
        def create_trace(self, name: str, *args: Any, **kwargs: Any) -> Any:
            made.append("trace")
            return super().create_trace(name, *args, **kwargs)

        def create_span(self, span_data: Any, *args: Any, **kwargs: Any) -> Any:
            made.append(span_data.type)
            return super().create_span(span_data, *args, **kwargs)

    previous = get_trace_provider()
    custom = Counting()
    set_trace_provider(custom)
    try:
        collector = Collector()
        custom.set_processors([collector])
        custom.set_disabled(False)
        plain_run()
    finally:
        set_trace_provider(previous)
    assert made == ["trace", "task", "agent", "turn", "generation"]
    assert tree(collector.spans) == [["task", [["agent A", [["turn 1", ["generation"]]]]]]]
    assert [span_type(s) for s in collector.spans] == ["generation", "turn", "agent", "task"]


def test_the_default_export_skips_its_gate_once_switched_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from agents_lite.tracing import setup

    provider = get_trace_provider()
    saved = (provider.processors, provider._default, provider._manual_disabled, provider._disabled)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    setup._reset_for_tests()
    try:
        gate = provider._default
        assert provider._multi.on_span_end == gate.on_span_end  # the gate: a cheap no-op
        setup.set_tracing_export_api_key("sk-test")
        real = gate.processor()  # switched on (a trace with a key does this)
        assert provider._multi.on_span_end == real.on_span_end
        keep = Keep()
        real._exporter = keep
        with trace("after"):
            with custom_span("x"):
                pass
        real.force_flush()
        assert [getattr(i, "name", None) or i.span_data.name for i in keep.items] == ["after", "x"]
        assert isinstance(keep.items[1].span_data, CustomSpanData)
    finally:
        if provider._default._real is not None:
            provider._default._real.shutdown(timeout=5)
        setup._reset_for_tests()
        provider.set_processors(list(saved[0]))
        provider._default = saved[1]
        provider._manual_disabled, provider._disabled = saved[2], saved[3]


def test_a_span_ended_by_many_threads_at_once_is_delivered_once() -> None:
    with recording() as collector:
        with trace("race"):
            spans = [custom_span(f"s{i}") for i in range(200)]
            for span in spans:
                span.start()
            barrier = threading.Barrier(8)

            def end_all() -> None:
                barrier.wait()
                for span in spans:
                    span.finish()

            threads = [threading.Thread(target=end_all) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        ended = collector.spans
    assert len(ended) == 200 and {id(s) for s in ended} == {id(s) for s in spans}
    assert all((s.end_time or 0.0) >= (s.start_time or 1e18) for s in spans)
    assert len(collector.ended_traces) == 1


def test_hooks_see_the_runs_innermost_span_and_their_own_spans_nest_under_it() -> None:
    seen: dict[str, Any] = {}

    class Watch(RunHooks[Any]):
        def on_llm_start(self, context: Any, agent: Any, *args: Any) -> None:
            seen["llm_start"] = get_current_span()
            with custom_span("hook work") as span:
                seen["hook_span"] = span

        def on_llm_end(self, context: Any, agent: Any, response: Any) -> None:
            seen["llm_end"] = get_current_span()

    with recording() as collector:
        agent: Agent[Any] = Agent(name="A", instructions="Be brief.", model=FakeModel(["hi"]))
        Runner.run_sync(agent, "hello", hooks=Watch())
        assert get_current_span() is None  # nothing leaks into the caller's context
    by_kind = {span_type(s): s for s in collector.spans}
    assert seen["llm_start"] is by_kind["turn"] and seen["llm_end"] is by_kind["turn"]
    assert seen["hook_span"].parent_id == by_kind["turn"].span_id
    assert tree(collector.spans) == [
        ["task", [["agent A", [["turn 1", ["custom", "generation"]]]]]]
    ]


class Keeper(TracingProcessor):
    """Keeps ended spans; with `touch`, asks for each span's data when it starts."""

    def __init__(self, touch: bool) -> None:
        self.touch = touch
        self.ended: list[Span[Any]] = []

    def on_trace_start(self, trace: Trace) -> None:
        pass

    def on_trace_end(self, trace: Trace) -> None:
        pass

    def on_span_start(self, span: Span[Any]) -> None:
        if self.touch:
            assert span.span_data.type in ("task", "agent", "turn", "generation")

    def on_span_end(self, span: Span[Any]) -> None:
        self.ended.append(span)


def traced_exports(touch: bool, **run_kwargs: Any) -> list[dict[str, Any]]:
    keeper = Keeper(touch)
    with recording(keeper):
        model = FakeModel(["hi"], usage={"input_tokens": 7, "output_tokens": 2})
        agent: Agent[Any] = Agent(name="A", instructions="Be brief.", model=model)
        Runner.run_sync(agent, "hello", **run_kwargs)
    out = []
    for span in keeper.ended:
        data = span.export()
        assert data is not None
        item = {k: v for k, v in data.items() if k not in ("id", "parent_id", "trace_id",
                                                            "started_at", "ended_at")}
        for output in item["span_data"].get("output") or []:
            output.pop("id", None)  # the fake model numbers its messages across runs
        out.append(item)
    return out


def test_run_spans_export_the_same_whether_or_not_their_data_was_asked_for() -> None:
    untouched = traced_exports(touch=False)
    touched = traced_exports(touch=True)  # data objects built at span start, then updated
    assert untouched == touched
    generation, turn, agent, task = (item["span_data"] for item in untouched)
    usage = {"input_tokens": 7, "output_tokens": 2}
    assert generation == {
        "type": "generation",
        "input": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hello"}],
        "output": generation["output"], "model": "fake-model", "model_config": {}, "usage": usage,
    }
    assert generation["output"][0]["content"][0]["text"] == "hi"
    assert turn == {"type": "custom", "name": "turn",
                    "data": {"sdk_span_type": "turn", "turn": 1, "agent_name": "A", "usage": usage}}
    assert agent == {"type": "agent", "name": "A", "handoffs": [], "tools": [],
                     "output_type": "str"}
    assert task == {"type": "custom", "name": "task",
                    "data": {"sdk_span_type": "task", "name": "Agent workflow", "usage": usage}}


def test_run_span_data_objects_are_the_usual_classes_and_built_once() -> None:
    from agents_lite.tracing import (
        AgentSpanData,
        GenerationSpanData,
        TaskSpanData,
        TurnSpanData,
    )

    keeper = Keeper(touch=False)
    with recording(keeper):
        agent: Agent[Any] = Agent(name="A", model=FakeModel(["hi"]))
        Runner.run_sync(agent, "hello")
    kinds = [type(span.span_data) for span in keeper.ended]
    assert kinds == [GenerationSpanData, TurnSpanData, AgentSpanData, TaskSpanData]
    first = keeper.ended[2].span_data
    first.tools.append("added later")  # an ordinary, mutable data object, built once
    assert keeper.ended[2].span_data is first
    assert keeper.ended[2].export()["span_data"]["tools"] == ["added later"]  # type: ignore[index]


def test_sensitive_data_off_records_no_generation_input_or_output() -> None:
    (generation, *_rest) = traced_exports(touch=False, run_config=RunConfig(
        trace_include_sensitive_data=False))
    assert generation["span_data"]["input"] is None and generation["span_data"]["output"] is None
    assert generation["span_data"]["usage"] == {"input_tokens": 7, "output_tokens": 2}


def test_the_task_span_sums_the_usage_of_every_model_call() -> None:
    from agents_lite import function_tool
    from agents_lite.testing.scripted import function_call

    @function_tool
    def ping() -> str:
        """Answer pong."""
        return "pong"

    keeper = Keeper(touch=False)
    with recording(keeper):
        model = FakeModel([[function_call("ping", "{}")], "done"],
                          usage={"input_tokens": 5, "output_tokens": 3})
        agent: Agent[Any] = Agent(name="A", model=model, tools=[ping])
        assert Runner.run_sync(agent, "go").final_output == "done"
    by_kind: dict[str, list[Any]] = {}
    for span in keeper.ended:
        by_kind.setdefault(span_type(span), []).append(span.export()["span_data"])  # type: ignore[index]
    assert [g["usage"] for g in by_kind["generation"]] == [
        {"input_tokens": 5, "output_tokens": 3}] * 2
    assert [t["data"]["usage"] for t in by_kind["turn"]] == [
        {"input_tokens": 5, "output_tokens": 3}] * 2
    (task,) = by_kind["task"]
    assert task["data"]["usage"] == {"input_tokens": 10, "output_tokens": 6}


def test_timestamps_export_as_datetime_isoformat_would() -> None:
    import datetime
    import random

    from agents_lite.tracing.ids import to_iso

    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    rng = random.Random(7)
    stamps = [0.0, 0.5, 1.0, 1.000001, 1_700_000_000.0, 1_700_000_000.000001,
              1_700_000_000.999999, 1_700_000_000.9999996, -5.25]
    stamps += [rng.uniform(0, 4e9) for _ in range(20_000)]
    for stamp in stamps:
        expected = (epoch + datetime.timedelta(microseconds=round(stamp * 1e6))).isoformat()
        assert to_iso(stamp) == expected, stamp
    assert to_iso(None) is None
