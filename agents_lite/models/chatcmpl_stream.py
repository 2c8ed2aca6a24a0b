"""Chat Completions stream chunks → Responses-API stream events, so the run loop sees one format.

`ChatStreamConverter.handle_chunk(chunk)` returns the events a chunk produces; `finish()` returns
the closing events and a synthetic `response.completed` whose `response` holds the assembled
output and usage. Events get their own increasing `sequence_number`.

Order produced: response.created, then per item as it starts: output_item.added, and for a message
content_part.added + output_text.delta (or refusal.delta); a reasoning item (from
`reasoning_content`) gets reasoning_summary_* events; each tool call index gets
output_item.added once its id and name are known, then function_call_arguments.delta for every
fragment. At the end: the .done events per item in output order, then response.completed.
Only choice 0 is used.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Optional

from ..exceptions import ModelBehaviorError
from .chatcmpl_converter import CONTENT_FILTER_REFUSAL, FAKE_ID, usage_to_responses

__all__ = ["ChatStreamConverter"]


class _Message:
    __slots__ = ("output_index", "text_index", "refusal_index", "text", "refusal")

    def __init__(self, output_index: int) -> None:
        self.output_index = output_index
        self.text_index: Optional[int] = None
        self.refusal_index: Optional[int] = None
        self.text: list[str] = []
        self.refusal: list[str] = []


class _Reasoning:
    __slots__ = ("output_index", "text")

    def __init__(self, output_index: int) -> None:
        self.output_index = output_index
        self.text: list[str] = []


class _ToolCall:
    __slots__ = ("output_index", "call_id", "name", "arguments")

    def __init__(self) -> None:
        self.output_index: Optional[int] = None
        self.call_id = ""
        self.name = ""
        self.arguments: list[str] = []


class ChatStreamConverter:
    """Turns the chunks of one Chat Completions stream into Responses events."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.usage: Optional[dict[str, Any]] = None
        self.finish_reason: Optional[str] = None
        self.saw_choice = False
        self._seq = 0
        self._started = False
        self._created_at = int(time.time())
        self._next_index = 0
        self._message: Optional[_Message] = None
        self._reasoning: Optional[_Reasoning] = None
        self._tools: dict[int, _ToolCall] = {}

    # -- helpers -----------------------------------------------------------------------------

    def _event(self, event: dict[str, Any]) -> dict[str, Any]:
        event["sequence_number"] = self._seq
        self._seq += 1
        return event

    def _shell(self, status: str) -> dict[str, Any]:
        return {
            "id": FAKE_ID,
            "object": "response",
            "created_at": self._created_at,
            "status": status,
            "model": self.model,
            "output": [],
            "error": None,
            "incomplete_details": None,
            "usage": None,
        }

    def _take_index(self) -> int:
        index = self._next_index
        self._next_index += 1
        return index

    def _ensure_message(self, out: list[dict[str, Any]]) -> _Message:
        if self._message is None:
            self._message = _Message(self._take_index())
            out.append(self._event({
                "type": "response.output_item.added",
                "output_index": self._message.output_index,
                "item": {"type": "message", "id": FAKE_ID, "role": "assistant",
                         "status": "in_progress", "content": []},
            }))
        return self._message

    def _part_added(self, message: _Message, index: int, part: dict[str, Any]) -> dict[str, Any]:
        return self._event({
            "type": "response.content_part.added", "item_id": FAKE_ID,
            "output_index": message.output_index, "content_index": index, "part": part,
        })

    def _text(self, delta: str, out: list[dict[str, Any]]) -> None:
        message = self._ensure_message(out)
        if message.text_index is None:
            message.text_index = int(message.refusal_index is not None)
            out.append(self._part_added(
                message, message.text_index, {"type": "output_text", "text": "", "annotations": []}
            ))
        message.text.append(delta)
        out.append(self._event({
            "type": "response.output_text.delta", "item_id": FAKE_ID,
            "output_index": message.output_index, "content_index": message.text_index,
            "delta": delta, "logprobs": [],
        }))

    def _refusal(self, delta: str, out: list[dict[str, Any]]) -> None:
        message = self._ensure_message(out)
        if message.refusal_index is None:
            message.refusal_index = int(message.text_index is not None)
            out.append(self._part_added(
                message, message.refusal_index, {"type": "refusal", "refusal": ""}
            ))
        message.refusal.append(delta)
        out.append(self._event({
            "type": "response.refusal.delta", "item_id": FAKE_ID,
            "output_index": message.output_index, "content_index": message.refusal_index,
            "delta": delta,
        }))

    def _reasoning_delta(self, delta: str, out: list[dict[str, Any]]) -> None:
        if self._reasoning is None:
            self._reasoning = _Reasoning(self._take_index())
            index = self._reasoning.output_index
            out.append(self._event({
                "type": "response.output_item.added", "output_index": index,
                "item": {"type": "reasoning", "id": FAKE_ID, "summary": []},
            }))
            out.append(self._event({
                "type": "response.reasoning_summary_part.added", "item_id": FAKE_ID,
                "output_index": index, "summary_index": 0,
                "part": {"type": "summary_text", "text": ""},
            }))
        self._reasoning.text.append(delta)
        out.append(self._event({
            "type": "response.reasoning_summary_text.delta", "item_id": FAKE_ID,
            "output_index": self._reasoning.output_index, "summary_index": 0, "delta": delta,
        }))

    def _tool_added(self, call: _ToolCall, out: list[dict[str, Any]]) -> None:
        call.output_index = self._take_index()
        out.append(self._event({
            "type": "response.output_item.added", "output_index": call.output_index,
            "item": {"type": "function_call", "id": FAKE_ID, "call_id": call.call_id,
                     "name": call.name, "arguments": "", "status": "in_progress"},
        }))
        if call.arguments:
            out.append(self._args_delta(call, "".join(call.arguments)))

    def _args_delta(self, call: _ToolCall, delta: str) -> dict[str, Any]:
        return self._event({
            "type": "response.function_call_arguments.delta", "item_id": FAKE_ID,
            "output_index": call.output_index, "delta": delta,
        })

    def _tool_fragment(self, fragment: dict[str, Any], out: list[dict[str, Any]]) -> None:
        index = fragment.get("index", 0)
        call = self._tools.get(index)
        if call is None:
            call = self._tools[index] = _ToolCall()
        if fragment.get("id") and not call.call_id:
            call.call_id = fragment["id"]
        function = fragment.get("function") or {}
        if function.get("name") and call.output_index is None:
            call.name += function["name"]
        arguments = function.get("arguments")
        if call.output_index is None:
            if arguments:
                call.arguments.append(arguments)
            if call.call_id and call.name:
                self._tool_added(call, out)
        elif arguments:
            call.arguments.append(arguments)
            out.append(self._args_delta(call, arguments))

    # -- public ------------------------------------------------------------------------------

    def start(self) -> list[dict[str, Any]]:
        """The opening `response.created` event (sent once)."""
        if self._started:
            return []
        self._started = True
        return [self._event({"type": "response.created", "response": self._shell("in_progress")})]

    def handle_chunk(self, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        """The events one `chat.completion.chunk` produces."""
        out = self.start()
        if chunk.get("model"):
            self.model = chunk["model"]
        if chunk.get("usage"):
            self.usage = chunk["usage"]
        choices = chunk.get("choices") or []
        choice = next((c for c in choices if c.get("index", 0) == 0), None)
        if choice is None:
            return out
        self.saw_choice = True
        delta = choice.get("delta") or {}
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        if isinstance(reasoning, str) and reasoning:
            self._reasoning_delta(reasoning, out)
        content = delta.get("content")
        if content:
            self._text(content, out)
        if delta.get("refusal"):
            self._refusal(delta["refusal"], out)
        for fragment in delta.get("tool_calls") or []:
            self._tool_fragment(fragment, out)
        if choice.get("finish_reason"):
            self.finish_reason = choice["finish_reason"]
        return out

    def finish(self) -> list[dict[str, Any]]:
        """The closing .done events and `response.completed` (with output and usage).

        Raises `ModelBehaviorError` when the stream carried no choices at all, or stopped at
        the token limit before any output."""
        out = self.start()
        if not self.saw_choice:
            raise ModelBehaviorError(
                "The Chat Completions stream carried no choices (empty `choices` in every chunk)"
            )
        empty = self._message is None and not self._tools
        if empty and self.finish_reason == "content_filter":
            self._refusal(CONTENT_FILTER_REFUSAL, out)
        elif empty and self.finish_reason == "length":
            raise ModelBehaviorError(
                "The model stopped at the token limit (finish_reason 'length') before producing "
                "any output; raise max_tokens"
            )
        for call in self._tools.values():
            if call.output_index is None:  # never got both id and name
                if not call.name:
                    raise ModelBehaviorError("A streamed tool call never received a function name")
                call.call_id = call.call_id or f"call_{uuid.uuid4().hex[:24]}"
                self._tool_added(call, out)
        finished: list[tuple[int, dict[str, Any]]] = []
        if self._reasoning is not None:
            finished.append((self._reasoning.output_index, self._finish_reasoning(out)))
        if self._message is not None:
            finished.append((self._message.output_index, self._finish_message(out)))
        for call in self._tools.values():
            assert call.output_index is not None
            finished.append((call.output_index, self._finish_tool(call, out)))
        finished.sort(key=lambda pair: pair[0])
        response = self._shell("completed")
        response["output"] = [item for _, item in finished]
        response["usage"] = usage_to_responses(self.usage)
        out.append(self._event({"type": "response.completed", "response": response}))
        return out

    def _finish_reasoning(self, out: list[dict[str, Any]]) -> dict[str, Any]:
        reasoning = self._reasoning
        assert reasoning is not None
        text = "".join(reasoning.text)
        part = {"type": "summary_text", "text": text}
        base = {"item_id": FAKE_ID, "output_index": reasoning.output_index, "summary_index": 0}
        out.append(self._event({"type": "response.reasoning_summary_text.done", **base, "text": text}))
        out.append(self._event({"type": "response.reasoning_summary_part.done", **base, "part": part}))
        item = {"type": "reasoning", "id": FAKE_ID, "summary": [part]}
        out.append(self._event({
            "type": "response.output_item.done", "output_index": reasoning.output_index,
            "item": item,
        }))
        return item

    def _finish_message(self, out: list[dict[str, Any]]) -> dict[str, Any]:
        message = self._message
        assert message is not None
        parts: list[tuple[int, dict[str, Any]]] = []
        base = {"item_id": FAKE_ID, "output_index": message.output_index}
        if message.text_index is not None:
            text = "".join(message.text)
            part = {"type": "output_text", "text": text, "annotations": []}
            where = {**base, "content_index": message.text_index}
            out.append(self._event({"type": "response.output_text.done", **where, "text": text,
                                    "logprobs": []}))
            out.append(self._event({"type": "response.content_part.done", **where, "part": part}))
            parts.append((message.text_index, part))
        if message.refusal_index is not None:
            refusal = "".join(message.refusal)
            part = {"type": "refusal", "refusal": refusal}
            where = {**base, "content_index": message.refusal_index}
            out.append(self._event({"type": "response.refusal.done", **where, "refusal": refusal}))
            out.append(self._event({"type": "response.content_part.done", **where, "part": part}))
            parts.append((message.refusal_index, part))
        parts.sort(key=lambda pair: pair[0])
        item = {"type": "message", "id": FAKE_ID, "role": "assistant", "status": "completed",
                "content": [part for _, part in parts]}
        out.append(self._event({
            "type": "response.output_item.done", "output_index": message.output_index,
            "item": item,
        }))
        return item

    def _finish_tool(self, call: _ToolCall, out: list[dict[str, Any]]) -> dict[str, Any]:
        arguments = "".join(call.arguments)
        out.append(self._event({
            "type": "response.function_call_arguments.done", "item_id": FAKE_ID,
            "output_index": call.output_index, "name": call.name, "arguments": arguments,
        }))
        item = {"type": "function_call", "id": FAKE_ID, "call_id": call.call_id,
                "name": call.name, "arguments": arguments, "status": "completed"}
        out.append(self._event({
            "type": "response.output_item.done", "output_index": call.output_index, "item": item,
        }))
        return item
