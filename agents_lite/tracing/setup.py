"""The process-wide trace provider: which processors receive traces and spans, whether tracing
is on, and the key used to export to OpenAI.

Default: traces go to OpenAI's trace ingest through a `BatchTraceProcessor`, but only once an
OpenAI key is known (`OPENAI_API_KEY`, `set_tracing_export_api_key`,
`set_default_openai_key(..., use_for_tracing=True)`, or a per-run `RunConfig(tracing={"api_key":
...})`). Until then nothing is queued and no thread is started, so users of other providers see
no background work and no warnings.

Environment: `OPENAI_AGENTS_DISABLE_TRACING=1` (or `true`) turns tracing off;
`set_tracing_disabled(False)` overrides it.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from .context import _current_trace, get_current_span
from .ids import gen_trace_id
from .processor_interface import (
    TracingProcessor,
    call_needed,
    calls_safely,
    does_nothing,
    never_raises,
)
from .spans import NoOpSpan, Span, TSpanData
from .traces import NoOpTrace, Trace

if TYPE_CHECKING:
    from .processors import BatchTraceProcessor

__all__ = [
    "TraceProvider",
    "SynchronousMultiTracingProcessor",
    "get_trace_provider",
    "set_trace_provider",
    "add_trace_processor",
    "set_trace_processors",
    "set_tracing_disabled",
    "set_tracing_export_api_key",
    "get_tracing_export_api_key",
    "flush_traces",
    "EXIT_FLUSH_TIMEOUT",
]

logger = logging.getLogger("agents_lite.tracing")

EXIT_FLUSH_TIMEOUT = 10.0
"""Seconds the interpreter-exit flush may spend delivering queued traces."""

_TRUE = ("1", "true", "yes", "on")


def _env_flag(name: str) -> Optional[bool]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip().lower() in _TRUE


_EVENTS = ("on_trace_start", "on_trace_end", "on_span_start", "on_span_end")


class SynchronousMultiTracingProcessor(TracingProcessor):
    """Forwards every call to a list of processors, in order. A failing processor is logged
    and skipped; it never breaks the run or the other processors."""

    def __init__(self, processors: Optional[list[TracingProcessor]] = None) -> None:
        # A tuple, replaced as a whole, so iteration never races with changes.
        self._processors: tuple[TracingProcessor, ...] = ()
        self._lock = threading.Lock()
        self._reported: set[int] = set()
        self._replace(tuple(processors or ()))

    def _replace(self, processors: tuple[TracingProcessor, ...]) -> None:
        self._processors = processors
        self._needs_span_start = any(call_needed(p, "on_span_start") for p in processors)
        self._needs_trace_end = any(call_needed(p, "on_trace_end") for p in processors)
        self._bind()

    def _bind(self) -> None:
        # With one processor whose method cannot raise (the batch processor's queue append),
        # calls go straight to it: no loop, no try, one call less per span. Otherwise (or
        # when a subclass overrides the method) the methods below fan out and isolate errors.
        processors = self._processors
        for name in _EVENTS:
            direct = (
                len(processors) == 1
                and getattr(type(self), name) is getattr(SynchronousMultiTracingProcessor, name)
                and calls_safely(processors[0], name)
            )
            if direct:
                setattr(self, name, getattr(processors[0], name))
            else:
                self.__dict__.pop(name, None)
        self._record_sink = _record_sink(self.on_span_end)

    @property
    def processors(self) -> tuple[TracingProcessor, ...]:
        """The registered processors."""
        return self._processors

    def add_tracing_processor(self, processor: TracingProcessor) -> None:
        """Add a processor after the existing ones."""
        with self._lock:
            self._replace(self._processors + (processor,))

    def set_processors(self, processors: list[TracingProcessor]) -> None:
        """Replace the processors."""
        with self._lock:
            self._replace(tuple(processors))

    def _failed(self, processor: TracingProcessor, what: str) -> None:
        # Loud once per processor, quiet afterwards: a broken processor must not flood logs.
        key = id(processor)
        level = logging.DEBUG if key in self._reported else logging.WARNING
        self._reported.add(key)
        logger.log(level, "Trace processor %r failed in %s", processor, what, exc_info=True)

    def on_trace_start(self, trace: Trace) -> None:
        for processor in self._processors:
            try:
                processor.on_trace_start(trace)
            except Exception:
                self._failed(processor, "on_trace_start")

    def on_trace_end(self, trace: Trace) -> None:
        for processor in self._processors:
            try:
                processor.on_trace_end(trace)
            except Exception:
                self._failed(processor, "on_trace_end")

    def on_span_start(self, span: Span[Any]) -> None:
        for processor in self._processors:
            try:
                processor.on_span_start(span)
            except Exception:
                self._failed(processor, "on_span_start")

    def on_span_end(self, span: Span[Any]) -> None:
        for processor in self._processors:
            try:
                processor.on_span_end(span)
            except Exception:
                self._failed(processor, "on_span_end")

    def shutdown(self, timeout: Optional[float] = None) -> None:
        """Shut every processor down (within `timeout` seconds overall, where supported)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for processor in self._processors:
            try:
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                _shutdown(processor, remaining)
            except Exception:
                self._failed(processor, "shutdown")

    def force_flush(self) -> None:
        for processor in self._processors:
            try:
                processor.force_flush()
            except Exception:
                self._failed(processor, "force_flush")


def _record_sink(on_span_end: Any) -> Optional[BatchTraceProcessor]:
    # The batch processor that is the only receiver of ended spans, if that is the case: runs
    # may then queue their own spans as records there (see run_spans).
    owner = getattr(on_span_end, "__self__", None)
    if owner is None or not hasattr(owner, "_put"):
        return None
    from .processors import BatchTraceProcessor

    cls = type(owner)
    if (
        getattr(on_span_end, "__func__", None) is BatchTraceProcessor._put
        and cls._put is BatchTraceProcessor._put
        and cls._drain is BatchTraceProcessor._drain
    ):
        return owner  # type: ignore[no-any-return]
    return None


def _shutdown(processor: TracingProcessor, timeout: Optional[float]) -> None:
    if timeout is not None and _accepts_timeout(processor.shutdown):
        processor.shutdown(timeout=timeout)  # type: ignore[call-arg]
    else:
        processor.shutdown()


def _accepts_timeout(method: Any) -> bool:
    import inspect

    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "timeout" or p.kind is p.VAR_KEYWORD for p in parameters)


class _DefaultExportProcessor(TracingProcessor):
    """The default destination: OpenAI's trace ingest, switched on by the first trace that has
    an OpenAI key to export with. Until then every call is a cheap no-op (no queue, no thread,
    no warning), which is what users of other model providers get."""

    def __init__(self, on_activate: Optional[Callable[[], None]] = None) -> None:
        self._real: Optional[BatchTraceProcessor] = None
        self._lock = threading.Lock()
        self._on_activate = on_activate

    def processor(self) -> BatchTraceProcessor:
        """The batch processor behind this gate (created on first use; starts no thread)."""
        real = self._real
        if real is None:
            with self._lock:
                real = self._real
                if real is None:
                    from .exporters import BackendSpanExporter
                    from .processors import BatchTraceProcessor

                    real = self._real = BatchTraceProcessor(BackendSpanExporter())
                    # From now on calls may skip the gate: its methods only forward.
                    for name in _EVENTS:
                        if calls_safely(real, name):
                            setattr(self, name, getattr(real, name))
                    if self._on_activate is not None:
                        self._on_activate()
        return real

    @never_raises
    def on_trace_start(self, trace: Trace) -> None:
        real = self._real
        if real is None:
            if not (trace.tracing_api_key or get_tracing_export_api_key()):
                return
            real = self.processor()
        real.on_trace_start(trace)

    @does_nothing  # the batch processor behind it queues traces when they start
    def on_trace_end(self, trace: Trace) -> None:
        real = self._real
        if real is not None:
            real.on_trace_end(trace)

    @does_nothing
    def on_span_start(self, span: Span[Any]) -> None:
        pass  # spans are exported when they end

    @never_raises
    def on_span_end(self, span: Span[Any]) -> None:
        real = self._real
        if real is not None:
            real.on_span_end(span)

    def shutdown(self, timeout: Optional[float] = None) -> None:
        real = self._real
        if real is not None:
            real.shutdown(timeout)

    def force_flush(self) -> None:
        real = self._real
        if real is not None:
            real.force_flush()

    def __repr__(self) -> str:
        return f"<default OpenAI trace export, active={self._real is not None}>"


class TraceProvider:
    """Creates traces and spans and hands them to the registered processors."""

    def __init__(self) -> None:
        self._default = _DefaultExportProcessor(on_activate=self._rebind)
        self._multi = SynchronousMultiTracingProcessor([self._default])
        # Runs may build their trace and spans directly (see `RunTracer`) unless a subclass
        # makes its own.
        cls = type(self)
        self._own_factories = (
            cls.create_trace is TraceProvider.create_trace
            and cls.create_span is TraceProvider.create_span
        )
        self._manual_disabled: Optional[bool] = None
        self._disabled = bool(_env_flag("OPENAI_AGENTS_DISABLE_TRACING"))

    def _rebind(self) -> None:
        with self._multi._lock:
            self._multi._bind()

    # --- configuration -------------------------------------------------------------------

    @property
    def disabled(self) -> bool:
        """Whether tracing is off for the whole process."""
        return self._disabled

    def set_disabled(self, disabled: bool) -> None:
        """Turn tracing off (True) or on (False) for the whole process; wins over the env."""
        self._manual_disabled = bool(disabled)
        self._disabled = bool(disabled)

    def register_processor(self, processor: TracingProcessor) -> None:
        """Add a processor next to the existing ones (the default OpenAI export stays)."""
        self._multi.add_tracing_processor(processor)

    def set_processors(self, processors: list[TracingProcessor]) -> None:
        """Replace all processors, including the default OpenAI export."""
        self._multi.set_processors(processors)

    @property
    def processors(self) -> tuple[TracingProcessor, ...]:
        """The registered processors."""
        return self._multi.processors

    def has_consumers(self, api_key: Optional[str] = None) -> bool:
        """Whether a trace started now would reach anyone: a registered processor, or the
        default OpenAI export with a key. Runs skip building spans when nobody would see them."""
        for processor in self._multi._processors:
            if processor is not self._default:
                return True
            if self._default._real is not None or api_key or get_tracing_export_api_key():
                return True
        return False

    def default_processor(self) -> BatchTraceProcessor:
        """The processor of the default OpenAI export (created on first use)."""
        return self._default.processor()

    def force_flush(self) -> None:
        """Deliver everything queued by every processor, now, in this thread."""
        self._multi.force_flush()

    def shutdown(self, timeout: Optional[float] = None) -> None:
        """Flush and stop every processor."""
        self._multi.shutdown(timeout)

    # --- creating traces and spans -------------------------------------------------------

    def create_trace(
        self,
        name: str,
        trace_id: Optional[str] = None,
        group_id: Optional[str] = None,
        metadata: Optional[dict[str, Any]] = None,
        disabled: bool = False,
        tracing_api_key: Optional[str] = None,
    ) -> Trace:
        """A new, not yet started, trace (a `NoOpTrace` when tracing is off)."""
        if disabled or self._disabled:
            return NoOpTrace(name)
        return Trace(
            name, trace_id or gen_trace_id(), group_id, metadata, self._multi, tracing_api_key
        )

    def create_span(
        self,
        span_data: TSpanData,
        span_id: Optional[str] = None,
        parent: Union[Trace, Span[Any], None] = None,
        disabled: bool = False,
    ) -> Span[TSpanData]:
        """A new, not yet started, span under `parent` (default: the current span, else the
        current trace). Without an active trace, or with tracing off, a `NoOpSpan`."""
        if disabled or self._disabled:
            return NoOpSpan(span_data)
        if parent is None:
            trace = _current_trace.get()
            if trace is None:
                return NoOpSpan(span_data)
            trace_id = trace._trace_id
            if trace_id == "no-op":
                return NoOpSpan(span_data)
            current = get_current_span()
            parent_id = (
                current._span_id
                if current is not None and current._trace_id == trace_id
                else None
            )
            key = trace._tracing_api_key
        elif isinstance(parent, Span):
            trace_id = parent._trace_id
            if trace_id == "no-op":
                return NoOpSpan(span_data)
            parent_id = parent._span_id
            key = parent._tracing_api_key
        elif isinstance(parent, Trace):
            trace_id = parent._trace_id
            if trace_id == "no-op":
                return NoOpSpan(span_data)
            parent_id = None
            key = parent._tracing_api_key
        else:
            raise TypeError(f"parent must be a Trace or a Span, got {type(parent).__name__}")
        return Span(trace_id, span_id, parent_id, self._multi, span_data, key)


_provider: Optional[TraceProvider] = None
_provider_lock = threading.Lock()
_export_api_key: Optional[str] = None


def get_trace_provider() -> TraceProvider:
    """The process-wide provider (created on first use)."""
    provider = _provider
    if provider is None:
        provider = _create_provider()
    return provider


def _create_provider() -> TraceProvider:
    global _provider
    with _provider_lock:
        if _provider is None:
            _provider = TraceProvider()
            atexit.register(_shutdown_at_exit)
        return _provider


def _shutdown_at_exit() -> None:
    provider = _provider
    if provider is not None:
        provider.shutdown(timeout=EXIT_FLUSH_TIMEOUT)  # read now: may be changed after import


def set_trace_provider(provider: TraceProvider) -> None:
    """Replace the process-wide provider (advanced: a custom `TraceProvider` subclass)."""
    global _provider
    get_trace_provider()  # make sure the exit hook is registered
    with _provider_lock:
        _provider = provider


def add_trace_processor(processor: TracingProcessor) -> None:
    """Send traces and spans to `processor` as well (the default OpenAI export stays)."""
    if not isinstance(processor, TracingProcessor):
        from ..exceptions import UserError

        raise UserError(f"add_trace_processor expects a TracingProcessor, got {processor!r}")
    get_trace_provider().register_processor(processor)


def set_trace_processors(processors: list[TracingProcessor]) -> None:
    """Send traces and spans to these processors only (replacing the default OpenAI export)."""
    for processor in processors:
        if not isinstance(processor, TracingProcessor):
            from ..exceptions import UserError

            raise UserError(f"set_trace_processors expects TracingProcessors, got {processor!r}")
    get_trace_provider().set_processors(list(processors))


def set_tracing_disabled(disabled: bool) -> None:
    """Turn tracing off (True) or back on (False) for the whole process. Wins over the
    `OPENAI_AGENTS_DISABLE_TRACING` environment variable."""
    get_trace_provider().set_disabled(disabled)


def set_tracing_export_api_key(api_key: str) -> None:
    """The OpenAI API key used to export traces (default: `OPENAI_API_KEY`)."""
    global _export_api_key
    _export_api_key = api_key or None


def get_tracing_export_api_key() -> Optional[str]:
    """The key traces are exported with: `set_tracing_export_api_key(...)`, else
    `OPENAI_API_KEY`, else None."""
    return _export_api_key or os.environ.get("OPENAI_API_KEY") or None


def flush_traces() -> None:
    """Deliver every queued trace and span now, in this thread (e.g. at the end of a job in a
    long-running worker). Returns when the exporters have sent them."""
    get_trace_provider().force_flush()


def _reset_for_tests() -> None:
    """Forget processors, switches and keys (tests only)."""
    global _export_api_key
    provider = get_trace_provider()
    provider._default = _DefaultExportProcessor(on_activate=provider._rebind)
    provider._multi.set_processors([provider._default])
    provider._manual_disabled = None
    provider._disabled = bool(_env_flag("OPENAI_AGENTS_DISABLE_TRACING"))
    _export_api_key = None
