"""Helpers for the MCP tests: fixture commands, starting HTTP servers, locating npm servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

from conftest import require as need

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
FIXTURE_SERVER = str(HERE / "fixture_server.py")
MISBEHAVING = str(HERE / "misbehaving_stdio.py")

NPM_ENTRY_POINTS = {
    "server-everything": "@modelcontextprotocol/server-everything/dist/index.js",
    "server-filesystem": "@modelcontextprotocol/server-filesystem/dist/index.js",
}


def fixture_params(transport: str = "stdio") -> dict[str, object]:
    """`MCPServerStdio` params running the `mcp`-package fixture server."""
    return {"command": sys.executable, "args": [FIXTURE_SERVER, transport]}


def misbehaving_params(*modes: str) -> dict[str, object]:
    """`MCPServerStdio` params running the hand-written server with some faults on."""
    return {"command": sys.executable, "args": [MISBEHAVING, *modes]}


def node_path() -> Optional[str]:
    import shutil

    return shutil.which("node")


def npm_server(name: str) -> list[str]:
    """The command line of an npm MCP server installed under `<repo>/.mcp-servers`.

    Skips the test when it is missing (fails under CI=true): `.ci/run` installs them.
    """
    node = node_path()
    need(node is not None, "node is not installed")
    root = REPO / ".mcp-servers" / "node_modules"
    entry = root / NPM_ENTRY_POINTS[name]
    need(entry.is_file(), f"npm MCP server {name} is not installed under {root}")
    return [str(node), str(entry)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with code {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def fixture_http_spec(transport: str, *extra: str) -> tuple[list[str], dict[str, str], int, str]:
    """(command, env, port, url) of the `mcp`-package fixture server over "sse" or
    "streamable-http"."""
    port = free_port()
    command = [sys.executable, FIXTURE_SERVER, transport, "--port", str(port), *extra]
    return command, {}, port, f"http://127.0.0.1:{port}/" + ("sse" if transport == "sse" else "mcp")


def everything_http_spec(mode: str) -> tuple[list[str], dict[str, str], int, str]:
    """(command, env, port, url) of server-everything in "sse" or "streamableHttp" mode."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/" + ("sse" if mode == "sse" else "mcp")
    return [*npm_server("server-everything"), mode], {"PORT": str(port)}, port, url


@contextmanager
def http_servers(*specs: tuple[list[str], dict[str, str], int, str]) -> Iterator[list[str]]:
    """Start HTTP MCP server processes together, wait until all listen, yield their URLs."""
    processes = []
    try:
        for command, env, _port, _url in specs:
            processes.append(subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env={**os.environ, **env},
            ))
        for process, (_command, _env, port, _url) in zip(processes, specs):
            wait_for_port(port, process)
        yield [spec[3] for spec in specs]
    finally:
        for process in processes:
            _stop(process)


@contextmanager
def fixture_http_server(transport: str, *extra: str) -> Iterator[str]:
    """The `mcp`-package fixture server over "sse" or "streamable-http"; yields its URL."""
    with http_servers(fixture_http_spec(transport, *extra)) as urls:
        yield urls[0]


@contextmanager
def everything_http_server(mode: str) -> Iterator[str]:
    """server-everything in "sse" or "streamableHttp" mode; yields its URL."""
    with http_servers(everything_http_spec(mode)) as urls:
        yield urls[0]
