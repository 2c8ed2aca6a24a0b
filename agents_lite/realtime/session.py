"""`RealtimeSession`: one realtime conversation over one websocket.

Threads: a reader thread (websocket-client) turns server events into session events and puts
them on a queue; tool calls and guardrails run in the shared worker pool; iterating the session
(a plain generator) takes events off the queue in the caller's thread. Sending is safe from any
thread.
"""

from __future__ import annotations

import base64
import json
import logging
import queue
import threading
from collections.abc import Iterator
from typing import Any, Optional

from ..exceptions import UserError
from ..run_context import RunContextWrapper
from ..usage import Usage
from ._guardrails import GuardrailRunner
from ._tools import ToolCall, ToolRunner
from .agent import RealtimeAgent
from .config import (
    DEFAULT_MODEL_SETTINGS,
    DEFAULT_REALTIME_MODEL,
    RealtimeModelConfig,
    RealtimeRunConfig,
    RealtimeSessionModelSettings,
    RealtimeUserInput,
    session_payload,
)
from .events import (
    RealtimeAgentEndEvent,
    RealtimeAgentStartEvent,
    RealtimeAudio,
    RealtimeAudioEnd,
    RealtimeAudioInterrupted,
    RealtimeError,
    RealtimeErrorDetails,
    RealtimeEventInfo,
    RealtimeHistoryAdded,
    RealtimeHistoryUpdated,
    RealtimeModelAudioEvent,
    RealtimeModelInputAudioTranscriptionCompletedEvent,
    RealtimeModelOutputTextDeltaEvent,
    RealtimeModelRawServerEvent,
    RealtimeModelTranscriptDeltaEvent,
    RealtimeRawModelEvent,
    RealtimeSessionEvent,
)
from .items import (
    AssistantAudio,
    AssistantMessageItem,
    AssistantText,
    InputAudio,
    InputText,
    RealtimeItem,
    RealtimeToolCallItem,
    UserMessageItem,
    item_from_server,
    merge_item,
)
from .transport import CloseInfo, RealtimeConnectionError, WebSocketTransport, realtime_url

__all__ = ["RealtimeSession"]

logger = logging.getLogger("agents_lite")

_END = object()
# Errors caused by our own races (a response.create crossing the server's own response, a
# cancel arriving after the response ended); the session handles them itself.
_QUIET_ERRORS = ("conversation_already_has_active_response", "response_cancel_not_active")
_AUDIO_DELTAS = ("response.output_audio.delta", "response.audio.delta")
_AUDIO_DONE = ("response.output_audio.done", "response.audio.done")
_TRANSCRIPT_DELTAS = ("response.output_audio_transcript.delta", "response.audio_transcript.delta")
_TRANSCRIPT_DONE = ("response.output_audio_transcript.done", "response.audio_transcript.done")
_TEXT_DELTAS = ("response.output_text.delta", "response.text.delta")
_TEXT_DONE = ("response.output_text.done", "response.text.done")
_ITEM_EVENTS = ("conversation.item.added", "conversation.item.created", "conversation.item.done",
                "conversation.item.retrieved")
_BYTES_PER_MS = 48.0  # PCM16 mono 24 kHz


class RealtimeSession:
    """A live conversation with a realtime model. Use it as a context manager and iterate it:

        with RealtimeRunner(agent).run() as session:
            session.send_message("Hello!")
            for event in session:
                if event.type == "audio":
                    speaker.write(event.audio.data)
                elif event.type == "agent_end":
                    break

    Iteration yields `RealtimeSessionEvent`s until the session is closed (then it ends quietly)
    or the connection breaks: the server closing mid-answer or the socket dropping yields an
    `error` event, then raises `RealtimeConnectionError`. Server `error` events, malformed
    frames and failing tools are reported as `error` events and the session carries on.
    """

    def __init__(
        self,
        agent: RealtimeAgent[Any],
        *,
        context: Any = None,
        model_name: Optional[str] = None,
        model_config: Optional[RealtimeModelConfig] = None,
        run_config: Optional[RealtimeRunConfig] = None,
    ) -> None:
        if not isinstance(agent, RealtimeAgent):
            raise UserError(f"RealtimeSession needs a RealtimeAgent, got {type(agent).__name__}")
        self._agent = agent
        self._context_wrapper: RunContextWrapper[Any] = RunContextWrapper(context)
        self.info = RealtimeEventInfo(context=self._context_wrapper)
        self.model_config: RealtimeModelConfig = dict(model_config or {})  # type: ignore[assignment]
        self.run_config: RealtimeRunConfig = dict(run_config or {})  # type: ignore[assignment]
        base: dict[str, Any] = dict(DEFAULT_MODEL_SETTINGS)
        base.update(self.run_config.get("model_settings") or {})
        base.update(self.model_config.get("initial_model_settings") or {})
        self._base_settings: RealtimeSessionModelSettings = base  # type: ignore[assignment]
        self.model_name = model_name or base.get("model_name") or DEFAULT_REALTIME_MODEL
        self._tracker = self.model_config.get("playback_tracker")
        self._events: queue.Queue[Any] = queue.Queue()
        self._lock = threading.RLock()
        # Held while a server event is handled, and by other threads while they send something
        # and emit the event that reports it (a tool's output and tool_end, an interruption):
        # the server's answer to what was sent cannot then reach the stream before that event.
        self._ordered = threading.RLock()
        self._transport: Optional[WebSocketTransport] = None
        self._history: list[RealtimeItem] = []
        self._closing = False
        self._user_closed = False
        self._closed = False
        self._stored_error: Optional[BaseException] = None
        # response bookkeeping
        self._response_id: Optional[str] = None
        self._create_sent = False
        self._response_wanted = False
        self._interrupted: set[str] = set()
        self._audio_item: Optional[tuple[str, int]] = None
        self._audio_bytes: dict[str, int] = {}
        self._audio_done: set[str] = set()
        self._response_items: dict[str, list[str]] = {}
        self.tools = ToolRunner(self)
        settings = self.run_config.get("guardrails_settings") or {}
        self.guardrails = GuardrailRunner(self, settings.get("debounce_text_length", 100))

    # --- properties -----------------------------------------------------------------------

    @property
    def current_agent(self) -> RealtimeAgent[Any]:
        """The agent answering now (changes with handoffs and `update_agent`)."""
        return self._agent

    @property
    def context_wrapper(self) -> RunContextWrapper[Any]:
        """The session's run context (your `context` object, usage, approvals)."""
        return self._context_wrapper

    @property
    def usage(self) -> Usage:
        """Token usage of the session's responses so far."""
        return self._context_wrapper.usage

    @property
    def history(self) -> list[RealtimeItem]:
        """A copy of the conversation so far."""
        with self._lock:
            return list(self._history)

    @property
    def closed(self) -> bool:
        """Whether the session is closed (by you or by the connection ending)."""
        return self._closed

    # --- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> RealtimeSession:
        self.connect()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def connect(self) -> None:
        """Open the websocket, start the reader thread and configure the session (instructions,
        tools, voice, audio formats, turn detection). Prefer `with session:`."""
        if self._transport is not None:
            raise UserError("The realtime session is already connected")
        settings = self._settings_for(self._agent, initial=True)
        url, headers = self._connection_target()
        if url.startswith("wss://api.openai.com") and "tracing" not in settings:
            settings["tracing"] = "auto"  # OpenAI traces the session on its side
        payload = session_payload(settings, self.model_name)
        transport = WebSocketTransport(
            url, headers, on_message=self._on_message, on_close=self._on_close,
            connect_timeout=float(self.model_config.get("connect_timeout", 10.0)),
        )
        self._transport = transport
        self._emit(RealtimeHistoryUpdated(history=[], info=self.info))  # always the first event
        try:
            transport.connect()
        except BaseException:
            self._transport = None
            self._events = queue.Queue()
            raise
        self._send({"type": "session.update", "session": payload})

    def _connection_target(self) -> tuple[str, dict[str, str]]:
        url = realtime_url(self.model_config.get("url"), query={"model": self.model_name})
        custom = self.model_config.get("headers")
        if custom is not None:
            return url, dict(custom)
        key: Any = self.model_config.get("api_key")
        if callable(key):
            key = key()
        if key is None:
            from ..models.defaults import get_default_openai_key

            key = get_default_openai_key()
        if not key and url.startswith("wss://api.openai.com"):
            raise UserError("No OpenAI API key: set OPENAI_API_KEY or pass model_config="
                            "{'api_key': ...}")
        return url, ({"Authorization": f"Bearer {key}"} if key else {})

    def close(self) -> None:
        """Close the session (websocket close 1000). Iteration then ends quietly. Safe to call
        twice and from any thread."""
        with self._lock:
            self._user_closed = True
            if self._closing:
                self._closed = True
                self._events.put(_END)
                return
            self._closing = True
        self.tools.cancel_pending()
        transport = self._transport
        if transport is not None:
            transport.close(1000)
        self._closed = True
        self._events.put(_END)

    # --- iteration --------------------------------------------------------------------------

    def __iter__(self) -> Iterator[RealtimeSessionEvent]:
        if self._transport is None and not self._closed:
            raise UserError("Connect the realtime session first: `with runner.run() as session:`")
        return self._events_until_closed()

    def _events_until_closed(self) -> Iterator[RealtimeSessionEvent]:
        while True:
            event = self._events.get()
            if event is _END:
                self._events.put(_END)  # a second iterator also ends
                error, self._stored_error = self._stored_error, None
                if error is not None:
                    raise error
                return
            yield event

    def _emit(self, event: Any) -> None:
        if not self._closing:
            self._events.put(event)

    def _report_error(self, message: str, kind: str, code: Optional[str] = None) -> None:
        self._emit(RealtimeError(error=RealtimeErrorDetails(message, type=kind, code=code),
                                 info=self.info))

    # --- sending ----------------------------------------------------------------------------

    def _send(self, event: dict[str, Any]) -> None:
        """Send for a caller: after `close()` it does nothing; when the server has gone away it
        raises `RealtimeConnectionError`."""
        transport = self._transport
        if transport is None:
            raise UserError("The realtime session is not connected; use `with session:`")
        if self._user_closed:
            return
        try:
            transport.send_json(event)
        except RealtimeConnectionError:
            if self._user_closed:
                return
            raise

    def _send_internal(self, event: dict[str, Any]) -> None:
        """Send on the session's own behalf (reader thread, tool workers): a connection that
        is gone is reported by the reader, so failures here are only logged."""
        try:
            self._send(event)
        except RealtimeConnectionError as exc:
            logger.debug("realtime: could not send %s: %s", event.get("type"), exc)

    def send_raw_event(self, event: dict[str, Any]) -> None:
        """Send any client event as it is (e.g. `conversation.item.delete`)."""
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise UserError("A raw realtime event must be a dict with a 'type'")
        self._send(event)

    def send_message(self, message: RealtimeUserInput) -> None:
        """Add a user message (a string, or a `{"type": "message", "role": "user", "content":
        [...]}` item) and ask for an answer."""
        self._user_message(message, internal=False)

    def _user_message(self, message: RealtimeUserInput, *, internal: bool) -> None:
        if isinstance(message, str):
            item: dict[str, Any] = {"type": "message", "role": "user",
                                    "content": [{"type": "input_text", "text": message}]}
        elif isinstance(message, dict) and message.get("type") == "message":
            item = {"type": "message", "role": message.get("role", "user"),
                    "content": list(message.get("content") or [])}
        else:
            raise UserError("send_message takes a string or a user message item")
        send = self._send_internal if internal else self._send
        send({"type": "conversation.item.create", "item": item})
        self._request_response(internal=internal)

    def send_audio(self, audio: Any, *, commit: bool = False) -> None:
        """Append audio (PCM16 24 kHz mono bytes, `array('h')` or a numpy array) to the input
        buffer. `commit=True` ends the user's turn; when turn detection is off it also asks for
        an answer."""
        from ..voice.pcm import to_pcm16

        pcm = to_pcm16(audio)
        if pcm:
            self._send({"type": "input_audio_buffer.append",
                        "audio": base64.b64encode(pcm).decode("ascii")})
        if commit:
            self._send({"type": "input_audio_buffer.commit"})
            if self._current_settings().get("turn_detection") is None:
                self._request_response()

    def interrupt(self) -> None:
        """Stop the current answer: cancel the response and truncate the audio item at what
        was played (the model then knows what the user actually heard)."""
        self._interrupt(cancel=True)

    def update_session(self, settings: RealtimeSessionModelSettings) -> None:
        """Change session settings mid-conversation (voice, modalities, turn detection, ...);
        only the fields given change."""
        if not isinstance(settings, dict):
            raise UserError("update_session takes a dict of session settings")
        payload = session_payload(settings, self.model_name)
        with self._lock:
            self._base_settings.update(settings)  # type: ignore[typeddict-item]
        self._send({"type": "session.update", "session": payload})

    def update_agent(self, agent: RealtimeAgent[Any]) -> None:
        """Switch the session to `agent` (instructions, tools and handoffs change at once)."""
        if not isinstance(agent, RealtimeAgent):
            raise UserError(f"update_agent needs a RealtimeAgent, got {type(agent).__name__}")
        self._switch_agent(agent)

    def approve_tool_call(self, call_id: str, *, always: bool = False) -> None:
        """Run a tool call that waits for approval (`tool_approval_required`)."""
        if not self.tools.decide(call_id, True, always=always):
            raise UserError(f"No tool call {call_id!r} is waiting for approval")

    def reject_tool_call(self, call_id: str, *, always: bool = False,
                         rejection_message: Optional[str] = None) -> None:
        """Refuse a waiting tool call; the model is told it was not approved."""
        if not self.tools.decide(call_id, False, always=always,
                                 rejection_message=rejection_message):
            raise UserError(f"No tool call {call_id!r} is waiting for approval")

    # --- settings and agents ----------------------------------------------------------------

    def _settings_for(self, agent: RealtimeAgent[Any], *, initial: bool = False
                      ) -> RealtimeSessionModelSettings:
        settings: dict[str, Any] = dict(self._base_settings) if initial else {}
        if agent.prompt is not None:
            settings["prompt"] = agent.prompt
        settings["instructions"] = agent.get_system_prompt(self._context_wrapper) or ""
        settings["tools"] = agent.function_tools(self._context_wrapper)
        settings["handoffs"] = agent.get_handoffs(self._context_wrapper)
        if initial:
            settings.update(self.model_config.get("initial_model_settings") or {})
        if self.run_config.get("tracing_disabled"):
            settings["tracing"] = None
        settings.pop("model_name", None)
        return settings  # type: ignore[return-value]

    def _current_settings(self) -> dict[str, Any]:
        return dict(self._base_settings)

    def _switch_agent(self, agent: RealtimeAgent[Any], *, internal: bool = False) -> None:
        settings = self._settings_for(agent)
        with self._lock:
            self._agent = agent
        send = self._send_internal if internal else self._send
        send({"type": "session.update", "session": session_payload(settings, self.model_name)})

    # --- responses --------------------------------------------------------------------------

    def _request_response(self, *, internal: bool = False) -> None:
        """Ask for an answer, unless one is in progress (then ask once it is done)."""
        with self._lock:
            if self._response_id is not None or self._create_sent:
                self._response_wanted = True
                return
            self._create_sent = True
        (self._send_internal if internal else self._send)({"type": "response.create"})

    def _interrupt(self, *, cancel: bool, response_id: Optional[str] = None) -> None:
        with self._ordered:
            with self._lock:
                active = self._response_id
                target = self._audio_item
                if response_id is not None and active is not None and response_id != active:
                    cancel = False
                if active is not None:
                    self._interrupted.add(active)
                played: Optional[float] = None
                if target is not None:
                    played = self._played_ms(target)
                    self._audio_item = None
            if cancel and active is not None:
                self._send_internal({"type": "response.cancel"})
            if target is not None and played is not None:
                self._send_internal({"type": "conversation.item.truncate", "item_id": target[0],
                                     "content_index": target[1], "audio_end_ms": int(played)})
                self._emit(RealtimeAudioInterrupted(item_id=target[0], content_index=target[1],
                                                    info=self.info))
                if self._tracker is not None:
                    self._tracker.on_interrupted()

    def _played_ms(self, target: tuple[str, int]) -> float:
        received = self._audio_bytes.get(target[0], 0) / _BYTES_PER_MS
        if self._tracker is not None:
            state = self._tracker.get_state()
            if state.current_item_id == target[0] and state.elapsed_ms is not None:
                return min(float(state.elapsed_ms), received)
            return 0.0  # the player has not started this item
        return received

    # --- server events (reader thread) ------------------------------------------------------

    def _on_message(self, data: Any) -> None:
        try:
            event = json.loads(data)
            if not isinstance(event, dict) or not isinstance(event.get("type"), str):
                raise ValueError("not an event object")
        except (TypeError, ValueError) as exc:
            snippet = data[:120] if isinstance(data, (str, bytes)) else repr(data)[:120]
            self._report_error(f"Malformed server event ({exc}): {snippet!r}",
                               "malformed_server_event")
            return
        with self._ordered:
            self._emit(RealtimeRawModelEvent(data=RealtimeModelRawServerEvent(event),
                                             info=self.info))
            try:
                self._handle(event)
            except Exception as exc:  # keep reading: one odd event must not end the session
                logger.exception("realtime: error handling %s", event.get("type"))
                self._report_error(f"Error handling server event {event.get('type')}: {exc}",
                                   "malformed_server_event")

    def _handle(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "error":
            details = RealtimeErrorDetails.from_server(event.get("error"))
            if details.code in _QUIET_ERRORS:
                self._quiet_error(details)
                return
            self._emit(RealtimeError(error=details, info=self.info))
        elif kind == "response.created":
            response = event.get("response") or {}
            with self._lock:
                self._response_id = response.get("id") or "response"
                self._create_sent = False
            self._emit(RealtimeAgentStartEvent(agent=self._agent, info=self.info))
        elif kind == "response.done":
            self._response_done(event.get("response") or {})
        elif kind in _AUDIO_DELTAS:
            self._audio_delta(event)
        elif kind in _AUDIO_DONE:
            item_id = event.get("item_id", "")
            self._audio_done.add(item_id)
            if event.get("response_id") not in self._interrupted:
                self._emit(RealtimeAudioEnd(item_id=item_id,
                                            content_index=event.get("content_index", 0),
                                            info=self.info))
        elif kind in _TRANSCRIPT_DELTAS or kind in _TEXT_DELTAS:
            self._text_delta(event, audio=kind in _TRANSCRIPT_DELTAS)
        elif kind in _TRANSCRIPT_DONE or kind in _TEXT_DONE:
            text = event.get("transcript") if kind in _TRANSCRIPT_DONE else event.get("text")
            self.guardrails.on_done(event.get("item_id", ""), event.get("response_id", ""),
                                    text or "", self._agent)
        elif kind == "response.output_item.done":
            item = event.get("item") or {}
            if item.get("type") == "function_call" and item.get("status", "completed") in (
                "completed", None
            ):
                self.tools.schedule(ToolCall(item.get("call_id") or "", item.get("name") or "",
                                             item.get("arguments") or "", item.get("id")))
            self._upsert(item, event.get("previous_item_id"))
        elif kind in _ITEM_EVENTS:
            self._upsert(event.get("item") or {}, event.get("previous_item_id"))
        elif kind == "conversation.item.deleted":
            with self._lock:
                self._history = [i for i in self._history if i.item_id != event.get("item_id")]
                history = list(self._history)
            self._emit(RealtimeHistoryUpdated(history=history, info=self.info))
        elif kind == "conversation.item.input_audio_transcription.completed":
            self._input_transcript(event.get("item_id", ""), event.get("transcript") or "")
        elif kind == "input_audio_buffer.speech_started":
            self._speech_started()

    def _quiet_error(self, details: RealtimeErrorDetails) -> None:
        logger.debug("realtime: %s (handled)", details.message)
        if details.code == "conversation_already_has_active_response":
            with self._lock:
                self._create_sent = False
                self._response_wanted = True

    def _response_done(self, response: dict[str, Any]) -> None:
        usage = response.get("usage")
        if isinstance(usage, dict):
            self._context_wrapper.usage.add(Usage.from_responses_usage(usage, self.model_name))
        with self._lock:
            response_id = self._response_id
            self._response_id = None
            wanted, self._response_wanted = self._response_wanted, False
            items = self._response_items.pop(response_id or "", [])
            if wanted:
                self._create_sent = True
        self.guardrails.forget(items)
        self._emit(RealtimeAgentEndEvent(agent=self._agent, info=self.info))
        if wanted:
            self._send_internal({"type": "response.create"})

    def _audio_delta(self, event: dict[str, Any]) -> None:
        response_id = event.get("response_id", "")
        item_id = event.get("item_id", "")
        index = event.get("content_index", 0)
        try:
            data = base64.b64decode(event.get("delta") or "", validate=True)
        except ValueError:
            self._report_error("Audio delta is not valid base64", "malformed_server_event")
            return
        with self._lock:
            if response_id in self._interrupted:
                return  # the user already stopped this answer
            self._audio_item = (item_id, index)
            self._audio_bytes[item_id] = self._audio_bytes.get(item_id, 0) + len(data)
            self._response_items.setdefault(response_id, []).append(item_id)
        audio = RealtimeModelAudioEvent(data, response_id, item_id, index)
        self._emit(RealtimeRawModelEvent(data=audio, info=self.info))
        self._emit(RealtimeAudio(audio=audio, item_id=item_id, content_index=index,
                                 info=self.info))

    def _text_delta(self, event: dict[str, Any], *, audio: bool) -> None:
        item_id = event.get("item_id", "")
        response_id = event.get("response_id", "")
        delta = event.get("delta") or ""
        model_event: Any = (
            RealtimeModelTranscriptDeltaEvent(item_id, delta, response_id) if audio
            else RealtimeModelOutputTextDeltaEvent(item_id, delta, response_id))
        self._emit(RealtimeRawModelEvent(data=model_event, info=self.info))
        with self._lock:
            self._response_items.setdefault(response_id, []).append(item_id)
        self.guardrails.on_delta(item_id, response_id, delta, self._agent)
        text = self.guardrails.text_of(item_id)
        part: Any = AssistantAudio(transcript=text) if audio else AssistantText(text=text)
        with self._lock:
            for index, item in enumerate(self._history):
                if item.item_id == item_id and isinstance(item, AssistantMessageItem):
                    self._history[index] = merge_item(
                        item, AssistantMessageItem(item_id, [part], status="in_progress"))
                    return
            self._history.append(AssistantMessageItem(item_id, [part], status="in_progress"))

    def _upsert(self, raw: dict[str, Any], previous_item_id: Optional[str]) -> None:
        if raw.get("type") == "function_call_output":
            self._tool_output(raw)
            return
        item = item_from_server(raw, previous_item_id)
        if item is None:
            return
        with self._lock:
            for index, existing in enumerate(self._history):
                if existing.item_id == item.item_id:
                    self._history[index] = merge_item(existing, item)
                    history = list(self._history)
                    break
            else:
                position = len(self._history)
                if previous_item_id:
                    for index, existing in enumerate(self._history):
                        if existing.item_id == previous_item_id:
                            position = index + 1
                self._history.insert(position, item)
                history = None
        if history is None:
            self._emit(RealtimeHistoryAdded(item=item, info=self.info))
        else:
            self._emit(RealtimeHistoryUpdated(history=history, info=self.info))

    def _tool_output(self, raw: dict[str, Any]) -> None:
        output = raw.get("output")
        text = output if isinstance(output, str) else json.dumps(output)
        with self._lock:
            for index, item in enumerate(self._history):
                if isinstance(item, RealtimeToolCallItem) and item.call_id == raw.get("call_id"):
                    self._history[index] = RealtimeToolCallItem(
                        item.item_id, item.call_id, item.name, item.arguments, text,
                        item.previous_item_id, "completed")
                    history = list(self._history)
                    break
            else:
                return
        self._emit(RealtimeHistoryUpdated(history=history, info=self.info))

    def _input_transcript(self, item_id: str, transcript: str) -> None:
        self._emit(RealtimeRawModelEvent(
            data=RealtimeModelInputAudioTranscriptionCompletedEvent(item_id, transcript),
            info=self.info))
        with self._lock:
            for index, item in enumerate(self._history):
                if item.item_id == item_id and isinstance(item, UserMessageItem):
                    parts = [InputAudio(p.audio, transcript) if isinstance(p, InputAudio) else p
                             for p in item.content] or [InputAudio(None, transcript)]
                    self._history[index] = UserMessageItem(item_id, parts, item.previous_item_id,
                                                           "completed")
                    history = list(self._history)
                    break
            else:
                new = UserMessageItem(item_id, [InputText(transcript)], status="completed")
                self._history.append(new)
                history = None
        if history is None:
            self._emit(RealtimeHistoryAdded(item=new, info=self.info))
        else:
            self._emit(RealtimeHistoryUpdated(history=history, info=self.info))

    def _speech_started(self) -> None:
        detection = self._current_settings().get("turn_detection") or {}
        if detection.get("interrupt_response", True) is False:
            return
        with self._lock:
            target = self._audio_item
            playing = self._response_id is not None or (
                target is not None and self._tracker is not None
                and self._played_ms(target) < self._audio_bytes.get(target[0], 0) / _BYTES_PER_MS
            )
        if target is not None and playing:
            # the server cancels its own response on barge-in; we only truncate what was heard
            self._interrupt(cancel=False)

    def _on_close(self, info: CloseInfo) -> None:
        with self._lock:
            mid_response = self._response_id is not None or self._create_sent
            by_us = self._closing or info.by_client
            self._closing = True
        self.tools.cancel_pending()
        if not by_us:
            message = f"Realtime connection {info.describe()}"
            if mid_response:
                message += " in the middle of a response"
            details = RealtimeErrorDetails(message, type="connection_closed",
                                           code=str(info.code) if info.code is not None else None)
            if not info.clean or mid_response:
                self._stored_error = RealtimeConnectionError(message, close_code=info.code)
            self._events.put(RealtimeError(error=details, info=self.info))
        self._closed = True
        self._events.put(_END)
