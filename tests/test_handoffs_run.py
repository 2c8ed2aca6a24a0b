"""Handoffs: routing, input types, filters, multiple handoffs, hooks, prompts."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from agents_lite import (
    Agent,
    AgentHooks,
    HandoffInputData,
    ModelBehaviorError,
    RunConfig,
    RunHooks,
    Runner,
    UserError,
    function_tool,
    handoff,
)
from agents_lite.extensions.handoff_filters import remove_all_tools
from agents_lite.extensions.handoff_prompt import (
    RECOMMENDED_PROMPT_PREFIX,
    prompt_with_handoff_instructions,
)
from agents_lite.testing.scripted import function_call, text_message


@function_tool
def lookup(q: str) -> str:
    """Look something up."""
    return f"found {q}"


def test_handoff_switches_agent(backend):
    spanish = Agent(name="Spanish Agent", handoff_description="Speaks Spanish", model=backend.model)
    triage = Agent(name="Triage", handoffs=[spanish], model=backend.model)
    backend.add([function_call("transfer_to_spanish_agent", {}, call_id="h1")], "Hola")
    result = Runner.run_sync(triage, "hola")
    assert result.final_output == "Hola"
    assert result.last_agent is spanish
    assert [i.type for i in result.new_items] == [
        "handoff_call_item", "handoff_output_item", "message_output_item"
    ]
    out = result.new_items[1]
    assert out.source_agent is triage and out.target_agent is spanish
    assert json.loads(out.raw_item["output"]) == {"assistant": "Spanish Agent"}
    assert backend.sent_tool_names(0) == ["transfer_to_spanish_agent"]
    assert backend.sent_tool_outputs(1) == ['{"assistant": "Spanish Agent"}']


def test_default_handoff_tool_description(fake):
    target = Agent(name="Billing", handoff_description="Handles invoices.")
    fake.add("ok")
    Runner.run_sync(Agent(name="t", handoffs=[target], model=fake.model), "x")
    sent = fake.model.calls[0].handoffs[0]
    assert sent.tool_name == "transfer_to_billing"
    assert sent.tool_description == "Handoff to the Billing agent to handle the request. Handles invoices."


def test_handoff_with_input_type_and_overrides(backend):
    @dataclass
    class Escalation:
        reason: str
        priority: int

    received = []
    target = Agent(name="Human", model=backend.model)
    escalate = handoff(
        target,
        tool_name_override="escalate",
        tool_description_override="Escalate to a human.",
        on_handoff=lambda ctx, data: received.append((ctx.context, data)),
        input_type=Escalation,
    )
    backend.add([function_call("escalate", {"reason": "angry", "priority": 2})], "A human here")
    result = Runner.run_sync(Agent(name="bot", handoffs=[escalate], model=backend.model), "!!", context="c")
    assert result.final_output == "A human here"
    assert received == [("c", Escalation(reason="angry", priority=2))]
    assert backend.sent_tool_names(0) == ["escalate"]


def test_handoff_with_bad_input_json_raises(fake):
    @dataclass
    class Data:
        n: int

    target = Agent(name="T", model=fake.model)
    h = handoff(target, on_handoff=lambda ctx, d: None, input_type=Data)
    fake.add([function_call("transfer_to_t", "{broken")])
    with pytest.raises(ModelBehaviorError, match="Invalid JSON input for handoff transfer_to_t"):
        Runner.run_sync(Agent(name="a", handoffs=[h], model=fake.model), "x")
    fake.add([function_call("transfer_to_t", {"n": "not a number"})])
    with pytest.raises(ModelBehaviorError, match="Invalid input for handoff"):
        Runner.run_sync(Agent(name="a", handoffs=[h], model=fake.model), "x")


def test_on_handoff_without_input(fake):
    called = []
    target = Agent(name="T", model=fake.model)
    fake.add([function_call("transfer_to_t", {})], "done")
    agent = Agent(name="a", handoffs=[handoff(target, on_handoff=lambda ctx: called.append(1))], model=fake.model)
    Runner.run_sync(agent, "x")
    assert called == [1]


def test_handoff_misuse_is_user_error():
    target = Agent(name="T")
    with pytest.raises(UserError):
        handoff(target, input_type=int)  # input_type without on_handoff
    with pytest.raises(UserError):
        handoff(target, on_handoff=lambda: None)  # wrong arity
    with pytest.raises(UserError):
        handoff(target, on_handoff=lambda ctx: None, input_type=int)  # must take the input too
    with pytest.raises(UserError, match="input_filter must be callable"):
        handoff(target, input_filter="not callable")  # type: ignore[arg-type]


def test_only_the_first_handoff_runs(fake):
    first = Agent(name="First", model=fake.model)
    second = Agent(name="Second", model=fake.model)
    fake.add(
        [function_call("transfer_to_first", {}, call_id="a"),
         function_call("transfer_to_second", {}, call_id="b")],
        "from first",
    )
    result = Runner.run_sync(Agent(name="t", handoffs=[first, second], model=fake.model), "x")
    assert result.last_agent is first
    outputs = {i.raw_item["call_id"]: i.raw_item["output"] for i in result.new_items
               if i.type in ("tool_call_output_item", "handoff_output_item")}
    assert outputs == {"b": "Multiple handoffs detected, ignoring this one.",
                       "a": '{"assistant": "First"}'}


def test_remove_all_tools_filter(fake):
    target = Agent(name="Clean", model=fake.model)
    agent = Agent(
        name="t", tools=[lookup], model=fake.model,
        handoffs=[handoff(target, input_filter=remove_all_tools)],
    )
    fake.add(
        [function_call("lookup", {"q": "x"})],
        [text_message("handing off"), function_call("transfer_to_clean", {})],
        "clean answer",
    )
    result = Runner.run_sync(agent, "start")
    assert result.final_output == "clean answer"
    seen = fake.sent_input(2)
    assert all(item.get("type") not in ("function_call", "function_call_output") for item in seen)
    assert [item.get("role") for item in seen] == ["user", "assistant"]
    # The run's own record keeps everything.
    assert sum(1 for i in result.new_items if i.type == "tool_call_item") == 1


def test_run_config_handoff_filter_and_non_callable(fake):
    seen = []

    def keep_last_message(data: HandoffInputData) -> HandoffInputData:
        seen.append(data)
        return data.clone(
            input_history=({"role": "user", "content": "summary"},), pre_handoff_items=(), new_items=()
        )

    target = Agent(name="T", model=fake.model)
    fake.add([function_call("transfer_to_t", {})], "ok")
    Runner.run_sync(
        Agent(name="a", handoffs=[target], model=fake.model), "long story",
        run_config=RunConfig(handoff_input_filter=keep_last_message),
    )
    assert seen[0].input_history == "long story"  # a string input stays a string
    assert [i.type for i in seen[0].new_items] == ["handoff_call_item", "handoff_output_item"]
    assert fake.sent_input(1) == [{"role": "user", "content": "summary"}]

    fake.add([function_call("transfer_to_t", {})])
    with pytest.raises(UserError, match="must be callable"):
        Runner.run_sync(
            Agent(name="a", handoffs=[target], model=fake.model), "x",
            run_config=RunConfig(handoff_input_filter="nope"),  # type: ignore[arg-type]
        )


def test_disabled_handoff_is_not_offered(fake):
    target = Agent(name="T")
    fake.add("ok")
    agent = Agent(name="a", handoffs=[handoff(target, is_enabled=False)], model=fake.model)
    Runner.run_sync(agent, "x")
    assert fake.sent_tool_names(0) == []


def test_handoff_hooks(fake):
    events = []

    class Hooks(RunHooks):
        def on_handoff(self, context, from_agent, to_agent):
            events.append(("run", from_agent.name, to_agent.name))

    class TargetHooks(AgentHooks):
        def on_handoff(self, context, agent, source):
            events.append(("agent", agent.name, source.name))

    target = Agent(name="T", model=fake.model, hooks=TargetHooks())
    fake.add([function_call("transfer_to_t", {})], "ok")
    Runner.run_sync(Agent(name="a", handoffs=[target], model=fake.model), "x", hooks=Hooks())
    assert events == [("run", "a", "T"), ("agent", "T", "a")]


def test_handoff_chain_back_and_forth(fake):
    a = Agent(name="A", model=fake.model)
    b = Agent(name="B", model=fake.model, handoffs=[a])
    a.handoffs.append(b)
    fake.add(
        [function_call("transfer_to_b", {})],
        [function_call("transfer_to_a", {})],
        "back at A",
    )
    result = Runner.run_sync(a, "x")
    assert result.last_agent is a and result.final_output == "back at A"


def test_handoff_prompt_helpers():
    assert prompt_with_handoff_instructions("Be nice.").startswith(RECOMMENDED_PROMPT_PREFIX)
    assert prompt_with_handoff_instructions("Be nice.").endswith("Be nice.")
    assert "transfer_to_" in RECOMMENDED_PROMPT_PREFIX
