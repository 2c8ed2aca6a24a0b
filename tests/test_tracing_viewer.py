"""`print_trace_tree`: a JSON-lines trace file printed as trees with durations and errors."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from test_tracing_support import recording

from agents_lite import Agent, Runner, function_tool
from agents_lite.testing.fake_model import FakeModel
from agents_lite.testing.scripted import function_call
from agents_lite.tracing import BatchTraceProcessor, FileSpanExporter, custom_span, trace
from agents_lite.tracing.viewer import load_trace_file, print_trace_tree


def _write_run(tmp_path: Any) -> FileSpanExporter:
    @function_tool
    def weather(city: str) -> str:
        """Weather."""
        return "sunny"

    exporter = FileSpanExporter(tmp_path / "traces.jsonl")
    processor = BatchTraceProcessor(exporter, schedule_delay=60)
    model = FakeModel([[function_call("weather", {"city": "Oslo"})], "Sunny."],
                      usage={"input_tokens": 12, "output_tokens": 3})
    with recording(processor):
        Runner.run_sync(Agent(name="Forecaster", model=model, tools=[weather]), "weather?")
        with trace("second", group_id="g-7"):
            with pytest.raises(KeyError):
                with custom_span("lookup"):
                    raise KeyError("missing")
        processor.force_flush()
    return exporter


def test_prints_each_trace_as_an_indented_tree_with_durations(tmp_path: Any) -> None:
    exporter = _write_run(tmp_path)
    out = io.StringIO()
    assert print_trace_tree(exporter.path, file=out) == 2
    text = out.getvalue()
    lines = text.splitlines()
    assert re.match(r"Trace 'Agent workflow' trace_[0-9a-f]{32}  \(7 spans, [\d.]+ (ms|s)\)$", lines[0])
    body = [re.sub(r"  [\d.]+ (ms|s)", "  <t>", line) for line in lines[1:8]]
    assert body == [
        "└── task Agent workflow  <t>",
        "    └── agent Forecaster  <t>",
        "        ├── turn 1 (Forecaster)  <t>",
        "        │   ├── generation fake-model  in=12 out=3 tokens  <t>",
        "        │   └── function weather  <t>",
        "        └── turn 2 (Forecaster)  <t>",
        "            └── generation fake-model  in=12 out=3 tokens  <t>",
    ]
    assert lines[8].startswith("Trace 'second' ") and lines[8].endswith("group=g-7")
    assert "custom lookup" in lines[9] and "ERROR: 'missing'" in lines[9]


def test_one_trace_can_be_selected(tmp_path: Any) -> None:
    exporter = _write_run(tmp_path)
    items, _ = load_trace_file(exporter.path)
    second = next(i["id"] for i in items if i.get("workflow_name") == "second")
    out = io.StringIO()
    assert print_trace_tree(exporter.path, file=out, trace_id=second) == 1
    assert "Agent workflow" not in out.getvalue() and "second" in out.getvalue()
    out = io.StringIO()
    assert print_trace_tree(exporter.path, file=out, trace_id="trace_nope") == 0
    assert "No traces found with id trace_nope" in out.getvalue()


def test_damaged_files_are_shown_as_far_as_possible(tmp_path: Any) -> None:
    path = tmp_path / "damaged.jsonl"
    span = {
        "object": "trace.span", "id": "span_a", "trace_id": "trace_x", "parent_id": "span_gone",
        "started_at": "2025-01-01T00:00:00+00:00", "ended_at": "2025-01-01T00:00:01.500000+00:00",
        "span_data": {"type": "function", "name": "orphan"}, "error": None,
    }
    loop_a = dict(span, id="span_l1", parent_id="span_l2", span_data={"type": "custom", "name": "l1"})
    loop_b = dict(span, id="span_l2", parent_id="span_l1", span_data={"type": "custom", "name": "l2"})
    no_times = dict(span, id="span_b", parent_id=None, started_at=None,
                    span_data={"type": "agent", "name": "timeless"})
    path.write_text("\n".join([
        json.dumps(span), "{not json", json.dumps([1, 2]), "", json.dumps(loop_a),
        json.dumps(loop_b), json.dumps(no_times),
    ]) + "\n", encoding="utf-8")
    out = io.StringIO()
    assert print_trace_tree(str(path), file=out) == 1
    text = out.getvalue()
    assert "Trace '(trace record missing)' trace_x" in text
    assert "function orphan  1.50 s  (parent span_gone not in file)" in text
    assert "agent timeless  ?" in text
    assert "(2 spans in a parent loop not shown)" in text
    assert "(2 unreadable lines skipped)" in text


def test_an_empty_file_says_so(tmp_path: Any) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    out = io.StringIO()
    assert print_trace_tree(str(path), file=out) == 0
    assert out.getvalue() == "No traces found\n"
