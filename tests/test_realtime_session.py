"""RealtimeSession against the local realtime websocket server: configuration, text and audio
answers, tools, approvals, handoffs, interruption, guardrails, turn handling."""

from __future__ import annotations

import json
import threading
from typing import Any, Callable, Optional

import pytest

from agents_lite import GuardrailFunctionOutput, function_tool, output_guardrail
from agents_lite.exceptions import UserError
from agents_lite.realtime import (
    RealtimeAgent,
    RealtimePlaybackTracker,
    RealtimeRunner,
    RealtimeSession,
    realtime_handoff,
    realtime_url,
)
from agents_lite.testing.audio_api import tone_pcm
from agents_lite.testing.realtime_server import (
    RealtimeTestServer,
    realtime_audio,
    realtime_function_call,
    realtime_text,
    realtime_wait_for,
)

from conftest import require


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


def open_session(server: RealtimeTestServer, agent: RealtimeAgent[Any], *,
                 config: Optional[dict[str, Any]] = None, **model_config: Any) -> RealtimeSession:
    model_config.setdefault("url", server.base_url + "/realtime")
    return RealtimeRunner(agent, config=config).run(model_config=model_config)  # type: ignore


def collect(session: RealtimeSession, until: Callable[[Any], bool], *, timeout: float = 10.0,
            on_event: Optional[Callable[[Any], None]] = None) -> list[Any]:
    """Events up to and including the first for which `until` is true (the session is closed
    by a watchdog if that never comes, so a broken test fails instead of hanging)."""
    watchdog = threading.Timer(timeout, session.close)
    watchdog.start()
    events = []
    try:
        for event in session:
            events.append(event)
            if on_event is not None:
                on_event(event)
            if until(event):
                return events
    finally:
        watchdog.cancel()
    raise AssertionError(f"session ended before the expected event; got {_types(events)}")


def _types(events: list[Any]) -> list[str]:
    return [e.type for e in events if e.type != "raw_model_event"]


def agent_ends(count: int) -> Callable[[Any], bool]:
    seen = [0]

    def check(event: Any) -> bool:
        if event.type == "agent_end":
            seen[0] += 1
        return seen[0] >= count

    return check


def client_events(server: RealtimeTestServer, index: int = 0) -> list[str]:
    return [e["type"] for e in server.connections[index].received
            if isinstance(e, dict) and e.get("type") != "input_audio_buffer.append"]


@function_tool
def get_weather(city: str) -> dict:
    """Look up the weather.

    Args:
        city: The city.
    """
    return {"city": city, "sky": "sunny"}


def test_connect_configures_the_session(server):
    spanish = RealtimeAgent(name="Spanish agent", handoff_description="Speaks Spanish.")
    agent = RealtimeAgent(name="Assistant", instructions="Be brief.", tools=[get_weather],
                          handoffs=[spanish])
    session = open_session(server, agent, api_key="sk-local")
    with session:
        first = next(iter(session))
        conn = server.wait_for_connection()
        (update,) = conn.wait_for_received("session.update")
    assert first.type == "history_updated" and first.history == []
    assert server.handshakes[0]["query"] == {"model": "gpt-realtime"}
    assert server.handshakes[0]["headers"]["authorization"] == "Bearer sk-local"
    assert update["type"] == "session.update"
    assert update["session"] == {
        "type": "realtime",
        "model": "gpt-realtime",
        "instructions": "Be brief.",
        "output_modalities": ["audio"],
        "audio": {
            "input": {"format": {"type": "audio/pcm", "rate": 24000},
                      "transcription": {"model": "gpt-4o-mini-transcribe"},
                      "turn_detection": {"type": "semantic_vad", "interrupt_response": True}},
            "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "ash"},
        },
        "tools": [
            {"type": "function", "name": "get_weather", "description": "Look up the weather.",
             "parameters": get_weather.params_json_schema},
            {"type": "function", "name": "transfer_to_spanish_agent",
             "description": "Handoff to the Spanish agent agent to handle the request. "
                            "Speaks Spanish.",
             "parameters": {"type": "object", "properties": {}, "required": [],
                            "additionalProperties": False}},
        ],
    }
    assert conn.wait_ended(5) and conn.client_close_code == 1000


def test_url_comes_from_openai_base_url(server, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", server.http_base_url)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    session = RealtimeRunner(RealtimeAgent(name="a"), model="gpt-realtime-mini").run()
    with session:
        server.wait_for_connection()
    assert server.handshakes[0]["path"] == "/v1/realtime"
    assert server.handshakes[0]["query"] == {"model": "gpt-realtime-mini"}
    assert "authorization" not in server.handshakes[0]["headers"]
    assert realtime_url(base_url="https://example.com/openai/v1", query={"model": "m"}) == (
        "wss://example.com/openai/v1/realtime?model=m")
    assert realtime_url("wss://x.test/realtime?model=a", query={"model": "b"}) == (
        "wss://x.test/realtime?model=a")
    with pytest.raises(UserError):
        realtime_url(base_url="ftp://nope")


def test_missing_key_for_openai_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    from agents_lite.models import defaults

    monkeypatch.setattr(defaults._state, "key", None)
    with pytest.raises(UserError, match="No OpenAI API key"):
        RealtimeRunner(RealtimeAgent(name="a")).run().connect()


def test_custom_headers_are_sent_verbatim(server):
    session = open_session(server, RealtimeAgent(name="a"), headers={"api-key": "azure-secret"})
    with session:
        server.wait_for_connection()
    headers = server.handshakes[0]["headers"]
    assert headers["api-key"] == "azure-secret" and "authorization" not in headers


def test_text_conversation(server):
    config = {"model_settings": {"modalities": ["text"]}}
    server.add_response(realtime_text("Hello! How can I help you today?"))
    with open_session(server, RealtimeAgent(name="a"), config=config) as session:
        session.send_message("Hi there")
        events = collect(session, agent_ends(1))
    kinds = _types(events)
    assert kinds[kinds.index("agent_start"):][-1] == "agent_end"
    deltas = [e.data.delta for e in events if e.type == "raw_model_event"
              and e.data.type == "output_text_delta"]
    assert "".join(deltas) == "Hello! How can I help you today?"
    history = session.history
    assert [(type(i).__name__, i.content[0]) for i in history] == [
        ("UserMessageItem", history[0].content[0]),
        ("AssistantMessageItem", history[1].content[0]),
    ]
    assert history[0].content[0].text == "Hi there"
    assert history[1].content[0].text == "Hello! How can I help you today?"
    assert client_events(server) == ["session.update", "conversation.item.create",
                                     "response.create"]
    update = server.connections[0].events_of_type("session.update")[0]["session"]
    assert update["output_modalities"] == ["text"]


def test_audio_bytes_arrive_unchanged(server):
    pcm = bytes(range(256)) * 47  # 12032 bytes, deliberately not a multiple of the chunk size
    server.add_response(realtime_audio("Here is some audio for you.", pcm, chunk_bytes=1000))
    with open_session(server, RealtimeAgent(name="a")) as session:
        session.send_message("play something")
        events = collect(session, agent_ends(1))
    audio = [e for e in events if e.type == "audio"]
    assert b"".join(e.audio.data for e in audio) == pcm
    assert [len(e.audio.data) for e in audio] == [1000] * 12 + [32]
    item_ids = {e.item_id for e in audio}
    assert len(item_ids) == 1 and all(e.content_index == 0 for e in audio)
    (end,) = [e for e in events if e.type == "audio_end"]
    assert end.item_id in item_ids
    transcript = "".join(e.data.delta for e in events if e.type == "raw_model_event"
                         and e.data.type == "transcript_delta")
    assert transcript == "Here is some audio for you."
    assistant = session.history[-1]
    assert assistant.content[0].transcript == "Here is some audio for you."
    raw_types = {e.data.data["type"] for e in events if e.type == "raw_model_event"
                 and e.data.type == "raw_server_event"}
    assert {"session.created", "session.updated", "response.created", "response.done"} <= raw_types


def test_tool_call_runs_in_a_worker_and_its_output_goes_back(server):
    threads: list[str] = []

    @function_tool
    def lookup(city: str) -> dict:
        """Look up a city."""
        threads.append(threading.current_thread().name)
        return {"city": city, "sky": "sunny"}

    server.add_response([realtime_function_call("lookup", {"city": "Oslo"}, call_id="call_1")])
    server.add_response(realtime_audio("It is sunny in Oslo."))
    agent = RealtimeAgent(name="a", tools=[lookup])
    with open_session(server, agent) as session:
        session.send_message("Weather in Oslo?")
        events = collect(session, agent_ends(2))
    kinds = _types(events)
    assert kinds.index("tool_start") < kinds.index("tool_end")
    tool_end = next(e for e in events if e.type == "tool_end")
    assert tool_end.output == {"city": "Oslo", "sky": "sunny"}  # the raw value
    assert tool_end.tool is lookup and tool_end.arguments == '{"city": "Oslo"}'
    assert threads and threads[0] != threading.current_thread().name
    creates = server.connections[0].events_of_type("conversation.item.create")
    assert creates[1]["item"] == {"type": "function_call_output", "call_id": "call_1",
                                  "output": json.dumps({"city": "Oslo", "sky": "sunny"})}
    # the follow-up response was requested once, after the first one finished: no server errors
    assert client_events(server)[-2:] == ["conversation.item.create", "response.create"]
    assert not [e for e in events if e.type == "error"]
    call = next(i for i in session.history if i.type == "function_call")
    assert call.output == json.dumps({"city": "Oslo", "sky": "sunny"})


def test_tool_approval(server):
    @function_tool(needs_approval=True)
    def delete_account(user: str) -> str:
        """Delete an account."""
        return f"deleted {user}"

    server.add_response([realtime_function_call("delete_account", {"user": "ada"},
                                                call_id="c1")])
    server.add_response("Done, the account is gone.")
    server.add_response([realtime_function_call("delete_account", {"user": "bob"},
                                                call_id="c2")])
    server.add_response("Okay, I will not do that.")
    agent = RealtimeAgent(name="a", tools=[delete_account])
    config = {"model_settings": {"modalities": ["text"]}}
    with open_session(server, agent, config=config) as session:
        session.send_message("delete ada")

        def decide(event: Any) -> None:
            if event.type == "tool_approval_required":
                if event.call_id == "c1":
                    session.approve_tool_call("c1")
                else:
                    session.reject_tool_call(event.call_id, rejection_message="Not allowed.")

        events = collect(session, agent_ends(2), on_event=decide)
        session.send_message("delete bob")
        events += collect(session, agent_ends(2), on_event=decide)
    outputs = [e["item"]["output"] for e in
               server.connections[0].events_of_type("conversation.item.create")
               if e["item"]["type"] == "function_call_output"]
    assert outputs == ["deleted ada", "Not allowed."]
    assert [e.call_id for e in events if e.type == "tool_approval_required"] == ["c1", "c2"]
    with pytest.raises(UserError):
        session.approve_tool_call("nothing-waiting")


def test_handoff_switches_agent_with_session_update(server):
    billing = RealtimeAgent(name="Billing", instructions="You handle invoices.",
                            tools=[get_weather])
    triage = RealtimeAgent(name="Triage", instructions="Route the caller.",
                           handoffs=[realtime_handoff(billing)])
    server.add_response([realtime_function_call("transfer_to_billing", {}, call_id="h1")])
    server.add_response("Billing here, how can I help?")
    config = {"model_settings": {"modalities": ["text"]}}
    with open_session(server, triage, config=config) as session:
        session.send_message("I have a billing question")
        events = collect(session, agent_ends(2))
    (handoff,) = [e for e in events if e.type == "handoff"]
    assert handoff.from_agent is triage and handoff.to_agent is billing
    assert session.current_agent is billing
    starts = [e.agent.name for e in events if e.type == "agent_start"]
    assert starts == ["Triage", "Billing"]
    received = [e for e in server.connections[0].received if e["type"] != "session.update"
                or e is not server.connections[0].received[0]]
    kinds = [e["type"] for e in received]
    # the new instructions and tools go out before the handoff's output and the next response
    update_index = kinds.index("session.update")
    output_index = next(i for i, e in enumerate(received)
                        if e["type"] == "conversation.item.create"
                        and e["item"]["type"] == "function_call_output")
    assert update_index < output_index < len(kinds) - 1 and kinds[-1] == "response.create"
    update = received[update_index]["session"]
    assert update["instructions"] == "You handle invoices."
    assert [t["name"] for t in update["tools"]] == ["get_weather"]
    assert json.loads(received[output_index]["item"]["output"]) == {"assistant": "Billing"}


def test_update_agent_and_update_session(server):
    first, second = RealtimeAgent(name="one", instructions="1"), RealtimeAgent(
        name="two", instructions="2")
    with open_session(server, first) as session:
        session.update_agent(second)
        session.update_session({"voice": "coral", "turn_detection": None})
        conn = server.wait_for_connection()
        updates = conn.wait_for_received("session.update", 3)
    assert updates[1]["session"]["instructions"] == "2"
    assert updates[2]["session"] == {"type": "realtime", "model": "gpt-realtime", "audio": {
        "input": {"turn_detection": None}, "output": {"voice": "coral"}}}
    assert session.current_agent is second


def test_interrupt_truncates_what_was_played(server):
    tracker = RealtimePlaybackTracker()
    pcm = tone_pcm(1000)  # one second of audio
    server.add_response([realtime_audio("A long answer that will be cut.", pcm),
                         realtime_wait_for("response.cancel")])
    with open_session(server, RealtimeAgent(name="a"), playback_tracker=tracker) as session:
        session.send_message("talk")

        def play(event: Any) -> None:
            if event.type == "audio_end":
                tracker.on_play_bytes(event.item_id, 0, pcm[:12000])  # 250 ms were heard
                session.interrupt()

        events = collect(session, agent_ends(1), on_event=play)
    truncate = server.connections[0].events_of_type("conversation.item.truncate")
    assert len(truncate) == 1
    audio_item = next(e.item_id for e in events if e.type == "audio")
    assert truncate[0] == {"type": "conversation.item.truncate", "item_id": audio_item,
                           "content_index": 0, "audio_end_ms": 250}
    assert "response.cancel" in client_events(server)
    interrupted = [e for e in events if e.type == "audio_interrupted"]
    assert [(e.item_id, e.content_index) for e in interrupted] == [(audio_item, 0)]
    done = [e.data.data for e in events if e.type == "raw_model_event"
            and e.data.type == "raw_server_event" and e.data.data["type"] == "response.done"]
    assert done[0]["response"]["status"] == "cancelled"


def test_barge_in_truncates_at_received_audio(server):
    pcm = tone_pcm(500)
    server.add_response([realtime_audio("Let me tell you a long story.", pcm),
                         realtime_wait_for("input_audio_buffer.append")])
    server.add_response("Sure, what did you want to say?")
    with open_session(server, RealtimeAgent(name="a")) as session:
        session.send_message("story please")

        def barge_in(event: Any) -> None:
            if event.type == "audio_end":
                session.send_audio(tone_pcm(100))  # the user starts talking over the answer

        events = collect(session, lambda e: e.type == "audio_interrupted", on_event=barge_in)
    truncate = server.connections[0].events_of_type("conversation.item.truncate")
    # without a playback tracker, everything received counts as heard
    assert truncate[0]["audio_end_ms"] == 500
    assert "response.cancel" not in client_events(server)  # the server cancels on barge-in
    assert events[-1].type == "audio_interrupted"


def test_send_audio_and_commit_without_turn_detection(server):
    server.add_transcript("what time is it")
    server.add_response("It is noon.")
    settings = {"turn_detection": None, "modalities": ["text"]}
    speech = tone_pcm(300)
    with open_session(server, RealtimeAgent(name="a"),
                      initial_model_settings=settings) as session:
        session.send_audio(speech[:7200])
        session.send_audio(speech[7200:], commit=True)
        with pytest.raises(UserError):
            session.send_audio(b"\x00")  # half a sample: wrong sample width
        events = collect(session, agent_ends(1))
    assert server.audio_of(0) == speech
    assert client_events(server) == ["session.update", "input_audio_buffer.commit",
                                     "response.create"]
    update = server.connections[0].events_of_type("session.update")[0]["session"]
    assert update["audio"]["input"]["turn_detection"] is None
    transcripts = [e.data.transcript for e in events if e.type == "raw_model_event"
                   and e.data.type == "input_audio_transcription_completed"]
    assert transcripts == ["what time is it"]
    user = next(i for i in session.history if i.type == "message" and i.role == "user")
    assert user.content[0].transcript == "what time is it"


def test_voice_activity_starts_a_response(server):
    server.add_transcript("hello")
    server.add_response(realtime_audio("Hi!"))
    speech = tone_pcm(400) + b"\x00\x00" * 9600  # speech then 400 ms of silence
    with open_session(server, RealtimeAgent(name="a")) as session:
        for start in range(0, len(speech), 4800):
            session.send_audio(speech[start:start + 4800])
        events = collect(session, agent_ends(1))
    raw = [e.data.data["type"] for e in events if e.type == "raw_model_event"
           and e.data.type == "raw_server_event"]
    assert raw.index("input_audio_buffer.speech_started") < raw.index(
        "input_audio_buffer.speech_stopped") < raw.index("response.created")
    assert "response.create" not in client_events(server)


@pytest.mark.parametrize("delta_delay", [0.0, 0.05], ids=["fast", "slow-deltas"])
def test_second_response_waits_for_the_first(server, delta_delay):
    # With slow deltas the second message reaches the server while the first answer is still
    # being played, before the script's wait: the wait must count it instead of blocking.
    server.delta_delay = delta_delay
    first = "First answer, told in many small pieces."
    server.add_response([realtime_text(first), realtime_wait_for("conversation.item.create")])
    server.add_response("Second answer.")
    config = {"model_settings": {"modalities": ["text"]}}
    with open_session(server, RealtimeAgent(name="a"), config=config) as session:
        session.send_message("one")
        sent: list[bool] = []

        def second(event: Any) -> None:
            if event.type == "agent_start" and not sent:
                sent.append(True)
                session.send_message("two")

        events = collect(session, agent_ends(2), on_event=second, timeout=5.0)
    assert client_events(server) == ["session.update", "conversation.item.create",
                                     "response.create", "conversation.item.create",
                                     "response.create"]
    assert not [e for e in events if e.type == "error"]
    texts = [i.content[0].text for i in session.history if i.type == "message"
             and i.role == "assistant"]
    assert texts == [first, "Second answer."]


def test_output_guardrail_trips_on_the_transcript(server):
    seen: list[str] = []

    @output_guardrail
    def no_secrets(ctx, agent, text):
        seen.append(text)
        return GuardrailFunctionOutput(output_info={"len": len(text)},
                                       tripwire_triggered="secret" in text)

    server.add_response([realtime_audio("Sure. The secret code is 1234, keep it safe."),
                         realtime_wait_for("response.cancel")])
    server.add_response("Sorry, I cannot share that.")
    agent = RealtimeAgent(name="a", output_guardrails=[no_secrets])
    config = {"guardrails_settings": {"debounce_text_length": 10}}
    with open_session(server, agent, config=config) as session:
        session.send_message("tell me the code")
        events = collect(session, agent_ends(2))
    (tripped,) = [e for e in events if e.type == "guardrail_tripped"]
    assert "secret" in tripped.message
    assert tripped.guardrail_results[0].output.tripwire_triggered
    # checked as the transcript grew (every 10 characters) and on each full text
    first, second = "Sure. The secret code is 1234, keep it safe.", "Sorry, I cannot share that."
    assert {"Sure. The ", "Sure. The secret code ", second} <= set(seen)
    assert all(first.startswith(t) or second.startswith(t) for t in seen)
    assert "response.cancel" in client_events(server)
    messages = [e["item"]["content"][0]["text"] for e in
                server.connections[0].events_of_type("conversation.item.create")]
    assert messages == ["tell me the code", "guardrail triggered: no_secrets"]


def test_usage_is_accumulated(server):
    server.add_response("one")
    server.add_response("two")
    config = {"model_settings": {"modalities": ["text"]}}
    with open_session(server, RealtimeAgent(name="a"), config=config) as session:
        session.send_message("a")
        collect(session, agent_ends(1))
        session.send_message("b")
        collect(session, agent_ends(1))
    assert session.usage.input_tokens == 24 and session.usage.output_tokens == 16


def test_sessions_in_parallel_threads_stay_separate(server):
    results: dict[int, str] = {}
    config = {"model_settings": {"modalities": ["text"]}}

    def run(index: int) -> None:
        with open_session(server, RealtimeAgent(name=f"a{index}"), config=config) as session:
            session.send_message(f"message {index}")
            events = collect(session, agent_ends(1))
        results[index] = "".join(e.data.delta for e in events if e.type == "raw_model_event"
                                 and e.data.type == "output_text_delta")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert results == {i: f"message {i}" for i in range(4)}  # the server echoes each user
