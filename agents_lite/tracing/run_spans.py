"""The spans a run opens for itself (task, agent, turn, generation), one object each.

A span normally holds a separate span-data object. These keep their data fields on the span
(its `_f1`..`_f4` and `_usage` slots, with `_span_data` None; open them with
`spans.open_span(..., None, KIND, f1, f2, f3, f4)`) and build the `span_data` object
(a plain `TaskSpanData`, `AgentSpanData`, `TurnSpanData` or `GenerationSpanData`) the first time
someone asks for it; exporting one that nobody asked for reads the fields directly (with the same
wire-shape functions as the data classes). A run then allocates, and keeps queued until export, one object per span
instead of two, and the garbage collector has fewer objects to walk. Processors and exporters
see the same spans and data as before.

Only the run's thread writes the fields that change after a span opens (usage, output), while
it is open, through `Span._set_usage` / `Span._set_output`: the field on the span first, then
the data object if one exists. Building the data object publishes it and then copies those
fields again, so a write racing with a build in another thread is never lost.
"""

from __future__ import annotations

from typing import Any

from .span_data import (
    AgentSpanData,
    GenerationSpanData,
    SpanData,
    TaskSpanData,
    TurnSpanData,
    export_agent,
    export_generation,
    export_task,
    export_turn,
)
from .spans import Span

__all__ = ["TASK", "AGENT", "TURN", "GENERATION"]


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


class _Turn:
    """Fields: `_f1` turn, `_f2` agent name, `_usage`."""

    @staticmethod
    def build(span: Span[Any]) -> SpanData:
        return TurnSpanData(span._f1, span._f2, span._usage)

    @staticmethod
    def export(span: Span[Any]) -> dict[str, Any]:
        return export_turn(span._f1, span._f2, span._usage)

    @staticmethod
    def copy_late_fields(span: Span[Any], data: Any) -> None:
        data.usage = span._usage


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


class _Generation:
    """Fields: `_f1` input, `_f2` output, `_f3` model, `_f4` model config, `_usage`."""

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
