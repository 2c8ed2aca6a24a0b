"""Helpers shared by the tracing tests (a recording processor, a fixture that installs it and
restores the global tracing setup afterwards), and tests of those helpers' assumptions."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any, Optional

import pytest

from agents_lite.tracing import (
    Span,
    Trace,
    TracingExporter,
    TracingProcessor,
    get_trace_provider,
    set_trace_processors,
    set_tracing_disabled,
)


class Keep(TracingExporter):
    """Remembers every exported item."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def export(self, items: list[Any]) -> None:
        self.items.extend(items)


class Collector(TracingProcessor):
    """Records every call, in order, thread-safely."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self._lock = threading.Lock()
        self.flushed = 0
        self.shut_down = 0

    def _add(self, kind: str, item: Any) -> None:
        with self._lock:
            self.events.append((kind, item))

    def on_trace_start(self, trace: Trace) -> None:
        self._add("trace_start", trace)

    def on_trace_end(self, trace: Trace) -> None:
        self._add("trace_end", trace)

    def on_span_start(self, span: Span[Any]) -> None:
        self._add("span_start", span)

    def on_span_end(self, span: Span[Any]) -> None:
        self._add("span_end", span)

    def force_flush(self) -> None:
        self.flushed += 1

    def shutdown(self) -> None:
        self.shut_down += 1

    # --- views -----------------------------------------------------------------------------

    @property
    def traces(self) -> list[Trace]:
        return [item for kind, item in self.events if kind == "trace_start"]

    @property
    def ended_traces(self) -> list[Trace]:
        return [item for kind, item in self.events if kind == "trace_end"]

    @property
    def spans(self) -> list[Span[Any]]:
        """Ended spans, in the order they ended."""
        return [item for kind, item in self.events if kind == "span_end"]

    @property
    def started_spans(self) -> list[Span[Any]]:
        return [item for kind, item in self.events if kind == "span_start"]

    def exported(self, trace_id: Optional[str] = None) -> list[dict[str, Any]]:
        out = [span.export() for span in self.spans]
        return [s for s in out if s is not None and (trace_id is None or s["trace_id"] == trace_id)]


def span_type(span: Span[Any]) -> str:
    """agent / function / generation / ... with task and turn told apart from custom."""
    data = span.span_data.export()
    if data["type"] == "custom" and isinstance(data.get("data"), dict):
        return data["data"].get("sdk_span_type") or "custom"
    return data["type"]


def children(spans: list[Span[Any]], parent: Optional[Span[Any]]) -> list[Span[Any]]:
    parent_id = None if parent is None else parent.span_id
    return sorted(
        (s for s in spans if s.parent_id == parent_id), key=lambda s: s.start_time or 0.0
    )


def tree(spans: list[Span[Any]], parent: Optional[Span[Any]] = None) -> list[Any]:
    """The span tree as nested lists of labels, e.g. ["task", ["agent A", [...]]]."""
    out: list[Any] = []
    for span in children(spans, parent):
        kind = span_type(span)
        data = span.span_data
        label = kind
        if kind in ("agent", "function", "guardrail"):
            label = f"{kind} {data.name}"  # type: ignore[attr-defined]
        elif kind == "handoff":
            label = f"handoff {data.from_agent}->{data.to_agent}"  # type: ignore[attr-defined]
        elif kind == "turn":
            label = f"turn {data.turn}"  # type: ignore[attr-defined]
        sub = tree(spans, span)
        out.append([label, sub] if sub else label)
    return out


@contextlib.contextmanager
def recording(*extra: TracingProcessor) -> Iterator[Collector]:
    """Tracing on, with a `Collector` (and `extra` processors) as the only processors; the
    previous processors and switches are restored afterwards."""
    provider = get_trace_provider()
    saved = (provider.processors, provider._manual_disabled, provider._disabled)
    recorder = Collector()
    set_trace_processors([recorder, *extra])
    set_tracing_disabled(False)
    try:
        yield recorder
    finally:
        provider.set_processors(list(saved[0]))
        provider._manual_disabled, provider._disabled = saved[1], saved[2]


@pytest.fixture
def collector() -> Iterator[Collector]:
    """See `recording()`."""
    with recording() as recorder:
        yield recorder


def test_collector_sees_a_trace_and_its_spans_in_order(collector: Collector) -> None:
    from agents_lite.tracing import custom_span, trace

    with trace("wf") as t:
        with custom_span("outer"):
            with custom_span("inner"):
                pass
    kinds = [kind for kind, _ in collector.events]
    assert kinds == ["trace_start", "span_start", "span_start", "span_end", "span_end", "trace_end"]
    assert tree(collector.spans) == [["custom", ["custom"]]]
    assert all(s.trace_id == t.trace_id for s in collector.spans)


def test_recording_restores_the_previous_processors_and_switch() -> None:
    provider = get_trace_provider()
    before = (provider.processors, provider._manual_disabled, provider._disabled)
    set_tracing_disabled(True)
    try:
        with recording() as recorder:
            assert provider.processors == (recorder,)
            assert not provider.disabled
        assert provider.processors == before[0]
        assert provider.disabled
    finally:
        provider._manual_disabled, provider._disabled = before[1], before[2]
