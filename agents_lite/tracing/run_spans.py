"""The spans a run opens for itself (task, agent, turn, generation, handoff): records first,
`Span` objects only when someone needs one.

While the run holds one of its spans it keeps it as a *record*, a plain list laid out as below.
Opening a span is building that list; ending it stamps the end time. A record's span ID is
drawn the first time anything needs it (`record_id`): usually the export thread, when it makes
the span or a child's parent link; the run's thread never pays for IDs nobody asked for. What
happens to an ended record depends on who listens:

- the only processor is a `BatchTraceProcessor` (the default export, and the usual set-up): the
  ended record itself is queued, and the export thread turns it into a finished `Span` just
  before handing the batch to the exporter, so the run's thread never builds span objects;
- other processors: the ended record becomes a finished `Span` handed to `on_span_end`;
- processors that watch span starts, or a provider subclass with its own span factory: the
  `Span` is made when the record opens (its `LIVE` entry) and finished as usual.

Code inside the run that asks for one of these spans (`get_current_span()` in a tool or a hook,
a function span that needs its parent) gets a `Span` built from the record on demand and kept
in `LIVE`; from then on that object is what gets finished and delivered. Only the run's thread
writes a record (the fields that change while it is open: usage, output, error, the handoff's
target); it copies them onto the live span when it ends it, so a span built by another thread
meanwhile misses nothing.

A `Span` made from a record keeps the data fields itself (`_f1`..`_f4`, `_usage`, with
`_span_data` None) and builds its `span_data` object (a plain `TaskSpanData`, `AgentSpanData`,
...) the first time someone asks for it; exporting one nobody asked for reads the fields
directly, with the same wire-shape functions as the data classes.
"""

from __future__ import annotations

import threading
from typing import Any

from .ids import gen_span_id
from .span_data import (
    AgentSpanData,
    GenerationSpanData,
    HandoffSpanData,
    SpanData,
    TaskSpanData,
    TurnSpanData,
    export_agent,
    export_generation,
    export_task,
    export_turn,
)
from .spans import Span

__all__ = [
    "TASK",
    "AGENT",
    "TURN",
    "GENERATION",
    "HANDOFF",
    "span_from_record",
    "live_span",
    "record_id",
    "KIND",
    "SPAN_ID",
    "END",
    "ERROR",
    "F2",
    "USAGE",
    "LIVE",
]

# The layout of a record (a list): what a span made from it gets in its slots.
KIND = 0  # one of the kinds below
TRACE = 1  # the run's trace (its ID and export key are the span's)
SPAN_ID = 2  # None until someone needs it (see `record_id`)
PARENT = 3  # the parent's record, or the run's outer parent span ID (None: the trace)
START = 4  # epoch seconds
END = 5  # None while open
ERROR = 6
F1 = 7  # data fields, see each kind
F2 = 8
F3 = 9
F4 = 10
USAGE = 11  # `usage_to_dict()` of the model's usage
LIVE = 12  # the `Span` standing for this record, once one was made

_new_object = object.__new__
_LIVE_LOCK = threading.Lock()
_ID_LOCK = threading.Lock()  # taken inside _LIVE_LOCK: never the other way round


def record_id(record: list[Any]) -> str:
    """The record's span ID, drawn now (once, whichever thread asks first) if it has none.
    IDs are drawn when first needed, mostly by the export thread, not when the run opens the
    span."""
    span_id = record[SPAN_ID]
    if span_id is None:
        with _ID_LOCK:
            span_id = record[SPAN_ID]
            if span_id is None:
                span_id = record[SPAN_ID] = gen_span_id()
    return span_id  # type: ignore[no-any-return]


def span_from_record(record: list[Any], processor: Any) -> Span[Any]:
    """A `Span` with the record's identity, times and fields (finished if the record is)."""
    span: Span[Any] = _new_object(Span)
    (
        span._kind, trace, span_id, parent, span._start_time, span._end_time, span._error,
        span._f1, span._f2, span._f3, span._f4, span._usage, _,
    ) = record
    span._trace_id = trace._trace_id
    span._tracing_api_key = trace._tracing_api_key
    span._span_id = span_id or record_id(record)
    if parent is not None and type(parent) is not str:
        parent = parent[SPAN_ID] or record_id(parent)
    span._parent_id = parent
    span._span_data = None
    span._processor = processor
    span._token = None
    if record[END] is None:
        span._open = True  # (a finished span has no `_open`, see Span.finish)
    return span


def live_span(record: list[Any], processor: Any) -> Span[Any]:
    """The record's live span, made now (once, whichever thread asks first) if it has none."""
    live = record[LIVE]
    if live is None:
        with _LIVE_LOCK:
            live = record[LIVE]
            if live is None:
                live = record[LIVE] = span_from_record(record, processor)
    return live  # type: ignore[no-any-return]


class _Task:
    """Fields: `_f1` name, `_usage`."""

    @staticmethod
    def build(span: Span[Any]) -> SpanData:
        return TaskSpanData(span._f1, span._usage)

    @staticmethod
    def export(span: Span[Any]) -> dict[str, Any]:
        return export_task(span._f1, span._usage)

    @staticmethod
    def copy_late_fields(span: Span[Any], data: Any) -> None:
        data.usage = span._usage

    @staticmethod
    def update(span: Span[Any], record: list[Any]) -> None:
        span._set_usage(record[USAGE])


class _Turn:
    """Fields: `_f1` turn, `_f2` agent name, `_usage`."""

    @staticmethod
    def build(span: Span[Any]) -> SpanData:
        return TurnSpanData(span._f1, span._f2, span._usage)

    @staticmethod
    def export(span: Span[Any]) -> dict[str, Any]:
        return export_turn(span._f1, span._f2, span._usage)

    copy_late_fields = _Task.copy_late_fields
    update = _Task.update


class _Agent:
    """Fields: `_f1` name, `_f2` handoff names, `_f3` tool names (None for none: a new empty
    list each time the data is built), `_f4` output type."""

    @staticmethod
    def build(span: Span[Any]) -> SpanData:
        handoffs, tools = span._f2, span._f3
        return AgentSpanData(
            span._f1, [] if handoffs is None else handoffs, [] if tools is None else tools,
            span._f4,
        )

    @staticmethod
    def export(span: Span[Any]) -> dict[str, Any]:
        handoffs, tools = span._f2, span._f3
        return export_agent(
            span._f1, [] if handoffs is None else handoffs, [] if tools is None else tools,
            span._f4,
        )

    @staticmethod
    def copy_late_fields(span: Span[Any], data: Any) -> None:
        pass  # nothing changes after the span opens

    @staticmethod
    def update(span: Span[Any], record: list[Any]) -> None:
        pass


class _Generation:
    """Fields: `_f1` input, `_f2` output (None until the call returns), `_f3` model, `_f4`
    model config, `_usage`."""

    @staticmethod
    def build(span: Span[Any]) -> SpanData:
        return GenerationSpanData(span._f1, span._f2, span._f3, span._f4, span._usage)

    @staticmethod
    def export(span: Span[Any]) -> dict[str, Any]:
        return export_generation(span._f1, span._f2, span._f3, span._f4, span._usage)

    @staticmethod
    def copy_late_fields(span: Span[Any], data: Any) -> None:
        data.usage = span._usage
        data.output = span._f2

    @staticmethod
    def update(span: Span[Any], record: list[Any]) -> None:
        span._set_usage(record[USAGE])
        span._set_f2(record[F2], "output")


class _Handoff:
    """Fields: `_f1` the agent handing off, `_f2` the agent handed to (set when it is known)."""

    @staticmethod
    def build(span: Span[Any]) -> SpanData:
        return HandoffSpanData(span._f1, span._f2)

    @staticmethod
    def export(span: Span[Any]) -> dict[str, Any]:
        return HandoffSpanData(span._f1, span._f2).export()

    @staticmethod
    def copy_late_fields(span: Span[Any], data: Any) -> None:
        data.to_agent = span._f2

    @staticmethod
    def update(span: Span[Any], record: list[Any]) -> None:
        span._set_f2(record[F2], "to_agent")


TASK = _Task
"""Kind of the run's task span: f1 = workflow name."""
AGENT = _Agent
"""Kind of an agent span: f1 = name, f2 = handoff names, f3 = tool names (None when empty),
f4 = output type name."""
TURN = _Turn
"""Kind of a turn span: f1 = turn number, f2 = agent name."""
GENERATION = _Generation
"""Kind of a generation span: f1 = input, f2 = output (None until the call returns), f3 =
model name, f4 = model settings."""
HANDOFF = _Handoff
"""Kind of a handoff span: f1 = from agent, f2 = to agent."""
