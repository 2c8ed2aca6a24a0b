"""A blocking JSON-RPC 2.0 client session for MCP, independent of the transport.

The session numbers requests, matches responses to them by id (from any thread: stdio and SSE
deliver messages from a reader thread, Streamable HTTP from the thread that posted), answers the
server's own requests (`ping`; -32601 for anything else), passes notifications on, and gives
each request a timeout after which the server is sent `notifications/cancelled`.

A transport implements `Transport`: `start(deliver, closed)` begins delivering incoming messages
to `deliver(message)` and reports a lost connection once through `closed(error)`; `send(message,
timeout=...)` writes one message (HTTP transports also read the reply there and deliver it before
returning); `close()` releases everything and must be safe to call twice.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Protocol

from ..version import __version__
from .errors import (
    JSONRPCError,
    MCPConnectionError,
    MCPError,
    MCPProtocolError,
    MCPTimeoutError,
)
from .types import InitializeResult

logger = logging.getLogger("agents_lite.mcp")

LATEST_PROTOCOL_VERSION = "2025-06-18"
"""The protocol revision this client offers in `initialize`."""

SUPPORTED_PROTOCOL_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
"""Handshake-based revisions a server may pick; any other answer ends the connection."""

METHOD_NOT_FOUND = -32601
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

Message = dict[str, Any]


class Transport(Protocol):
    """Moves JSON-RPC messages between the session and one MCP server."""

    def start(self, deliver: Callable[[Any], None], closed: Callable[[Exception], None]) -> None:
        """Open the connection and begin delivering incoming messages."""

    def send(self, message: Message, *, timeout: Optional[float] = None) -> None:
        """Send one message (`timeout` bounds the time spent waiting on the server)."""

    def close(self) -> None:
        """Close the connection; idempotent."""

    def describe(self) -> str:
        """A short description for error messages ("process 'node ...'", "http://...")."""


@dataclass
class _Pending:
    method: str
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: Optional[BaseException] = None


NotificationHandler = Callable[[Message], None]


class JSONRPCSession:
    """One JSON-RPC conversation with an MCP server over a `Transport`. Thread-safe."""

    def __init__(
        self,
        transport: Transport,
        *,
        server_name: str,
        request_timeout: Optional[float] = 5.0,
        on_notification: Optional[NotificationHandler] = None,
    ) -> None:
        self.transport = transport
        self.server_name = server_name
        self.request_timeout = request_timeout
        """Default seconds to wait for a response; None waits forever."""
        self.on_notification = on_notification
        self._ids = itertools.count(1)
        self._pending: dict[Any, _Pending] = {}
        self._lock = threading.Lock()
        self._closed_error: Optional[MCPError] = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Open the transport."""
        self.transport.start(self._deliver, self._transport_closed)

    @property
    def closed(self) -> bool:
        """Whether the connection is gone (closed by us or lost)."""
        return self._closed_error is not None

    @property
    def close_reason(self) -> Optional[MCPError]:
        """Why the connection ended, when it has."""
        return self._closed_error

    def close(self) -> None:
        """Close the transport and fail every request still waiting."""
        try:
            self.transport.close()
        finally:
            self._transport_closed(
                MCPConnectionError(f"MCP server '{self.server_name}': connection closed")
            )

    # --- outgoing ------------------------------------------------------------------------------

    def request(
        self, method: str, params: Optional[dict[str, Any]] = None, *, timeout: Any = "default"
    ) -> Any:
        """Send a request and block until its result (a dict) arrives.

        Raises `JSONRPCError` for an error reply, `MCPTimeoutError` after `timeout` seconds (the
        session default unless given; None waits forever), `MCPConnectionError` when the
        connection is or gets lost.
        """
        if timeout == "default":
            timeout = self.request_timeout
        if self._closed_error is not None:
            raise self._connection_lost(method)
        request_id = next(self._ids)
        message: Message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        pending = _Pending(method)
        with self._lock:
            self._pending[request_id] = pending
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            try:
                self.transport.send(message, timeout=timeout)
            except MCPTimeoutError:
                pass  # the wait below times out at once and cancels
            except MCPConnectionError:
                if self._closed_error is not None:  # the reader knows why (exit code, stderr)
                    raise self._connection_lost(method) from None
                raise
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            if not pending.done.wait(remaining):
                self._cancel(request_id, method, timeout)
                raise MCPTimeoutError(
                    f"MCP server '{self.server_name}' did not answer {method} within "
                    f"{timeout:g} seconds{self._timeout_hint()}",
                    method=method,
                    timeout_seconds=float(timeout or 0),
                )
        finally:
            with self._lock:
                self._pending.pop(request_id, None)
        if pending.error is not None:
            raise pending.error
        return pending.result

    def notify(self, method: str, params: Optional[dict[str, Any]] = None) -> None:
        """Send a notification (no answer expected)."""
        if self._closed_error is not None:
            raise self._connection_lost(method)
        message: Message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.transport.send(message, timeout=self.request_timeout)

    def _cancel(self, request_id: int, method: str, timeout: Optional[float]) -> None:
        if method == "initialize" or self._closed_error is not None:
            return  # initialize must not be cancelled
        try:
            self.notify(
                "notifications/cancelled",
                {"requestId": request_id, "reason": f"timed out after {timeout:g} seconds"},
            )
        except Exception as exc:  # the timeout is what the caller needs to hear about
            logger.debug("could not send cancellation to %s: %s", self.server_name, exc)

    def _timeout_hint(self) -> str:
        hint = getattr(self.transport, "diagnostics", None)
        text = hint() if callable(hint) else ""
        return f" ({text})" if text else ""

    def _connection_lost(self, method: str) -> MCPConnectionError:
        reason = self._closed_error
        text = reason.message if reason is not None else "connection closed"
        error = MCPConnectionError(f"{text} (while sending {method})")
        error.__cause__ = reason
        return error

    # --- incoming ------------------------------------------------------------------------------

    def _deliver(self, message: Any) -> None:
        """Called by the transport with each parsed incoming message (or batch)."""
        if isinstance(message, list):
            for entry in message:
                self._deliver(entry)
            return
        if not isinstance(message, dict):
            logger.warning("MCP server '%s' sent a non-object message: %r", self.server_name, message)
            return
        if "method" in message:
            if "id" in message and message["id"] is not None:
                self._answer_server_request(message)
            else:
                self._handle_notification(message)
            return
        if "id" in message and ("result" in message or "error" in message):
            self._resolve(message)
            return
        logger.warning("MCP server '%s' sent an unrecognised message: %r", self.server_name, message)

    def _resolve(self, message: Message) -> None:
        request_id = message.get("id")
        with self._lock:
            pending = self._pending.get(request_id)
            if pending is None and isinstance(request_id, str) and request_id.isdigit():
                pending = self._pending.get(int(request_id))
        if pending is None:
            # A late answer to a request that timed out, or an error about a notification.
            logger.debug("MCP server '%s': reply with unknown id %r", self.server_name, request_id)
            return
        if "error" in message:
            error = message.get("error")
            if not isinstance(error, dict):
                error = {"code": INTERNAL_ERROR, "message": str(error)}
            code = error.get("code", INTERNAL_ERROR)
            text = error.get("message", "")
            pending.error = JSONRPCError(
                f"MCP server '{self.server_name}' returned an error for {pending.method}: "
                f"{text} (code {code})",
                code=code if isinstance(code, int) else INTERNAL_ERROR,
                data=error.get("data"),
                method=pending.method,
            )
        else:
            pending.result = message.get("result")
            if not isinstance(pending.result, dict):
                pending.error = MCPProtocolError(
                    f"MCP server '{self.server_name}' returned a non-object result for "
                    f"{pending.method}: {pending.result!r}"
                )
        pending.done.set()

    def _answer_server_request(self, message: Message) -> None:
        method = message.get("method")
        reply: Message = {"jsonrpc": "2.0", "id": message["id"]}
        if method == "ping":
            reply["result"] = {}
        else:
            reply["error"] = {"code": METHOD_NOT_FOUND, "message": f"Method not found: {method}"}
        try:
            self.transport.send(reply, timeout=self.request_timeout)
        except Exception as exc:
            logger.debug("could not answer %s from %s: %s", method, self.server_name, exc)

    def _handle_notification(self, message: Message) -> None:
        if self.on_notification is None:
            return
        try:
            self.on_notification(message)
        except Exception:
            logger.exception("MCP notification handler failed for %s", message.get("method"))

    def _transport_closed(self, error: Exception) -> None:
        """Called once by the transport when the connection ends (or by `close`)."""
        with self._lock:
            if self._closed_error is None:
                if not isinstance(error, MCPError):
                    wrapped = MCPConnectionError(f"MCP server '{self.server_name}': {error}")
                    wrapped.__cause__ = error
                    error = wrapped
                assert isinstance(error, MCPError)
                self._closed_error = error
            waiting = list(self._pending.values())
        for pending in waiting:
            if not pending.done.is_set():
                pending.error = self._connection_lost(pending.method)
                pending.done.set()

    def fail_request(self, request_id: Any, error: BaseException) -> None:
        """Fail one waiting request (a transport whose reply stream ended without the answer)."""
        with self._lock:
            pending = self._pending.get(request_id)
        if pending is not None and not pending.done.is_set():
            pending.error = error
            pending.done.set()


def initialize(
    session: JSONRPCSession,
    *,
    protocol_version: str = LATEST_PROTOCOL_VERSION,
    client_name: str = "agents_lite",
    on_negotiated: Optional[Callable[[InitializeResult], None]] = None,
) -> InitializeResult:
    """Run the MCP handshake: `initialize`, check the version, send `notifications/initialized`.

    `on_negotiated(result)` runs before the notification (HTTP transports start sending the
    version header there). Raises `MCPProtocolError` when the server picks a revision this
    client does not know.
    """
    result = session.request(
        "initialize",
        {
            "protocolVersion": protocol_version,
            "capabilities": {},
            "clientInfo": {"name": client_name, "version": __version__},
        },
    )
    answer = InitializeResult(result)
    version = answer.get("protocolVersion")
    if version not in SUPPORTED_PROTOCOL_VERSIONS:
        raise MCPProtocolError(
            f"MCP server '{session.server_name}' chose protocol version {version!r}, which this "
            f"client does not support (supported: {', '.join(SUPPORTED_PROTOCOL_VERSIONS)})"
        )
    if on_negotiated is not None:
        on_negotiated(answer)
    session.notify("notifications/initialized")
    return answer
