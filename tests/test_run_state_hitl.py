"""Human in the loop and RunState serialisation."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from agents_lite import Agent, Runner, RunState, UserError, function_tool
from agents_lite.testing.scripted import function_call


def _delete_tool(log: list[str], needs_approval=True):
    @function_tool(needs_approval=needs_approval)
    def delete_file(path: str) -> str:
        """Delete a file."""
        log.append(path)
        return f"deleted {path}"

    return delete_file


@function_tool
def read_file(path: str) -> str:
    """Read a file."""
    return f"contents of {path}"


def test_approval_interrupts_then_resumes(backend):
    log: list[str] = []
    agent = Agent(name="ops", tools=[_delete_tool(log), read_file], model=backend.model)
    backend.add(
        [function_call("read_file", {"path": "a"}, call_id="r1"),
         function_call("delete_file", {"path": "b"}, call_id="d1")],
        "both done",
    )
    first = Runner.run_sync(agent, "clean up")
    assert first.final_output is None and log == []
    assert [(i.tool_name, i.call_id, i.arguments) for i in first.interruptions] == [
        ("delete_file", "d1", '{"path": "b"}')
    ]
    # The tool without approval ran in the same turn; its output is kept.
    assert [i.type for i in first.new_items] == ["tool_call_item", "tool_call_item", "tool_call_output_item"]
    assert backend.request_count() == 1

    state = first.to_state()
    state.approve(first.interruptions[0])
    second = Runner.run_sync(agent, state)
    assert second.final_output == "both done" and log == ["b"]
    assert backend.request_count() == 2
    assert sorted(backend.sent_tool_outputs(1)) == ["contents of a", "deleted b"]


def test_rejection_sends_the_message_to_the_model(backend):
    log: list[str] = []
    agent = Agent(name="ops", tools=[_delete_tool(log)], model=backend.model)
    backend.add([function_call("delete_file", {"path": "x"}, call_id="d1")], "ok, not deleting")
    result = Runner.run_sync(agent, "delete x")
    state = result.to_state()
    state.reject(result.interruptions[0], rejection_message="The user said no.")
    final = Runner.run_sync(agent, state)
    assert log == [] and final.final_output == "ok, not deleting"
    assert backend.sent_tool_outputs(1) == ["The user said no."]


def test_default_rejection_text_and_always_decisions(fake):
    log: list[str] = []
    agent = Agent(name="ops", tools=[_delete_tool(log)], model=fake.model)
    fake.add(
        [function_call("delete_file", {"path": "1"}, call_id="a")],
        [function_call("delete_file", {"path": "2"}, call_id="b")],
        "done",
    )
    result = Runner.run_sync(agent, "go")
    state = result.to_state()
    state.reject(result.interruptions[0])
    result = Runner.run_sync(agent, state)
    assert fake.sent_tool_outputs(1) == ["Tool execution was not approved."]
    assert result.interruptions[0].call_id == "b"
    state = result.to_state()
    state.reject(result.interruptions[0], always_reject=True, rejection_message="never")
    assert Runner.run_sync(agent, state).final_output == "done"
    assert fake.sent_tool_outputs(2) == ["Tool execution was not approved.", "never"]
    assert log == []

    fake.add(
        [function_call("delete_file", {"path": "3"}, call_id="c")],
        [function_call("delete_file", {"path": "4"}, call_id="d")],
        "done again",
    )
    first = Runner.run_sync(agent, "go")
    state = first.to_state()
    state.approve(first.interruptions[0], always_approve=True)
    final = Runner.run_sync(agent, state)
    assert final.final_output == "done again" and log == ["3", "4"]


def test_callable_needs_approval(fake):
    log: list[str] = []
    seen = []

    def risky(ctx, params, call_id):
        seen.append((params, call_id))
        return params["path"].startswith("/etc")

    agent = Agent(name="ops", tools=[_delete_tool(log, needs_approval=risky)], model=fake.model)
    fake.add([function_call("delete_file", {"path": "/tmp/a"}, call_id="t1")], "fine")
    assert Runner.run_sync(agent, "x").final_output == "fine" and log == ["/tmp/a"]
    fake.add([function_call("delete_file", {"path": "/etc/passwd"}, call_id="t2")])
    assert len(Runner.run_sync(agent, "x").interruptions) == 1
    assert seen == [({"path": "/tmp/a"}, "t1"), ({"path": "/etc/passwd"}, "t2")]


def test_approval_with_streaming_and_a_session(fake):
    from agents_lite.memory import SQLiteSession

    log: list[str] = []
    session = SQLiteSession("hitl")
    agent = Agent(name="ops", tools=[_delete_tool(log)], model=fake.model)
    fake.add([function_call("delete_file", {"path": "s"}, call_id="s1")], "streamed done")
    first = Runner.run_streamed(agent, "delete s", session=session)
    names = [e.name for e in first.stream_events() if e.type == "run_item_stream_event"]
    assert names == ["tool_called", "tool_approval_requested"]
    assert session.get_items() == []  # an unfinished turn is not written
    state = first.to_state()
    state.approve(first.interruptions[0])
    second = Runner.run_streamed(agent, state, session=session)
    list(second.stream_events())
    assert second.final_output == "streamed done" and log == ["s"]
    stored = session.get_items()
    assert [i.get("type", "message") for i in stored] == [
        "message", "function_call", "function_call_output", "message"
    ]
    assert stored[0] == {"role": "user", "content": "delete s"}


@dataclass
class Ctx:
    user: str


def test_state_round_trips_through_a_string(fake):
    log: list[str] = []
    agent = Agent(name="ops", tools=[_delete_tool(log)], model=fake.model)
    fake.add([function_call("delete_file", {"path": "z"}, call_id="z1")], "finished")
    result = Runner.run_sync(agent, "go", context=Ctx("ada"))
    text = result.to_state().to_string()
    data = json.loads(text)
    assert data["$schemaVersion"] == "1" and data["current_agent"] == "ops"
    restored = RunState.from_string(agent, text, context_deserializer=lambda v: Ctx(**v))
    assert restored.context_wrapper.context == Ctx("ada")
    # The item of the original result approves the restored state (matched by call id).
    restored.approve(result.interruptions[0])
    final = Runner.run_sync(agent, restored)
    assert final.final_output == "finished" and log == ["z"]
    assert final.usage.requests == 2


def test_state_with_handoffs_finds_agents_by_name(fake):
    log: list[str] = []
    worker = Agent(name="worker", tools=[_delete_tool(log)], model=fake.model)
    triage = Agent(name="triage", handoffs=[worker], model=fake.model)
    fake.add(
        [function_call("transfer_to_worker", {})],
        [function_call("delete_file", {"path": "w"}, call_id="w1")],
        "worker finished",
    )
    result = Runner.run_sync(triage, "go")
    restored = RunState.from_json(triage, json.loads(result.to_state().to_string()))
    assert restored.current_agent is worker
    restored.approve(restored.get_interruptions()[0])
    final = Runner.run_sync(triage, restored)
    assert final.final_output == "worker finished" and final.last_agent is worker


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update({"$schemaVersion": "99"}), "not supported"),
        (lambda d: d.pop("$schemaVersion"), "no \\$schemaVersion"),
        (lambda d: d.update({"current_agent": "ghost"}), "'ghost', which is not reachable"),
        (lambda d: d.update({"generated_items": "nope"}), "should be a list"),
        (lambda d: d["generated_items"].append({"type": "alien", "agent": "ops", "raw_item": {}}),
         "unknown item type"),
        (lambda d: d.update({"original_input": 5}), "original_input"),
    ],
)
def test_bad_state_data_is_a_user_error(fake, mutate, message):
    agent = Agent(name="ops", tools=[_delete_tool([])], model=fake.model)
    fake.add([function_call("delete_file", {"path": "q"})])
    data = Runner.run_sync(agent, "go").to_state().to_json()
    mutate(data)
    with pytest.raises(UserError, match=message):
        RunState.from_json(agent, data)


def test_state_string_that_is_not_json(fake):
    with pytest.raises(UserError, match="not valid JSON"):
        RunState.from_string(Agent(name="a"), "{broken")


def test_unserialisable_context_needs_an_override(fake):
    agent = Agent(name="ops", tools=[_delete_tool([])], model=fake.model)
    fake.add([function_call("delete_file", {"path": "q"})])
    state = Runner.run_sync(agent, "go", context=object()).to_state()
    text = state.to_string()
    with pytest.raises(UserError, match="context_override"):
        RunState.from_string(agent, text, strict_context=True)
    assert RunState.from_string(agent, text, context_override="new").context_wrapper.context == "new"
