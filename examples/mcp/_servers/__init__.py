"""Helpers the MCP examples share: where the MCP servers they use come from."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
WEATHER_SERVER = os.path.join(HERE, "weather.py")
SAMPLE_FILES = os.path.join(os.path.dirname(HERE), "sample_files")


def npm_server(package: str, *args: str) -> dict[str, object]:
    """`MCPServerStdio` params for an npm MCP server: the copy installed under `.mcp-servers/`
    of this repository if there is one, else `npx -y <package>` (which downloads it)."""
    entry = os.path.join(REPO, ".mcp-servers", "node_modules", package, "dist", "index.js")
    if os.path.isfile(entry):
        return {"command": "node", "args": [entry, *args]}
    return {"command": "npx", "args": ["-y", package, *args]}


def weather_stdio() -> dict[str, object]:
    """`MCPServerStdio` params for the example weather server."""
    return {"command": sys.executable, "args": [WEATHER_SERVER, "stdio"]}


@contextmanager
def weather_http(transport: str) -> Iterator[str]:
    """Run the weather server over "sse" or "streamable-http" on a free port; yields its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, WEATHER_SERVER, transport, "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the weather server did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/" + ("sse" if transport == "sse" else "mcp")
    finally:
        process.terminate()
        process.wait()
