"""MCP tools as agent tools: tool filters, the conversion to `FunctionTool`, result mapping."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional, TypedDict, Union

from ..exceptions import AgentsException, ModelBehaviorError, UserError
from ..tool import FunctionTool, ToolErrorFunction, default_tool_error_function

if TYPE_CHECKING:
    from ..run_context import RunContextWrapper, ToolContext
    from .server import MCPServer
    from .types import CallToolResult, MCPTool

logger = logging.getLogger("agents_lite.mcp")


@dataclass
class ToolFilterContext:
    """What a callable tool filter is given besides the tool."""

    run_context: RunContextWrapper[Any]
    """The current run's context."""
    agent: Any
    """The agent asking for the tool list."""
    server_name: str
    """The name of the MCP server."""


ToolFilterCallable = Callable[[ToolFilterContext, Any], Any]
"""`(context, tool) -> bool` (or an awaitable of bool): whether to offer the tool."""


class ToolFilterStatic(TypedDict, total=False):
    """Allow- and block-lists of tool names."""

    allowed_tool_names: list[str]
    """Only these tools are offered (when given)."""
    blocked_tool_names: list[str]
    """These tools are never offered."""


ToolFilter = Union[ToolFilterCallable, ToolFilterStatic, None]
"""A static filter (`create_static_tool_filter`), a callable, or None."""


def create_static_tool_filter(
    allowed_tool_names: Optional[list[str]] = None,
    blocked_tool_names: Optional[list[str]] = None,
) -> Optional[ToolFilterStatic]:
    """A static tool filter from an allow-list and/or a block-list (None when both are None).

    >>> create_static_tool_filter(allowed_tool_names=["read_file"])
    {'allowed_tool_names': ['read_file']}
    """
    if allowed_tool_names is None and blocked_tool_names is None:
        return None
    result: ToolFilterStatic = {}
    if allowed_tool_names is not None:
        result["allowed_tool_names"] = list(allowed_tool_names)
    if blocked_tool_names is not None:
        result["blocked_tool_names"] = list(blocked_tool_names)
    return result


# --- result mapping ------------------------------------------------------------------------------


def call_result_to_tool_output(result: CallToolResult, *, use_structured_content: bool = False) -> Any:
    """What the model sees for an MCP tool result.

    With `use_structured_content` and `structuredContent` present (and no error flag), the JSON
    text of it. Otherwise each content block becomes a tool output part: text as
    `{"type": "text"}`, images as `{"type": "image"}` with a data URL, anything else (audio,
    resources, resource links) as its JSON in a text part. One block gives one part, several a
    list. An `isError` result is passed on the same way: the model reads the error text.
    """
    structured = result.get("structuredContent")
    if use_structured_content and structured is not None and not result.get("isError"):
        return json.dumps(structured)
    parts: list[dict[str, Any]] = []
    for block in result.get("content") or []:
        parts.append(_content_part(block))
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return ""
    return parts


def _content_part(block: Any) -> dict[str, Any]:
    if isinstance(block, dict):
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            return {"type": "text", "text": block["text"]}
        if kind == "image" and isinstance(block.get("data"), str):
            mime = block.get("mimeType") or block.get("mime_type") or "image/png"
            return {"type": "image", "image_url": f"data:{mime};base64,{block['data']}"}
    return {"type": "text", "text": json.dumps(block, ensure_ascii=False)}


# --- conversion to function tools ----------------------------------------------------------------

_SCHEMA_CHECKS: dict[str, Optional[str]] = {}
_MAX_NAME = 64


def _schema_problem(schema: Any) -> Optional[str]:
    """None if `schema` can describe tool arguments, else why not (results are memoised)."""
    if not isinstance(schema, dict):
        return f"inputSchema is a {type(schema).__name__}, not an object"
    if schema.get("type", "object") != "object":
        return f"inputSchema must describe an object, not {schema.get('type')!r}"
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError) as exc:
        return f"inputSchema is not JSON: {exc}"
    if key not in _SCHEMA_CHECKS:
        from ..schema_validation import check_schema

        if len(_SCHEMA_CHECKS) > 4096:
            _SCHEMA_CHECKS.clear()
        _SCHEMA_CHECKS[key] = check_schema(schema)
    return _SCHEMA_CHECKS[key]


def _safe_name_part(value: str, fallback: str) -> str:
    text = "".join(c if c.isascii() and (c.isalnum() or c in "_-") else "_" for c in value)
    return text.strip("_-") or fallback


def prefixed_tool_name(server_name: str, tool_name: str) -> str:
    """The public name of a tool with `include_server_in_tool_names`: `mcp_<server>__<tool>`,
    shortened with a hash suffix to fit the 64-character limit of tool names."""
    base = f"mcp_{_safe_name_part(server_name, 'server')}__{_safe_name_part(tool_name, 'tool')}"
    if len(base) <= _MAX_NAME:
        return base
    digest = hashlib.sha1(f"{server_name}\0{tool_name}".encode()).hexdigest()[:8]
    return f"{base[: _MAX_NAME - 9].rstrip('_-')}_{digest}"


def _parse_arguments(tool_name: str, raw: str) -> dict[str, Any]:
    try:
        data = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise ModelBehaviorError(f"Invalid JSON input for tool {tool_name}: {raw}") from exc
    if not isinstance(data, dict):
        raise ModelBehaviorError(f"Invalid JSON input for tool {tool_name}: expected a JSON object")
    return data


def invoke_mcp_tool(
    server: MCPServer,
    tool: MCPTool,
    context: Any,
    input_json: str,
    *,
    meta: Optional[dict[str, Any]] = None,
    tool_display_name: Optional[str] = None,
) -> Any:
    """Call an MCP tool with the model's JSON arguments and map the result for the model.

    Invalid JSON raises `ModelBehaviorError`; MCP failures (JSON-RPC errors, timeouts, lost
    connections) raise `MCPError`s; anything else is wrapped in an `AgentsException` naming the
    tool and server.
    """
    display = tool_display_name or tool["name"]
    arguments = _parse_arguments(display, input_json)
    try:
        result = server.call_tool(tool["name"], arguments, meta=meta)
    except (AgentsException, UserError):
        raise
    except Exception as exc:
        raise AgentsException(
            f"Error invoking MCP tool {display} on server '{server.name}': {exc}"
        ) from exc
    if result.get("isError"):
        logger.debug("MCP tool %s on %r reported an error", display, server.name)
    return call_result_to_tool_output(result, use_structured_content=server.use_structured_content)


def to_function_tool(
    tool: MCPTool,
    server: MCPServer,
    convert_schemas_to_strict: bool,
    agent: Any = None,
    failure_error_function: Optional[ToolErrorFunction] = default_tool_error_function,
    tool_name_override: Optional[str] = None,
) -> FunctionTool:
    """One MCP tool as a `FunctionTool` that calls the server.

    The parameters are a copy of the tool's `inputSchema` (with `properties: {}` added when
    missing). With `convert_schemas_to_strict`, a strict copy is used when one can be made;
    otherwise the tool stays non-strict. Errors while calling go through the failure error
    function (by default an error text for the model; `None` raises).
    """
    name = tool_name_override or tool["name"]
    schema = copy.deepcopy(tool.get("inputSchema") or {})
    if "properties" not in schema:
        schema["properties"] = {}
    strict = False
    if convert_schemas_to_strict:
        from ..strict_schema import try_make_strict

        schema, strict = try_make_strict(schema)
        if not strict:
            logger.info("MCP tool %s of %r keeps a non-strict schema", name, server.name)
    on_error = server._get_failure_error_function(failure_error_function)

    def invoke(ctx: ToolContext[Any], arguments: str) -> Any:
        try:
            return invoke_mcp_tool(server, tool, ctx, arguments, tool_display_name=name)
        except Exception as exc:
            if on_error is None:
                raise
            logger.warning("MCP tool %s on server %r failed: %s", name, server.name, exc)
            return on_error(ctx, exc)

    return FunctionTool(
        name=name,
        description=tool.get("description") or "",
        params_json_schema=schema,
        on_invoke_tool=invoke,
        strict_json_schema=strict,
        needs_approval=server._get_needs_approval_for_tool(tool, agent),
        failure_error_function=on_error,
    )


def _usable_tools(server: MCPServer, tools: list[MCPTool]) -> list[MCPTool]:
    """The tools whose input schema is a valid JSON schema; others are skipped with a warning."""
    usable = []
    for tool in tools:
        problem = _schema_problem(tool.get("inputSchema", {}))
        if problem is not None:
            logger.warning(
                "Skipping MCP tool %r of server %r: its inputSchema is not a valid JSON schema (%s)",
                tool.get("name"), server.name, problem,
            )
            continue
        usable.append(tool)
    counts = Counter(t["name"] for t in usable)
    duplicates = sorted(name for name, count in counts.items() if count > 1)
    if duplicates:
        raise UserError(
            f"Duplicate tool names found on MCP server '{server.name}': {', '.join(duplicates)}"
        )
    return usable


def _list_tools_traced(server: MCPServer, run_context: Any, agent: Any) -> list[MCPTool]:
    try:
        from ..tracing import mcp_tools_span
    except ImportError:  # tracing not available in this build
        return server.list_tools(run_context, agent)
    with mcp_tools_span(server=server.name) as span:
        tools = server.list_tools(run_context, agent)
        span.span_data.result = [t["name"] for t in tools]
        return tools


def get_function_tools(
    server: MCPServer,
    convert_schemas_to_strict: bool,
    run_context: Any,
    agent: Any,
    failure_error_function: Optional[ToolErrorFunction] = default_tool_error_function,
    include_server_in_tool_names: bool = False,
) -> list[FunctionTool]:
    """The tools of one server as function tools."""
    tools = _usable_tools(server, _list_tools_traced(server, run_context, agent))
    return [
        to_function_tool(
            tool,
            server,
            convert_schemas_to_strict,
            agent,
            failure_error_function=failure_error_function,
            tool_name_override=(
                prefixed_tool_name(server.name, tool["name"]) if include_server_in_tool_names else None
            ),
        )
        for tool in tools
    ]


def get_all_function_tools(
    servers: list[MCPServer],
    *,
    convert_schemas_to_strict: bool = False,
    include_server_in_tool_names: bool = False,
    run_context: Any = None,
    agent: Any = None,
    failure_error_function: Optional[ToolErrorFunction] = default_tool_error_function,
) -> list[FunctionTool]:
    """The tools of every server as function tools, in server order.

    Raises `UserError` when two servers offer a tool of the same name (with the option that
    avoids it) or one server lists a name twice.
    """
    tools: list[FunctionTool] = []
    owner: dict[str, str] = {}
    for server in servers:
        for tool in get_function_tools(
            server,
            convert_schemas_to_strict,
            run_context,
            agent,
            failure_error_function=failure_error_function,
            include_server_in_tool_names=include_server_in_tool_names,
        ):
            if tool.name in owner:
                raise UserError(
                    f"Duplicate tool names found across MCP servers: {tool.name!r} is offered by "
                    f"both '{owner[tool.name]}' and '{server.name}'. Prefix tool names with their "
                    "server's name with Agent(mcp_config={\"include_server_in_tool_names\": True}), "
                    "or filter one of them out with tool_filter."
                )
            owner[tool.name] = server.name
            tools.append(tool)
    return tools


class MCPUtil:
    """The conversion helpers under the reference's class name and argument order."""

    @staticmethod
    def get_all_function_tools(
        servers: list[MCPServer],
        convert_schemas_to_strict: bool = False,
        run_context: Any = None,
        agent: Any = None,
        failure_error_function: Optional[ToolErrorFunction] = default_tool_error_function,
        include_server_in_tool_names: bool = False,
    ) -> list[FunctionTool]:
        """See `get_all_function_tools` (module function)."""
        return get_all_function_tools(
            servers,
            convert_schemas_to_strict=convert_schemas_to_strict,
            include_server_in_tool_names=include_server_in_tool_names,
            run_context=run_context,
            agent=agent,
            failure_error_function=failure_error_function,
        )

    get_function_tools = staticmethod(get_function_tools)
    to_function_tool = staticmethod(to_function_tool)
    invoke_mcp_tool = staticmethod(invoke_mcp_tool)
