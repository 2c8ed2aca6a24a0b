"""Ready-made handoff input filters."""

from __future__ import annotations

from typing import Any

from ..handoffs import HandoffInputData
from ..items import (
    HandoffCallItem,
    HandoffOutputItem,
    RunItem,
    ToolCallItem,
    ToolCallOutputItem,
)

_TOOL_ITEM_TYPES = frozenset(
    {
        "function_call",
        "function_call_output",
        "computer_call",
        "computer_call_output",
        "file_search_call",
        "web_search_call",
        "code_interpreter_call",
        "image_generation_call",
        "local_shell_call",
        "local_shell_call_output",
        "shell_call",
        "shell_call_output",
        "apply_patch_call",
        "apply_patch_call_output",
        "mcp_call",
        "mcp_list_tools",
        "mcp_approval_request",
        "mcp_approval_response",
    }
)
_TOOL_RUN_ITEMS = (HandoffCallItem, HandoffOutputItem, ToolCallItem, ToolCallOutputItem)


def _without_tool_items(items: tuple[RunItem, ...]) -> tuple[RunItem, ...]:
    return tuple(item for item in items if not isinstance(item, _TOOL_RUN_ITEMS))


def remove_all_tools(handoff_input_data: HandoffInputData) -> HandoffInputData:
    """Drop every tool call and tool output (including handoff calls) from what the next agent
    sees, keeping messages and reasoning."""
    history: Any = handoff_input_data.input_history
    if not isinstance(history, str):
        history = tuple(item for item in history if item.get("type") not in _TOOL_ITEM_TYPES)
    return handoff_input_data.clone(
        input_history=history,
        pre_handoff_items=_without_tool_items(handoff_input_data.pre_handoff_items),
        new_items=_without_tool_items(handoff_input_data.new_items),
    )
