"""Function tools inside runs: errors, bad arguments, concurrency, timeouts, behaviours, outputs."""

from __future__ import annotations

import json
import threading

import pytest

from agents_lite import (
    Agent,
    FunctionTool,
    ModelBehaviorError,
    ModelSettings,
    RunConfig,
    RunContextWrapper,
    Runner,
    StopAtTools,
    ToolContext,
    ToolGuardrailFunctionOutput,
    ToolInputGuardrailTripwireTriggered,
    ToolOutputGuardrailTripwireTriggered,
    ToolOutputImage,
    ToolOutputText,
    ToolsToFinalOutputResult,
    ToolTimeoutError,
    UserError,
    function_tool,
    tool_input_guardrail,
    tool_output_guardrail,
)
from agents_lite.testing.scripted import function_call

from backends import output_text

ERROR_PREFIX = "An error occurred while running the tool. Please try again."


@function_tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@function_tool
def explode(reason: str) -> str:
    """Always fails."""
    raise ValueError(f"boom: {reason}")


def test_tool_error_goes_back_to_the_model(backend):
    backend.add([function_call("explode", {"reason": "x"})], "recovered")
    result = Runner.run_sync(Agent(name="a", tools=[explode], model=backend.model), "go")
    assert result.final_output == "recovered"
    sent = output_text(backend.sent_tool_outputs(1)[0])
    assert sent.startswith(ERROR_PREFIX) and "boom: x" in sent


def test_tool_error_raises_without_failure_function(fake):
    @function_tool(failure_error_function=None)
    def fragile() -> str:
        """Fails."""
        raise ValueError("kaput")

    fake.add([function_call("fragile", {})], "never")
    with pytest.raises(UserError, match="Error running tool fragile: kaput") as info:
        Runner.run_sync(Agent(name="a", tools=[fragile], model=fake.model), "go")
    assert fake.request_count() == 1
    assert info.value.run_data is not None


def test_custom_failure_error_function(fake):
    @function_tool(failure_error_function=lambda ctx, exc: f"custom: {type(exc).__name__}")
    def fragile() -> str:
        """Fails."""
        raise KeyError("k")

    fake.add([function_call("fragile", {})], "ok")
    Runner.run_sync(Agent(name="a", tools=[fragile], model=fake.model), "go")
    assert fake.sent_tool_outputs(1) == ["custom: KeyError"]


@pytest.mark.parametrize(
    "arguments, problem",
    [("{not json", "Invalid JSON input for tool add"), ('{"a": "one", "b": 2}', "Invalid arguments"),
     ('{"a": 1}', "Invalid arguments"), ("[1, 2]", "expected an object")],
)
def test_bad_arguments_are_reported_to_the_model(backend, arguments, problem):
    backend.add([function_call("add", arguments)], "fixed")
    result = Runner.run_sync(Agent(name="a", tools=[add], model=backend.model), "go")
    assert result.final_output == "fixed"
    sent = output_text(backend.sent_tool_outputs(1)[0])
    assert sent.startswith(ERROR_PREFIX) and problem in sent


def test_unknown_tool_raises_model_behavior_error(backend):
    backend.add([function_call("missing_tool", {})])
    with pytest.raises(ModelBehaviorError, match="Tool missing_tool not found in agent a"):
        Runner.run_sync(Agent(name="a", tools=[add], model=backend.model), "go")


def test_unknown_tool_can_be_reported_to_the_model(backend):
    backend.add([function_call("missing_tool", {})], "sorry")
    config = RunConfig(tool_not_found_behavior="return_error_to_model")
    result = Runner.run_sync(Agent(name="a", tools=[add], model=backend.model), "go", run_config=config)
    assert result.final_output == "sorry"
    assert output_text(backend.sent_tool_outputs(1)[0]) == "Tool 'missing_tool' not found."


def test_parallel_calls_run_concurrently_and_keep_order(fake):
    barrier = threading.Barrier(3, timeout=10)
    threads = set()

    @function_tool
    def wait_for_peers(label: str) -> str:
        """Blocks until three calls run at once."""
        threads.add(threading.get_ident())
        barrier.wait()  # would time out (BrokenBarrierError) if the calls ran one by one
        return label

    fake.add(
        [function_call("wait_for_peers", {"label": x}, call_id=f"c{x}") for x in "abc"], "done"
    )
    result = Runner.run_sync(Agent(name="a", tools=[wait_for_peers], model=fake.model), "go")
    assert fake.sent_tool_outputs(1) == ["a", "b", "c"]
    assert len(threads) == 3
    assert [i.output for i in result.new_items if i.type == "tool_call_output_item"] == ["a", "b", "c"]


def test_context_injection_and_tool_context(fake):
    seen = {}

    @function_tool
    def whoami(ctx: ToolContext[dict], greeting: str) -> str:
        """Uses the context."""
        seen.update(name=ctx.tool_name, call=ctx.tool_call_id, args=ctx.tool_arguments)
        return f"{greeting}, {ctx.context['user']}"

    @function_tool
    def plain_ctx(ctx: RunContextWrapper[dict]) -> str:
        """Gets the wrapper."""
        return str(ctx.usage.requests)

    fake.add(
        [function_call("whoami", {"greeting": "hi"}, call_id="call-7"),
         function_call("plain_ctx", {}, call_id="call-8")],
        "done",
    )
    Runner.run_sync(
        Agent(name="a", tools=[whoami, plain_ctx], model=fake.model), "go", context={"user": "Ada"}
    )
    assert fake.sent_tool_outputs(1) == ["hi, Ada", "1"]
    assert seen == {"name": "whoami", "call": "call-7", "args": '{"greeting": "hi"}'}


def test_disabled_tools_are_not_offered(backend):
    @function_tool(is_enabled=False)
    def hidden() -> str:
        """Hidden."""
        return "x"

    @function_tool(is_enabled=lambda ctx, agent: ctx.context == "admin")
    def admin_only() -> str:
        """Admins only."""
        return "x"

    backend.add("one", "two")
    agent = Agent(name="a", tools=[add, hidden, admin_only], model=backend.model)
    Runner.run_sync(agent, "hi", context="guest")
    Runner.run_sync(agent, "hi", context="admin")
    assert backend.sent_tool_names(0) == ["add"]
    assert backend.sent_tool_names(1) == ["add", "admin_only"]


def test_timeout_is_reported_to_the_model(fake):
    release = threading.Event()

    @function_tool(timeout=0.2)
    def slow() -> str:
        """Slow."""
        release.wait(5)
        return "late"

    fake.add([function_call("slow", {})], "gave up")
    try:
        result = Runner.run_sync(Agent(name="a", tools=[slow], model=fake.model), "go")
    finally:
        release.set()
    assert result.final_output == "gave up"
    assert fake.sent_tool_outputs(1) == ["Tool 'slow' timed out after 0.2 seconds."]


def test_timeout_can_raise(fake):
    release = threading.Event()

    @function_tool(timeout=0.1, timeout_behavior="raise_exception")
    def slow() -> str:
        """Slow."""
        release.wait(5)
        return "late"

    fake.add([function_call("slow", {})], "never")
    try:
        with pytest.raises(ToolTimeoutError) as info:
            Runner.run_sync(Agent(name="a", tools=[slow], model=fake.model), "go")
    finally:
        release.set()
    assert info.value.tool_name == "slow" and info.value.timeout_seconds == 0.1


def test_async_tools_run_to_completion(fake):
    @function_tool
    async def fetch(n: int) -> int:
        """Async tool."""
        import asyncio

        await asyncio.sleep(0)
        return n * 2

    fake.add([function_call("fetch", {"n": 21})], "ok")
    Runner.run_sync(Agent(name="a", tools=[fetch], model=fake.model), "go")
    assert fake.sent_tool_outputs(1) == ["42"]


def test_stop_on_first_tool(backend):
    backend.add([function_call("add", {"a": 1, "b": 2})], "unused")
    agent = Agent(name="a", tools=[add], model=backend.model, tool_use_behavior="stop_on_first_tool")
    result = Runner.run_sync(agent, "go")
    assert result.final_output == "3"
    assert backend.request_count() == 1


def test_stop_at_tools(fake):
    @function_tool
    def final_answer(text: str) -> str:
        """Final."""
        return text.upper()

    fake.add(
        [function_call("add", {"a": 1, "b": 1})],
        [function_call("final_answer", {"text": "done"})],
    )
    agent = Agent(
        name="a", tools=[add, final_answer], model=fake.model,
        tool_use_behavior=StopAtTools(stop_at_tool_names=["final_answer"]),
    )
    assert Runner.run_sync(agent, "go").final_output == "DONE"
    assert fake.request_count() == 2


def test_custom_tool_use_behavior(fake):
    def decide(ctx, results):
        total = sum(r.output for r in results)
        return ToolsToFinalOutputResult(is_final_output=total > 10, final_output=total)

    fake.add(
        [function_call("add", {"a": 1, "b": 1})],
        [function_call("add", {"a": 5, "b": 6})],
    )
    agent = Agent(name="a", tools=[add], model=fake.model, tool_use_behavior=decide, output_type=int)
    assert Runner.run_sync(agent, "go").final_output == 11


def test_invalid_tool_use_behavior_result(fake):
    fake.add([function_call("add", {"a": 1, "b": 1})])
    agent = Agent(name="a", tools=[add], model=fake.model, tool_use_behavior=lambda c, r: "yes")
    with pytest.raises(UserError, match="ToolsToFinalOutputResult"):
        Runner.run_sync(agent, "go")


def test_reset_tool_choice_after_a_tool_call(backend):
    backend.add([function_call("add", {"a": 1, "b": 1})], "done")
    agent = Agent(
        name="a", tools=[add], model=backend.model, model_settings=ModelSettings(tool_choice="add")
    )
    Runner.run_sync(agent, "go")
    assert backend.sent_tool_choice(0) == "add"
    assert backend.sent_tool_choice(1) is None


def test_tool_choice_kept_when_reset_disabled(fake):
    fake.add([function_call("add", {"a": 1, "b": 1})], "done")
    agent = Agent(
        name="a", tools=[add], model=fake.model, reset_tool_choice=False,
        model_settings=ModelSettings(tool_choice="required"),
    )
    Runner.run_sync(agent, "go")
    assert fake.sent_tool_choice(1) == "required"


def test_structured_tool_outputs_become_content_parts(backend):
    @function_tool
    def picture() -> list:
        """Returns an image and text."""
        return [ToolOutputText("a cat"), ToolOutputImage(image_url="data:image/png;base64,AAAA")]

    backend.add([function_call("picture", {})], "nice")
    Runner.run_sync(Agent(name="a", tools=[picture], model=backend.model), "go")
    if backend.name == "chat":
        assert "a cat" in output_text(backend.sent_tool_outputs(1)[0])
    else:
        assert backend.sent_tool_outputs(1)[0] == [
            {"type": "input_text", "text": "a cat"},
            {"type": "input_image", "image_url": "data:image/png;base64,AAAA"},
        ]


def test_tool_input_guardrail_rejects_and_raises(fake):
    calls = []

    @tool_input_guardrail
    def no_negatives(data):
        n = json.loads(data.context.tool_arguments)["n"]
        if n < 0:
            return ToolGuardrailFunctionOutput.reject_content("negative numbers are not allowed")
        if n == 999:
            return ToolGuardrailFunctionOutput.raise_exception(output_info="too big")
        return ToolGuardrailFunctionOutput.allow()

    @function_tool(tool_input_guardrails=[no_negatives])
    def record(n: int) -> str:
        """Records n."""
        calls.append(n)
        return "ok"

    fake.add([function_call("record", {"n": -1}), function_call("record", {"n": 1})], "fine")
    result = Runner.run_sync(Agent(name="a", tools=[record], model=fake.model), "go")
    assert calls == [1]
    assert fake.sent_tool_outputs(1) == ["negative numbers are not allowed", "ok"]
    assert len(result.tool_input_guardrail_results) == 2

    fake.add([function_call("record", {"n": 999})])
    with pytest.raises(ToolInputGuardrailTripwireTriggered) as info:
        Runner.run_sync(Agent(name="a", tools=[record], model=fake.model), "go")
    assert info.value.output.output_info == "too big" and calls == [1]


def test_tool_output_guardrail(fake):
    @tool_output_guardrail
    def redact(data):
        if "secret" in str(data.output):
            return ToolGuardrailFunctionOutput.reject_content("[redacted]")
        if "fatal" in str(data.output):
            return ToolGuardrailFunctionOutput.raise_exception()
        return ToolGuardrailFunctionOutput.allow()

    @function_tool(tool_output_guardrails=[redact])
    def lookup(key: str) -> str:
        """Looks up."""
        return f"value is {key}"

    fake.add([function_call("lookup", {"key": "secret"})], "ok")
    result = Runner.run_sync(Agent(name="a", tools=[lookup], model=fake.model), "go")
    assert fake.sent_tool_outputs(1) == ["[redacted]"]
    assert result.new_items[1].output == "[redacted]"
    fake.add([function_call("lookup", {"key": "fatal"})])
    with pytest.raises(ToolOutputGuardrailTripwireTriggered):
        Runner.run_sync(Agent(name="a", tools=[lookup], model=fake.model), "go")


def test_manual_function_tool(fake):
    seen = []

    def invoke(ctx: ToolContext, raw: str) -> str:
        seen.append(raw)
        return "manual"

    tool = FunctionTool(
        name="manual", description="d",
        params_json_schema={"type": "object", "properties": {}, "additionalProperties": False},
        on_invoke_tool=invoke,
    )
    fake.add([function_call("manual", '{"x": 1}')], "ok")
    Runner.run_sync(Agent(name="a", tools=[tool], model=fake.model), "go")
    assert seen == ['{"x": 1}'] and fake.sent_tool_outputs(1) == ["manual"]
    with pytest.raises(UserError):
        FunctionTool(name="bad", description="", params_json_schema={}, on_invoke_tool="nope")  # type: ignore[arg-type]


def test_tool_output_trimmer_shortens_old_outputs(fake):
    from agents_lite.extensions import ToolOutputTrimmer

    @function_tool
    def big() -> str:
        """Large output."""
        return "x" * 2000

    fake.add([function_call("big", {}, call_id="c1")], "first", "second")
    agent = Agent(name="a", tools=[big], model=fake.model)
    config = RunConfig(call_model_input_filter=ToolOutputTrimmer(recent_turns=1, preview_chars=10))
    first = Runner.run_sync(agent, "one", run_config=config)
    Runner.run_sync(agent, first.to_input_list() + [{"role": "user", "content": "two"}], run_config=config)
    assert len(fake.sent_tool_outputs(1)[0]) == 2000  # same turn: kept whole
    trimmed = fake.sent_tool_outputs(2)[0]
    assert trimmed.startswith("[output of big trimmed: 2000 chars") and trimmed.endswith("xxxxxxxxxx...")
    assert first.new_items[1].output == "x" * 2000  # the run's items are not mutated
