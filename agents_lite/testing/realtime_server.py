"""`RealtimeTestServer`: a local stand-in for the OpenAI Realtime API over websockets.

It speaks the GA event protocol well enough for offline tests and demos: `session.created` /
`session.updated`, conversation items, responses streamed as text, audio (+ transcript) or
function calls, input audio with an energy-based voice-activity detector, input transcription,
truncation and cancellation. Responses are scripted FIFO with `add_response` (else the server
echoes the last user message); misbehaviour is scripted with the same steps:

    with RealtimeTestServer() as server:
        server.add_response(realtime_audio("Hello there!"))
        server.add_response([realtime_function_call("get_weather", {"city": "Oslo"})])
        server.add_response([realtime_text("Partial ans"), realtime_close()])  # drop mid-response
        server.add_transcript("what's the weather")       # next input-audio transcript

Connect to `server.base_url` (ws://127.0.0.1:<port>/v1); `?intent=transcription` gives a
transcription-only session. Every client event is recorded on `server.connections[i].received`;
the audio a connection appended is in `server.connections[i].audio`. Standard library only.
"""

from __future__ import annotations

import array
import base64
import binascii
import itertools
import json
import math
import sys
import threading
import time
from collections import deque
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

from .audio_api import tone_pcm
from .websocket_server import CLOSED, NOTHING, ServerConnection, WebSocketServer

__all__ = [
    "RealtimeResponse",
    "RealtimeTestServer",
    "realtime_audio",
    "realtime_close",
    "realtime_error",
    "realtime_function_call",
    "realtime_raw",
    "realtime_sleep",
    "realtime_text",
    "realtime_wait_for",
]

_ids = itertools.count(1)
FRAME_MS = 10
FRAME_BYTES = 24000 * FRAME_MS // 1000 * 2


def _id(prefix: str) -> str:
    return f"{prefix}_{next(_ids):06d}"


# --- script steps ------------------------------------------------------------------------------


def realtime_text(text: str) -> dict[str, Any]:
    """An assistant text message, streamed word by word as `response.output_text.delta`."""
    return {"kind": "text", "text": text}


def realtime_audio(
    transcript: str, audio: Optional[bytes] = None, *, chunk_bytes: int = 4800,
    ms_per_char: float = 40.0,
) -> dict[str, Any]:
    """An assistant audio message: `response.output_audio.delta` chunks of `chunk_bytes`
    (default a 400 Hz tone of `ms_per_char` per character) with transcript deltas."""
    pcm = audio if audio is not None else tone_pcm(len(transcript) * ms_per_char)
    return {"kind": "audio", "transcript": transcript, "audio": pcm, "chunk_bytes": chunk_bytes}


def realtime_function_call(
    name: str, arguments: Union[str, dict[str, Any], None] = None, *, call_id: Optional[str] = None
) -> dict[str, Any]:
    """A function call item (dict arguments are JSON-encoded, strings sent as they are)."""
    args = arguments if isinstance(arguments, str) else json.dumps(arguments or {})
    return {"kind": "function_call", "name": name, "arguments": args,
            "call_id": call_id or _id("call")}


def realtime_error(
    message: str, *, type: str = "invalid_request_error", code: Optional[str] = None,
    param: Optional[str] = None, event_id: Optional[str] = None,
) -> dict[str, Any]:
    """An `error` event sent at this point (the response continues afterwards)."""
    return {"kind": "event", "event": {"type": "error", "event_id": _id("event"), "error": {
        "type": type, "code": code, "message": message, "param": param, "event_id": event_id}}}


def realtime_raw(frame: Union[str, dict[str, Any]]) -> dict[str, Any]:
    """A frame sent as it is: a str is a raw text frame (e.g. malformed JSON), a dict an event."""
    if isinstance(frame, dict):
        return {"kind": "event", "event": frame}
    return {"kind": "raw", "text": frame}


def realtime_close(code: Optional[int] = None, reason: str = "") -> dict[str, Any]:
    """End the connection here: with a close frame of `code`, or (None) by dropping the TCP
    connection without one."""
    return {"kind": "close", "code": code, "reason": reason}


def realtime_wait_for(event_type: str) -> dict[str, Any]:
    """Pause the response until the client sends an event of `event_type` (events that arrive
    meanwhile are handled as usual). An event of that type the client already sent while this
    response was playing counts, so a fast client cannot slip past the pause."""
    return {"kind": "wait", "event_type": event_type}


def realtime_sleep(seconds: float) -> dict[str, Any]:
    """Pause the response for `seconds`."""
    return {"kind": "sleep", "seconds": seconds}


@dataclass
class RealtimeResponse:
    """One scripted response: its steps in order, its final status and usage."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    status: str = "completed"
    usage: Optional[dict[str, Any]] = None


def _to_response(value: Any) -> RealtimeResponse:
    if isinstance(value, RealtimeResponse):
        return value
    if isinstance(value, str):
        return RealtimeResponse([realtime_text(value)])
    if isinstance(value, dict):
        return RealtimeResponse([value])
    if isinstance(value, (list, tuple)):
        return RealtimeResponse(list(value))
    raise TypeError(f"A scripted realtime response must be steps or a string, got {value!r}")


def _merge(target: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _rms(frame: bytes) -> float:
    samples = array.array("h")
    samples.frombytes(frame)
    if sys.byteorder == "big":
        samples.byteswap()
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


class _Wait:
    def __init__(self, event_type: str) -> None:
        self.event_type = event_type


class _Stop(Exception):
    """The connection ended while a response was playing."""


# --- the emulator ----------------------------------------------------------------------------


class RealtimeEmulator:
    """Plays the Realtime API on one connection (created by `RealtimeTestServer`)."""

    def __init__(self, server: RealtimeTestServer, conn: ServerConnection) -> None:
        self.server = server
        self.conn = conn
        self.transcription_only = conn.query.get("intent") == "transcription"
        self.session: dict[str, Any] = {
            "id": _id("sess"),
            "object": "realtime.session",
            "type": "transcription" if self.transcription_only else "realtime",
            "model": conn.query.get("model", "gpt-realtime"),
            "output_modalities": ["audio"],
            "instructions": "",
            "tools": [],
            "audio": {
                "input": {"format": {"type": "audio/pcm", "rate": 24000}, "transcription": None,
                          "turn_detection": {"type": "server_vad", "create_response": True,
                                             "interrupt_response": True,
                                             "silence_duration_ms": 300}},
                "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "alloy"},
            },
        }
        self.items: list[dict[str, Any]] = []
        self.buffer = bytearray()
        self.audio_ms = 0  # position of the input audio stream
        self._speech_start: Optional[int] = None
        self._silence_ms = 0
        self._partial = b""
        self._pending_item = ""
        self._heard_speech = False
        self._playing: Optional[Generator[Any, None, None]] = None
        self._waiting: Optional[_Wait] = None
        # client event types seen while the current response played, not yet matched by a wait
        self._unmatched: list[str] = []
        self._response: Optional[dict[str, Any]] = None

    # -- main loop ---------------------------------------------------------------------------

    def run(self) -> None:
        """Serve the connection until it ends."""
        server = self.server
        try:
            if server.send_session_created:
                # (inside the try: a client that already hung up ends the connection quietly)
                self._send({"type": "session.created", "session": self.session})
            for step in server.connect_steps:
                for _ in self._play_step(step, None):
                    pass
            while True:
                if self._playing is not None and self._waiting is None:
                    event = self.conn.poll()
                    if event is NOTHING:
                        self._advance()
                        continue
                else:
                    event = self.conn.next_event()
                if event is CLOSED:
                    return
                was_playing = self._playing is not None
                self.handle(event)
                kind = event.get("type") if isinstance(event, dict) else None
                if self._waiting is not None and kind == self._waiting.event_type:
                    self._waiting = None
                elif was_playing and self._playing is not None and isinstance(kind, str):
                    self._unmatched.append(kind)
        except _Stop:
            return

    def _send(self, event: dict[str, Any]) -> None:
        event.setdefault("event_id", _id("event"))
        if not self.conn.send_json(event):
            raise _Stop()

    def _error(self, message: str, *, code: Optional[str] = None,
               event_id: Optional[str] = None, param: Optional[str] = None,
               type: str = "invalid_request_error") -> None:
        self._send({"type": "error", "error": {"type": type, "code": code, "message": message,
                                               "param": param, "event_id": event_id}})

    def _advance(self) -> None:
        assert self._playing is not None
        try:
            step = next(self._playing)
        except StopIteration:
            self._playing = None
            return
        if isinstance(step, _Wait):
            if step.event_type in self._unmatched:
                self._unmatched.remove(step.event_type)  # it already came: no pause
            else:
                self._waiting = step

    # -- client events -----------------------------------------------------------------------

    def handle(self, event: Any) -> None:
        """Answer one client event (a dict, or the raw text of a frame that was not JSON)."""
        if not isinstance(event, dict):
            self._error(f"Invalid JSON in client event: {str(event)[:100]!r}", code="invalid_json")
            return
        kind = event.get("type")
        event_id = event.get("event_id")
        if kind == "session.update":
            session = event.get("session")
            if not isinstance(session, dict):
                self._error("session.update needs a session object", param="session",
                            event_id=event_id)
                return
            _merge(self.session, session)
            self._send({"type": "session.updated", "session": self.session})
        elif kind == "input_audio_buffer.append":
            try:
                audio = base64.b64decode(event.get("audio") or "", validate=True)
            except (binascii.Error, ValueError):
                self._error("Invalid base64 audio", code="invalid_value", param="audio",
                            event_id=event_id)
                return
            self.conn_audio.extend(audio)
            self._take_audio(audio)
        elif kind == "input_audio_buffer.commit":
            if not self.buffer and not self._partial:
                self._error("Error committing input audio buffer: buffer is empty.",
                            code="input_audio_buffer_commit_empty", event_id=event_id)
                return
            self._commit(auto_response=False)
        elif kind == "input_audio_buffer.clear":
            self.buffer.clear()
            self._send({"type": "input_audio_buffer.cleared"})
        elif kind == "conversation.item.create":
            item = dict(event.get("item") or {})
            if not item.get("type"):
                self._error("item.type is required", param="item.type", event_id=event_id)
                return
            item.setdefault("id", _id("item"))
            item.setdefault("status", "completed")
            if item["type"] == "message":
                item.setdefault("role", "user")
            self._add_item(item)
        elif kind == "conversation.item.truncate":
            self._send({"type": "conversation.item.truncated", "item_id": event.get("item_id"),
                        "content_index": event.get("content_index", 0),
                        "audio_end_ms": event.get("audio_end_ms")})
        elif kind == "conversation.item.delete":
            self.items = [i for i in self.items if i.get("id") != event.get("item_id")]
            self._send({"type": "conversation.item.deleted", "item_id": event.get("item_id")})
        elif kind == "conversation.item.retrieve":
            found = next((i for i in self.items if i.get("id") == event.get("item_id")), None)
            if found is None:
                self._error("Item not found", code="item_not_found", event_id=event_id)
            else:
                self._send({"type": "conversation.item.retrieved", "item": found})
        elif kind == "response.create":
            if self.transcription_only:
                self._error("Transcription sessions do not create responses",
                            event_id=event_id)
            elif self._playing is not None:
                self._error("Conversation already has an active response in progress",
                            code="conversation_already_has_active_response", event_id=event_id)
            else:
                self._start_response()
        elif kind == "response.cancel":
            if self._playing is None:
                self._error("Cancellation failed: no active response found",
                            code="response_cancel_not_active", event_id=event_id)
            else:
                self._cancel_response()
        else:
            self._error(f"Invalid value: '{kind}'. Unknown client event type.",
                        code="invalid_value", param="type", event_id=event_id)

    @property
    def conn_audio(self) -> bytearray:
        """Every audio byte this connection appended."""
        return self.server._audio_of(self.conn)

    def _add_item(self, item: dict[str, Any]) -> None:
        previous = self.items[-1]["id"] if self.items else None
        self.items.append(item)
        self._send({"type": "conversation.item.added", "previous_item_id": previous,
                    "item": item})
        self._send({"type": "conversation.item.done", "previous_item_id": previous,
                    "item": item})

    # -- input audio ---------------------------------------------------------------------------

    def _turn_detection(self) -> Optional[dict[str, Any]]:
        return ((self.session.get("audio") or {}).get("input") or {}).get("turn_detection")

    def _take_audio(self, audio: bytes) -> None:
        detection = self._turn_detection()
        data = self._partial + audio
        whole = len(data) - len(data) % FRAME_BYTES
        self._partial = data[whole:]
        for start in range(0, whole, FRAME_BYTES):
            frame = data[start:start + FRAME_BYTES]
            self.buffer.extend(frame)
            self.audio_ms += FRAME_MS
            loud = _rms(frame) >= self.server.vad_threshold
            self._heard_speech = self._heard_speech or loud
            if not detection:
                continue
            if loud:
                self._silence_ms = 0
                if self._speech_start is None:
                    self._speech_start = self.audio_ms - FRAME_MS
                    self._pending_item = _id("item")
                    self._send({"type": "input_audio_buffer.speech_started",
                                "audio_start_ms": self._speech_start,
                                "item_id": self._pending_item})
                    if self._playing is not None and detection.get("interrupt_response", True):
                        self._cancel_response()
            elif self._speech_start is not None:
                self._silence_ms += FRAME_MS
                if self._silence_ms >= int(detection.get("silence_duration_ms") or 300):
                    self._send({"type": "input_audio_buffer.speech_stopped",
                                "audio_end_ms": self.audio_ms, "item_id": self._pending_item})
                    self._speech_start = None
                    self._commit(auto_response=bool(detection.get("create_response", True)),
                                 item_id=self._pending_item)

    def _commit(self, *, auto_response: bool, item_id: Optional[str] = None) -> None:
        item_id = item_id or _id("item")
        previous = self.items[-1]["id"] if self.items else None
        audio = bytes(self.buffer) + self._partial
        self.buffer.clear()
        self._partial = b""
        heard, self._heard_speech = self._heard_speech, False
        self._send({"type": "input_audio_buffer.committed", "previous_item_id": previous,
                    "item_id": item_id})
        content: dict[str, Any] = {"type": "input_audio", "transcript": None}
        item = {"id": item_id, "type": "message", "role": "user", "status": "completed",
                "content": [content]}
        self._add_item(item)
        transcribe = self.transcription_only or (
            (self.session.get("audio") or {}).get("input") or {}).get("transcription")
        if transcribe:
            # silence transcribes to nothing, as it does on the real service
            text = self.server._next_transcript(len(audio)) if heard else ""
            content["transcript"] = text
            self._send({"type": "conversation.item.input_audio_transcription.completed",
                        "item_id": item_id, "content_index": 0, "transcript": text})
        if auto_response and not self.transcription_only and self._playing is None:
            self._start_response()

    # -- responses -------------------------------------------------------------------------------

    def _start_response(self) -> None:
        script = self.server._next_response(self)
        response: dict[str, Any] = {"id": _id("resp"), "object": "realtime.response",
                                    "status": "in_progress", "output": [], "usage": None}
        self._response = response
        self._unmatched = []
        self._send({"type": "response.created", "response": dict(response)})
        self._playing = self._play(script, response)

    def _cancel_response(self) -> None:
        playing, self._playing, self._waiting = self._playing, None, None
        if playing is not None:
            playing.close()
        if self._response is not None:
            self._finish_response(self._response, "cancelled", None)

    def _finish_response(self, response: dict[str, Any], status: str,
                         usage: Optional[dict[str, Any]]) -> None:
        response["status"] = status
        response["usage"] = usage or {"total_tokens": 20, "input_tokens": 12,
                                      "output_tokens": 8}
        self._response = None
        self._send({"type": "response.done", "response": response})

    def _play(self, script: RealtimeResponse,
              response: dict[str, Any]) -> Generator[Any, None, None]:
        for step in script.steps:
            yield from self._play_step(step, response)
        self._finish_response(response, script.status, script.usage)

    def _play_step(self, step: dict[str, Any], response: Optional[dict[str, Any]]) -> Iterator[Any]:
        kind = step.get("kind")
        delay = self.server.delta_delay
        if kind == "event":
            self._send(dict(step["event"]))
        elif kind == "raw":
            if not self.conn.send_text(step["text"]):
                raise _Stop()
        elif kind == "close":
            if step["code"] is None:
                self.conn.drop()
            else:
                self.conn.close(step["code"], step.get("reason", ""))
            raise _Stop()
        elif kind == "wait":
            yield _Wait(step["event_type"])
        elif kind == "sleep":
            time.sleep(step["seconds"])
        elif kind in ("text", "audio", "function_call") and response is not None:
            yield from self._play_item(step, response, delay)
        else:
            raise ValueError(f"unknown realtime script step {step!r}")

    def _play_item(self, step: dict[str, Any], response: dict[str, Any],
                   delay: float) -> Iterator[Any]:
        kind = step["kind"]
        rid = response["id"]
        index = len(response["output"])
        item_id = _id("item")
        if kind == "function_call":
            item: dict[str, Any] = {"id": item_id, "type": "function_call",
                                    "status": "in_progress", "name": step["name"],
                                    "call_id": step["call_id"], "arguments": ""}
        else:
            item = {"id": item_id, "type": "message", "role": "assistant",
                    "status": "in_progress", "content": []}
        response["output"].append(item)
        previous = self.items[-1]["id"] if self.items else None
        self.items.append(item)
        base = {"response_id": rid, "item_id": item_id, "output_index": index}
        self._send({"type": "response.output_item.added", "response_id": rid,
                    "output_index": index, "item": dict(item)})
        self._send({"type": "conversation.item.added", "previous_item_id": previous,
                    "item": dict(item)})
        yield None
        if kind == "function_call":
            arguments = step["arguments"]
            for start in range(0, len(arguments), 16):
                self._send({"type": "response.function_call_arguments.delta", **base,
                            "call_id": step["call_id"], "delta": arguments[start:start + 16]})
                yield None
            item["arguments"] = arguments
            self._send({"type": "response.function_call_arguments.done", **base,
                        "call_id": step["call_id"], "name": step["name"],
                        "arguments": arguments})
        else:
            audio = kind == "audio"
            text = step["transcript"] if audio else step["text"]
            part: dict[str, Any] = (
                {"type": "output_audio", "transcript": ""} if audio
                else {"type": "output_text", "text": ""})
            item["content"].append(part)
            self._send({"type": "response.content_part.added", **base, "content_index": 0,
                        "part": dict(part)})
            words = [w for w in text.replace(" ", " \x00").split("\x00") if w]
            pcm: bytes = step.get("audio", b"")
            size = step.get("chunk_bytes", 4800)
            chunks = [pcm[i:i + size] for i in range(0, len(pcm), size)] if audio else []
            for n in range(max(len(words), len(chunks))):
                if delay:
                    time.sleep(delay)
                if audio and n < len(chunks):
                    self._send({"type": "response.output_audio.delta", **base, "content_index": 0,
                                "delta": base64.b64encode(chunks[n]).decode()})
                if n < len(words):
                    delta_type = ("response.output_audio_transcript.delta" if audio
                                  else "response.output_text.delta")
                    self._send({"type": delta_type, **base, "content_index": 0,
                                "delta": words[n]})
                    part["transcript" if audio else "text"] += words[n]
                yield None
            if audio:
                self._send({"type": "response.output_audio.done", **base, "content_index": 0})
                self._send({"type": "response.output_audio_transcript.done", **base,
                            "content_index": 0, "transcript": text})
            else:
                self._send({"type": "response.output_text.done", **base, "content_index": 0,
                            "text": text})
            self._send({"type": "response.content_part.done", **base, "content_index": 0,
                        "part": dict(part)})
        item["status"] = "completed"
        self._send({"type": "response.output_item.done", "response_id": rid,
                    "output_index": index, "item": dict(item)})
        self._send({"type": "conversation.item.done", "previous_item_id": previous,
                    "item": dict(item)})
        yield None


class RealtimeTestServer:
    """A local Realtime API websocket server with scripted responses (see the module doc).

    Options: `vad_threshold` (RMS of a 10 ms frame that counts as speech), `delta_delay`
    (seconds before each streamed delta), `send_session_created` (False: never confirm the
    session), `connect_steps` (steps played right after `session.created`), `api_key`
    (handshakes must carry it). `set_handler(fn)` replaces the emulator with your own
    `fn(connection)`.
    """

    def __init__(self, *, api_key: Optional[str] = None, vad_threshold: float = 400.0,
                 delta_delay: float = 0.0) -> None:
        self.vad_threshold = vad_threshold
        self.delta_delay = delta_delay
        self.send_session_created = True
        self.connect_steps: list[dict[str, Any]] = []
        self._responses: deque[RealtimeResponse] = deque()
        self._transcripts: deque[str] = deque()
        self._custom: Optional[Callable[[ServerConnection], None]] = None
        self._responder: Optional[Callable[[list[dict[str, Any]], dict[str, Any]], Any]] = None
        self._audio: dict[int, bytearray] = {}
        self._turns = 0
        self._lock = threading.Lock()
        self._ws = WebSocketServer(self._handle, api_key=api_key)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> RealtimeTestServer:
        """Serve in a background thread; returns self."""
        self._ws.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop open connections."""
        self._ws.stop()

    def __enter__(self) -> RealtimeTestServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port."""
        return self._ws.port

    @property
    def base_url(self) -> str:
        """The websocket base URL, "ws://127.0.0.1:<port>/v1" (sessions connect to
        `<base_url>/realtime?model=…`)."""
        return self._ws.base_url

    @property
    def http_base_url(self) -> str:
        """The same base URL as http:// (what OPENAI_BASE_URL would hold)."""
        return self._ws.http_base_url

    @property
    def connections(self) -> list[ServerConnection]:
        """Accepted connections, oldest first."""
        return self._ws.connections

    @property
    def handshakes(self) -> list[dict[str, Any]]:
        """Every handshake request (path, query, headers)."""
        return self._ws.handshakes

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised while serving (a test should expect none)."""
        return self._ws.errors

    def wait_for_connection(self, index: int = 0, timeout: float = 5.0) -> ServerConnection:
        """The `index`-th connection, waiting for it."""
        return self._ws.wait_for_connection(index, timeout)

    def reject_next(self, status: int = 500, body: str = "") -> None:
        """Fail the next handshake with HTTP `status`."""
        self._ws.reject_next(status, body)

    # -- scripting ---------------------------------------------------------------------------

    def add_response(self, response: Any) -> None:
        """Queue the next response: a `RealtimeResponse`, a list of steps, one step, or a str
        (a text message)."""
        with self._lock:
            self._responses.append(_to_response(response))

    def add_transcript(self, text: str) -> None:
        """Queue the transcript of the next committed input-audio turn."""
        with self._lock:
            self._transcripts.append(text)

    def set_responder(
        self, responder: Optional[Callable[[list[dict[str, Any]], dict[str, Any]], Any]]
    ) -> None:
        """Answer `response.create` with `responder(conversation_items, session)` when no
        scripted response is queued; it returns what `add_response` accepts, or None for the
        default echo."""
        self._responder = responder

    def set_handler(self, handler: Optional[Callable[[ServerConnection], None]]) -> None:
        """Serve connections with `handler(connection)` instead of the emulator (None restores
        it)."""
        self._custom = handler

    def audio_of(self, index: int = 0) -> bytes:
        """Every audio byte connection `index` appended to its input buffer."""
        return bytes(self._audio_of(self.connections[index]))

    # -- internals ---------------------------------------------------------------------------

    def _audio_of(self, conn: ServerConnection) -> bytearray:
        with self._lock:
            return self._audio.setdefault(id(conn), bytearray())

    def _handle(self, conn: ServerConnection) -> None:
        if self._custom is not None:
            self._custom(conn)
            return
        RealtimeEmulator(self, conn).run()

    def _next_transcript(self, audio_bytes: int) -> str:
        with self._lock:
            self._turns += 1
            if self._transcripts:
                return self._transcripts.popleft()
            return f"turn {self._turns} ({round(audio_bytes / 48)} ms)"

    def _next_response(self, emulator: RealtimeEmulator) -> RealtimeResponse:
        with self._lock:
            if self._responses:
                return self._responses.popleft()
        responder = self._responder
        if responder is not None:
            scripted = responder(list(emulator.items), emulator.session)
            if scripted is not None:
                return _to_response(scripted)
        text = "ok"
        for item in reversed(emulator.items):
            if item.get("type") == "function_call_output":
                text = f"The tool said: {item.get('output')}"
                break
            if item.get("type") == "message" and item.get("role") == "user":
                parts = item.get("content") or []
                words = [p.get("text") or p.get("transcript") or "" for p in parts]
                text = " ".join(w for w in words if w) or "ok"
                break
        audio_out = "audio" in (emulator.session.get("output_modalities") or ["audio"])
        return RealtimeResponse([realtime_audio(text) if audio_out else realtime_text(text)])
