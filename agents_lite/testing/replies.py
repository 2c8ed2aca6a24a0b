"""What a `LocalOpenAIServer` can answer with: scripted model replies and raw HTTP replies.

A model reply is scripted once, as Responses API output items, and served by both the Responses
and the Chat Completions endpoints. Anything that is not a model reply (trace ingest, custom
routes) answers with a `Reply`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional, Union

from .scripted import text_message, usage_dict

__all__ = [
    "ScriptedResponse",
    "Reply",
    "sse_frame",
    "to_scripted",
    "last_user_text",
    "estimate_usage",
]


@dataclass
class ScriptedResponse:
    """One scripted model reply, with everything the response object around it carries.

    `output` is a list of Responses output items (see `agents_lite.testing.scripted`) or a string
    (one assistant text message). `usage` is a Responses `usage` dict; when None the server fills
    in a rough estimate (about one token per four bytes of request body and of output text).
    A `status` of "failed" or "incomplete" is streamed as `response.failed` /
    `response.incomplete`; on Chat Completions "incomplete" maps to finish_reason "length" (or
    "content_filter" when `incomplete_details` says so).
    """

    output: Union[list[dict[str, Any]], str] = field(default_factory=list)
    usage: Optional[dict[str, Any]] = None
    response_id: Optional[str] = None
    """Responses id ("resp_…") or Chat Completions id ("chatcmpl-…"); generated when None."""
    model: Optional[str] = None
    """Model name in the reply; defaults to the request's `model`."""
    status: str = "completed"
    error: Optional[dict[str, Any]] = None
    """The response object's `error` ({"code", "message"}), for status "failed"."""
    incomplete_details: Optional[dict[str, Any]] = None
    """E.g. {"reason": "max_output_tokens"}, for status "incomplete"."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra HTTP response headers."""

    def output_items(self) -> list[dict[str, Any]]:
        """The output as a list of items (a string becomes one text message)."""
        if isinstance(self.output, str):
            return [text_message(self.output)]
        return list(self.output)


Frame = Union[bytes, str, dict]


@dataclass
class Reply:
    """A raw HTTP reply, for custom routes and non-model endpoints.

    `body` may be bytes or str (sent as is), a dict or list (sent as JSON), None (empty), or an
    iterator/generator of frames, which is streamed with chunked transfer encoding, one write
    per frame: bytes and str frames are written verbatim, dict frames as `data: <json>\\n\\n`
    (use `sse_frame` for named events). `fault` applies delivery faults (delay, per-event delay,
    cut, dropped connection; see `Fault`) to this reply.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Union[bytes, str, dict, list, Iterable[Frame], None] = None
    close: bool = False
    """Close the connection after this reply (adds `Connection: close`)."""
    fault: Optional[Any] = None
    """A `Fault` whose delivery settings apply to this reply."""


def sse_frame(data: Union[dict, list, str], event: Optional[str] = None) -> bytes:
    """One server-sent-events frame: optional `event:` line, one `data:` line, blank line."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    if event is None:
        return b"data: " + payload.encode() + b"\n\n"
    return b"event: " + event.encode() + b"\ndata: " + payload.encode() + b"\n\n"


def to_scripted(reply: Any) -> ScriptedResponse:
    """Normalise a scripted reply (items list, string, ScriptedResponse) to a ScriptedResponse."""
    if isinstance(reply, ScriptedResponse):
        return reply
    if isinstance(reply, str):
        return ScriptedResponse(output=[text_message(reply)])
    if isinstance(reply, (list, tuple)):
        for item in reply:
            if not isinstance(item, dict):
                raise TypeError(
                    f"A scripted reply list must hold output item dicts, got {type(item).__name__}"
                )
        return ScriptedResponse(output=list(reply))
    if isinstance(reply, dict) and "type" in reply:
        return ScriptedResponse(output=[reply])
    raise TypeError(
        "A scripted reply must be a string, a list of output items, a ScriptedResponse or a "
        f"Fault, got {type(reply).__name__}"
    )


def _text_of(content: Any) -> Optional[str]:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            part.get("text", "")
            for part in content
            if isinstance(part, dict) and part.get("type") in ("input_text", "text", "output_text")
        ]
        if texts:
            return "".join(texts)
    return None


def last_user_text(body: Any) -> Optional[str]:
    """The text of the last user message of a Responses (`input`) or Chat (`messages`) body."""
    if not isinstance(body, dict):
        return None
    items = body.get("input")
    if items is None:
        items = body.get("messages")
    if isinstance(items, str):
        return items
    if not isinstance(items, list):
        return None
    for item in reversed(items):
        if isinstance(item, dict) and item.get("role") == "user":
            text = _text_of(item.get("content"))
            if text is not None:
                return text
    return None


def _output_chars(output: list[dict[str, Any]]) -> int:
    total = 0
    for item in output:
        kind = item.get("type")
        if kind == "message":
            for part in item.get("content", []):
                total += len(part.get("text") or part.get("refusal") or "")
        elif kind == "function_call":
            total += len(item.get("name", "")) + len(item.get("arguments", ""))
    return total


def estimate_usage(request_bytes: int, output: list[dict[str, Any]]) -> dict[str, Any]:
    """A deterministic rough usage: a token per four bytes of request body and of output text."""
    return usage_dict(request_bytes // 4 + 1, _output_chars(output) // 4 + 1)


Responder = Callable[[Any], Any]
