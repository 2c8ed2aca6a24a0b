"""MCP results as plain dicts that also allow attribute access.

Results stay the JSON objects the server sent (so they serialise, compare and print as JSON),
and code written for the `mcp` package's models keeps working: `result.content[0].text`,
`result.structured_content` or `result.structuredContent`, `tool.input_schema` or
`tool.inputSchema`. Fields a result type declares read as their default when the server left
them out; unknown fields are kept as they are.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

_CAMEL_BOUNDARY = re.compile(r"_([a-z])")


def _camel(name: str) -> str:
    return _CAMEL_BOUNDARY.sub(lambda m: m.group(1).upper(), name)


def _wrap(value: Any) -> Any:
    if isinstance(value, dict) and not isinstance(value, MCPRecord):
        return MCPRecord(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


class MCPRecord(dict):  # type: ignore[type-arg]
    """A JSON object from an MCP server; keys also read as attributes (snake_case or camelCase)."""

    _defaults: ClassVar[dict[str, Any]] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        for key in (name, _camel(name), "_meta" if name == "meta" else None):
            if key is not None and key in self:
                value = self[key]
                wrapped = _wrap(value)
                if wrapped is not value:
                    self[key] = wrapped  # wrap once, keep identity stable for later reads
                return wrapped
        for key in (name, _camel(name)):
            if key in self._defaults:
                default = self._defaults[key]
                return _wrap(default() if callable(default) else default)
        raise AttributeError(f"{type(self).__name__} has no field {name!r}")

    def model_dump(self) -> dict[str, Any]:
        """The record as a plain dict (the `mcp` models' method name)."""
        return dict(self)


class MCPTool(MCPRecord):
    """A tool listed by `tools/list`: `name`, `description`, `input_schema`, `output_schema`,
    `annotations`, `title`."""

    _defaults: ClassVar[dict[str, Any]] = {
        "description": None,
        "inputSchema": dict,
        "outputSchema": None,
        "annotations": None,
        "title": None,
    }


class CallToolResult(MCPRecord):
    """The result of `tools/call`: `content` blocks, `structured_content`, `is_error`."""

    _defaults: ClassVar[dict[str, Any]] = {"content": list, "structuredContent": None, "isError": False}


class ListToolsResult(MCPRecord):
    """One page of `tools/list`."""

    _defaults: ClassVar[dict[str, Any]] = {"tools": list, "nextCursor": None}


class ListPromptsResult(MCPRecord):
    """The result of `prompts/list`: `prompts`, `next_cursor`."""

    _defaults: ClassVar[dict[str, Any]] = {"prompts": list, "nextCursor": None}


class GetPromptResult(MCPRecord):
    """The result of `prompts/get`: `description`, `messages` (each with `role`, `content`)."""

    _defaults: ClassVar[dict[str, Any]] = {"description": None, "messages": list}


class ListResourcesResult(MCPRecord):
    """The result of `resources/list`: `resources`, `next_cursor`."""

    _defaults: ClassVar[dict[str, Any]] = {"resources": list, "nextCursor": None}


class ListResourceTemplatesResult(MCPRecord):
    """The result of `resources/templates/list`: `resource_templates`, `next_cursor`."""

    _defaults: ClassVar[dict[str, Any]] = {"resourceTemplates": list, "nextCursor": None}


class ReadResourceResult(MCPRecord):
    """The result of `resources/read`: `contents` (each with `uri` and `text` or `blob`)."""

    _defaults: ClassVar[dict[str, Any]] = {"contents": list}


class InitializeResult(MCPRecord):
    """The server's answer to `initialize`: `protocol_version`, `capabilities`, `server_info`,
    `instructions`."""

    _defaults: ClassVar[dict[str, Any]] = {
        "protocolVersion": None,
        "capabilities": dict,
        "serverInfo": dict,
        "instructions": None,
    }
