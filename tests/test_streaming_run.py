"""Streamed runs: event order, deltas, items across tools and handoffs, cancel, close, errors."""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass

import pytest

from agents_lite import (
    Agent,
    MaxTurnsExceeded,
    Runner,
    UserError,
    function_tool,
)
from agents_lite.testing.scripted import function_call, text_message


@function_tool
def lookup(q: str) -> str:
    """Look up."""
    return f"result for {q}"


def _kinds(events):
    out = []
    for event in events:
        if event.type == "raw_response_event":
            out.append(event.data["type"])
        elif event.type == "run_item_stream_event":
            out.append(f"item:{event.name}")
        else:
            out.append(f"agent:{event.new_agent.name}")
    return out


def test_text_stream_event_order_and_deltas(backend):
    backend.add("Hello streaming world")
    result = Runner.run_streamed(Agent(name="a", model=backend.model), "hi")
    events = list(result.stream_events())
    kinds = _kinds(events)
    assert kinds[0] == "agent:a"
    assert kinds[-2:] == ["response.completed", "item:message_output_created"]
    deltas = "".join(e.data["delta"] for e in events
                     if e.type == "raw_response_event" and e.data["type"] == "response.output_text.delta")
    assert deltas == "Hello streaming world"
    assert result.final_output == "Hello streaming world"
    assert result.is_complete and result.current_turn == 1


def test_stream_with_tools_and_handoff(backend):
    expert = Agent(name="expert", model=backend.model)
    agent = Agent(name="triage", tools=[lookup], handoffs=[expert], model=backend.model)
    backend.add(
        [function_call("lookup", {"q": "x"})],
        [function_call("transfer_to_expert", {})],
        "expert answer",
    )
    result = Runner.run_streamed(agent, "go")
    items = [k for k in _kinds(result.stream_events()) if not k.startswith("response.")]
    assert items == [
        "agent:triage", "item:tool_called", "item:tool_output", "item:handoff_requested",
        "item:handoff_occured", "agent:expert", "item:message_output_created",
    ]
    assert result.final_output == "expert answer" and result.last_agent is expert


def test_streamed_function_call_arguments(backend):
    backend.add([function_call("lookup", {"q": "streamed args"})], "ok")
    result = Runner.run_streamed(Agent(name="a", tools=[lookup], model=backend.model), "go")
    args = "".join(e.data["delta"] for e in result.stream_events()
                   if e.type == "raw_response_event"
                   and e.data["type"] == "response.function_call_arguments.delta")
    assert args == '{"q": "streamed args"}'


def test_structured_output_streamed(fake):
    @dataclass
    class Answer:
        value: int

    fake.add('{"value": 42}')
    result = Runner.run_streamed(Agent(name="a", output_type=Answer, model=fake.model), "x")
    list(result.stream_events())
    assert result.final_output == Answer(42)


def test_cancel_immediate_closes_the_model_stream(fake):
    fake.add("one two three four five six seven")
    result = Runner.run_streamed(Agent(name="a", model=fake.model), "x")
    seen = 0
    for event in result.stream_events():
        if event.type == "raw_response_event" and event.data["type"] == "response.output_text.delta":
            seen += 1
            result.cancel()
    assert seen == 1
    assert result.is_complete and result.final_output is None
    assert fake.model.open_streams == 0


def test_cancel_after_turn(fake):
    fake.add([function_call("lookup", {"q": "x"})], "never requested")
    result = Runner.run_streamed(Agent(name="a", tools=[lookup], model=fake.model), "x")
    names = []
    for event in result.stream_events():
        if event.type == "run_item_stream_event":
            names.append(event.name)
            result.cancel(mode="after_turn")
    assert names == ["tool_called", "tool_output"]  # the turn finished, its tool ran
    assert fake.request_count() == 1 and result.final_output is None


def test_breaking_out_closes_everything(fake):
    fake.add("a b c d e f g")
    threads_before = threading.active_count()
    result = Runner.run_streamed(Agent(name="a", model=fake.model), "x")
    for event in result.stream_events():
        if event.type == "raw_response_event":
            break
    gc.collect()  # an abandoned generator is closed when collected
    assert fake.model.open_streams == 0
    assert threading.active_count() <= threads_before + 1  # no thread per stream


def test_explicit_close_of_the_event_generator(fake):
    fake.add("a b c")
    result = Runner.run_streamed(Agent(name="a", model=fake.model), "x")
    events = result.stream_events()
    next(events)
    next(events)
    events.close()
    assert fake.model.open_streams == 0 and result.is_complete


def test_errors_are_raised_from_the_generator(fake):
    fake.model.default_output = [function_call("lookup", {"q": "x"})]
    result = Runner.run_streamed(Agent(name="a", tools=[lookup], model=fake.model), "x", max_turns=2)
    with pytest.raises(MaxTurnsExceeded):
        for _ in result.stream_events():
            pass
    assert isinstance(result.error, MaxTurnsExceeded) and result.is_complete


def test_stream_events_is_single_use(fake):
    fake.add("x")
    result = Runner.run_streamed(Agent(name="a", model=fake.model), "x")
    list(result.stream_events())
    assert list(result.stream_events()) == []  # finished: nothing more
    fake.add("y")
    second = Runner.run_streamed(Agent(name="a", model=fake.model), "x")
    first_iter = second.stream_events()
    next(first_iter)
    with pytest.raises(UserError):
        next(second.stream_events())
    first_iter.close()


def test_nothing_runs_until_iterated(fake):
    fake.add("lazy")
    result = Runner.run_streamed(Agent(name="a", model=fake.model), "x")
    assert fake.request_count() == 0
    list(result.stream_events())
    assert fake.request_count() == 1


def test_streaming_uses_the_models_stream(fake):
    fake.add("x")
    list(Runner.run_streamed(Agent(name="a", model=fake.model), "x").stream_events())
    assert fake.model.calls[0].streamed is True


def test_stream_cut_mid_way_raises_and_keeps_nothing_partial():
    from agents_lite import APIConnectionError
    from agents_lite.models.http import HTTPClient
    from agents_lite.models.openai_responses import OpenAIResponsesModel
    from agents_lite.testing.faults import Fault
    from agents_lite.testing.server import LocalOpenAIServer

    with LocalOpenAIServer() as server:
        server.add_response(Fault(reply=[text_message("partial answer that never completes")],
                                  cut_after_events=5))
        model = OpenAIResponsesModel("m", client=HTTPClient(base_url=server.base_url, max_retries=0))
        result = Runner.run_streamed(Agent(name="a", model=model), "x")
        with pytest.raises(APIConnectionError):
            for _ in result.stream_events():
                pass
        assert result.new_items == [] and result.raw_responses == []
