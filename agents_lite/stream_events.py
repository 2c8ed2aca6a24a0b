"""Events yielded by `RunResultStreaming.stream_events()`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Union

if TYPE_CHECKING:
    from .agent import Agent
    from .items import RunItem, TResponseStreamEvent


@dataclass
class RawResponsesStreamEvent:
    """A raw Responses API stream event from the model, passed through as a dict."""

    data: TResponseStreamEvent
    type: Literal["raw_response_event"] = "raw_response_event"


@dataclass
class RunItemStreamEvent:
    """A run item was created (message, tool call, tool output, handoff, reasoning, ...).

    `name` uses the reference's names, including its spelling of "handoff_occured".
    """

    name: Literal[
        "message_output_created",
        "handoff_requested",
        "handoff_occured",
        "tool_called",
        "tool_output",
        "reasoning_item_created",
        "mcp_approval_requested",
        "mcp_approval_response",
        "mcp_list_tools",
        "tool_approval_requested",
    ]
    item: RunItem
    type: Literal["run_item_stream_event"] = "run_item_stream_event"


@dataclass
class AgentUpdatedStreamEvent:
    """A new agent became the current agent (at the start of the run and after a handoff)."""

    new_agent: Agent[Any]
    type: Literal["agent_updated_stream_event"] = "agent_updated_stream_event"


StreamEvent = Union[RawResponsesStreamEvent, RunItemStreamEvent, AgentUpdatedStreamEvent]
"""Any event of a streamed run."""

ITEM_EVENT_NAMES: dict[str, str] = {
    "message_output_item": "message_output_created",
    "handoff_call_item": "handoff_requested",
    "handoff_output_item": "handoff_occured",
    "tool_call_item": "tool_called",
    "tool_call_output_item": "tool_output",
    "reasoning_item": "reasoning_item_created",
    "mcp_approval_request_item": "mcp_approval_requested",
    "mcp_approval_response_item": "mcp_approval_response",
    "mcp_list_tools_item": "mcp_list_tools",
    "tool_approval_item": "tool_approval_requested",
}
"""The `RunItemStreamEvent.name` for each run item type."""


def item_events(items: list[Any]) -> Iterator[StreamEvent]:
    """One `RunItemStreamEvent` per run item, named after the item's type."""
    for item in items:
        yield RunItemStreamEvent(name=ITEM_EVENT_NAMES[item.type], item=item)  # type: ignore[arg-type]
