"""`OpenAISTTModel`: speech to text over `POST /v1/audio/transcriptions` (one recorded turn) and
over the realtime websocket with `intent=transcription` (streamed audio, turn by turn)."""

from __future__ import annotations

import base64
import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any, Optional

from ...exceptions import ModelBehaviorError
from ...models.http import HTTPClient
from .. import _tracing
from ..input import AudioInput, StreamedAudioInput
from ..model import (
    StreamedTranscriptionSession,
    STTModel,
    STTModelSettings,
    STTWebsocketConnectionError,
)

__all__ = ["OpenAISTTModel", "OpenAISTTTranscriptionSession", "encode_multipart"]

logger = logging.getLogger("agents_lite")

DEFAULT_TURN_DETECTION: dict[str, Any] = {"type": "semantic_vad"}
SESSION_SETUP_TIMEOUT = 10.0
"""Seconds to wait for `session.created` and for `session.updated`."""
END_OF_INPUT_TIMEOUT = 15.0
"""Seconds to wait, once the input has ended, for the last turns to be transcribed."""
_COMMIT_EMPTY = "input_audio_buffer_commit_empty"


def encode_multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type (with the boundary)."""
    boundary = f"agents-lite-{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class OpenAISTTModel(STTModel):
    """OpenAI speech to text (gpt-4o-transcribe, gpt-4o-mini-transcribe, whisper-1, or any
    compatible server).

    `websocket_base_url` is where streamed sessions connect (`<it>/realtime?intent=
    transcription`); by default it is the client's base URL with http→ws, https→wss.
    """

    def __init__(
        self,
        model: str,
        openai_client: Optional[HTTPClient] = None,
        *,
        websocket_base_url: Optional[str] = None,
    ) -> None:
        self.model = model
        self._client = openai_client
        self.websocket_base_url = websocket_base_url

    @property
    def model_name(self) -> str:
        """The transcription model's name."""
        return self.model

    def _get_client(self) -> HTTPClient:
        if self._client is None:
            from ...models.defaults import shared_openai_client

            self._client = shared_openai_client()
        return self._client

    def _model_config(self, settings: STTModelSettings) -> dict[str, Any]:
        return {
            "temperature": settings.temperature,
            "language": settings.language,
            "prompt": settings.prompt,
        }

    def transcribe(
        self,
        input: AudioInput,
        settings: STTModelSettings,
        trace_include_sensitive_data: bool,
        trace_include_sensitive_audio_data: bool,
    ) -> str:
        """Upload the audio as `audio.wav` and return the transcript."""
        fields = {"model": self.model}
        if settings.prompt is not None:
            fields["prompt"] = settings.prompt
        if settings.language is not None:
            fields["language"] = settings.language
        if settings.temperature is not None:
            fields["temperature"] = str(settings.temperature)
        filename, wav, content_type = input.to_audio_file()
        body, multipart_type = encode_multipart(
            fields, {"file": (filename, wav.getvalue(), content_type)}
        )
        span = _tracing.transcription_span(self.model, self._model_config(settings))
        span.start()
        try:
            if span.span_data is not None and trace_include_sensitive_audio_data:
                span.span_data.input = input.to_base64()
            client = self._get_client()
            response = client.request(
                "POST", "/audio/transcriptions", body, headers={"Content-Type": multipart_type}
            )
            try:
                content = response.read()
            finally:
                response.close()
            text = _transcript_from(content, client)
            if span.span_data is not None and trace_include_sensitive_data:
                span.span_data.output = text
            return text
        except Exception as exc:
            span.set_error(exc)
            raise
        finally:
            span.finish()

    def create_session(
        self,
        input: StreamedAudioInput,
        settings: STTModelSettings,
        trace_include_sensitive_data: bool,
        trace_include_sensitive_audio_data: bool,
    ) -> OpenAISTTTranscriptionSession:
        """A streamed transcription session over the realtime websocket."""
        from ...realtime.transport import realtime_url

        client = self._get_client()
        url = realtime_url(
            base_url=self.websocket_base_url or client.base_url, query={"intent": "transcription"}
        )
        headers = {"OpenAI-Log-Session": "1"}
        key = getattr(client, "_api_key", None)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return OpenAISTTTranscriptionSession(
            input, url, headers, self.model, settings,
            trace_include_sensitive_data, trace_include_sensitive_audio_data,
        )


def _transcript_from(content: bytes, client: HTTPClient) -> str:
    try:
        data = json.loads(content)
    except ValueError:
        snippet = content[:200].decode("utf-8", errors="replace")
        raise ModelBehaviorError(
            client.redact(f"The transcription endpoint returned a body that is not JSON: {snippet!r}")
        ) from None
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str):
        raise ModelBehaviorError("The transcription endpoint returned no 'text' field")
    return text


class _Closed:
    def __init__(self, info: Any) -> None:
        self.info = info


_INPUT_ENDED = object()


class OpenAISTTTranscriptionSession(StreamedTranscriptionSession):
    """Streams a `StreamedAudioInput` to a realtime transcription session and yields one
    transcript per detected turn.

    When the input ends (`add_audio(None)`), any audio not yet committed is committed and the
    session waits (up to `end_of_input_timeout` seconds) for the remaining transcripts, then
    closes. Empty transcripts are not turns. Error events, a refused or broken connection and a
    session that is never confirmed raise `STTWebsocketConnectionError`.
    """

    def __init__(
        self,
        input: StreamedAudioInput,
        url: str,
        headers: dict[str, str],
        model: str,
        settings: STTModelSettings,
        trace_include_sensitive_data: bool,
        trace_include_sensitive_audio_data: bool,
        *,
        setup_timeout: float = SESSION_SETUP_TIMEOUT,
        end_of_input_timeout: float = END_OF_INPUT_TIMEOUT,
    ) -> None:
        self._input = input
        self._url = url
        self._headers = headers
        self._model = model
        self._settings = settings
        self._turn_detection = settings.turn_detection or DEFAULT_TURN_DETECTION
        self._include_data = trace_include_sensitive_data
        self._include_audio = trace_include_sensitive_audio_data
        self.setup_timeout = setup_timeout
        self.end_of_input_timeout = end_of_input_timeout
        self._events: queue.Queue[Any] = queue.Queue()
        self._transport: Any = None
        self._sender: Optional[threading.Thread] = None
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._turn_audio: list[bytes] = []
        self._span: Any = None
        self.connected = False
        self.bytes_sent = 0
        """Audio bytes sent so far (24 kHz mono 16-bit PCM)."""

    # --- websocket plumbing ----------------------------------------------------------------

    def _on_message(self, data: Any) -> None:
        try:
            event = json.loads(data)
        except (TypeError, ValueError):
            logger.warning("transcription session: ignoring a malformed frame %r", str(data)[:120])
            return
        if isinstance(event, dict):
            self._events.put(event)

    def _on_close(self, info: Any) -> None:
        self._events.put(_Closed(info))

    def _connect(self) -> None:
        from ...realtime.transport import RealtimeConnectionError, WebSocketTransport

        transport = WebSocketTransport(
            self._url, self._headers, on_message=self._on_message, on_close=self._on_close,
            name="stt-reader",
        )
        try:
            transport.connect()
        except RealtimeConnectionError as exc:
            raise STTWebsocketConnectionError(str(exc)) from None
        with self._lock:
            self._transport = transport
        if self._closed.is_set():  # closed while connecting
            transport.close()

    def _wait_for(self, wanted: tuple[str, ...]) -> dict[str, Any]:
        deadline = time.monotonic() + self.setup_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise STTWebsocketConnectionError(f"Timed out waiting for {' / '.join(wanted)}")
            try:
                event = self._events.get(timeout=remaining)
            except queue.Empty:
                continue
            if isinstance(event, _Closed):
                raise STTWebsocketConnectionError(
                    f"Transcription session ended during setup: {event.info.describe()}"
                )
            kind = event.get("type")
            if kind == "error":
                raise STTWebsocketConnectionError(f"Error event: {_error_text(event)}")
            if kind in wanted:
                return event

    def _session_update(self) -> dict[str, Any]:
        transcription: dict[str, Any] = {"model": self._model}
        if self._settings.language is not None:
            transcription["language"] = self._settings.language
        if self._settings.prompt is not None:
            transcription["prompt"] = self._settings.prompt
        return {
            "type": "session.update",
            "session": {
                "type": "transcription",
                "audio": {
                    "input": {
                        "format": {"type": "audio/pcm", "rate": 24000},
                        "transcription": transcription,
                        "turn_detection": self._turn_detection,
                    }
                },
            },
        }

    def _send_audio(self) -> None:
        """Sender thread: input chunks → `input_audio_buffer.append`; at the end, a commit."""
        source = self._input.queue
        while not self._closed.is_set():
            try:
                chunk = source.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                if chunk is None:
                    # Always commit what is left: the answer (committed, or a "buffer empty"
                    # error) comes after every turn the server's VAD found in earlier audio.
                    with self._lock:
                        pending = self.bytes_sent > 0
                    # queued before the commit goes out, so it precedes the commit's answer
                    self._events.put((_INPUT_ENDED, pending))
                    if pending:
                        self._transport.send_json({"type": "input_audio_buffer.commit"})
                    return
                self._transport.send_json({
                    "type": "input_audio_buffer.append",
                    "audio": base64.b64encode(chunk).decode("ascii"),
                })
            except Exception as exc:  # the reader reports why the connection went away
                if not self._closed.is_set():
                    logger.debug("transcription session: sending audio failed: %s", exc)
                return
            with self._lock:
                self.bytes_sent += len(chunk)
                if self._include_audio:
                    self._turn_audio.append(chunk)

    # --- turns -------------------------------------------------------------------------------

    def _start_span(self) -> None:
        self._span = _tracing.transcription_span(self._model, {
            "temperature": self._settings.temperature,
            "language": self._settings.language,
            "prompt": self._settings.prompt,
            "turn_detection": self._turn_detection,
        })
        self._span.start()

    def _end_span(self, transcript: str) -> None:
        span, self._span = self._span, None
        if span is None:
            return
        with self._lock:
            audio, self._turn_audio = b"".join(self._turn_audio), []
        if span.span_data is not None:
            if self._include_audio and audio:
                span.span_data.input = _tracing.audio_b64(audio)
            if self._include_data:
                span.span_data.output = transcript
        span.finish()

    def transcribe_turns(self) -> Iterator[str]:
        """Yield each non-empty transcript as its turn completes."""
        from ...realtime.transport import RealtimeConnectionError

        self._connect()
        try:
            self._wait_for(("session.created", "transcription_session.created"))
            self._transport.send_json(self._session_update())
            self._wait_for(("session.updated", "transcription_session.updated"))
            self.connected = True
            self._sender = threading.Thread(target=self._send_audio, name="stt-sender", daemon=True)
            self._sender.start()
            self._start_span()
            yield from self._turns()
        except STTWebsocketConnectionError as exc:
            if self._span is not None:
                self._span.set_error(exc)
            raise
        except RealtimeConnectionError as exc:  # a send failed: the server went away
            error = STTWebsocketConnectionError(f"Transcription session failed: {exc}")
            if self._span is not None:
                self._span.set_error(error)
            raise error from None
        finally:
            self.close()

    def _turns(self) -> Iterator[str]:
        pending_items: set[str] = set()
        input_ended = False
        awaiting_commit = False
        deadline: Optional[float] = None
        last_kind = ""
        while True:
            if input_ended and not awaiting_commit and not pending_items:
                return
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                event = self._events.get(timeout=timeout)
            except queue.Empty:
                logger.warning(
                    "transcription session: %d turn(s) still untranscribed %.0f s after the "
                    "input ended; giving up on them", len(pending_items) + awaiting_commit,
                    self.end_of_input_timeout,
                )
                return
            if isinstance(event, tuple) and event[0] is _INPUT_ENDED:
                input_ended, awaiting_commit = True, event[1]
                deadline = time.monotonic() + self.end_of_input_timeout
                continue
            if isinstance(event, _Closed):
                if self._closed.is_set() or event.info.by_client:
                    return
                raise STTWebsocketConnectionError(
                    f"Transcription session ended unexpectedly: {event.info.describe()}"
                )
            kind = event.get("type", "")
            after_speech_stopped, last_kind = last_kind == "input_audio_buffer.speech_stopped", kind
            if kind == "error":
                error = event.get("error") or {}
                if isinstance(error, dict) and error.get("code") == _COMMIT_EMPTY:
                    awaiting_commit = False  # the server's VAD had committed everything already
                    continue
                raise STTWebsocketConnectionError(f"Error event: {_error_text(event)}")
            if kind == "input_audio_buffer.committed":
                # A VAD turn is committed right after its speech_stopped; any other commit
                # answers the commit sent when the input ended.
                if input_ended and not after_speech_stopped:
                    awaiting_commit = False
                if event.get("item_id"):
                    pending_items.add(event["item_id"])
            elif kind in (
                "conversation.item.input_audio_transcription.completed",
                "input_audio_transcription_completed",
            ):
                pending_items.discard(event.get("item_id", ""))
                transcript = event.get("transcript") or ""
                if transcript:
                    self._end_span(transcript)
                    self._start_span()
                    yield transcript
            elif kind == "conversation.item.input_audio_transcription.failed":
                pending_items.discard(event.get("item_id", ""))
                logger.warning("transcription session: a turn could not be transcribed: %s",
                               _error_text(event))

    def close(self) -> None:
        """Stop sending audio and close the websocket (normal closure)."""
        if self._closed.is_set():
            return
        self._closed.set()
        with self._lock:
            transport = self._transport
        if transport is not None:
            transport.close()
        sender = self._sender
        if sender is not None and sender is not threading.current_thread():
            sender.join(1.0)
        self._end_span("")


def _error_text(event: dict[str, Any]) -> str:
    error = event.get("error")
    if isinstance(error, dict):
        code = error.get("code") or error.get("type")
        message = error.get("message") or json.dumps(error)
        return f"{code}: {message}" if code else str(message)
    return str(error)
