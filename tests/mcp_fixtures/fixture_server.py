"""A small MCP server written with the `mcp` PyPI package, for interop tests and benchmarks.

    python fixture_server.py stdio
    python fixture_server.py sse --port 8123
    python fixture_server.py streamable-http --port 8123 [--json-response]

Works with `mcp` 2.x (`mcp.server.MCPServer`) and 1.x (`mcp.server.fastmcp.FastMCP`).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
from typing import Any

try:  # mcp 2.x
    from mcp.server import MCPServer as _Server

    _V2 = True
except ImportError:  # mcp 1.x
    from mcp.server.fastmcp import FastMCP as _Server  # type: ignore[no-redef]

    _V2 = False

from mcp.types import ImageContent, TextContent

try:  # raising ToolError shows its message to the client (other errors are masked)
    from mcp.server.mcpserver.exceptions import ToolError
except ImportError:
    from mcp.server.fastmcp.exceptions import ToolError  # type: ignore[no-redef]

# A 1x1 transparent PNG.
TINY_PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()

server: Any = _Server("fixture")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def echo(text: str) -> str:
    """Echo the text back."""
    return text


@server.tool()
def tiny_image() -> list[Any]:
    """A caption and a 1x1 PNG."""
    return [
        TextContent(type="text", text="a tiny image"),
        ImageContent(type="image", data=TINY_PNG, mimeType="image/png"),
    ]


@server.tool()
def weather(city: str) -> dict[str, Any]:
    """Structured weather for a city."""
    return {"city": city, "temperature_c": 21, "sky": "clear"}


@server.tool()
def fail(message: str) -> str:
    """Always fails with the message."""
    raise ToolError(message)


@server.tool()
async def slow(seconds: float) -> str:
    """Sleep, then say how long."""
    await asyncio.sleep(seconds)
    return f"slept {seconds}"


@server.tool()
def get_env(name: str) -> str:
    """The value of an environment variable of the server process, or '<unset>'."""
    return os.environ.get(name, "<unset>")


@server.tool()
def crash() -> str:
    """Kill the server process in the middle of the call."""
    sys.stderr.write("fixture: crashing on purpose\n")
    sys.stderr.flush()
    os._exit(3)


@server.prompt()
def greeting(name: str) -> str:
    """A greeting prompt."""
    return f"Please greet {name} warmly."


@server.resource("fixture://readme", mime_type="text/plain")
def readme() -> str:
    """A short text resource."""
    return "fixture readme"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("transport", choices=["stdio", "sse", "streamable-http"])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--json-response", action="store_true")
    args = parser.parse_args()
    if args.transport == "stdio":
        server.run("stdio")
        return
    if _V2:
        options: dict[str, Any] = {"host": "127.0.0.1", "port": args.port}
        if args.transport == "streamable-http":
            options["json_response"] = args.json_response
        server.run(args.transport, **options)
    else:
        server.settings.host = "127.0.0.1"
        server.settings.port = args.port
        server.settings.json_response = args.json_response
        server.run(transport=args.transport)


if __name__ == "__main__":
    main()
