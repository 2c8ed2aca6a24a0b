"""Errors raised by the MCP client. All derive from `AgentsException` through `MCPError`."""

from __future__ import annotations

from typing import Any, Optional

from ..exceptions import AgentsException


class MCPError(AgentsException):
    """Base class of every MCP client error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MCPConnectionError(MCPError):
    """The connection to an MCP server failed or was lost (process exited, stream dropped, HTTP
    error)."""


class MCPServerCommandNotFoundError(MCPConnectionError):
    """The command of a stdio MCP server does not exist or cannot be executed."""

    def __init__(self, message: str, *, command: str) -> None:
        super().__init__(message)
        self.command = command


class MCPTimeoutError(MCPError):
    """An MCP request got no answer within its timeout (the server was sent a cancellation)."""

    def __init__(self, message: str, *, method: str, timeout_seconds: float) -> None:
        super().__init__(message)
        self.method = method
        self.timeout_seconds = timeout_seconds


class MCPProtocolError(MCPError):
    """The server broke the protocol: an unsupported protocol version, a malformed reply, a
    pagination cursor that repeats."""


class JSONRPCError(MCPError):
    """The server answered a request with a JSON-RPC error object."""

    def __init__(self, message: str, *, code: int, data: Any = None, method: Optional[str] = None):
        super().__init__(message)
        self.code = code
        self.data = data
        self.method = method


class MCPSessionExpiredError(MCPConnectionError):
    """A Streamable HTTP server no longer knows our session (HTTP 404); the client initialises a
    new session and retries once before this reaches the caller."""
