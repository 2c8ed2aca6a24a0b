"""The two extension points of tracing: processors (see every trace and span as it starts and
ends) and exporters (ship finished items somewhere, called by a batch processor)."""

from __future__ import annotations

import abc
import contextlib
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, Union

if TYPE_CHECKING:
    from .spans import Span
    from .traces import Trace

__all__ = ["TracingProcessor", "TracingExporter", "export_deadline", "export_time_left"]

F = TypeVar("F", bound=Callable[..., Any])


def never_raises(method: F) -> F:
    """Mark a processor method that cannot raise (it only appends to a queue, say), so the
    multi-processor may call it without its own try/except when it is the only one. A
    subclass that overrides the method loses the mark."""
    method._agents_lite_never_raises = True  # type: ignore[attr-defined]
    return method


def does_nothing(method: F) -> F:
    """Mark a processor method whose body does nothing, so callers may skip the call. A
    subclass that overrides the method loses the mark."""
    method._agents_lite_no_op = True  # type: ignore[attr-defined]
    return never_raises(method)


def calls_safely(processor: TracingProcessor, name: str) -> bool:
    """Whether `processor.<name>` is marked with `never_raises` (looked up on its class, so an
    override in a subclass or an attribute set on the instance does not count)."""
    return bool(getattr(getattr(type(processor), name, None), "_agents_lite_never_raises", False))


def call_needed(processor: TracingProcessor, name: str) -> bool:
    """False when `processor.<name>` is marked with `does_nothing` (looked up on its class)."""
    return not getattr(getattr(type(processor), name, None), "_agents_lite_no_op", False)


class TracingProcessor(abc.ABC):
    """Receives traces and spans as they start and end.

    Methods are called in the thread that starts or ends the trace or span, often a run's own
    thread or a tool worker: keep them quick and never block (hand work to a background thread,
    as `BatchTraceProcessor` does). Exceptions raised here are logged and never reach the run.
    """

    # Whether spans must call `on_span_start` and traces `on_trace_end` on this processor: the
    # multi-processor sets them False when none of its processors does anything there.
    _needs_span_start = True
    _needs_trace_end = True

    @abc.abstractmethod
    def on_trace_start(self, trace: Trace) -> None:
        """A trace started."""

    @abc.abstractmethod
    def on_trace_end(self, trace: Trace) -> None:
        """A trace finished."""

    @abc.abstractmethod
    def on_span_start(self, span: Span[Any]) -> None:
        """A span started."""

    @abc.abstractmethod
    def on_span_end(self, span: Span[Any]) -> None:
        """A span finished."""

    def shutdown(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """The process is exiting (or tracing is being reconfigured): deliver what is pending."""

    def force_flush(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Deliver everything pending now, in the calling thread."""


class TracingExporter(abc.ABC):
    """Sends finished traces and spans to a destination."""

    @abc.abstractmethod
    def export(self, items: list[Union[Trace, Span[Any]]]) -> None:
        """Export a batch. Called from a background thread; may block; should not raise (an
        exception drops the batch and is logged)."""


_deadline = threading.local()


@contextlib.contextmanager
def export_deadline(deadline: Optional[float]) -> Iterator[None]:
    """Within this block, exports in this thread should finish by `deadline` (a
    `time.monotonic()` value; None: no limit). Set by `BatchTraceProcessor.shutdown()`, so the
    exit flush cannot hang on a dead endpoint."""
    previous = getattr(_deadline, "value", None)
    _deadline.value = deadline
    try:
        yield
    finally:
        _deadline.value = previous


def export_time_left() -> Optional[float]:
    """Seconds left before the current export deadline of this thread (None: no deadline).
    Exporters cap their HTTP timeouts and retries with it."""
    deadline = getattr(_deadline, "value", None)
    return None if deadline is None else deadline - time.monotonic()
