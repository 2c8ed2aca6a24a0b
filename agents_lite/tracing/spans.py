"""`Span`: one timed operation inside a trace (an agent, a model call, a tool call, ...)."""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Generic, Optional, TypedDict, TypeVar, Union

from .context import reset_current_span, set_current_span
from .ids import gen_span_id, to_iso
from .span_data import SpanData

if TYPE_CHECKING:
    import contextvars
    from types import TracebackType

    from .processor_interface import TracingProcessor

__all__ = [
    "Span",
    "NoOpSpan",
    "SpanError",
    "TSpanData",
    "error_from_exception",
]

logger = logging.getLogger("agents_lite.tracing")

TSpanData = TypeVar("TSpanData", bound=SpanData)

# Ending a span claims it by deleting its `_open` slot: with the GIL that one C-level step is
# atomic, so of two threads ending the same span only one gets past it, with no lock to take.
# Without the GIL (free-threaded builds) the check inside it is not atomic: take a lock there.
_CLAIM_WITH_LOCK = not getattr(sys, "_is_gil_enabled", lambda: True)()
_END_LOCK = threading.Lock()
_BUILD_LOCK = threading.Lock()
_now = time.time


class SpanError(TypedDict):
    """An error recorded on a span: a message and optional details."""

    message: str
    data: Optional[dict[str, Any]]


def error_from_exception(exc: BaseException, message: Optional[str] = None) -> SpanError:
    """A `SpanError` describing `exc`."""
    text = str(exc) or type(exc).__name__
    return {"message": message or text, "data": {"type": type(exc).__name__, "error": text}}


class Span(Generic[TSpanData]):
    """A timed operation in a trace, with a parent (another span or the trace itself).

    Create spans with the `*_span()` functions, then use them as context managers (`with
    custom_span("load") as span:`), which makes the span current for code inside the block, or
    call `start()` and `finish()`. A span is handed to the processors when it starts and when it
    ends; ending it again (from any thread) does nothing.
    """

    __slots__ = (
        "_trace_id",
        "_span_id",
        "_parent_id",
        "_span_data",
        "_processor",
        "_start_time",
        "_end_time",
        "_error",
        "_token",
        "_tracing_api_key",
        "_open",
        # A span whose `_span_data` is None keeps its data fields here instead, and `_kind`
        # (see run_spans) builds the data object from them when first asked: a run's own
        # spans, one object each instead of two. One class for both keeps attribute access
        # on spans monomorphic (specialised) in the interpreter.
        "_kind",
        "_f1",
        "_f2",
        "_f3",
        "_f4",
        "_usage",
    )

    _kind: Any
    _f1: Any
    _f2: Any
    _f3: Any
    _f4: Any
    _usage: Any

    def __init__(
        self,
        trace_id: str,
        span_id: Optional[str],
        parent_id: Optional[str],
        processor: TracingProcessor,
        span_data: TSpanData,
        tracing_api_key: Optional[str] = None,
    ) -> None:
        self._trace_id = trace_id
        self._span_id = span_id or gen_span_id()
        self._parent_id = parent_id
        self._span_data = span_data
        self._processor = processor
        self._start_time: Optional[float] = None
        self._end_time: Optional[float] = None
        self._error: Optional[SpanError] = None
        self._token: Optional[contextvars.Token[Any]] = None
        self._tracing_api_key = tracing_api_key
        self._open = True  # deleted by the first `finish()`

    # --- identity ------------------------------------------------------------------------

    @property
    def trace_id(self) -> str:
        """The ID of the trace this span belongs to."""
        return self._trace_id

    @property
    def span_id(self) -> str:
        """This span's ID (`span_<24hex>`)."""
        return self._span_id

    @property
    def parent_id(self) -> Optional[str]:
        """The parent span's ID, or None for a span directly under the trace."""
        return self._parent_id

    @property
    def span_data(self) -> TSpanData:
        """What this span is about (its type-specific payload)."""
        data = self._span_data
        if data is None:
            return self._build_data()
        return data

    def _build_data(self) -> Any:
        # The data object of a span that keeps its fields itself, built once (see run_spans).
        try:
            kind = self._kind
        except AttributeError:  # a span made without data
            return None
        with _BUILD_LOCK:
            data = self._span_data
            if data is None:
                data = kind.build(self)
                self._span_data = data
                kind.copy_late_fields(self, data)
        return data

    @property
    def tracing_api_key(self) -> Optional[str]:
        """The API key of this span's trace for exporting, if the trace was given one."""
        return self._tracing_api_key

    # --- timing --------------------------------------------------------------------------

    @property
    def start_time(self) -> Optional[float]:
        """When the span started, in seconds since the epoch (None before `start()`)."""
        return self._start_time

    @property
    def end_time(self) -> Optional[float]:
        """When the span ended, in seconds since the epoch (None while open)."""
        return self._end_time

    @property
    def started_at(self) -> Optional[str]:
        """When the span started, as a UTC ISO 8601 string."""
        return to_iso(self._start_time)

    @property
    def ended_at(self) -> Optional[str]:
        """When the span ended, as a UTC ISO 8601 string."""
        return to_iso(self._end_time)

    # --- lifecycle -----------------------------------------------------------------------

    def start(self, mark_as_current: bool = False) -> None:
        """Start the span; with `mark_as_current`, it becomes the current span of this context
        until `finish(reset_current=True)`."""
        if self._start_time is not None:
            logger.debug("Span %s already started", self._span_id)
            return
        self._start_time = _now()
        processor = self._processor
        if processor._needs_span_start:
            processor.on_span_start(self)
        if mark_as_current:
            self._token = set_current_span(self)

    def finish(self, reset_current: bool = False) -> None:
        """End the span and hand it to the processors; ending it again delivers nothing more.
        With `reset_current`, the span that was current before `start()` becomes current again
        in the context that started it (a call from another thread leaves that to a later call
        in the starting context)."""
        try:
            if _CLAIM_WITH_LOCK:
                with _END_LOCK:
                    del self._open
            else:
                del self._open  # see _CLAIM_WITH_LOCK
        except AttributeError:
            logger.debug("Span %s already finished", self._span_id)
        else:
            self._end_time = end = _now()
            if self._start_time is None:
                self._start_time = end
            self._processor.on_span_end(self)
        if reset_current:
            self._reset()

    def _reset(self) -> None:
        token = self._token
        if token is None:
            return
        if reset_current_span(token):
            self._token = None
        else:
            # Finished from another thread: the context that started the span can still
            # restore its previous span with `finish(reset_current=True)`.
            logger.debug("Span %s finished outside the context that started it", self._span_id)

    def __enter__(self) -> Span[TSpanData]:
        self.start(mark_as_current=True)
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        if (
            exc_val is not None
            and self._error is None
            and isinstance(exc_val, Exception)
        ):
            self._error = error_from_exception(exc_val)
        self.finish(reset_current=True)

    # --- errors and export ---------------------------------------------------------------

    def set_error(self, error: Union[SpanError, BaseException, str]) -> None:
        """Record an error on the span: a `SpanError` dict (`{"message", "data"}`), an
        exception, or a message."""
        if isinstance(error, BaseException):
            self._error = error_from_exception(error)
        elif isinstance(error, str):
            self._error = {"message": error, "data": None}
        else:
            self._error = {"message": str(error.get("message", "")), "data": error.get("data")}

    @property
    def error(self) -> Optional[SpanError]:
        """The recorded error, or None."""
        return self._error

    def export(self) -> Optional[dict[str, Any]]:
        """The span in the trace-ingest shape (`object: "trace.span"`)."""
        data = self._span_data
        if data is None:  # a run's own span whose data object nobody asked for
            exported, metadata = self._kind.export(self), None
        else:
            exported, metadata = data.export(), data.metadata
        out: dict[str, Any] = {
            "object": "trace.span",
            "id": self._span_id,
            "trace_id": self._trace_id,
            "parent_id": self._parent_id,
            "started_at": to_iso(self._start_time),
            "ended_at": to_iso(self._end_time),
            "span_data": exported,
            "error": self._error,
        }
        if metadata:
            out["metadata"] = metadata
        return out

    # How a run's span gets the fields that change while it is open (usage, output, the
    # handoff's target): on the span's own slot while no data object exists, then also on the
    # data object if one was built meanwhile (a build copies these fields again after publishing
    # the object, so a racing write is not lost).

    def _set_usage(self, usage: Any) -> None:
        if self._span_data is None:
            self._usage = usage
        data = self._span_data
        if data is not None:
            data.usage = usage  # type: ignore[attr-defined]

    def _set_f2(self, value: Any, data_field: str) -> None:
        if self._span_data is None:
            self._f2 = value
        data = self._span_data
        if data is not None:
            setattr(data, data_field, value)

    def __repr__(self) -> str:
        return (
            f"<Span {self.span_data.type} id={self._span_id} trace={self._trace_id} "
            f"parent={self._parent_id}>"
        )


class NoOpSpan(Span[TSpanData]):
    """A span that records nothing (tracing disabled, or no trace active). It still becomes the
    current span inside its `with` block, so nested code behaves the same."""

    __slots__ = ()

    def __init__(self, span_data: TSpanData) -> None:
        self._trace_id = "no-op"
        self._span_id = "no-op"
        self._parent_id = None
        self._span_data = span_data
        self._start_time = None
        self._end_time = None
        self._error = None
        self._token = None
        self._tracing_api_key = None

    def start(self, mark_as_current: bool = False) -> None:
        if mark_as_current and self._token is None:
            self._token = set_current_span(self)

    def finish(self, reset_current: bool = False) -> None:
        if reset_current:
            self._reset()

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        self._reset()

    def set_error(self, error: Union[SpanError, BaseException, str]) -> None:
        pass

    def export(self) -> Optional[dict[str, Any]]:
        return None
