"""Model Context Protocol: use the tools of MCP servers in agents.

    from agents_lite.mcp import MCPServerStdio

    with MCPServerStdio({"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "."]}) as fs:
        agent = Agent(name="files", mcp_servers=[fs])
        Runner.run_sync(agent, "List the files.")

The client (JSON-RPC 2.0 over stdio, legacy HTTP+SSE and Streamable HTTP) is part of this package;
the `mcp` package is not needed.
"""

from __future__ import annotations

from .approval import RequireApprovalObject, RequireApprovalToolList
from .errors import (
    JSONRPCError,
    MCPConnectionError,
    MCPError,
    MCPProtocolError,
    MCPServerCommandNotFoundError,
    MCPSessionExpiredError,
    MCPTimeoutError,
)
from .jsonrpc import LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS
from .manager import MCPServerManager
from .server import (
    MCPServer,
    MCPServerSse,
    MCPServerSseParams,
    MCPServerStdio,
    MCPServerStdioParams,
    MCPServerStreamableHttp,
    MCPServerStreamableHttpParams,
)
from .types import (
    CallToolResult,
    GetPromptResult,
    InitializeResult,
    ListPromptsResult,
    ListResourcesResult,
    ListResourceTemplatesResult,
    MCPRecord,
    MCPTool,
    ReadResourceResult,
)
from .util import (
    MCPUtil,
    ToolFilter,
    ToolFilterCallable,
    ToolFilterContext,
    ToolFilterStatic,
    create_static_tool_filter,
    get_all_function_tools,
)

__all__ = [
    "MCPServer",
    "MCPServerStdio",
    "MCPServerStdioParams",
    "MCPServerSse",
    "MCPServerSseParams",
    "MCPServerStreamableHttp",
    "MCPServerStreamableHttpParams",
    "MCPServerManager",
    "MCPUtil",
    "ToolFilter",
    "ToolFilterCallable",
    "ToolFilterContext",
    "ToolFilterStatic",
    "create_static_tool_filter",
    "get_all_function_tools",
    "RequireApprovalObject",
    "RequireApprovalToolList",
    "MCPTool",
    "CallToolResult",
    "GetPromptResult",
    "InitializeResult",
    "ListPromptsResult",
    "ListResourcesResult",
    "ListResourceTemplatesResult",
    "ReadResourceResult",
    "MCPRecord",
    "MCPError",
    "MCPConnectionError",
    "MCPServerCommandNotFoundError",
    "MCPTimeoutError",
    "MCPProtocolError",
    "MCPSessionExpiredError",
    "JSONRPCError",
    "LATEST_PROTOCOL_VERSION",
    "SUPPORTED_PROTOCOL_VERSIONS",
]
