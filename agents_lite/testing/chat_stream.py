"""Chat Completions replies synthesised from scripted Responses output items.

One assistant message is built from the items: output_text parts joined with a newline become
`content`, refusal parts `refusal`, function calls `tool_calls`. Reasoning and other items have no
Chat Completions form and are left out.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, Optional

from .scripted import split_deltas

__all__ = [
    "chat_message",
    "chat_usage",
    "chat_finish_reason",
    "chat_completion",
    "chat_completion_chunks",
]


def chat_message(output: list[dict[str, Any]]) -> dict[str, Any]:
    """The assistant message that carries `output` (Responses output items)."""
    texts: list[str] = []
    refusals: list[str] = []
    tool_calls: list[dict[str, Any]] = []
    for item in output:
        kind = item.get("type")
        if kind == "message":
            for part in item.get("content", []):
                if part.get("type") == "refusal":
                    refusals.append(part.get("refusal", ""))
                elif part.get("type") == "output_text":
                    texts.append(part.get("text", ""))
        elif kind == "function_call":
            tool_calls.append(
                {
                    "id": item.get("call_id", ""),
                    "type": "function",
                    "function": {"name": item.get("name", ""), "arguments": item.get("arguments", "")},
                }
            )
    message: dict[str, Any] = {
        "role": "assistant",
        "content": "\n".join(texts) if texts else None,
        "refusal": "\n".join(refusals) if refusals else None,
    }
    if tool_calls:
        message["tool_calls"] = tool_calls
    return message


def chat_usage(usage: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """A Responses `usage` dict in Chat Completions form."""
    if usage is None:
        return None
    prompt = usage.get("input_tokens", 0)
    completion = usage.get("output_tokens", 0)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": usage.get("total_tokens", prompt + completion),
        "prompt_tokens_details": {
            "cached_tokens": (usage.get("input_tokens_details") or {}).get("cached_tokens", 0)
        },
        "completion_tokens_details": {
            "reasoning_tokens": (usage.get("output_tokens_details") or {}).get(
                "reasoning_tokens", 0
            )
        },
    }


def chat_finish_reason(
    output: list[dict[str, Any]], status: str = "completed",
    incomplete_details: Optional[dict[str, Any]] = None,
) -> str:
    """stop / tool_calls / length / content_filter, from the scripted reply."""
    if status == "incomplete":
        reason = (incomplete_details or {}).get("reason")
        return "content_filter" if reason == "content_filter" else "length"
    if any(item.get("type") == "function_call" for item in output):
        return "tool_calls"
    return "stop"


def chat_completion(
    output: list[dict[str, Any]],
    *,
    completion_id: str,
    model: str,
    usage: Optional[dict[str, Any]],
    finish_reason: str,
    empty_choices: bool = False,
) -> dict[str, Any]:
    """A complete `chat.completion` object."""
    choices = [] if empty_choices else [
        {
            "index": 0,
            "message": chat_message(output),
            "logprobs": None,
            "finish_reason": finish_reason,
        }
    ]
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
        "usage": chat_usage(usage),
        "system_fingerprint": None,
    }


def chat_completion_chunks(
    output: list[dict[str, Any]],
    *,
    completion_id: str,
    model: str,
    usage: Optional[dict[str, Any]],
    finish_reason: str,
    include_usage: bool = False,
    empty_choices: bool = False,
) -> Iterator[dict[str, Any]]:
    """The `chat.completion.chunk` objects that stream `output`, in the real API's order.

    role delta → content (or refusal) deltas word by word → per tool call a first fragment with
    index/id/type/name and empty arguments, then argument substrings → the finish_reason chunk →
    with `include_usage`, a last chunk with `choices: []` and the usage. The caller writes
    `[DONE]` after these.
    """
    created = int(time.time())
    message = chat_message(output)

    def chunk(delta: dict[str, Any], finish: Optional[str] = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": None,
            "choices": [] if empty_choices else [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            ],
        }
        if include_usage:
            body["usage"] = None
        return body

    yield chunk({"role": "assistant", "content": "", "refusal": None})
    for piece in split_deltas(message["content"] or ""):
        yield chunk({"content": piece})
    for piece in split_deltas(message["refusal"] or ""):
        yield chunk({"refusal": piece})
    for index, call in enumerate(message.get("tool_calls", [])):
        yield chunk({"tool_calls": [{
            "index": index,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }]})
        for piece in split_deltas(call["function"]["arguments"]):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    yield chunk({}, finish_reason)
    if include_usage:
        last = chunk({})
        last["choices"] = []
        last["usage"] = chat_usage(usage)
        yield last
