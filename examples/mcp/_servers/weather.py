"""A small MCP server for the examples, written with the `mcp` package (pip install mcp).

    python _servers/weather.py stdio
    python _servers/weather.py sse --port 8000              # http://127.0.0.1:8000/sse
    python _servers/weather.py streamable-http --port 8000  # http://127.0.0.1:8000/mcp
"""

from __future__ import annotations

import argparse
from typing import Any

try:  # mcp 2.x
    from mcp.server import MCPServer as _Server

    _V2 = True
except ImportError:  # mcp 1.x
    from mcp.server.fastmcp import FastMCP as _Server  # type: ignore[no-redef]

    _V2 = False

server: Any = _Server("weather")

FORECASTS = {
    "oslo": "4°C, light snow, wind from the north",
    "lisbon": "19°C, sunny, a breeze from the sea",
    "kyoto": "12°C, overcast, dry",
}


@server.tool()
def get_weather(city: str) -> str:
    """Today's weather for a city."""
    return f"{city}: {FORECASTS.get(city.lower(), '15°C, clouds and sun')}"


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.prompt()
def forecaster(style: str = "plain") -> str:
    """Instructions for a weather presenter, in a given style."""
    return (f"You are a weather presenter. Answer in a {style} style, in at most two sentences, "
            "and always use the get_weather tool before talking about a city's weather.")


@server.resource("weather://cities", mime_type="text/plain")
def cities() -> str:
    """The cities with a detailed forecast."""
    return ", ".join(sorted(FORECASTS))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("transport", choices=["stdio", "sse", "streamable-http"])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    if args.transport == "stdio":
        server.run("stdio")
    elif _V2:
        server.run(args.transport, host="127.0.0.1", port=args.port)
    else:
        server.settings.host = "127.0.0.1"
        server.settings.port = args.port
        server.run(transport=args.transport)


if __name__ == "__main__":
    main()
