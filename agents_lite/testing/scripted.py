"""Builders for scripted model output, and the Responses API stream events that deliver it.

Both `FakeModel` (in process) and `LocalOpenAIServer` (over HTTP) script replies as lists of
Responses output items built with these helpers, and stream them with `response_stream_events`,
so the two behave the same way.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Iterator
from typing import Any, Optional, Union

_ids = itertools.count(1)
_WORD = re.compile(r"\s*\S+\s*|\s+")


def _next_id(prefix: str) -> str:
    return f"{prefix}_{next(_ids):08x}"


def text_message(text: str, *, id: Optional[str] = None) -> dict[str, Any]:
    """An assistant message output item with one `output_text` part."""
    return {
        "type": "message",
        "id": id or _next_id("msg"),
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def refusal_message(refusal: str, *, id: Optional[str] = None) -> dict[str, Any]:
    """An assistant message output item carrying a refusal."""
    return {
        "type": "message",
        "id": id or _next_id("msg"),
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "refusal", "refusal": refusal}],
    }


def function_call(
    name: str,
    arguments: Union[str, dict[str, Any], None] = None,
    *,
    call_id: Optional[str] = None,
    id: Optional[str] = None,
) -> dict[str, Any]:
    """A `function_call` output item; dict arguments are JSON-encoded, strings sent verbatim
    (so tests can script invalid JSON)."""
    if arguments is None:
        arguments = "{}"
    elif not isinstance(arguments, str):
        arguments = json.dumps(arguments)
    return {
        "type": "function_call",
        "id": id or _next_id("fc"),
        "call_id": call_id or _next_id("call"),
        "name": name,
        "arguments": arguments,
        "status": "completed",
    }


def reasoning_item(summary: str = "", *, id: Optional[str] = None) -> dict[str, Any]:
    """A reasoning output item with one summary text (empty summary list when `summary` is "")."""
    return {
        "type": "reasoning",
        "id": id or _next_id("rs"),
        "summary": [{"type": "summary_text", "text": summary}] if summary else [],
    }


def usage_dict(
    input_tokens: int = 0,
    output_tokens: int = 0,
    *,
    cached_tokens: int = 0,
    reasoning_tokens: int = 0,
) -> dict[str, Any]:
    """A Responses API `usage` object."""
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": cached_tokens},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": input_tokens + output_tokens,
    }


def response_object(
    output: list[dict[str, Any]],
    *,
    response_id: Optional[str] = None,
    model: str = "fake-model",
    usage: Optional[dict[str, Any]] = None,
    status: str = "completed",
    **extra: Any,
) -> dict[str, Any]:
    """A complete Responses API response object around `output`."""
    body: dict[str, Any] = {
        "id": response_id or _next_id("resp"),
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "model": model,
        "output": output,
        "error": None,
        "incomplete_details": None,
        "usage": usage if usage is not None else usage_dict(),
    }
    body.update(extra)
    return body


def split_deltas(text: str) -> list[str]:
    """Split text into word-sized deltas (whitespace kept), as a model streams it."""
    return _WORD.findall(text) or ([text] if text else [])


def response_stream_events(response: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The stream events that deliver `response`, in the real API's order.

    created → in_progress → per item (added, part/delta/done events, done) → completed.
    Every event carries `type` and an increasing `sequence_number`.
    """
    seq = itertools.count()
    shell = {**response, "status": "in_progress", "output": [], "usage": None}
    yield {"type": "response.created", "response": shell, "sequence_number": next(seq)}
    yield {"type": "response.in_progress", "response": shell, "sequence_number": next(seq)}
    for index, item in enumerate(response.get("output", [])):
        for event in _item_events(index, item):
            event["sequence_number"] = next(seq)
            yield event
    yield {"type": "response.completed", "response": response, "sequence_number": next(seq)}


def _item_events(index: int, item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    kind = item.get("type")
    item_id = item.get("id", "")
    base = {"item_id": item_id, "output_index": index}
    if kind == "message":
        yield {
            "type": "response.output_item.added",
            "output_index": index,
            "item": {**item, "status": "in_progress", "content": []},
        }
        for c_index, part in enumerate(item.get("content", [])):
            where = {**base, "content_index": c_index}
            if part.get("type") == "refusal":
                yield {"type": "response.content_part.added", **where,
                       "part": {"type": "refusal", "refusal": ""}}
                for delta in split_deltas(part.get("refusal", "")):
                    yield {"type": "response.refusal.delta", **where, "delta": delta}
                yield {"type": "response.refusal.done", **where, "refusal": part.get("refusal", "")}
            else:
                yield {"type": "response.content_part.added", **where,
                       "part": {"type": "output_text", "text": "", "annotations": []}}
                for delta in split_deltas(part.get("text", "")):
                    yield {"type": "response.output_text.delta", **where, "delta": delta,
                           "logprobs": []}
                yield {"type": "response.output_text.done", **where, "text": part.get("text", ""),
                       "logprobs": []}
            yield {"type": "response.content_part.done", **where, "part": part}
    elif kind == "function_call":
        yield {
            "type": "response.output_item.added",
            "output_index": index,
            "item": {**item, "arguments": "", "status": "in_progress"},
        }
        for delta in split_deltas(item.get("arguments", "")):
            yield {"type": "response.function_call_arguments.delta", **base, "delta": delta}
        yield {"type": "response.function_call_arguments.done", **base,
               "name": item.get("name"), "arguments": item.get("arguments", "")}
    elif kind == "reasoning":
        yield {"type": "response.output_item.added", "output_index": index,
               "item": {**item, "summary": []}}
        for s_index, part in enumerate(item.get("summary", [])):
            where = {**base, "summary_index": s_index}
            yield {"type": "response.reasoning_summary_part.added", **where,
                   "part": {"type": "summary_text", "text": ""}}
            for delta in split_deltas(part.get("text", "")):
                yield {"type": "response.reasoning_summary_text.delta", **where, "delta": delta}
            yield {"type": "response.reasoning_summary_text.done", **where, "text": part.get("text", "")}
            yield {"type": "response.reasoning_summary_part.done", **where, "part": part}
    else:
        yield {"type": "response.output_item.added", "output_index": index, "item": item}
    yield {"type": "response.output_item.done", "output_index": index, "item": item}
