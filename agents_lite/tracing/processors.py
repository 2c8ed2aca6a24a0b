"""`BatchTraceProcessor`: queue finished spans in memory and export them in batches from one
background daemon thread, so a run never waits for an exporter.

The run's side is an append to a bounded deque (no locks, no thread wake-up per span). The
worker thread starts with the first queued item, wakes every 0.2 s (or at once when the queue
passes `export_trigger_ratio` of its size), and exports at most every `schedule_delay` seconds.
When the queue is full, new items are dropped and counted (`dropped`). Queued items are
delivered by `force_flush()`, by `shutdown()`, and at interpreter exit.

The exporters are importable from here too, as in the reference SDK.
"""

from __future__ import annotations

import atexit
import collections
import logging
import os
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, Optional, Union

from . import setup as _setup
from .processor_interface import (
    TracingExporter,
    TracingProcessor,
    does_nothing,
    export_deadline,
    never_raises,
)
from .run_spans import span_from_record
from .setup import SynchronousMultiTracingProcessor, get_trace_provider

if TYPE_CHECKING:
    from .exporters import BackendSpanExporter, ConsoleSpanExporter, FileSpanExporter
    from .otlp import OTLPSpanExporter
    from .spans import Span
    from .traces import Trace

__all__ = [
    "BatchTraceProcessor",
    "SynchronousMultiTracingProcessor",
    "TracingProcessor",
    "TracingExporter",
    "BackendSpanExporter",
    "ConsoleSpanExporter",
    "FileSpanExporter",
    "OTLPSpanExporter",
    "default_exporter",
    "default_processor",
]

logger = logging.getLogger("agents_lite.tracing")

_POLL_INTERVAL = 0.2
_live: weakref.WeakSet[BatchTraceProcessor] = weakref.WeakSet()


class BatchTraceProcessor(TracingProcessor):
    """Exports traces (when they start) and spans (when they end) in batches from a daemon
    thread.

    `max_queue_size` bounds memory (items beyond it are dropped and counted); `max_batch_size`
    caps one `export()` call; `schedule_delay` is the longest an item waits in the queue;
    when the queue reaches `export_trigger_ratio * max_queue_size` items it is exported at once.
    Exporter errors are logged and counted, never raised into the run.
    """

    def __init__(
        self,
        exporter: TracingExporter,
        max_queue_size: int = 8192,
        max_batch_size: int = 128,
        schedule_delay: float = 5.0,
        export_trigger_ratio: float = 0.7,
    ) -> None:
        if max_queue_size < 1 or max_batch_size < 1:
            raise ValueError("max_queue_size and max_batch_size must be at least 1")
        if schedule_delay < 0 or not 0 < export_trigger_ratio <= 1:
            raise ValueError("schedule_delay must be >= 0 and export_trigger_ratio in (0, 1]")
        self._exporter = exporter
        self._max_queue_size = max_queue_size
        self._max_batch_size = max_batch_size
        self._schedule_delay = schedule_delay
        self._trigger_size = max(1, int(max_queue_size * export_trigger_ratio))
        # Traces, spans, and ended records of the runs' own spans (see run_spans).
        self._queue: collections.deque[Union[Trace, Span[Any], list[Any]]] = collections.deque()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._export_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None
        self._thread_lock = threading.Lock()
        self._shut_down = False
        self._attention = 1  # queue length at which `_put` looks further (see `_attend`)
        self.dropped = 0
        """Items dropped because the queue was full."""
        self.exported = 0
        """Items handed to the exporter without an error."""
        self.export_errors = 0
        """Batches whose export raised (they are dropped)."""
        _live.add(self)

    @property
    def exporter(self) -> TracingExporter:
        """The exporter batches go to."""
        return self._exporter

    @property
    def queued(self) -> int:
        """Items waiting in the queue."""
        return len(self._queue)

    # --- the run's side: append and return ------------------------------------------------

    @never_raises
    def _put(self, item: Union[Trace, Span[Any]]) -> None:
        queue = self._queue
        queue.append(item)
        # One comparison on the common path: `_attention` is 1 until the thread runs, then
        # the export trigger size (never above the queue's limit).
        if len(queue) >= self._attention:
            self._attend()

    # Traces are queued when they start, spans when they end: one call, no indirection.
    on_trace_start = _put  # type: ignore[assignment]  # same call, parameter named `item`
    on_span_end = _put  # type: ignore[assignment]

    @does_nothing
    def on_trace_end(self, trace: Trace) -> None:
        pass  # the trace was queued when it started

    @does_nothing
    def on_span_start(self, span: Span[Any]) -> None:
        pass  # spans are queued when they end

    def _attend(self) -> None:
        # The queue is at the export trigger, over its limit, or the thread is not running.
        if self._thread is None:
            self._start_thread()
        queue = self._queue
        size = len(queue)
        if size > self._max_queue_size:
            try:
                queue.pop()  # the newest item: full means new items are dropped
            except IndexError:  # exported meanwhile: nothing to drop
                return
            self._drop()
        elif size >= self._trigger_size and not self._wake.is_set():
            self._wake.set()

    def _drop(self) -> None:
        with self._count_lock:
            self.dropped += 1
            first = self.dropped == 1
        if first:
            logger.warning(
                "Trace queue full (%d items): dropping traces and spans until the exporter "
                "catches up; see BatchTraceProcessor.dropped",
                self._max_queue_size,
            )

    def _start_thread(self) -> None:
        with self._thread_lock:
            if self._thread is not None or self._shut_down:
                return
            thread = threading.Thread(
                target=self._work, name="agents-lite-trace-export", daemon=True
            )
            try:
                thread.start()
            except RuntimeError:  # interpreter shutting down: shutdown() drains synchronously
                return
            self._thread = thread
            self._attention = self._trigger_size

    # --- the worker thread -----------------------------------------------------------------

    def _work(self) -> None:
        next_export = time.monotonic() + self._schedule_delay
        poll = max(0.005, min(_POLL_INTERVAL, self._schedule_delay or _POLL_INTERVAL))
        while not self._stop.is_set():
            self._wake.wait(poll)
            triggered = self._wake.is_set()
            if triggered:
                self._wake.clear()
            if self._stop.is_set():
                break
            now = time.monotonic()
            if triggered or now >= next_export or len(self._queue) >= self._trigger_size:
                self._export_all(deadline=None, wait=True)
                next_export = time.monotonic() + self._schedule_delay

    # --- exporting ---------------------------------------------------------------------------

    def _export_all(self, deadline: Optional[float], wait: bool) -> bool:
        """Export queued items in batches until the queue is empty (or the deadline passes).
        Returns False when the export lock could not be had in time."""
        timeout = -1.0 if deadline is None else max(0.0, deadline - time.monotonic())
        if not self._export_lock.acquire(blocking=wait, timeout=timeout if wait else -1):
            return False
        try:
            with export_deadline(deadline):
                self._drain(deadline)
        finally:
            self._export_lock.release()
        return True

    def _drain(self, deadline: Optional[float]) -> None:
        """Export queued batches until the queue is empty or the deadline passes."""
        queue = self._queue
        while queue:
            if deadline is not None and time.monotonic() > deadline:
                break
            batch: list[Union[Trace, Span[Any]]] = []
            for _ in range(self._max_batch_size):
                try:
                    item = queue.popleft()
                except IndexError:
                    break
                if type(item) is list:  # a run's own span, queued as a record (see run_spans)
                    batch.append(span_from_record(item, self))
                else:
                    batch.append(item)  # type: ignore[arg-type]
            if not batch:
                break
            try:
                self._exporter.export(batch)
            except Exception:
                with self._count_lock:
                    self.export_errors += 1
                    first = self.export_errors == 1
                # Loud the first time, quiet afterwards: a dead exporter must not flood logs.
                logger.log(
                    logging.WARNING if first else logging.DEBUG,
                    "Trace exporter %r failed; dropped %d items",
                    self._exporter, len(batch), exc_info=True,
                )
            else:
                with self._count_lock:
                    self.exported += len(batch)

    def force_flush(self) -> None:
        """Export everything queued now, in this thread (waits for a batch the worker thread
        is sending, so that everything queued before the call has been delivered)."""
        self._export_all(deadline=None, wait=True)

    def shutdown(self, timeout: Optional[float] = None) -> None:
        """Stop the worker thread and deliver what is queued (within `timeout` seconds when
        given). Items queued afterwards are exported by the next `force_flush()`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._thread_lock:
            self._shut_down = True
            thread = self._thread
        self._stop.set()
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        if not self._export_all(deadline=deadline, wait=True) or self._queue:
            logger.warning(
                "Tracing shutdown timed out with %d items not exported", len(self._queue)
            )

    def _after_fork(self) -> None:
        # The parent's thread does not exist in the child and its queue belongs to the parent.
        self._queue = collections.deque()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._export_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._thread_lock = threading.Lock()
        self._thread = None
        self._shut_down = False
        self._attention = 1

    def __repr__(self) -> str:
        return (
            f"<BatchTraceProcessor exporter={self._exporter!r} queued={len(self._queue)} "
            f"dropped={self.dropped}>"
        )


def _after_fork_in_child() -> None:
    for processor in list(_live):
        processor._after_fork()


def _flush_all_at_exit() -> None:
    deadline = time.monotonic() + _setup.EXIT_FLUSH_TIMEOUT
    for processor in list(_live):
        if processor._queue or processor._thread is not None:
            try:
                processor.shutdown(max(0.0, deadline - time.monotonic()))
            except Exception:
                logger.debug("Tracing flush at exit failed", exc_info=True)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_flush_all_at_exit)


def default_processor() -> BatchTraceProcessor:
    """The processor of the default OpenAI export."""
    return get_trace_provider().default_processor()


def default_exporter() -> BackendSpanExporter:
    """The exporter of the default OpenAI export."""
    exporter = default_processor().exporter
    return exporter  # type: ignore[return-value]


def __getattr__(name: str) -> Any:
    # The exporters live in their own modules; loading them here on demand keeps this import
    # light while matching the reference's `agents.tracing.processors` names.
    if name in ("BackendSpanExporter", "ConsoleSpanExporter", "FileSpanExporter"):
        from . import exporters

        return getattr(exporters, name)
    if name == "OTLPSpanExporter":
        from .otlp import OTLPSpanExporter

        return OTLPSpanExporter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
