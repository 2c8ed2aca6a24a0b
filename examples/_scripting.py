"""Helpers for the scripted "models" that record the examples' cassettes.

There is no OpenAI key where the cassettes are made, so each example is recorded against a
`LocalOpenAIServer` whose responder plays the model: it reads the request (instructions, tools,
tool outputs so far, the last user message, the requested output schema) and answers the way a
real model would. `examples/_record_cassettes.py` drives the recording; the responders live in
each folder's `_cassette_scripts.py`.

Responders are pure functions of the request: ids are derived from a hash of the request body (and
how many identical requests came before), timestamps are fixed afterwards, so re-recording gives
the same files.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

from agents_lite.testing.faults import Fault
from agents_lite.testing.replies import ScriptedResponse, estimate_usage
from agents_lite.testing.scripted import function_call, reasoning_item, text_message

__all__ = ["Turn", "responder", "Recording"]


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text", "") for part in content
            if isinstance(part, dict) and part.get("type") in ("input_text", "text", "output_text")
        )
    return ""


class Turn:
    """One model request, seen the way a model sees it, plus builders for the reply."""

    def __init__(self, request: Any, occurrence: int) -> None:
        self.request = request
        self.body: dict[str, Any] = request.body if isinstance(request.body, dict) else {}
        self.chat = request.path.endswith("/chat/completions")
        digest = hashlib.sha1(request.raw_body + str(occurrence).encode()).hexdigest()
        self.seed = digest[:12]
        self.occurrence = occurrence
        """How many identical requests came before this one (0 for the first)."""
        self._minted = 0

    # --- what the model sees -------------------------------------------------------------------

    @property
    def model(self) -> str:
        return str(self.body.get("model", ""))

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def instructions(self) -> str:
        if not self.chat:
            return str(self.body.get("instructions") or "")
        messages = self.body.get("messages") or []
        if messages and messages[0].get("role") in ("system", "developer"):
            return _text_of(messages[0].get("content"))
        return ""

    @property
    def tool_names(self) -> list[str]:
        names = []
        for tool in self.body.get("tools") or []:
            if self.chat:
                names.append(tool.get("function", {}).get("name", ""))
            else:
                names.append(tool.get("name") or tool.get("type", ""))
        return names

    def offers(self, name: str) -> bool:
        return name in self.tool_names

    @property
    def items(self) -> list[dict[str, Any]]:
        """The conversation as Responses-style input items (Chat messages are converted)."""
        if not self.chat:
            raw = self.body.get("input")
            if isinstance(raw, str):
                return [{"role": "user", "content": raw}]
            return list(raw or [])
        items: list[dict[str, Any]] = []
        for message in self.body.get("messages") or []:
            role = message.get("role")
            if role == "tool":
                items.append({"type": "function_call_output", "call_id": message.get("tool_call_id"),
                              "output": _text_of(message.get("content"))})
            elif role == "assistant":
                if message.get("content"):
                    items.append({"role": "assistant", "content": _text_of(message["content"])})
                for call in message.get("tool_calls") or []:
                    items.append({"type": "function_call", "call_id": call.get("id"),
                                  "name": call["function"]["name"],
                                  "arguments": call["function"]["arguments"]})
            elif role in ("user", "system", "developer"):
                items.append({"role": role, "content": message.get("content")})
        return items

    @property
    def user_messages(self) -> list[str]:
        return [_text_of(i.get("content")) for i in self.items if i.get("role") == "user"]

    @property
    def user_text(self) -> str:
        """The last user message's text."""
        messages = self.user_messages
        return messages[-1] if messages else ""

    @property
    def user_images(self) -> list[dict[str, Any]]:
        parts = []
        for item in self.items:
            if item.get("role") == "user" and isinstance(item.get("content"), list):
                parts.extend(p for p in item["content"] if p.get("type") in ("input_image",
                                                                             "input_file"))
        return parts

    def calls(self, name: Optional[str] = None) -> list[dict[str, Any]]:
        """Function calls made so far in this conversation (optionally of one tool)."""
        return [i for i in self.items if i.get("type") == "function_call"
                and (name is None or i.get("name") == name)]

    def outputs(self, name: Optional[str] = None) -> list[str]:
        """Outputs of the function calls made so far (optionally of one tool), in order."""
        by_call = {c.get("call_id"): c.get("name") for c in self.calls()}
        return [
            _text_of(i.get("output")) if not isinstance(i.get("output"), str) else i["output"]
            for i in self.items
            if i.get("type") == "function_call_output"
            and (name is None or by_call.get(i.get("call_id")) == name)
        ]

    @property
    def last_item(self) -> dict[str, Any]:
        items = self.items
        return items[-1] if items else {}

    @property
    def since_last_user(self) -> list[dict[str, Any]]:
        """Items after the last user message (this turn's tool calls and outputs)."""
        items = self.items
        for index in range(len(items) - 1, -1, -1):
            if items[index].get("role") == "user":
                return items[index + 1:]
        return items

    def outputs_this_turn(self, name: Optional[str] = None) -> list[str]:
        by_call = {c.get("call_id"): c.get("name") for c in self.calls()}
        return [
            i["output"] if isinstance(i.get("output"), str) else _text_of(i.get("output"))
            for i in self.since_last_user
            if i.get("type") == "function_call_output"
            and (name is None or by_call.get(i.get("call_id")) == name)
        ]

    @property
    def output_schema(self) -> Optional[dict[str, Any]]:
        """The JSON schema of a structured-output request, if any."""
        if self.chat:
            fmt = self.body.get("response_format") or {}
            return (fmt.get("json_schema") or {}).get("schema") if fmt.get("type") == "json_schema" else None
        fmt = (self.body.get("text") or {}).get("format") or {}
        return fmt.get("schema") if fmt.get("type") == "json_schema" else None

    # --- building the reply --------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        self._minted += 1
        return f"{prefix}_{self.seed}{self._minted:02d}"

    def text(self, text: str) -> dict[str, Any]:
        return text_message(text, id=self._id("msg"))

    def json(self, value: Any) -> dict[str, Any]:
        return self.text(json.dumps(value, ensure_ascii=False))

    def call(self, name: str, arguments: Union[dict[str, Any], str, None] = None) -> dict[str, Any]:
        return function_call(name, arguments or {}, call_id=self._id("call"), id=self._id("fc"))

    def reasoning(self, summary: str) -> dict[str, Any]:
        return reasoning_item(summary, id=self._id("rs"))

    def reply(self, output: Union[str, list[dict[str, Any]]], **fields: Any) -> ScriptedResponse:
        items = [self.text(output)] if isinstance(output, str) else list(output)
        fields.setdefault("usage", estimate_usage(len(self.request.raw_body), items))
        prefix = "chatcmpl" if self.chat else "resp"
        headers = {"x-request-id": f"req_{self.seed}", **fields.pop("headers", {})}
        return ScriptedResponse(output=items, response_id=f"{prefix}_{self.seed}",
                                headers=headers, **fields)

    def fault(self, **fields: Any) -> Fault:
        """A `Fault` (an HTTP error and such) with a request id derived from the request."""
        headers = {"x-request-id": f"req_{self.seed}", **fields.pop("headers", {})}
        return Fault(headers=headers, **fields)


Script = Callable[[Turn], Any]


def responder(script: Script) -> Callable[[Any], Any]:
    """A `LocalOpenAIServer` responder from `script(turn)`, which returns a string, a list of
    output items (built with the turn's `text`/`call`/`json`), a `ScriptedResponse`, or any other
    reply the server accepts (a `Fault`, a `Reply`)."""
    seen: dict[bytes, int] = {}
    lock = threading.Lock()

    def answer(request: Any) -> Any:
        with lock:
            occurrence = seen.get(request.raw_body, 0)
            seen[request.raw_body] = occurrence + 1
        turn = Turn(request, occurrence)
        result = script(turn)
        if isinstance(result, (str, list)):
            return turn.reply(result)
        return result

    return answer


@dataclass
class Recording:
    """How to record one example: the script (relative to its folder), the scripted model, and
    extra command-line arguments, environment or stdin for the run.

    `concurrent=True` is for examples that send model requests from several threads at once: the
    order they arrive in varies from run to run, so the recorder sorts the interactions by request
    (a stable sort: identical requests keep their order) to make the file reproducible.
    """

    script: str
    model: Script
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    stdin: Optional[str] = None
    concurrent: bool = False
