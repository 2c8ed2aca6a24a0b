"""A chat page that streams an agent's answer, shows its tool calls and handoffs as they happen,
remembers each browser's conversation, and asks you before a sensitive tool runs.

    pip install flask
    python examples/web/app.py            # then open http://127.0.0.1:5000/

Without OPENAI_API_KEY the agents talk to a local scripted model (it says so on the page and
here); with a key they talk to the OpenAI API. It is a plain WSGI app (Flask, threads): each
request runs `Runner.run_streamed(...)` in its own thread and forwards the events of the sync
generator `result.stream_events()` to the browser as server-sent events.

For a production server use any threaded WSGI server, e.g.
`gunicorn -k gthread --threads 16 'app:create_app("chat.db")'` from this folder.

`python examples/web/app.py --self-test --port 0` starts the server, has a short conversation
with it over HTTP (weather, then a cancellation that it approves), prints it and exits.
"""

# example-test: args=--self-test --port 0
# expect: self-test: [tool] get_weather({"city": "Lisbon"})
# expect: self-test: answer: Right now in Lisbon it is sunny and 24 °C.
# expect: self-test: [handoff] Concierge -> Bookings
# expect: self-test: [approval needed] cancel_booking({"booking_id": "B-42"})
# expect: self-test: answer: Done: booking B-42 is cancelled
# expect: self-test: the page shows 4 messages

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing
from typing import Any, Optional

from flask import Flask, Response, jsonify, render_template, request

from agents_lite import Agent, RunConfig, Runner, RunState, SQLiteSession, function_tool

logger = logging.getLogger("web_example")

COOKIE = "chat_session"
TEMPERATURES = {"lisbon": "sunny and 24 °C", "oslo": "cloudy and 9 °C", "paris": "rainy and 15 °C"}


# --- the agents ---------------------------------------------------------------------------------


@function_tool
def get_weather(city: str) -> str:
    """Get the current weather of a city.

    Args:
        city: The city, e.g. "Lisbon".
    """
    return TEMPERATURES.get(city.strip().lower(), "mild and 18 °C")


@function_tool(needs_approval=True)
def cancel_booking(booking_id: str) -> str:
    """Cancel a booking and refund it. A person must approve this first.

    Args:
        booking_id: The booking reference, e.g. "B-42".
    """
    return f"Cancelled booking {booking_id}; refund issued."


def build_agents() -> Agent:
    """The concierge (weather) and the bookings agent it hands cancellations to."""
    bookings = Agent(
        name="Bookings",
        handoff_description="Changes and cancels bookings.",
        instructions="You handle bookings. Cancel them with cancel_booking when asked.",
        tools=[cancel_booking],
    )
    return Agent(
        name="Concierge",
        instructions="You are a hotel concierge. Use get_weather for weather questions and "
                     "hand off to Bookings for anything about bookings. Be friendly and brief.",
        tools=[get_weather],
        handoffs=[bookings],
    )


# --- paused runs, kept in the same SQLite file as the conversations -----------------------------


class PausedRuns:
    """Runs waiting for an approval, as `RunState` JSON text keyed by the browser's session."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        with closing(self._connect()) as conn, conn:
            conn.execute("CREATE TABLE IF NOT EXISTS web_paused_runs ("
                         " session_id TEXT PRIMARY KEY, state TEXT NOT NULL,"
                         " updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.db_path, timeout=30)

    def save(self, session_id: str, state: str) -> None:
        with closing(self._connect()) as conn, conn:
            conn.execute("INSERT INTO web_paused_runs (session_id, state) VALUES (?, ?) "
                         "ON CONFLICT(session_id) DO UPDATE SET state = excluded.state, "
                         "updated_at = CURRENT_TIMESTAMP", (session_id, state))

    def load(self, session_id: str) -> Optional[str]:
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT state FROM web_paused_runs WHERE session_id = ?",
                               (session_id,)).fetchone()
        return row[0] if row else None

    def drop(self, session_id: str) -> None:
        with closing(self._connect()) as conn, conn:
            conn.execute("DELETE FROM web_paused_runs WHERE session_id = ?", (session_id,))


# --- turning run events into server-sent events ----------------------------------------------------


def sse(event: str, data: dict[str, Any]) -> str:
    """One server-sent event."""
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def _handoff_target(output: Any) -> str:
    try:
        return str(json.loads(output)["assistant"])
    except (TypeError, ValueError, KeyError):
        return "?"


def history_view(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Session items as the page shows them: user and assistant bubbles, the assistant ones
    with badges for the tool calls and handoffs that led to them."""
    entries: list[dict[str, Any]] = []
    badges: list[dict[str, str]] = []
    handoff_calls: dict[str, dict[str, str]] = {}
    for item in items:
        kind, role = item.get("type"), item.get("role")
        if role == "user":
            content = item.get("content")
            text = content if isinstance(content, str) else "".join(
                part.get("text", "") for part in content or [] if isinstance(part, dict))
            entries.append({"role": "user", "text": text})
        elif kind == "function_call":
            name = item.get("name", "")
            if name.startswith("transfer_to_"):
                badge = {"kind": "handoff", "text": f"handoff: {name[len('transfer_to_'):]}"}
                handoff_calls[item.get("call_id", "")] = badge
            else:
                badge = {"kind": "tool", "text": f"{name}({item.get('arguments', '')})"}
            badges.append(badge)
        elif kind == "function_call_output" and item.get("call_id") in handoff_calls:
            handoff_calls[item["call_id"]]["text"] = "handoff → " + _handoff_target(
                item.get("output"))
        elif kind == "message" and role == "assistant":
            text = "".join(part.get("text", "") or part.get("refusal", "")
                           for part in item.get("content") or [])
            entries.append({"role": "assistant", "text": text, "badges": badges})
            badges = []
    if badges:
        entries.append({"role": "assistant", "text": "", "badges": badges})
    return entries


def run_events(result: Any) -> Iterator[str]:
    """The server-sent events of a streamed run, as it runs."""
    events = result.stream_events()
    try:
        for event in events:
            if event.type == "raw_response_event":
                if event.data.get("type") == "response.output_text.delta":
                    yield sse("text", {"delta": event.data["delta"]})
            elif event.type == "agent_updated_stream_event":
                yield sse("agent", {"name": event.new_agent.name})
            elif event.name == "tool_called":
                raw = event.item.raw_item
                yield sse("tool_call", {"name": raw.get("name", raw.get("type")),
                                        "arguments": raw.get("arguments", "")})
            elif event.name == "tool_output":
                yield sse("tool_output", {"output": str(event.item.output)[:500]})
            elif event.name == "handoff_occured":
                yield sse("handoff", {"from": event.item.source_agent.name,
                                      "to": event.item.target_agent.name})
            elif event.name == "tool_approval_requested":
                item = event.item
                yield sse("approval", {"call_id": item.call_id, "tool": item.tool_name,
                                       "arguments": item.arguments or ""})
    finally:
        events.close()  # the browser went away: close the model's HTTP stream too


# --- the app ------------------------------------------------------------------------------------


def create_app(db_path: str = "web_chat.db", *, agent: Optional[Agent] = None,
               run_config: Optional[RunConfig] = None, offline_note: Optional[str] = None) -> Flask:
    """The Flask app. Conversations and paused runs live in the SQLite file `db_path`;
    `run_config` applies to every run (e.g. a model provider)."""
    app = Flask(__name__)
    starting_agent = agent or build_agents()
    paused = PausedRuns(db_path)
    busy: set[str] = set()
    busy_lock = threading.Lock()

    def session_id() -> Optional[str]:
        value = request.cookies.get(COOKIE, "")
        return value if len(value) == 32 and all(c in "0123456789abcdef" for c in value) else None

    def claim(sid: str) -> bool:
        with busy_lock:
            if sid in busy:
                return False
            busy.add(sid)
            return True

    def release(sid: str) -> None:
        with busy_lock:
            busy.discard(sid)

    def stream(sid: str, run_input: Any) -> Response:
        def generate() -> Iterator[str]:
            session = SQLiteSession(sid, db_path)
            try:
                result = Runner.run_streamed(starting_agent, run_input, session=session,
                                             run_config=run_config)
                yield from run_events(result)
                if result.interruptions:
                    paused.save(sid, result.to_state().to_string())
                    last = sse("paused", {"waiting": len(result.interruptions)})
                else:
                    paused.drop(sid)
                    last = sse("done", {"agent": result.last_agent.name,
                                        "final_output": str(result.final_output)})
            except Exception as exc:  # shown on the page; the conversation so far is kept
                logger.exception("run failed")
                last = sse("error", {"message": f"{type(exc).__name__}: {exc}"})
            finally:
                session.close()
                release(sid)
            # Sent after the release: the page may act on it (approve, send) at once.
            yield last

        response = Response(generate(), mimetype="text/event-stream",
                            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        # Runs when the response is closed, also if the browser left before the stream began.
        response.call_on_close(lambda: release(sid))
        return response

    def problem(status: int, message: str) -> Response:
        response = jsonify({"error": message})
        response.status_code = status
        return response

    @app.get("/")
    def index() -> Response:
        sid = session_id() or uuid.uuid4().hex
        session = SQLiteSession(sid, db_path)
        try:
            entries = history_view(session.get_items())
        finally:
            session.close()
        waiting = []
        saved = paused.load(sid)
        if saved is not None:
            state = RunState.from_string(starting_agent, saved)
            waiting = [{"call_id": i.call_id, "tool": i.tool_name, "arguments": i.arguments or ""}
                       for i in state.get_interruptions()]
        page = render_template("index.html", entries=entries, waiting=waiting,
                               offline_note=offline_note)
        response = Response(page, mimetype="text/html")
        response.set_cookie(COOKIE, sid, httponly=True, samesite="Lax", max_age=30 * 86400)
        return response

    @app.post("/api/chat")
    def chat() -> Response:
        sid = session_id()
        if sid is None:
            return problem(400, "no chat session cookie: load the page first")
        message = (request.get_json(silent=True) or {}).get("message")
        if not isinstance(message, str) or not message.strip():
            return problem(400, "message must be a non-empty string")
        if paused.load(sid) is not None:
            return problem(409, "approve or reject the pending tool call first")
        if not claim(sid):
            return problem(409, "an answer is still being written")
        return stream(sid, message.strip())

    @app.post("/api/approve")
    def approve() -> Response:
        sid = session_id()
        if sid is None:
            return problem(400, "no chat session cookie: load the page first")
        data = request.get_json(silent=True) or {}
        decision = data.get("decision")
        if decision not in ("approve", "reject"):
            return problem(400, "decision must be 'approve' or 'reject'")
        if not claim(sid):
            return problem(409, "an answer is still being written")
        saved = paused.load(sid)
        if saved is None:
            release(sid)
            return problem(409, "nothing is waiting for approval")
        state = RunState.from_string(starting_agent, saved)
        pending = [i for i in state.get_interruptions() if i.call_id == data.get("call_id")]
        if not pending:
            release(sid)
            return problem(400, "unknown call_id")
        if decision == "approve":
            state.approve(pending[0])
        else:
            state.reject(pending[0], rejection_message="The user declined this action.")
        return stream(sid, state)

    @app.post("/api/reset")
    def reset() -> Response:
        sid = session_id()
        if sid is None:
            return problem(400, "no chat session cookie: load the page first")
        if not claim(sid):
            return problem(409, "an answer is still being written")
        try:
            session = SQLiteSession(sid, db_path)
            try:
                session.clear_session()
            finally:
                session.close()
            paused.drop(sid)
        finally:
            release(sid)
        return jsonify({"ok": True})

    return app


def self_test(base_url: str) -> None:
    """Talk to the running app over HTTP the way the page does, printing what happens."""
    import requests

    http = requests.Session()
    http.get(base_url, timeout=30).raise_for_status()  # sets the session cookie

    def converse(path: str, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        events = []
        with http.post(base_url + path, json=body, stream=True, timeout=60) as response:
            response.raise_for_status()
            name = ""
            for line in response.iter_lines(decode_unicode=True):
                if line.startswith("event: "):
                    name = line[len("event: "):]
                elif line.startswith("data: "):
                    events.append((name, json.loads(line[len("data: "):])))
        text = "".join(data["delta"] for kind, data in events if kind == "text")
        for kind, data in events:
            if kind == "tool_call":
                print(f"self-test: [tool] {data['name']}({data['arguments']})")
            elif kind == "handoff":
                print(f"self-test: [handoff] {data['from']} -> {data['to']}")
            elif kind == "approval":
                print(f"self-test: [approval needed] {data['tool']}({data['arguments']})")
            elif kind == "error":
                raise RuntimeError(data["message"])
        if text:
            print(f"self-test: answer: {text}")
        return events

    for question in ("What's the weather in Lisbon?", "Please cancel booking B-42"):
        print(f"self-test: > {question}")
        events = converse("/api/chat", {"message": question})
    approval = next(data for kind, data in events if kind == "approval")
    print("self-test: approving")
    converse("/api/approve", {"call_id": approval["call_id"], "decision": "approve"})
    page = http.get(base_url, timeout=30).text
    shown = page.count('class="msg ')
    print(f"self-test: the page shows {shown} messages")


def main(argv: Optional[list[str]] = None) -> None:
    """Serve the chat page until Ctrl-C (or, with --self-test, until the self-test is done)."""
    parser = argparse.ArgumentParser(description="agents_lite streaming chat page (Flask)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port")
    parser.add_argument("--db", default="web_chat.db", help="SQLite file for conversations")
    parser.add_argument("--event-delay", type=float, default=0.03,
                        help="offline demo model: seconds between streamed events")
    parser.add_argument("--self-test", action="store_true",
                        help="hold a short conversation with the server over HTTP, then exit")
    args = parser.parse_args(argv)
    if args.self_test and args.db == parser.get_default("db"):
        import tempfile

        args.db = os.path.join(tempfile.mkdtemp(), "web_chat.db")
        args.event_delay = 0.0
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    offline_note = None
    model_server = None
    if not os.environ.get("OPENAI_API_KEY"):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from demo_model import start_demo_model

        from agents_lite import OpenAIClient, set_default_openai_client
        from agents_lite.tracing import set_tracing_disabled

        model_server = start_demo_model(args.event_delay)
        set_default_openai_client(OpenAIClient(base_url=model_server.base_url, api_key="offline"),
                                  use_for_tracing=False)
        set_tracing_disabled(True)
        offline_note = ("Offline demo: OPENAI_API_KEY is not set, so answers come from a local "
                        "scripted model. Try the weather in Lisbon, or cancelling booking B-42.")
        print(f"offline: OPENAI_API_KEY is not set; answering with a local scripted model at "
              f"{model_server.base_url}", flush=True)

    from werkzeug.serving import make_server

    server = make_server(args.host, args.port, create_app(args.db, offline_note=offline_note),
                         threaded=True)
    url = f"http://{args.host}:{server.server_port}/"
    print(f"Serving the chat on {url}  (Ctrl-C to stop)", flush=True)
    try:
        if args.self_test:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self_test(url.rstrip("/"))
            server.shutdown()
            return
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if model_server is not None:
            model_server.stop()


if __name__ == "__main__":
    main()
