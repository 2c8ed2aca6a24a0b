"""Run items (what a run produces), `ModelResponse`, and `ItemHelpers`.

Model traffic is plain dicts in the OpenAI Responses API item format; run items wrap one such dict
(`raw_item`) together with the agent that produced it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Union

from .usage import Usage

if TYPE_CHECKING:
    from .agent import Agent

TResponseInputItem = dict[str, Any]
"""An input item in the Responses API format (message, function_call, function_call_output, ...)."""
TResponseOutputItem = dict[str, Any]
"""An output item in the Responses API format."""
TResponseStreamEvent = dict[str, Any]
"""A Responses API stream event (`{"type": "response.output_text.delta", ...}`)."""
TInput = Union[str, list[TResponseInputItem]]


@dataclass
class ModelResponse:
    """One model response: its output items, usage and ids."""

    output: list[TResponseOutputItem]
    """Responses-API output items."""
    usage: Usage
    """Usage of this request."""
    response_id: Optional[str]
    """The response id (usable as `previous_response_id`); None for APIs without one."""
    request_id: Optional[str] = None
    """The `x-request-id` of the HTTP response, when known."""

    def to_input_items(self) -> list[TResponseInputItem]:
        """The output items as input items for the next request."""
        return list(self.output)


@dataclass
class RunItemBase:
    """Common shape of every run item."""

    agent: Agent[Any] = field(repr=False)
    """The agent whose run produced this item."""
    raw_item: dict[str, Any]
    """The item in the Responses API format."""

    type: str = field(default="", init=False)

    def to_input_item(self) -> TResponseInputItem:
        """The raw item, usable as input to the next model request."""
        return self.raw_item


@dataclass
class MessageOutputItem(RunItemBase):
    """An assistant message from the model."""

    type: str = field(default="message_output_item", init=False)


@dataclass
class ToolCallItem(RunItemBase):
    """A tool call from the model (function, hosted, computer, shell, ...)."""

    description: Optional[str] = None
    type: str = field(default="tool_call_item", init=False)


@dataclass
class ToolCallOutputItem(RunItemBase):
    """The output of a tool call. `output` is the tool's raw return value; `raw_item` the wire item."""

    output: Any = None
    type: str = field(default="tool_call_output_item", init=False)


@dataclass
class HandoffCallItem(RunItemBase):
    """The model's call of a handoff tool."""

    type: str = field(default="handoff_call_item", init=False)


@dataclass
class HandoffOutputItem(RunItemBase):
    """The output of a handoff: control passed from `source_agent` to `target_agent`."""

    source_agent: Optional[Agent[Any]] = field(default=None, repr=False)
    target_agent: Optional[Agent[Any]] = field(default=None, repr=False)
    type: str = field(default="handoff_output_item", init=False)


@dataclass
class ReasoningItem(RunItemBase):
    """A reasoning item from the model."""

    type: str = field(default="reasoning_item", init=False)


@dataclass
class MCPListToolsItem(RunItemBase):
    """A hosted MCP server's tool listing."""

    type: str = field(default="mcp_list_tools_item", init=False)


@dataclass
class MCPApprovalRequestItem(RunItemBase):
    """A hosted MCP server asks to approve a call."""

    type: str = field(default="mcp_approval_request_item", init=False)


@dataclass
class MCPApprovalResponseItem(RunItemBase):
    """Our answer to an MCP approval request."""

    type: str = field(default="mcp_approval_response_item", init=False)


@dataclass
class ToolApprovalItem(RunItemBase):
    """A tool call waiting for a human's approval. `raw_item` is the model's call item."""

    tool_name: str = ""
    type: str = field(default="tool_approval_item", init=False)

    def __post_init__(self) -> None:
        if not self.tool_name:
            self.tool_name = self.raw_item.get("name") or self.raw_item.get("type", "")

    @property
    def call_id(self) -> str:
        """The call id (or item id) that identifies the pending call."""
        raw = self.raw_item
        return raw.get("call_id") or raw.get("id") or ""

    @property
    def arguments(self) -> Optional[str]:
        """The call's JSON arguments, for function calls."""
        return self.raw_item.get("arguments")

    @property
    def name(self) -> str:
        """Alias of `tool_name`."""
        return self.tool_name

    def to_input_item(self) -> TResponseInputItem:
        return self.raw_item


RunItem = Union[
    MessageOutputItem,
    ToolCallItem,
    ToolCallOutputItem,
    HandoffCallItem,
    HandoffOutputItem,
    ReasoningItem,
    MCPListToolsItem,
    MCPApprovalRequestItem,
    MCPApprovalResponseItem,
    ToolApprovalItem,
]
"""Any run item."""


class ItemHelpers:
    """Small helpers over items in the Responses API format."""

    @classmethod
    def extract_last_content(cls, message: TResponseOutputItem) -> str:
        """The text (or refusal) of the last content part of an assistant message."""
        if message.get("type", "message") != "message":
            return ""
        content = message.get("content")
        if isinstance(content, str):
            return content
        if not content:
            return ""
        last = content[-1]
        if last.get("type") == "refusal":
            return last.get("refusal", "")
        return last.get("text", "")

    @classmethod
    def extract_last_text(cls, message: TResponseOutputItem) -> Optional[str]:
        """The text of the last `output_text` part of an assistant message, or None."""
        if message.get("type", "message") != "message":
            return None
        content = message.get("content")
        if isinstance(content, str):
            return content
        if not content:
            return None
        last = content[-1]
        if last.get("type") in ("output_text", "text", "input_text"):
            return last.get("text", "")
        return None

    @classmethod
    def extract_text(cls, message: TResponseOutputItem) -> Optional[str]:
        """All `output_text` parts of an assistant message joined, or None if there are none."""
        content = message.get("content")
        if isinstance(content, str):
            return content
        texts = [
            part.get("text", "")
            for part in content or []
            if part.get("type") in ("output_text", "text", "input_text")
        ]
        return "".join(texts) if texts else None

    @classmethod
    def extract_refusal(cls, message: TResponseOutputItem) -> Optional[str]:
        """The refusal text of an assistant message, or None."""
        content = message.get("content")
        if not isinstance(content, list):
            return None
        refusals = [part.get("refusal", "") for part in content if part.get("type") == "refusal"]
        return "".join(refusals) if refusals else None

    @classmethod
    def input_to_new_input_list(cls, input: TInput) -> list[TResponseInputItem]:
        """A string becomes one user message; a list is shallow-copied."""
        if isinstance(input, str):
            return [{"role": "user", "content": input}]
        return list(input)

    @classmethod
    def text_message_outputs(cls, items: list[RunItem]) -> str:
        """The concatenated text of every message output item."""
        return "".join(
            cls.text_message_output(item) for item in items if isinstance(item, MessageOutputItem)
        )

    @classmethod
    def text_message_output(cls, message: MessageOutputItem) -> str:
        """The concatenated `output_text` parts of one message output item."""
        return cls.extract_text(message.raw_item) or ""

    @classmethod
    def tool_call_output_item(
        cls, tool_call: dict[str, Any], output: Any
    ) -> TResponseInputItem:
        """A `function_call_output` item for a call; `output` becomes a string or content parts."""
        return {
            "type": "function_call_output",
            "call_id": tool_call.get("call_id", ""),
            "output": output if isinstance(output, (str, list)) else str(output),
        }


def drop_internal_fields(item: TResponseInputItem) -> TResponseInputItem:
    """Remove what must not be sent back: `provider_data`, and the `__fake_id__` placeholder id."""
    if "provider_data" in item or item.get("id") == "__fake_id__":
        item = {k: v for k, v in item.items() if k != "provider_data"}
        if item.get("id") == "__fake_id__":
            del item["id"]
    return item


def to_jsonable(value: Any) -> Any:
    """A JSON-safe copy of a value: dataclasses and pydantic models become dicts, Enums their
    values, tuples and sets lists. Other objects are returned unchanged."""
    import dataclasses
    import enum

    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    return value


def dumps_compact(value: Any) -> str:
    """JSON without spaces; falls back to `str()` for values json cannot encode."""
    return json.dumps(value, separators=(",", ":"), default=str)
