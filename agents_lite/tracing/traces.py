"""`Trace`: one end-to-end workflow (usually one run, or several runs inside `with trace(...)`)."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Optional

from .context import reset_current_trace, set_current_trace
from .ids import gen_trace_id, next_trace_hex, to_iso
from .spans import _CLAIM_WITH_LOCK, _END_LOCK

if TYPE_CHECKING:
    import contextvars
    from types import TracebackType

    from .processor_interface import TracingProcessor

__all__ = ["Trace", "NoOpTrace", "started_trace"]

logger = logging.getLogger("agents_lite.tracing")



class Trace:
    """A workflow made of spans. Create one with `trace(...)` and use it as a context manager:

        with trace("Nightly report", group_id="job-42"):
            Runner.run_sync(agent, "...")   # the run's spans join this trace

    or call `start(mark_as_current=True)` and `finish(reset_current=True)`. Processors see the
    trace when it starts (the OpenAI exporter sends it then) and when it ends.
    """

    __slots__ = (
        "_name",
        "_trace_id",
        "group_id",
        "metadata",
        "_processor",
        "_start_time",
        "_end_time",
        "_token",
        "_tracing_api_key",
        "_open",
    )

    def __init__(
        self,
        name: str,
        trace_id: str,
        group_id: Optional[str],
        metadata: Optional[dict[str, Any]],
        processor: TracingProcessor,
        tracing_api_key: Optional[str] = None,
    ) -> None:
        self._name = name
        self._trace_id = trace_id
        self.group_id = group_id
        """Links traces of one conversation or job (e.g. a chat thread id)."""
        self.metadata = metadata
        """Your own key/value pairs attached to the trace."""
        self._processor = processor
        self._start_time: Optional[float] = None
        self._end_time: Optional[float] = None
        self._token: Optional[contextvars.Token[Any]] = None
        self._tracing_api_key = tracing_api_key
        self._open = True  # deleted by the first `finish()` (see spans._CLAIM_WITH_LOCK)

    @property
    def trace_id(self) -> str:
        """This trace's ID (`trace_<32hex>`)."""
        return self._trace_id

    @property
    def name(self) -> str:
        """The workflow name."""
        return self._name

    @property
    def tracing_api_key(self) -> Optional[str]:
        """The API key to export this trace and its spans with (None: the default key)."""
        return self._tracing_api_key

    @property
    def start_time(self) -> Optional[float]:
        """When the trace started, in seconds since the epoch."""
        return self._start_time

    @property
    def end_time(self) -> Optional[float]:
        """When the trace finished, in seconds since the epoch."""
        return self._end_time

    @property
    def started_at(self) -> Optional[str]:
        """When the trace started, as a UTC ISO 8601 string."""
        return to_iso(self._start_time)

    @property
    def ended_at(self) -> Optional[str]:
        """When the trace finished, as a UTC ISO 8601 string."""
        return to_iso(self._end_time)

    def start(self, mark_as_current: bool = False) -> None:
        """Start the trace; with `mark_as_current`, spans created in this context join it."""
        if self._start_time is not None:
            logger.debug("Trace %s already started", self._trace_id)
            return
        self._start_time = time.time()
        self._processor.on_trace_start(self)
        if mark_as_current:
            self._token = set_current_trace(self)

    def finish(self, reset_current: bool = False) -> None:
        """Finish the trace (again: nothing happens); with `reset_current`, the previously
        current trace is restored."""
        try:
            if _CLAIM_WITH_LOCK:
                with _END_LOCK:
                    del self._open
            else:
                del self._open
        except AttributeError:
            logger.debug("Trace %s already finished", self._trace_id)
        else:
            self._end_time = end = time.time()
            if self._start_time is None:
                self._start_time = end
            processor = self._processor
            if processor._needs_trace_end:
                processor.on_trace_end(self)
        if reset_current:
            self._reset()

    def _reset(self) -> None:
        token = self._token
        if token is None:
            return
        if reset_current_trace(token):
            self._token = None
        else:
            logger.debug("Trace %s finished outside the context that started it", self._trace_id)

    def __enter__(self) -> Trace:
        self.start(mark_as_current=True)
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        self.finish(reset_current=True)

    def export(self) -> Optional[dict[str, Any]]:
        """The trace in the trace-ingest shape (`object: "trace"`)."""
        return {
            "object": "trace",
            "id": self._trace_id,
            "workflow_name": self._name,
            "group_id": self.group_id,
            "metadata": self.metadata,
        }

    def __repr__(self) -> str:
        return f"<Trace {self._name!r} id={self._trace_id}>"


_new_object = object.__new__


def started_trace(
    name: str,
    trace_id: Optional[str],
    group_id: Optional[str],
    metadata: Optional[dict[str, Any]],
    processor: TracingProcessor,
    tracing_api_key: Optional[str],
) -> Trace:
    """A new trace, already started (not made current): what `Trace(...)` then `start()`
    gives, in one call. Runs that start their own trace use it."""
    trace: Trace = _new_object(Trace)
    trace._name = name
    if not trace_id:
        try:
            trace_id = "trace_" + next_trace_hex()
        except IndexError:  # the block of ready IDs is used up
            trace_id = gen_trace_id()
    trace._trace_id = trace_id
    trace.group_id = group_id
    trace.metadata = metadata
    trace._processor = processor
    trace._start_time = time.time()
    trace._end_time = None
    trace._token = None
    trace._tracing_api_key = tracing_api_key
    trace._open = True
    processor.on_trace_start(trace)
    return trace


class NoOpTrace(Trace):
    """A trace that records nothing (tracing disabled). Spans created under it record nothing
    either, but it still becomes current inside its `with` block."""

    __slots__ = ()

    def __init__(self, name: str = "no-op") -> None:
        self._name = name
        self._trace_id = "no-op"
        self.group_id = None
        self.metadata = None
        self._start_time = None
        self._end_time = None
        self._token = None
        self._tracing_api_key = None

    def start(self, mark_as_current: bool = False) -> None:
        if mark_as_current and self._token is None:
            self._token = set_current_trace(self)

    def finish(self, reset_current: bool = False) -> None:
        if reset_current:
            self._reset()

    def export(self) -> Optional[dict[str, Any]]:
        return None

