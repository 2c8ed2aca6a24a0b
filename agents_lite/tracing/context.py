"""The current trace and span of this thread of work, held in `contextvars`.

Context variables follow work into tool threads (the run loop submits tools with a copy of its
context) and stay separate between runs in different threads. Each run executes in a private
copy of its caller's context, so the spans it opens never leak into the caller's code between
streamed events.

Inside a run the span variable holds the run's tracer (a `SpanCursor`) rather than each span
in turn: the run opens and closes several spans per model call, and setting a context variable
each time would cost more than the spans themselves. `get_current_span()` asks the cursor for
the run's innermost open span.
"""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING, Any, Optional, Union

if TYPE_CHECKING:
    from .spans import Span
    from .traces import Trace

__all__ = [
    "get_current_trace",
    "get_current_span",
    "set_current_trace",
    "set_current_span",
    "reset_current_trace",
    "reset_current_span",
]

class SpanCursor:
    """Stands for "the innermost span open in this run" in the span variable; the run's
    tracer is one."""

    __slots__ = ()

    def current_span(self) -> Optional[Span[Any]]:
        """The innermost open span, or None."""
        raise NotImplementedError


_current_trace: contextvars.ContextVar[Optional[Trace]] = contextvars.ContextVar(
    "agents_lite_current_trace", default=None
)
_current_span: contextvars.ContextVar[Union[Span[Any], SpanCursor, None]] = (
    contextvars.ContextVar("agents_lite_current_span", default=None)
)


def get_current_trace() -> Optional[Trace]:
    """The trace active in this context, or None."""
    return _current_trace.get()


def get_current_span() -> Optional[Span[Any]]:
    """The innermost span active in this context, or None."""
    span = _current_span.get()
    if isinstance(span, SpanCursor):
        return span.current_span()
    return span


def set_current_trace(trace: Optional[Trace]) -> contextvars.Token[Optional[Trace]]:
    """Make `trace` current; returns the token that restores the previous one."""
    return _current_trace.set(trace)


def set_current_span(
    span: Optional[Span[Any]],
) -> contextvars.Token[Union[Span[Any], SpanCursor, None]]:
    """Make `span` current; returns the token that restores the previous one."""
    return _current_span.set(span)


def reset_current_trace(token: contextvars.Token[Optional[Trace]]) -> bool:
    """Restore the trace that was current before `token`'s `set`. False (nothing changed) when
    the token belongs to another context, e.g. the trace is finished from another thread."""
    try:
        _current_trace.reset(token)
    except (ValueError, RuntimeError):  # another context's token, or one already used
        return False
    return True


def reset_current_span(token: contextvars.Token[Union[Span[Any], SpanCursor, None]]) -> bool:
    """Restore the span that was current before `token`'s `set`. False (nothing changed) when
    the token belongs to another context, e.g. the span is finished from another thread."""
    try:
        _current_span.reset(token)
    except (ValueError, RuntimeError):  # another context's token, or one already used
        return False
    return True
