"""`StreamedAudioResult`: the audio and lifecycle events of one `VoicePipeline` run.

How the work is split: a producer thread transcribes, runs the workflow and cuts its text into
segments; each segment is synthesised by a small per-run pool of worker threads into its own
queue, so the next sentence is being synthesised while the previous one plays. `stream()` is a
plain generator in the caller's thread that hands the segments' audio out strictly in order.
Closing the generator early cancels the run: the producer stops at its next step, the TTS
responses and any transcription session are closed.
"""

from __future__ import annotations

import contextvars
import logging
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional

from ..exceptions import UserError
from . import _tracing
from .events import (
    VoiceStreamEvent,
    VoiceStreamEventAudio,
    VoiceStreamEventError,
    VoiceStreamEventLifecycle,
)
from .pcm import pcm16_to_float32_bytes

if TYPE_CHECKING:
    from .model import TTSModel, TTSModelSettings
    from .pipeline_config import VoicePipelineConfig

__all__ = ["StreamedAudioResult"]

logger = logging.getLogger("agents_lite")

TTS_WORKERS = 3
"""Segments synthesised at the same time within one run."""
_JOIN_TIMEOUT = 1.0  # a cancelled producer stuck in a request is left to finish on its own


class _Cancelled(Exception):
    """Raised inside the producer when the consumer went away."""


@dataclass
class _Segment:
    """One piece of text being synthesised; its audio arrives in `chunks` in order."""

    text: str
    chunks: queue.Queue[Any] = field(default_factory=queue.Queue)
    future: Optional[Future[None]] = None


_SEGMENT_END = object()
_DONE = object()


@dataclass
class _Failure:
    error: BaseException


class StreamedAudioResult:
    """The output of `VoicePipeline.run`. Iterate `stream()` for the events.

    Nothing runs until `stream()` is first iterated. `total_output_text` holds all text the
    workflow produced so far.
    """

    def __init__(
        self,
        tts_model: TTSModel,
        tts_settings: TTSModelSettings,
        voice_pipeline_config: VoicePipelineConfig,
        *,
        numpy_output: bool = False,
    ) -> None:
        self.tts_model = tts_model
        self.tts_settings = tts_settings
        self.total_output_text = ""
        self.instructions = tts_settings.instructions
        self._config = voice_pipeline_config
        self._numpy_output = numpy_output
        self._feed: queue.Queue[Any] = queue.Queue()
        self._producer: Optional[Callable[[StreamedAudioResult], None]] = None
        self._thread: Optional[threading.Thread] = None
        self._pool: Optional[ThreadPoolExecutor] = None
        self._cancelled = threading.Event()
        self._closables: list[Any] = []
        self._lock = threading.Lock()
        self._started = False
        # per-turn state, touched by the producer thread only
        self._text_buffer = ""
        self._turn_text = ""
        self._turn_open = False
        self._turn_segments: list[_Segment] = []
        self._group_span: Any = None

    # --- the consumer side ---------------------------------------------------------------------

    def stream(self) -> Iterator[VoiceStreamEvent]:
        """Events in order: for each turn, lifecycle "turn_started", audio chunks, "turn_ended";
        finally "session_ended".

        If transcription or the workflow fails, a `VoiceStreamEventError` is yielded and the
        error is raised. If speech synthesis fails (after the HTTP client's retries), the
        stream ends with "session_ended" and the error is raised. Leaving the loop early
        cancels the run.
        """
        if self._started:
            raise UserError("StreamedAudioResult.stream() can only be iterated once")
        self._start()
        finished = False
        try:
            while True:
                item = self._feed.get()
                if isinstance(item, _Segment):
                    yield from self._drain(item)
                elif isinstance(item, VoiceStreamEventLifecycle):
                    yield item
                elif isinstance(item, _Failure):
                    finished = True
                    yield VoiceStreamEventError(_as_exception(item.error))
                    raise item.error
                elif item is _DONE:
                    finished = True
                    yield VoiceStreamEventLifecycle(event="session_ended")
                    return
        finally:
            if not finished:
                self.cancel()
            self._shutdown()

    def _drain(self, segment: _Segment) -> Iterator[VoiceStreamEvent]:
        while True:
            chunk = segment.chunks.get()
            if chunk is _SEGMENT_END:
                return
            if isinstance(chunk, _Failure):
                self.cancel()
                yield VoiceStreamEventLifecycle(event="session_ended")
                raise chunk.error
            yield VoiceStreamEventAudio(data=chunk)

    def cancel(self) -> None:
        """Stop the run: no more transcription, workflow text or synthesis. `stream()` ends."""
        self._cancelled.set()
        with self._lock:
            closables, self._closables = self._closables, []
        for closable in closables:
            try:
                closable.close()
            except Exception:  # closing is best effort; the run is being abandoned anyway
                logger.debug("voice: error while closing %r", closable, exc_info=True)

    @property
    def cancelled(self) -> bool:
        """Whether the run was cancelled."""
        return self._cancelled.is_set()

    # --- wiring (used by VoicePipeline) --------------------------------------------------------

    def _set_producer(self, producer: Callable[[StreamedAudioResult], None]) -> None:
        self._producer = producer

    def _register_closable(self, closable: Any) -> None:
        """Something to close when the run is cancelled (e.g. a transcription session)."""
        with self._lock:
            if not self._cancelled.is_set():
                self._closables.append(closable)
                return
        closable.close()

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        if self._producer is None:
            self._feed.put(_DONE)
            return
        self._pool = ThreadPoolExecutor(max_workers=TTS_WORKERS, thread_name_prefix="voice-tts")
        context = contextvars.copy_context()
        self._thread = threading.Thread(
            target=context.run, args=(self._produce,), name="voice-pipeline", daemon=True
        )
        self._thread.start()

    def _produce(self) -> None:
        assert self._producer is not None
        try:
            with _tracing.voice_trace(self._config):
                try:
                    self._producer(self)
                finally:
                    self._close_turn_span()
        except _Cancelled:
            self._feed.put(_DONE)
        except BaseException as exc:  # reported to the consumer, who raises it
            if not self._cancelled.is_set():
                logger.debug("voice pipeline failed: %s", exc)
            self._feed.put(_Failure(exc))

    def _shutdown(self) -> None:
        pool = self._pool
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(_JOIN_TIMEOUT)

    def check_cancelled(self) -> None:
        """Raise inside the producer when the run was cancelled."""
        if self._cancelled.is_set():
            raise _Cancelled()

    # --- the producer side ---------------------------------------------------------------------

    def _start_turn(self) -> None:
        if self._turn_open:
            return
        self._turn_open = True
        self._turn_text = ""
        self._turn_segments = []
        self._group_span = _tracing.speech_group_span()
        self._group_span.start()
        self._feed.put(VoiceStreamEventLifecycle(event="turn_started"))

    def _add_text(self, text: str) -> None:
        """Buffer workflow text; whole sentences go to speech synthesis at once."""
        self.check_cancelled()
        self._start_turn()
        self._text_buffer += text
        self._turn_text += text
        self.total_output_text += text
        ready, self._text_buffer = self.tts_settings.text_splitter(self._text_buffer)
        if ready:
            self._speak(ready)

    def _turn_done(self) -> None:
        """Speak what is left of the turn's text, then end the turn once its audio is fetched."""
        self.check_cancelled()
        if self._text_buffer.strip():
            self._start_turn()
            self._speak(self._text_buffer)
        self._text_buffer = ""
        if not self._turn_open:
            return
        self._feed.put(VoiceStreamEventLifecycle(event="turn_ended"))
        for segment in self._turn_segments:
            if segment.future is not None:
                try:
                    segment.future.result()
                except BaseException:  # noqa: S110 - the consumer reports it, in order
                    pass
        self._close_turn_span()

    def _close_turn_span(self) -> None:
        span, self._group_span = self._group_span, None
        if span is not None:
            if span.span_data is not None:
                span.span_data.input = (
                    self._turn_text if self._config.trace_include_sensitive_data else "")
            span.finish()
        self._turn_open = False

    def _done(self) -> None:
        self._feed.put(_DONE)

    def _speak(self, text: str) -> None:
        segment = _Segment(text)
        pool = self._pool
        assert pool is not None
        context = contextvars.copy_context()
        group = self._group_span
        segment.future = pool.submit(context.run, self._synthesise, segment, group)
        self._turn_segments.append(segment)
        self._feed.put(segment)

    def _synthesise(self, segment: _Segment, group_span: Any) -> None:
        settings = self.tts_settings
        config = self._config
        span = _tracing.speech_span(
            self.tts_model.model_name,
            segment.text if config.trace_include_sensitive_data else "",
            {
                "voice": settings.voice,
                "instructions": settings.instructions if config.trace_include_sensitive_data
                else None,
                "speed": settings.speed,
            },
            group_span,
        )
        span.start()
        audio: list[bytes] = []
        pending: list[bytes] = []
        carry = b""
        stream = None
        failure: Optional[BaseException] = None
        try:
            if self._cancelled.is_set():
                return
            stream = self.tts_model.run(segment.text, settings)
            for chunk in stream:
                if self._cancelled.is_set():
                    return
                if not chunk:
                    continue
                if span.span_data is not None and span.span_data.first_content_at is None:
                    span.span_data.first_content_at = _tracing.now_iso()
                if config.trace_include_sensitive_audio_data:
                    audio.append(chunk)
                pending.append(chunk)
                if len(pending) >= settings.buffer_size:
                    data = carry + b"".join(pending)
                    pending = []
                    cut = len(data) - len(data) % 2  # never split a sample across events
                    carry = data[cut:]
                    if cut:
                        segment.chunks.put(self._output(data[:cut]))
            data = carry + b"".join(pending)
            if data:
                if len(data) % 2:
                    data += b"\x00"
                segment.chunks.put(self._output(data))
            if span.span_data is not None:
                span.span_data.output = (
                    _tracing.audio_b64(b"".join(audio))
                    if config.trace_include_sensitive_audio_data else ""
                )
        except BaseException as exc:
            span.set_error(exc)
            logger.debug("voice: speech synthesis failed: %s", exc)
            failure = exc
            raise
        finally:
            if stream is not None and hasattr(stream, "close"):
                stream.close()
            span.finish()  # before the consumer hears of the outcome
            if failure is not None:
                segment.chunks.put(_Failure(failure))
            segment.chunks.put(_SEGMENT_END)

    def _output(self, pcm: bytes) -> Any:
        """PCM bytes as handed to the user: bytes or a numpy array, int16 or float32."""
        settings = self.tts_settings
        data: Any
        if self._numpy_output:
            import numpy as np  # the input was a numpy array, so numpy is installed

            data = np.frombuffer(pcm, dtype="<i2").astype(np.int16)
            if settings.dtype == "float32":
                data = (data.astype(np.float32) / 32767.0).reshape(-1, 1)
        elif settings.dtype == "float32":
            data = pcm16_to_float32_bytes(pcm)
        else:
            data = pcm
        if settings.transform_data is not None:
            data = settings.transform_data(data)
        return data


def _as_exception(error: BaseException) -> Exception:
    return error if isinstance(error, Exception) else RuntimeError(repr(error))
