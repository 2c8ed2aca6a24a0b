"""Print traces from a JSON-lines file (as written by `FileSpanExporter`) as indented trees
with durations: the `agents-lite traces FILE.jsonl` command.

    Trace 'Agent workflow' trace_9f3c...  (4 spans, 12.4 ms)
    └── task Agent workflow  12.4 ms
        └── agent Assistant  12.1 ms
            └── turn 1 (Assistant)  11.9 ms
                ├── generation fake-model  in=12 out=3 tokens  0.4 ms
                └── function get_weather  10.8 ms
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any, Optional, TextIO

__all__ = ["print_trace_tree", "load_trace_file"]


def load_trace_file(path: str) -> tuple[list[dict[str, Any]], int]:
    """The JSON objects of a trace file, and how many lines could not be read."""
    items: list[dict[str, Any]] = []
    bad = 0
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                item = json.loads(line)
            except ValueError:
                bad += 1
                continue
            if isinstance(item, dict) and item.get("object") in ("trace", "trace.span"):
                items.append(item)
            else:
                bad += 1
    return items, bad


def _time(value: Any) -> Optional[float]:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


def _duration(span: dict[str, Any]) -> Optional[float]:
    start, end = _time(span.get("started_at")), _time(span.get("ended_at"))
    if start is None or end is None:
        return None
    return max(0.0, end - start)


def _format_duration(seconds: Optional[float]) -> str:
    if seconds is None:
        return "?"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def _label(span: dict[str, Any]) -> str:
    data = span.get("span_data") or {}
    kind = data.get("type", "span")
    if kind == "custom":
        raw = data.get("data")
        inner: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if inner.get("sdk_span_type") == "turn":
            return f"turn {inner.get('turn')} ({inner.get('agent_name')})"
        if inner.get("sdk_span_type") == "task":
            return f"task {inner.get('name')}"
        return f"custom {data.get('name')}"
    if kind == "generation":
        text = f"generation {data.get('model') or ''}".rstrip()
        usage = data.get("usage")
        if isinstance(usage, dict):
            text += f"  in={usage.get('input_tokens')} out={usage.get('output_tokens')} tokens"
        return text
    if kind == "handoff":
        return f"handoff {data.get('from_agent')} -> {data.get('to_agent')}"
    if kind == "guardrail":
        return f"guardrail {data.get('name')}" + (" [triggered]" if data.get("triggered") else "")
    if kind == "response":
        return f"response {data.get('response_id') or ''}".rstrip()
    if kind == "mcp_tools":
        return f"mcp_tools {data.get('server')}"
    name = data.get("name")
    return f"{kind} {name}" if name else str(kind)


def print_trace_tree(path: str, file: Optional[TextIO] = None, trace_id: Optional[str] = None) -> int:
    """Print every trace in `path` (or only `trace_id`) as a tree of spans with durations and
    errors. Unreadable lines are counted and reported, never fatal. Returns how many traces
    were printed."""
    out = file if file is not None else sys.stdout
    items, bad = load_trace_file(path)
    traces: dict[str, dict[str, Any]] = {}
    spans: dict[str, list[dict[str, Any]]] = {}
    order: list[str] = []
    for item in items:
        key = str(item.get("id") if item["object"] == "trace" else item.get("trace_id"))
        if key not in traces and key not in spans:
            order.append(key)
        if item["object"] == "trace":
            traces[key] = item
        else:
            spans.setdefault(key, []).append(item)
    printed = 0
    for key in order:
        if trace_id is not None and key != trace_id:
            continue
        _print_trace(out, key, traces.get(key), spans.get(key, []))
        printed += 1
    if bad:
        print(f"({bad} unreadable line{'s' if bad != 1 else ''} skipped)", file=out)
    if printed == 0:
        print("No traces found" + (f" with id {trace_id}" if trace_id else ""), file=out)
    return printed


def _print_trace(
    out: TextIO, key: str, trace: Optional[dict[str, Any]], spans: list[dict[str, Any]]
) -> None:
    starts = [t for t in (_time(s.get("started_at")) for s in spans) if t is not None]
    ends = [t for t in (_time(s.get("ended_at")) for s in spans) if t is not None]
    total = max(ends) - min(starts) if starts and ends else None
    name = trace.get("workflow_name") if trace else "(trace record missing)"
    header = f"Trace {name!r} {key}  ({len(spans)} spans, {_format_duration(total)})"
    if trace and trace.get("group_id"):
        header += f"  group={trace['group_id']}"
    print(header, file=out)
    by_id = {str(s.get("id")): s for s in spans}
    children: dict[Optional[str], list[dict[str, Any]]] = {}
    for span in spans:
        parent = span.get("parent_id")
        if parent is not None and str(parent) not in by_id:
            span = dict(span, _orphan=True)
            parent = None
        children.setdefault(None if parent is None else str(parent), []).append(span)
    for group in children.values():
        group.sort(key=lambda s: _time(s.get("started_at")) or 0.0)
    seen: set[str] = set()
    _print_children(out, children, None, "", seen)
    unreached = [s for s in spans if str(s.get("id")) not in seen]
    if unreached:  # parent links that form a loop
        print(f"    ({len(unreached)} spans in a parent loop not shown)", file=out)


def _print_children(
    out: TextIO,
    children: dict[Optional[str], list[dict[str, Any]]],
    parent: Optional[str],
    prefix: str,
    seen: set[str],
) -> None:
    group = children.get(parent, [])
    for index, span in enumerate(group):
        span_id = str(span.get("id"))
        if span_id in seen:
            continue
        seen.add(span_id)
        last = index == len(group) - 1
        line = f"{prefix}{'└── ' if last else '├── '}{_label(span)}  {_format_duration(_duration(span))}"
        error = span.get("error")
        if error:
            message = error.get("message") if isinstance(error, dict) else error
            line += f"  ERROR: {message}"
        if span.get("_orphan"):
            line += f"  (parent {span.get('parent_id')} not in file)"
        print(line, file=out)
        _print_children(out, children, span_id, prefix + ("    " if last else "│   "), seen)
