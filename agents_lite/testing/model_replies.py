"""Rendering scripted model replies as Responses API and Chat Completions HTTP replies.

Used by `LocalOpenAIServer`: a scripted reply (Responses output items) plus an optional `Fault`
becomes a `Reply`, a whole JSON body or an iterator of SSE frames.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, Optional, Union

from .chat_stream import chat_completion, chat_completion_chunks, chat_finish_reason
from .faults import Fault
from .http_wire import RecordedRequest
from .replies import Reply, ScriptedResponse, estimate_usage, sse_frame
from .scripted import response_object, response_stream_events

__all__ = ["render_responses", "render_chat"]

_DONE = b"data: [DONE]\n\n"
# Request fields the real Responses API echoes back in the response object.
_ECHOED_FIELDS = (
    "instructions", "previous_response_id", "conversation", "tools", "tool_choice",
    "parallel_tool_calls", "temperature", "top_p", "metadata", "text", "max_output_tokens",
    "reasoning", "truncation", "store",
)


def _new_chat_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def render_responses(request: RecordedRequest, scripted: ScriptedResponse,
                     fault: Optional[Fault], default_model: str) -> Reply:
    """The Responses API reply (plain or SSE) delivering `scripted`, shaped by `fault`."""
    body: dict[str, Any] = request.body
    output = [] if fault is not None and fault.empty_choices else scripted.output_items()
    echoed = {key: body[key] for key in _ECHOED_FIELDS if key in body}
    response = response_object(
        output,
        response_id=scripted.response_id,
        model=scripted.model or body.get("model") or default_model,
        usage=scripted.usage or estimate_usage(len(request.raw_body), output),
        status=scripted.status,
        error=scripted.error,
        incomplete_details=scripted.incomplete_details,
        **echoed,
    )
    terminal = fault.terminal if fault is not None else None
    if terminal == "failed":
        response["status"] = "failed"
        response["error"] = {"code": fault.code or "server_error",  # type: ignore[union-attr]
                             "message": fault.message or "The model failed to respond."}  # type: ignore[union-attr]
    elif terminal == "incomplete":
        response["status"] = "incomplete"
        response["incomplete_details"] = {"reason": fault.incomplete_reason}  # type: ignore[union-attr]
    headers = {**scripted.headers, **(fault.response_headers() if fault else {})}
    if not request.stream:
        if terminal == "error":
            return Reply(500, headers=headers, body=fault.error_body(500),  # type: ignore[union-attr]
                         fault=fault)
        return Reply(200, headers=headers, body=response, fault=fault)
    events: list[Any] = list(response_stream_events(response))
    last = events[-1]
    if terminal == "error":
        error = fault.error_body(500)["error"]  # type: ignore[union-attr]
        events[-1] = {"type": "error", "code": error["code"], "message": error["message"],
                      "param": error["param"], "sequence_number": last["sequence_number"]}
    elif response["status"] in ("failed", "incomplete"):
        last["type"] = "response." + response["status"]
    if fault is not None and fault.inject:
        events = _inject(events, fault.inject)
        sequence = 0
        for event in events:
            if isinstance(event, dict):
                event["sequence_number"] = sequence
                sequence += 1
    return Reply(200, headers=headers, body=_responses_frames(events), fault=fault)

def render_chat(request: RecordedRequest, scripted: ScriptedResponse,
                fault: Optional[Fault], default_model: str) -> Reply:
    """The Chat Completions reply (plain or SSE) delivering `scripted`, shaped by `fault`."""
    body: dict[str, Any] = request.body
    output = scripted.output_items()
    completion_id = scripted.response_id or _new_chat_id()
    model = scripted.model or body.get("model") or default_model
    usage = scripted.usage or estimate_usage(len(request.raw_body), output)
    finish = chat_finish_reason(output, scripted.status, scripted.incomplete_details)
    terminal = fault.terminal if fault is not None else None
    if terminal == "incomplete":
        finish = "content_filter" if fault.incomplete_reason == "content_filter" else "length"  # type: ignore[union-attr]
    empty = fault is not None and fault.empty_choices
    headers = {**scripted.headers, **(fault.response_headers() if fault else {})}
    failed = terminal in ("error", "failed") or (terminal is None and scripted.status == "failed")
    if not request.stream:
        if failed:
            error_fault = fault or Fault(message=(scripted.error or {}).get("message"))
            return Reply(500, headers=headers, body=error_fault.error_body(500), fault=fault)
        return Reply(200, headers=headers, fault=fault, body=chat_completion(
            output, completion_id=completion_id, model=model, usage=usage,
            finish_reason=finish, empty_choices=empty))
    options = body.get("stream_options") or {}
    chunks: list[Any] = list(chat_completion_chunks(
        output, completion_id=completion_id, model=model, usage=usage, finish_reason=finish,
        include_usage=bool(options.get("include_usage")), empty_choices=empty))
    if failed:
        finish_at = next(i for i, c in enumerate(chunks)
                         if c["choices"] and c["choices"][0]["finish_reason"]) \
            if not empty else len(chunks) - 1
        error_fault = fault or Fault(message=(scripted.error or {}).get("message"))
        chunks = chunks[:finish_at] + [error_fault.error_body(500)]
    if fault is not None and fault.inject:
        chunks = _inject(chunks, fault.inject)
    return Reply(200, headers=headers, body=_chat_frames(chunks, done=not failed),
                 fault=fault)


def _inject(events: list[Any], inject: list[tuple[int, Any]]) -> list[Any]:
    result = list(events)
    # Insert from the highest index down so earlier insertions do not shift later positions.
    for index, frame in sorted(inject, key=lambda pair: pair[0], reverse=True):
        result.insert(min(max(index, 0), len(result)), dict(frame) if isinstance(frame, dict)
                      else frame)
    return result


def _responses_frames(events: list[Any]) -> Iterator[Union[bytes, str]]:
    for event in events:
        if isinstance(event, dict):
            yield sse_frame(event, event.get("type", "message"))
        else:
            yield event


def _chat_frames(chunks: list[Any], done: bool) -> Iterator[Union[bytes, str]]:
    for chunk in chunks:
        yield sse_frame(chunk) if isinstance(chunk, dict) else chunk
    if done:
        yield _DONE
