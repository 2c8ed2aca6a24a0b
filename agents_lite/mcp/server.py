"""MCP server connections: `MCPServerStdio`, `MCPServerSse`, `MCPServerStreamableHttp`.

Each is a blocking client for one MCP server: `connect()` (or `with server:`) starts the transport
and runs the handshake; `list_tools()`, `call_tool()`, prompts and resources are plain method
calls. A connected server is thread-safe (runs in several threads may call tools at the same
time) and stays connected across any number of runs until `cleanup()`.
"""

from __future__ import annotations

import abc
import json
import logging
import threading
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, TypedDict

from ..exceptions import UserError
from ..tool import ToolErrorFunction, _run_maybe_async
from .approval import RequireApprovalSetting, normalize_require_approval
from .errors import (
    JSONRPCError,
    MCPConnectionError,
    MCPProtocolError,
    MCPSessionExpiredError,
    MCPTimeoutError,
)
from .jsonrpc import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    JSONRPCSession,
    Transport,
    initialize,
)
from .types import (
    CallToolResult,
    GetPromptResult,
    InitializeResult,
    ListPromptsResult,
    ListResourcesResult,
    ListResourceTemplatesResult,
    MCPTool,
    ReadResourceResult,
)
from .util import ToolFilter, ToolFilterContext

if TYPE_CHECKING:
    from ..run_context import RunContextWrapper

logger = logging.getLogger("agents_lite.mcp")

_MAX_PAGES = 10_000


MessageHandler = Callable[[dict[str, Any]], Any]
"""Called (in a reader thread) with each notification the server sends, as a dict."""

_UNSET: Any = object()


def _seconds(value: Any, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


class MCPServer(abc.ABC):
    """Base class of MCP servers an agent can use (`Agent(mcp_servers=[...])`)."""

    def __init__(
        self,
        use_structured_content: bool = False,
        require_approval: RequireApprovalSetting = None,
        failure_error_function: Optional[ToolErrorFunction] = _UNSET,
    ) -> None:
        self.use_structured_content = use_structured_content
        """Send `structuredContent` (as JSON text) to the model instead of `content`, when given."""
        self._needs_approval_policy = normalize_require_approval(require_approval)
        self._failure_error_function = failure_error_function

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """A readable name for the server."""

    @abc.abstractmethod
    def connect(self) -> None:
        """Connect (start the process or open the connection) and run the handshake."""

    @abc.abstractmethod
    def cleanup(self) -> None:
        """Disconnect and release everything; safe to call more than once."""

    @abc.abstractmethod
    def list_tools(
        self, run_context: Optional[RunContextWrapper[Any]] = None, agent: Any = None
    ) -> list[MCPTool]:
        """The server's tools, after the tool filter."""

    @abc.abstractmethod
    def call_tool(
        self, tool_name: str, arguments: Optional[dict[str, Any]], meta: Optional[dict[str, Any]] = None
    ) -> CallToolResult:
        """Call a tool."""

    @abc.abstractmethod
    def list_prompts(self) -> ListPromptsResult:
        """The server's prompts."""

    @abc.abstractmethod
    def get_prompt(self, name: str, arguments: Optional[dict[str, Any]] = None) -> GetPromptResult:
        """Render a prompt."""

    def list_resources(self, cursor: Optional[str] = None) -> ListResourcesResult:
        """The server's resources."""
        raise UserError(f"MCP server {self.name!r} does not support resources")

    def list_resource_templates(self, cursor: Optional[str] = None) -> ListResourceTemplatesResult:
        """The server's resource templates."""
        raise UserError(f"MCP server {self.name!r} does not support resource templates")

    def read_resource(self, uri: Any) -> ReadResourceResult:
        """Read a resource."""
        raise UserError(f"MCP server {self.name!r} does not support resources")

    def invalidate_tools_cache(self) -> None:  # noqa: B027 - optional for subclasses
        """Forget the cached tool list (no-op for servers without a cache)."""

    def __enter__(self) -> MCPServer:
        self.connect()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.cleanup()

    # --- used when turning tools into function tools -------------------------------------------

    def _get_needs_approval_for_tool(self, tool: MCPTool, agent: Any) -> Any:
        """The `FunctionTool.needs_approval` value for one of this server's tools."""
        policy = self._needs_approval_policy
        if callable(policy):

            def needs_approval(run_context: Any, _params: dict[str, Any], _call_id: str) -> bool:
                return bool(_run_maybe_async(policy, run_context, agent, tool))

            return needs_approval
        if isinstance(policy, dict):
            return bool(policy.get(tool.get("name"), False))
        return bool(policy)

    def _get_failure_error_function(
        self, default: Optional[ToolErrorFunction]
    ) -> Optional[ToolErrorFunction]:
        """The server's own `failure_error_function` if one was given, else `default`."""
        if self._failure_error_function is _UNSET:
            return default
        return self._failure_error_function  # type: ignore[no-any-return]


def _retryable(error: BaseException) -> bool:
    if isinstance(error, JSONRPCError):
        # Malformed requests, unknown methods and bad parameters fail the same way every time.
        return error.code not in (PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS)
    return isinstance(error, (MCPConnectionError, MCPTimeoutError))


class _MCPServerWithClientSession(MCPServer):
    """The shared implementation: a `JSONRPCSession` over a transport made by `create_transport`."""

    def __init__(
        self,
        cache_tools_list: bool = False,
        client_session_timeout_seconds: Optional[float] = 5,
        tool_filter: ToolFilter = None,
        use_structured_content: bool = False,
        max_retry_attempts: int = 0,
        retry_backoff_seconds_base: float = 1.0,
        message_handler: Optional[MessageHandler] = None,
        require_approval: RequireApprovalSetting = None,
        failure_error_function: Optional[ToolErrorFunction] = _UNSET,
    ) -> None:
        super().__init__(
            use_structured_content=use_structured_content,
            require_approval=require_approval,
            failure_error_function=failure_error_function,
        )
        if tool_filter is not None and not (isinstance(tool_filter, dict) or callable(tool_filter)):
            raise UserError("tool_filter must be a dict (create_static_tool_filter) or a callable")
        if max_retry_attempts < -1:
            raise UserError("max_retry_attempts must be -1 (unlimited), 0 or more")
        self.cache_tools_list = cache_tools_list
        """Fetch the tool list once and reuse it until `invalidate_tools_cache()`."""
        self.client_session_timeout_seconds = client_session_timeout_seconds
        """Seconds to wait for each answer from the server (None: forever)."""
        self.tool_filter = tool_filter
        self.max_retry_attempts = max_retry_attempts
        """Retries of `list_tools`/`call_tool` after a connection error or timeout (-1: forever)."""
        self.retry_backoff_seconds_base = retry_backoff_seconds_base
        self.message_handler = message_handler
        self.server_initialize_result: Optional[InitializeResult] = None
        """The server's answer to `initialize` (protocol version, capabilities, server info)."""
        self.session: Optional[JSONRPCSession] = None
        """The live JSON-RPC session (None before `connect()` and after `cleanup()`)."""
        self._conn_lock = threading.RLock()
        self._connecting: Optional[JSONRPCSession] = None
        self._generation = 0
        self._cache_generation = 0
        self._tools_cache: Optional[tuple[int, list[MCPTool]]] = None

    @abc.abstractmethod
    def create_transport(self) -> Transport:
        """A new, unstarted transport to the server."""

    def _on_negotiated(self, transport: Transport, result: InitializeResult) -> None:
        """Hook run once the version is agreed, before `notifications/initialized`."""

    def _after_handshake(self, transport: Transport, result: InitializeResult) -> None:
        """Hook run after the handshake completed."""

    def _handshake(self, session: JSONRPCSession) -> InitializeResult:
        transport = session.transport
        result = initialize(session, on_negotiated=lambda r: self._on_negotiated(transport, r))
        self._after_handshake(transport, result)
        return result

    # --- connection ----------------------------------------------------------------------------

    def connect(self) -> None:
        """Start the transport and run the MCP handshake. Does nothing when already connected."""
        with self._conn_lock:
            if self.session is not None and not self.session.closed:
                return
            self._open()

    def _open(self) -> None:
        transport = self.create_transport()
        session = JSONRPCSession(
            transport,
            server_name=self.name,
            request_timeout=self.client_session_timeout_seconds,
            on_notification=self._on_notification,
        )
        self._connecting = session
        try:
            session.start()
            result = self._handshake(session)
        except BaseException as exc:
            logger.error("Error initializing MCP server %r: %s", self.name, exc)
            try:
                session.close()
            except Exception:
                pass
            raise
        finally:
            self._connecting = None
        self.server_initialize_result = result
        self.session = session
        self._generation += 1
        self.invalidate_tools_cache()

    def cleanup(self) -> None:
        """Disconnect: stop the process / end the HTTP session. Idempotent. Also aborts a
        `connect()` in progress in another thread."""
        connecting = self._connecting
        if connecting is not None:
            try:
                connecting.close()
            except Exception as exc:
                logger.debug("closing a half-open MCP connection failed: %s", exc)
        with self._conn_lock:
            session, self.session = self.session, None
        if session is not None:
            try:
                session.close()
            except Exception as exc:
                logger.error("Error cleaning up MCP server %r: %s", self.name, exc)

    def _live_session(self) -> JSONRPCSession:
        session = self.session
        if session is None:
            raise UserError(f"MCP server {self.name!r} is not connected. Call `connect()` first.")
        return session

    def _request(self, method: str, params: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        session = self._live_session()
        generation = self._generation
        try:
            return session.request(method, params)  # type: ignore[no-any-return]
        except MCPSessionExpiredError:
            self._renew_session(session, generation)
            return self._live_session().request(method, params)  # type: ignore[no-any-return]

    def _renew_session(self, session: JSONRPCSession, generation: int) -> None:
        """Run the handshake again after the server forgot our session (once per expiry)."""
        with self._conn_lock:
            if self._generation != generation or self.session is not session:
                return  # another thread already renewed it
            logger.info("MCP server %r lost our session; initialising a new one", self.name)
            reset = getattr(session.transport, "reset_session", None)
            if callable(reset):
                reset()
            result = self._handshake(session)
            self.server_initialize_result = result
            self._generation += 1
            self.invalidate_tools_cache()

    def _with_retries(self, func: Callable[[], Any]) -> Any:
        attempt = 0
        while True:
            try:
                return func()
            except Exception as exc:
                if not _retryable(exc) or (
                    self.max_retry_attempts != -1 and attempt >= self.max_retry_attempts
                ):
                    raise
                attempt += 1
                delay = self.retry_backoff_seconds_base * (2 ** (attempt - 1))
                logger.info(
                    "MCP server %r: %s; retry %d in %.1fs", self.name, exc, attempt, delay
                )
                time.sleep(delay)
                self._reconnect_if_lost()

    def _reconnect_if_lost(self) -> None:
        with self._conn_lock:
            session = self.session
            if session is not None and session.closed:
                logger.info("MCP server %r: connection lost, reconnecting", self.name)
                self.session = None
                self._open()

    def _on_notification(self, message: dict[str, Any]) -> None:
        if message.get("method") == "notifications/tools/list_changed":
            self.invalidate_tools_cache()
        if self.message_handler is not None:
            _run_maybe_async(self.message_handler, message)

    # --- tools ---------------------------------------------------------------------------------

    def invalidate_tools_cache(self) -> None:
        """Make the next `list_tools()` fetch the list from the server again."""
        self._cache_generation += 1

    def list_tools(
        self, run_context: Optional[RunContextWrapper[Any]] = None, agent: Any = None
    ) -> list[MCPTool]:
        """The server's tools (every page), from the cache when `cache_tools_list` is set, then
        filtered by `tool_filter` (a callable filter needs `run_context` and `agent`)."""
        self._live_session()
        generation = self._cache_generation
        cached = self._tools_cache
        if self.cache_tools_list and cached is not None and cached[0] == generation:
            tools = cached[1]
        else:
            tools = self._with_retries(self._fetch_tools)
            self._tools_cache = (generation, tools)
        if self.tool_filter is None:
            return list(tools)
        return self._apply_tool_filter(tools, run_context, agent)

    def _fetch_tools(self) -> list[MCPTool]:
        tools: list[MCPTool] = []
        for page in self._pages("tools/list", "tools"):
            for entry in page:
                if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                    logger.warning("MCP server %r listed a tool without a name: %.200r", self.name, entry)
                    continue
                tools.append(MCPTool(entry))
        return tools

    def _pages(self, method: str, key: str, cursor: Optional[str] = None, all_pages: bool = True) -> Any:
        """Yield the `key` list of each page of a paginated list method."""
        seen: set[str] = set()
        for _ in range(_MAX_PAGES):
            result = self._request(method, {"cursor": cursor} if cursor else None)
            entries = result.get(key) or []
            if not isinstance(entries, list):
                raise MCPProtocolError(f"MCP server {self.name!r}: {method} returned a non-list {key!r}")
            yield entries
            next_cursor = result.get("nextCursor")
            if not all_pages or not next_cursor:
                return
            if not isinstance(next_cursor, str) or next_cursor in seen:
                raise MCPProtocolError(
                    f"MCP server {self.name!r} repeated the pagination cursor {next_cursor!r} "
                    f"in {method}"
                )
            seen.add(next_cursor)
            cursor = next_cursor
        raise MCPProtocolError(f"MCP server {self.name!r}: {method} has more than {_MAX_PAGES} pages")

    def _apply_tool_filter(
        self, tools: list[MCPTool], run_context: Optional[RunContextWrapper[Any]], agent: Any
    ) -> list[MCPTool]:
        tool_filter = self.tool_filter
        if isinstance(tool_filter, dict):
            allowed = tool_filter.get("allowed_tool_names")
            blocked = tool_filter.get("blocked_tool_names")
            result = tools
            if allowed is not None:
                result = [t for t in result if t["name"] in allowed]
            if blocked is not None:
                result = [t for t in result if t["name"] not in blocked]
            return list(result)
        if run_context is None or agent is None:
            raise UserError("run_context and agent are required for dynamic tool filtering")
        assert callable(tool_filter)
        context = ToolFilterContext(run_context=run_context, agent=agent, server_name=self.name)
        kept = []
        for tool in tools:
            try:
                if _run_maybe_async(tool_filter, context, tool):
                    kept.append(tool)
            except Exception as exc:  # a broken filter hides the tool rather than exposing it
                logger.error(
                    "Error applying tool filter to tool %r on server %r: %s", tool["name"], self.name, exc
                )
        return kept

    def call_tool(
        self, tool_name: str, arguments: Optional[dict[str, Any]], meta: Optional[dict[str, Any]] = None
    ) -> CallToolResult:
        """Call a tool and return its result (`content`, `structured_content`, `is_error`)."""
        params: dict[str, Any] = {"name": tool_name, "arguments": arguments or {}}
        if meta is not None:
            params["_meta"] = meta
        self._live_session()
        return CallToolResult(self._with_retries(lambda: self._request("tools/call", params)))

    # --- prompts and resources -----------------------------------------------------------------

    def _list(self, method: str, key: str, cursor: Optional[str]) -> dict[str, Any]:
        """One page when `cursor` is given, else every page merged."""
        entries: list[Any] = []
        for page in self._pages(method, key, cursor, all_pages=cursor is None):
            entries.extend(page)
        return {key: entries}

    def list_prompts(self, cursor: Optional[str] = None) -> ListPromptsResult:
        """The server's prompts (every page unless a `cursor` asks for one)."""
        if cursor is not None:
            return ListPromptsResult(self._request("prompts/list", {"cursor": cursor}))
        return ListPromptsResult(self._list("prompts/list", "prompts", None))

    def get_prompt(self, name: str, arguments: Optional[dict[str, Any]] = None) -> GetPromptResult:
        """Render a prompt; argument values that are not strings are sent as JSON text."""
        params: dict[str, Any] = {"name": name}
        if arguments:
            params["arguments"] = {
                k: v if isinstance(v, str) else json.dumps(v) for k, v in arguments.items()
            }
        return GetPromptResult(self._request("prompts/get", params))

    def list_resources(self, cursor: Optional[str] = None) -> ListResourcesResult:
        """The server's resources (every page unless a `cursor` asks for one)."""
        if cursor is not None:
            return ListResourcesResult(self._request("resources/list", {"cursor": cursor}))
        return ListResourcesResult(self._list("resources/list", "resources", None))

    def list_resource_templates(self, cursor: Optional[str] = None) -> ListResourceTemplatesResult:
        """The server's resource templates (every page unless a `cursor` asks for one)."""
        if cursor is not None:
            return ListResourceTemplatesResult(
                self._request("resources/templates/list", {"cursor": cursor})
            )
        return ListResourceTemplatesResult(
            self._list("resources/templates/list", "resourceTemplates", None)
        )

    def read_resource(self, uri: Any) -> ReadResourceResult:
        """Read a resource by URI."""
        return ReadResourceResult(self._request("resources/read", {"uri": str(uri)}))


# --- stdio ---------------------------------------------------------------------------------------


class _StdioRequired(TypedDict):
    command: str


class MCPServerStdioParams(_StdioRequired, total=False):
    """How to start a stdio server: `command`, `args`, `env`, `cwd`, `encoding`,
    `encoding_error_handler`."""

    args: list[str]
    env: dict[str, str]
    """Extra environment variables. The server always gets only a minimal environment (PATH,
    HOME, ...) plus these; nothing else of this process leaks into it."""
    cwd: Any
    encoding: str
    encoding_error_handler: Literal["strict", "ignore", "replace"]


class MCPServerStdio(_MCPServerWithClientSession):
    """An MCP server run as a subprocess, spoken to over stdin/stdout.

    >>> server = MCPServerStdio({"command": "npx", "args": ["-y", "some-mcp-server"]})
    >>> server.name
    'stdio: npx'
    """

    def __init__(
        self,
        params: MCPServerStdioParams,
        cache_tools_list: bool = False,
        name: Optional[str] = None,
        client_session_timeout_seconds: Optional[float] = 5,
        tool_filter: ToolFilter = None,
        use_structured_content: bool = False,
        max_retry_attempts: int = 0,
        retry_backoff_seconds_base: float = 1.0,
        message_handler: Optional[MessageHandler] = None,
        require_approval: RequireApprovalSetting = None,
        failure_error_function: Optional[ToolErrorFunction] = _UNSET,
    ) -> None:
        super().__init__(
            cache_tools_list=cache_tools_list,
            client_session_timeout_seconds=client_session_timeout_seconds,
            tool_filter=tool_filter,
            use_structured_content=use_structured_content,
            max_retry_attempts=max_retry_attempts,
            retry_backoff_seconds_base=retry_backoff_seconds_base,
            message_handler=message_handler,
            require_approval=require_approval,
            failure_error_function=failure_error_function,
        )
        if not isinstance(params, dict) or not params.get("command"):
            raise UserError("MCPServerStdio needs params={'command': ..., 'args': [...]}")
        self.params = params
        self._name = name or f"stdio: {params['command']}"
        self._transport: Any = None

    @property
    def name(self) -> str:
        """The server's name (default `stdio: <command>`)."""
        return self._name

    def create_transport(self) -> Transport:
        """A `StdioTransport` for `params`."""
        from .stdio import StdioTransport

        params = self.params
        self._transport = StdioTransport(
            params["command"],
            list(params.get("args") or []),
            env=params.get("env"),
            cwd=params.get("cwd"),
            encoding=params.get("encoding", "utf-8"),
            encoding_error_handler=params.get("encoding_error_handler", "strict"),
        )
        return self._transport  # type: ignore[no-any-return]

    @property
    def stderr_lines(self) -> list[str]:
        """The last lines the server process wrote to stderr."""
        return list(self._transport.stderr_lines) if self._transport is not None else []

    @property
    def process(self) -> Any:
        """The server's `subprocess.Popen` (None before `connect()`)."""
        return self._transport.process if self._transport is not None else None


# --- HTTP ----------------------------------------------------------------------------------------


class _UrlRequired(TypedDict):
    url: str


class MCPServerSseParams(_UrlRequired, total=False):
    """`url` of the event stream, `headers`, `timeout` (HTTP, default 5 s), `sse_read_timeout`
    (idle stream, default 300 s)."""

    headers: dict[str, str]
    timeout: Any
    sse_read_timeout: Any


class MCPServerSse(_MCPServerWithClientSession):
    """An MCP server over the legacy HTTP+SSE transport (GET event stream + POSTed messages)."""

    def __init__(
        self,
        params: MCPServerSseParams,
        cache_tools_list: bool = False,
        name: Optional[str] = None,
        client_session_timeout_seconds: Optional[float] = 5,
        tool_filter: ToolFilter = None,
        use_structured_content: bool = False,
        max_retry_attempts: int = 0,
        retry_backoff_seconds_base: float = 1.0,
        message_handler: Optional[MessageHandler] = None,
        require_approval: RequireApprovalSetting = None,
        failure_error_function: Optional[ToolErrorFunction] = _UNSET,
    ) -> None:
        super().__init__(
            cache_tools_list=cache_tools_list,
            client_session_timeout_seconds=client_session_timeout_seconds,
            tool_filter=tool_filter,
            use_structured_content=use_structured_content,
            max_retry_attempts=max_retry_attempts,
            retry_backoff_seconds_base=retry_backoff_seconds_base,
            message_handler=message_handler,
            require_approval=require_approval,
            failure_error_function=failure_error_function,
        )
        if not isinstance(params, dict) or not params.get("url"):
            raise UserError("MCPServerSse needs params={'url': ...}")
        self.params = params
        self._name = name or f"sse: {params['url']}"

    @property
    def name(self) -> str:
        """The server's name (default `sse: <url>`)."""
        return self._name

    def create_transport(self) -> Transport:
        """An `SSETransport` for `params`."""
        from .sse_transport import SSETransport

        params = self.params
        return SSETransport(
            params["url"],
            headers=params.get("headers"),
            timeout=_seconds(params.get("timeout"), 5.0),
            sse_read_timeout=_seconds(params.get("sse_read_timeout"), 300.0),
        )


class MCPServerStreamableHttpParams(_UrlRequired, total=False):
    """`url` of the endpoint, `headers`, `timeout` (HTTP, default 5 s), `sse_read_timeout`
    (default 300 s), `terminate_on_close` (DELETE the session, default True),
    `open_server_stream` (also listen on a GET stream for server-initiated messages, default
    False)."""

    headers: dict[str, str]
    timeout: Any
    sse_read_timeout: Any
    terminate_on_close: bool
    open_server_stream: bool


class MCPServerStreamableHttp(_MCPServerWithClientSession):
    """An MCP server over Streamable HTTP (one endpoint, JSON or SSE replies, session ids)."""

    def __init__(
        self,
        params: MCPServerStreamableHttpParams,
        cache_tools_list: bool = False,
        name: Optional[str] = None,
        client_session_timeout_seconds: Optional[float] = 5,
        tool_filter: ToolFilter = None,
        use_structured_content: bool = False,
        max_retry_attempts: int = 0,
        retry_backoff_seconds_base: float = 1.0,
        message_handler: Optional[MessageHandler] = None,
        require_approval: RequireApprovalSetting = None,
        failure_error_function: Optional[ToolErrorFunction] = _UNSET,
    ) -> None:
        super().__init__(
            cache_tools_list=cache_tools_list,
            client_session_timeout_seconds=client_session_timeout_seconds,
            tool_filter=tool_filter,
            use_structured_content=use_structured_content,
            max_retry_attempts=max_retry_attempts,
            retry_backoff_seconds_base=retry_backoff_seconds_base,
            message_handler=message_handler,
            require_approval=require_approval,
            failure_error_function=failure_error_function,
        )
        if not isinstance(params, dict) or not params.get("url"):
            raise UserError("MCPServerStreamableHttp needs params={'url': ...}")
        self.params = params
        self._name = name or f"streamable_http: {params['url']}"

    @property
    def name(self) -> str:
        """The server's name (default `streamable_http: <url>`)."""
        return self._name

    def create_transport(self) -> Transport:
        """A `StreamableHTTPTransport` for `params`."""
        from .streamable_http import StreamableHTTPTransport

        params = self.params
        return StreamableHTTPTransport(
            params["url"],
            headers=params.get("headers"),
            timeout=_seconds(params.get("timeout"), 5.0),
            sse_read_timeout=_seconds(params.get("sse_read_timeout"), 300.0),
            terminate_on_close=params.get("terminate_on_close", True),
            open_server_stream=params.get("open_server_stream", False),
        )

    def _on_negotiated(self, transport: Transport, result: InitializeResult) -> None:
        transport.protocol_version = result.get("protocolVersion")  # type: ignore[attr-defined]

    def _after_handshake(self, transport: Transport, result: InitializeResult) -> None:
        transport.open_get_stream()  # type: ignore[attr-defined]

    @property
    def session_id(self) -> Optional[str]:
        """The `Mcp-Session-Id` of the current session, if the server uses sessions."""
        session = self.session
        return getattr(session.transport, "session_id", None) if session is not None else None
