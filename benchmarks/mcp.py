"""MCP client cost per transport, against the `mcp`-package fixture server of the tests.

    python benchmarks/mcp.py [--calls 500] [--connects 5] [--threads 8]

For each transport (stdio; legacy HTTP+SSE; Streamable HTTP with SSE replies and with JSON
replies) prints:
- connect ms: median time of `connect()` (for stdio this includes starting the server process,
  ~0.7 s of which is the `mcp` package importing itself; HTTP servers are started once, so their
  figure is the handshake alone);
- calls/s: sequential `call_tool("echo", ...)` round trips;
- list/s: sequential `list_tools()` (8 tools);
- calls/s Nt: `call_tool` from N threads sharing the one connection.
Floors: the same echo round trip written by hand (a JSON line over the process pipes for stdio,
`requests.Session().post` for Streamable HTTP with JSON and with event-stream replies). The
machine's load moves these numbers a lot; compare rows of one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from mcp_fixtures.helpers import FIXTURE_SERVER, fixture_http_spec, http_servers  # noqa: E402

from agents_lite.mcp import MCPServerSse, MCPServerStdio, MCPServerStreamableHttp  # noqa: E402


def _median_connect_ms(make: Callable[[], Any], connects: int) -> float:
    samples = []
    for _ in range(connects):
        server = make()
        start = time.perf_counter()
        server.connect()
        samples.append((time.perf_counter() - start) * 1000)
        server.cleanup()
    return statistics.median(samples)


def _rate(func: Callable[[], Any], count: int) -> float:
    for _ in range(min(50, count)):
        func()
    start = time.perf_counter()
    for _ in range(count):
        func()
    return count / (time.perf_counter() - start)


def _threaded_rate(func: Callable[[], Any], count: int, threads: int) -> float:
    per_thread = max(count // threads, 1)
    barrier = threading.Barrier(threads + 1)

    def work() -> None:
        barrier.wait()
        for _ in range(per_thread):
            func()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in pool:
        thread.join()
    return per_thread * threads / (time.perf_counter() - start)


def measure(label: str, make: Callable[[], Any], args: argparse.Namespace) -> list[str]:
    connect_ms = _median_connect_ms(make, args.connects)
    with make() as server:
        call = lambda: server.call_tool("echo", {"text": "hi"})  # noqa: E731
        calls = _rate(call, args.calls)
        lists = _rate(server.list_tools, max(args.calls // 5, 20))
        threaded = _threaded_rate(call, args.calls, args.threads)
    return [label, f"{connect_ms:.1f}", f"{calls:,.0f}", f"{lists:,.0f}", f"{threaded:,.0f}"]


def stdio_floor(count: int) -> float:
    """Echo round trips written by hand over the fixture server's pipes."""
    process = subprocess.Popen(
        [sys.executable, FIXTURE_SERVER, "stdio"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0,
    )
    assert process.stdin is not None and process.stdout is not None
    stdin, stdout = process.stdin, process.stdout

    def rpc(message: dict[str, Any]) -> None:
        stdin.write((json.dumps(message) + "\n").encode())
        if "id" in message:
            stdout.readline()

    rpc({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "floor", "version": "0"}}})
    rpc({"jsonrpc": "2.0", "method": "notifications/initialized"})
    ids = iter(range(1, 10**9))
    rate = _rate(lambda: rpc({"jsonrpc": "2.0", "id": next(ids), "method": "tools/call",
                              "params": {"name": "echo", "arguments": {"text": "hi"}}}), count)
    stdin.close()
    process.wait()
    return rate


def http_floor(url: str, count: int) -> float:
    """Echo round trips with a bare `requests.Session` (JSON replies parsed; event-stream replies
    read to their end)."""
    import requests

    session = requests.Session()
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    init = session.post(url, headers=headers, json={
        "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "floor", "version": "0"}}})
    headers["Mcp-Session-Id"] = init.headers["Mcp-Session-Id"]
    headers["MCP-Protocol-Version"] = "2025-06-18"
    session.post(url, headers=headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
    ids = iter(range(1, 10**9))
    return _rate(lambda: session.post(url, headers=headers, json={
        "jsonrpc": "2.0", "id": next(ids), "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": "hi"}}}).content, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--connects", type=int, default=5)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    rows = [["transport", "connect ms", "calls/s", "list/s", f"calls/s {args.threads}t"]]
    stdio_params = {"command": sys.executable, "args": [FIXTURE_SERVER, "stdio"]}
    rows.append(measure("stdio", lambda: MCPServerStdio(stdio_params), args))
    specs = (fixture_http_spec("sse"), fixture_http_spec("streamable-http"),
             fixture_http_spec("streamable-http", "--json-response"))
    with http_servers(*specs) as (sse_url, http_url, json_url):
        rows.append(measure("legacy SSE", lambda: MCPServerSse({"url": sse_url}), args))
        rows.append(measure("streamable HTTP (SSE replies)",
                            lambda: MCPServerStreamableHttp({"url": http_url}), args))
        rows.append(measure("streamable HTTP (JSON replies)",
                            lambda: MCPServerStreamableHttp({"url": json_url}), args))
        floor_http = http_floor(json_url, args.calls)
        floor_http_sse = http_floor(http_url, args.calls)
    floor_stdio = stdio_floor(args.calls)
    rows.append(["floor: hand-written stdio round trip", "", f"{floor_stdio:,.0f}", "", ""])
    rows.append(["floor: requests.post, JSON replies", "", f"{floor_http:,.0f}", "", ""])
    rows.append(["floor: requests.post, SSE replies", "", f"{floor_http_sse:,.0f}", "", ""])

    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))
        if index == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    main()
