"""Bad input to a realtime session over real websockets: server error events, malformed frames,
connections closed mid-response, refused handshakes, failing tools, handoffs and guardrails."""

from __future__ import annotations

import socket
import threading
from typing import Any, Callable, Optional

import pytest

from agents_lite import GuardrailFunctionOutput, function_tool, output_guardrail
from agents_lite.handoffs import Handoff
from agents_lite.realtime import (
    RealtimeAgent,
    RealtimeConnectionError,
    RealtimeRunner,
    RealtimeSession,
)
from agents_lite.testing.realtime_server import (
    RealtimeTestServer,
    realtime_close,
    realtime_error,
    realtime_function_call,
    realtime_raw,
    realtime_text,
)

from conftest import require

TEXT = {"model_settings": {"modalities": ["text"]}}

@pytest.fixture(autouse=True)
def _websocket_client_installed():
    try:
        import websocket  # noqa: F401
    except ImportError:
        require(False, "websocket-client is not installed (pip install 'agents-lite[realtime]')")


@pytest.fixture
def server():
    with RealtimeTestServer() as instance:
        yield instance
    assert instance.errors == []


def open_session(server: RealtimeTestServer, agent: Optional[RealtimeAgent[Any]] = None, *,
                 config: Optional[dict[str, Any]] = None, **model_config: Any) -> RealtimeSession:
    model_config.setdefault("url", server.base_url + "/realtime")
    return RealtimeRunner(agent or RealtimeAgent(name="a"), config=config or TEXT).run(
        model_config=model_config)  # type: ignore[arg-type]


def collect(session: RealtimeSession, until: Optional[Callable[[Any], bool]] = None,
            timeout: float = 10.0) -> list[Any]:
    watchdog = threading.Timer(timeout, session.close)
    watchdog.start()
    events = []
    try:
        for event in session:
            events.append(event)
            if until is not None and until(event):
                break
    finally:
        watchdog.cancel()
    return events


def agent_ends(count: int) -> Callable[[Any], bool]:
    seen = [0]

    def check(event: Any) -> bool:
        seen[0] += event.type == "agent_end"
        return seen[0] >= count

    return check


def errors(events: list[Any]) -> list[Any]:
    return [e.error for e in events if e.type == "error"]


def texts(events: list[Any]) -> str:
    return "".join(e.data.delta for e in events if e.type == "raw_model_event"
                   and e.data.type == "output_text_delta")


def test_server_error_event_is_reported_and_the_session_goes_on(server):
    server.add_response([realtime_error("The audio is too quiet.", type="invalid_request_error",
                                        code="audio_too_quiet", param="audio",
                                        event_id="evt_42"),
                         realtime_text("Still here.")])
    server.add_response("And still answering.")
    with open_session(server) as session:
        session.send_message("hello")
        events = collect(session, agent_ends(1))
        session.send_message("again")
        events += collect(session, agent_ends(1))
    (error,) = errors(events)
    assert (error.message, error.type, error.code, error.param, error.event_id) == (
        "The audio is too quiet.", "invalid_request_error", "audio_too_quiet", "audio", "evt_42")
    assert texts(events) == "Still here.And still answering."


def test_client_mistake_reported_by_the_server(server):
    with open_session(server) as session:
        session.send_raw_event({"type": "conversation.item.truncate.typo", "event_id": "mine"})
        events = collect(session, lambda e: e.type == "error")
    error = errors(events)[0]
    assert error.code == "invalid_value" and error.event_id == "mine"


def test_malformed_frames_are_reported_and_skipped(server):
    server.add_response([realtime_raw("{this is not json"), realtime_raw("[1, 2, 3]"),
                         realtime_raw('{"no_type": true}'),
                         realtime_raw({"type": "response.output_audio.delta",
                                       "response_id": "r", "item_id": "i", "delta": "%%%"}),
                         realtime_text("Recovered fine.")])
    with open_session(server) as session:
        session.send_message("hi")
        events = collect(session, agent_ends(1))
    problems = errors(events)
    assert [p.type for p in problems] == ["malformed_server_event"] * 4
    assert "this is not json" in problems[0].message
    assert "base64" in problems[3].message
    assert not [e for e in events if e.type == "audio"]
    assert texts(events) == "Recovered fine."


def test_fragmented_and_binary_frames_from_the_server(server):
    def handler(conn):
        conn.send_json({"type": "session.created", "session": {}})
        conn.wait_for_received("session.update")
        conn.send_fragmented('{"type": "error", "error": {"message": "split in three parts", '
                             '"type": "server_error", "code": null}}', pieces=3)
        conn.send_bytes(b'{"type": "error", "error": {"message": "binary frame"}}')
        conn.send_bytes(b"\xff\xfe not utf-8")
        conn.close(1000)

    server.set_handler(handler)
    with open_session(server) as session:
        events = collect(session)
    messages = [e.message for e in errors(events)]
    assert messages[:2] == ["split in three parts", "binary frame"]
    assert "Malformed server event" in messages[2]


def test_connection_dropped_mid_response_raises(server):
    server.add_response([realtime_text("This answer will never"), realtime_close()])
    with open_session(server) as session:
        session.send_message("hi")
        events = []
        with pytest.raises(RealtimeConnectionError, match="middle of a response") as excinfo:
            for event in session:
                events.append(event)
        with pytest.raises(RealtimeConnectionError):
            session.send_message("anyone there?")  # the server is gone: say so
    session.send_message("after close()")  # after our own close it is a no-op
    assert excinfo.value.close_code is None  # no close frame at all
    error = errors(events)[-1]
    assert error.type == "connection_closed" and "without a close frame" in error.message
    assert texts(events) == "This answer will never"  # what arrived was still delivered
    assert session.closed


def test_close_frame_with_error_code_mid_response(server):
    server.add_response([realtime_text("Partial"), realtime_close(1011, "internal error")])
    with open_session(server) as session:
        session.send_message("hi")
        with pytest.raises(RealtimeConnectionError) as excinfo:
            collect(session)
    assert excinfo.value.close_code == 1011
    assert "1011 (internal error)" in str(excinfo.value)


def test_clean_close_by_the_server_while_idle_ends_iteration(server):
    def handler(conn):
        conn.send_json({"type": "session.created", "session": {}})
        conn.wait_for_received("session.update")
        conn.close(1000, "bye")

    server.set_handler(handler)
    with open_session(server) as session:
        events = collect(session)  # ends without raising
    assert errors(events)[-1].type == "connection_closed"
    assert "code 1000 (bye)" in errors(events)[-1].message


def test_close_from_another_thread_ends_iteration_quietly(server):
    with open_session(server) as session:
        conn = server.wait_for_connection()
        conn.wait_for_received("session.update")
        threading.Timer(0.1, session.close).start()
        events = collect(session)
    assert errors(events) == []
    assert conn.wait_ended(5) and conn.client_close_code == 1000
    session.close()  # twice is fine
    assert list(session) == []


def test_refused_handshake_raises_at_connect():
    with RealtimeTestServer(api_key="sk-right") as server:
        session = open_session(server, api_key="sk-wrong")
        with pytest.raises(RealtimeConnectionError, match="HTTP 401") as excinfo:
            with session:
                pass
        assert excinfo.value.status_code == 401
        with open_session(server, api_key="sk-right") as ok:
            assert server.wait_for_connection()
        assert ok.closed


def test_nothing_listening():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    session = RealtimeRunner(RealtimeAgent(name="a")).run(
        model_config={"url": f"ws://127.0.0.1:{port}/v1/realtime", "connect_timeout": 2})
    with pytest.raises(RealtimeConnectionError, match="Could not connect"):
        session.connect()


def test_a_raising_tool_is_answered_and_the_session_lives_on(server):
    calls = []

    @function_tool(failure_error_function=None)
    def flaky(n: int) -> str:
        """Fails."""
        calls.append(n)
        raise RuntimeError("database is down")

    @function_tool
    def also_flaky(n: int) -> str:
        """Fails too, handled by the default error function."""
        raise ValueError("bad n")

    server.add_response([realtime_function_call("flaky", {"n": 1}, call_id="c1")])
    server.add_response("Sorry, the database is down.")
    server.add_response([realtime_function_call("also_flaky", {"n": 2}, call_id="c2")])
    server.add_response("Still sorry.")
    agent = RealtimeAgent(name="a", tools=[flaky, also_flaky])
    with open_session(server, agent) as session:
        session.send_message("count")
        events = collect(session, agent_ends(2))
        session.send_message("again")
        events += collect(session, agent_ends(2))
    problems = errors(events)
    assert [p.type for p in problems] == ["tool_error"]
    assert "database is down" in problems[0].message
    outputs = [e["item"]["output"] for e in
               server.connections[0].events_of_type("conversation.item.create")
               if e["item"]["type"] == "function_call_output"]
    assert outputs[0].startswith("An error occurred while running the tool. Please try again.")
    assert "database is down" in outputs[0]
    assert "bad n" in outputs[1]
    ends = [e for e in events if e.type == "tool_end"]
    assert [e.output for e in ends] == outputs
    assert texts(events) == "Sorry, the database is down.Still sorry."


def test_unknown_tool_and_tool_timeout(server):
    gate = threading.Event()

    @function_tool(timeout=0.2)
    def slow() -> str:
        """Takes too long."""
        gate.wait(5)
        return "late"

    server.add_response([realtime_function_call("does_not_exist", {}, call_id="u1")])
    server.add_response([realtime_function_call("slow", {}, call_id="s1")])
    server.add_response("The tool timed out.")
    with open_session(server, RealtimeAgent(name="a", tools=[slow])) as session:
        session.send_message("use a tool that does not exist")
        events = collect(session, agent_ends(1))
        conn = server.connections[0]
        conn.wait_for_received("conversation.item.create", 2)
        session.send_message("now the slow one")
        events += collect(session, agent_ends(2))
    gate.set()
    outputs = {e["item"]["call_id"]: e["item"]["output"] for e in
               conn.events_of_type("conversation.item.create")
               if e["item"]["type"] == "function_call_output"}
    assert outputs == {"u1": "Tool does_not_exist not found",
                       "s1": "Tool 'slow' timed out after 0.2 seconds."}
    assert "Tool does_not_exist not found" in [p.message for p in errors(events)]
    # an unknown tool does not make the model answer again on its own
    kinds = [e["type"] for e in conn.received]
    first_output = next(i for i, e in enumerate(conn.received)
                        if e["type"] == "conversation.item.create"
                        and e["item"]["type"] == "function_call_output")
    assert kinds[first_output + 1] == "conversation.item.create"


def test_handoff_that_returns_the_wrong_kind_of_agent(server):
    from agents_lite import Agent

    broken = Handoff(tool_name="transfer_to_chat", tool_description="", input_json_schema={},
                     on_invoke_handoff=lambda ctx, args: Agent(name="not realtime"),
                     agent_name="chat")
    agent = RealtimeAgent(name="a", handoffs=[broken])
    server.add_response([realtime_function_call("transfer_to_chat", {}, call_id="h1")])
    server.add_response("Staying here.")
    with open_session(server, agent) as session:
        session.send_message("switch")
        events = collect(session, agent_ends(2))
    assert "not a RealtimeAgent" in errors(events)[0].message
    assert session.current_agent is agent
    assert not [e for e in events if e.type == "handoff"]


def test_a_raising_guardrail_is_reported_and_skipped(server):
    @output_guardrail
    def broken(ctx, agent, text):
        raise RuntimeError("guardrail bug")

    @output_guardrail
    def fine(ctx, agent, text):
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    server.add_response(realtime_text("A perfectly harmless answer."))
    agent = RealtimeAgent(name="a", output_guardrails=[broken, fine])
    with open_session(server, agent) as session:
        session.send_message("hi")
        seen: list[str] = []

        def done(event: Any) -> bool:  # the guardrails run in a worker: wait for both
            seen.append(event.type)
            return "agent_end" in seen and "error" in seen

        events = collect(session, done)
    assert [p.type for p in errors(events)] == ["guardrail_error"]
    assert not [e for e in events if e.type == "guardrail_tripped"]


def test_bad_arguments(server):
    from agents_lite.exceptions import UserError

    with pytest.raises(UserError):
        RealtimeRunner("not an agent")  # type: ignore[arg-type]
    with pytest.raises(UserError):
        RealtimeAgent(name="a", handoffs=["nope"])  # type: ignore[list-item]
    session = open_session(server)
    with pytest.raises(UserError, match="not connected"):
        session.send_message("too early")
    with pytest.raises(UserError, match="Connect the realtime session first"):
        iter(session)
    with session:
        with pytest.raises(UserError):
            session.send_message(42)  # type: ignore[arg-type]
        with pytest.raises(UserError):
            session.send_raw_event({"no": "type"})
        with pytest.raises(UserError):
            session.update_agent("x")  # type: ignore[arg-type]
        with pytest.raises(UserError, match="already connected"):
            session.connect()
