"""Classify a model response: which items it produced and which tools, handoffs and approvals it
asks the client to run. Pure: the same response and agent always give the same result, which is
what lets an interrupted or crashed turn be resumed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .exceptions import ModelBehaviorError
from .items import (
    HandoffCallItem,
    MCPApprovalRequestItem,
    MCPListToolsItem,
    MessageOutputItem,
    ModelResponse,
    ReasoningItem,
    RunItem,
    ToolCallItem,
)
from .tool import FunctionTool, HostedMCPTool

if TYPE_CHECKING:
    from .agent import Agent
    from .handoffs import Handoff

logger = logging.getLogger("agents_lite")

HOSTED_CALL_TYPES = frozenset(
    {
        "file_search_call",
        "web_search_call",
        "code_interpreter_call",
        "image_generation_call",
        "mcp_call",
    }
)
"""Calls the provider executes itself: recorded, never run here."""


@dataclass
class ProcessedResponse:
    """What a model response asks for."""

    new_items: list[RunItem] = field(default_factory=list)
    handoffs: list[tuple[Handoff, dict[str, Any]]] = field(default_factory=list)
    functions: list[tuple[FunctionTool, dict[str, Any]]] = field(default_factory=list)
    local_actions: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    """Calls of client-executed tools (computer, shell, apply_patch): (tool, call item)."""
    mcp_approvals: list[tuple[HostedMCPTool, dict[str, Any]]] = field(default_factory=list)
    missing_tools: list[dict[str, Any]] = field(default_factory=list)
    """Function calls naming an unknown tool, answered with an error text."""
    tools_used: list[str] = field(default_factory=list)

    def has_tools_or_approvals_to_run(self) -> bool:
        """Whether the turn has client work left, so it cannot end the run."""
        return bool(
            self.functions or self.local_actions or self.mcp_approvals or self.missing_tools
        )


def process_model_response(
    agent: Agent[Any],
    all_tools: list[Any],
    handoffs: list[Handoff],
    response: ModelResponse,
    tool_not_found_behavior: str = "raise_error",
) -> ProcessedResponse:
    """Sort the response's output items into run items and work to do."""
    processed = ProcessedResponse()
    items = processed.new_items
    function_map: dict[str, FunctionTool] = {}
    local_map: dict[str, Any] = {}
    hosted_mcp: dict[str, HostedMCPTool] = {}
    for tool in all_tools:
        if isinstance(tool, FunctionTool):
            function_map[tool.name] = tool
        elif isinstance(tool, HostedMCPTool):
            hosted_mcp[tool.tool_config.get("server_label", "")] = tool
        else:
            call_type = getattr(tool, "call_item_type", None)
            if call_type:
                local_map[call_type] = tool
    handoff_map = {h.tool_name: h for h in handoffs}

    for output in response.output:
        kind = output.get("type")
        if kind == "message":
            items.append(MessageOutputItem(agent=agent, raw_item=output))
        elif kind == "function_call":
            name = output.get("name", "")
            if name in handoff_map:
                items.append(HandoffCallItem(agent=agent, raw_item=output))
                processed.handoffs.append((handoff_map[name], output))
            elif name in function_map:
                items.append(ToolCallItem(agent=agent, raw_item=output))
                processed.functions.append((function_map[name], output))
                processed.tools_used.append(name)
            elif tool_not_found_behavior == "return_error_to_model":
                items.append(ToolCallItem(agent=agent, raw_item=output))
                processed.missing_tools.append(output)
            else:
                raise ModelBehaviorError(f"Tool {name} not found in agent {agent.name}")
        elif kind == "reasoning":
            items.append(ReasoningItem(agent=agent, raw_item=output))
        elif kind in HOSTED_CALL_TYPES:
            items.append(ToolCallItem(agent=agent, raw_item=output))
            processed.tools_used.append(kind)
        elif kind == "mcp_list_tools":
            items.append(MCPListToolsItem(agent=agent, raw_item=output))
        elif kind == "mcp_approval_request":
            items.append(MCPApprovalRequestItem(agent=agent, raw_item=output))
            label = output.get("server_label", "")
            mcp_tool = hosted_mcp.get(label)
            if mcp_tool is None:
                raise ModelBehaviorError(
                    f"MCP approval requested for server {label!r}, which is not a hosted MCP tool "
                    f"of agent {agent.name}"
                )
            processed.mcp_approvals.append((mcp_tool, output))
        elif kind in local_map:
            items.append(ToolCallItem(agent=agent, raw_item=output))
            processed.local_actions.append((local_map[kind], output))
            processed.tools_used.append(str(getattr(local_map[kind], "name", kind)))
        elif isinstance(kind, str) and kind.endswith("_call"):
            raise ModelBehaviorError(
                f"Model produced a {kind} item, but agent {agent.name} has no tool that executes it"
            )
        else:
            logger.warning("Unexpected output item type, ignoring: %s", kind)
    return processed
