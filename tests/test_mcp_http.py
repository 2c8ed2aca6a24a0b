"""MCP over HTTP: legacy SSE and Streamable HTTP against the `mcp` package, server-everything and
a fault-injecting toy server."""

from __future__ import annotations

import threading
import time

import pytest
from mcp_fixtures.helpers import everything_http_server, fixture_http_server, free_port
from mcp_fixtures.toy_http_server import ToyHTTPServer

from agents_lite.mcp import (
    MCPConnectionError,
    MCPServerSse,
    MCPServerStreamableHttp,
    MCPTimeoutError,
)


def wait_until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def exercise_fixture(server) -> None:
    names = {t.name for t in server.list_tools()}
    assert {"add", "echo", "weather"} <= names
    assert server.call_tool("add", {"a": 20, "b": 22}).content[0].text == "42"
    assert server.call_tool("weather", {"city": "Oslo"}).structured_content["city"] == "Oslo"
    assert server.get_prompt("greeting", {"name": "Bo"}).messages[0].content.text == "Please greet Bo warmly."
    assert server.read_resource("fixture://readme").contents[0].text == "fixture readme"
    failed = server.call_tool("fail", {"message": "kaput"})
    assert failed.is_error and "kaput" in failed.content[0].text


def concurrent_echoes(server, threads: int = 6, calls: int = 4) -> None:
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            for j in range(calls):
                results[f"{i}-{j}"] = server.call_tool("echo", {"text": f"{i}-{j}"}).content[0].text
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    assert results == {key: key for key in results} and len(results) == threads * calls


# --- the `mcp` package's server ------------------------------------------------------------------


def test_fixture_server_over_legacy_sse():
    with fixture_http_server("sse") as url, MCPServerSse({"url": url}) as server:
        assert server.server_initialize_result.protocol_version == "2025-06-18"
        exercise_fixture(server)
        concurrent_echoes(server)


@pytest.mark.parametrize("json_response", [False, True], ids=["sse-replies", "json-replies"])
def test_fixture_server_over_streamable_http(json_response):
    extra = ["--json-response"] if json_response else []
    with fixture_http_server("streamable-http", *extra) as url:
        with MCPServerStreamableHttp({"url": url}) as server:
            assert server.session_id
            exercise_fixture(server)
            concurrent_echoes(server)


# --- server-everything ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sse", "streamableHttp"])
def test_server_everything_over_http(mode):
    cls = MCPServerSse if mode == "sse" else MCPServerStreamableHttp
    with everything_http_server(mode) as url, cls({"url": url}) as server:
        names = {t.name for t in server.list_tools()}
        assert {"echo", "get-sum", "get-tiny-image"} <= names
        assert server.call_tool("get-sum", {"a": 4, "b": 5}).content[0].text == "The sum of 4 and 5 is 9."
        assert server.call_tool("echo", {"message": "hi"}).content[0].text == "Echo: hi"
        assert "simple-prompt" in [p.name for p in server.list_prompts().prompts]


# --- Streamable HTTP details and faults (toy server) ---------------------------------------------


@pytest.fixture
def toy():
    with ToyHTTPServer() as server:
        yield server


def test_streamable_http_headers_session_and_delete(toy):
    with MCPServerStreamableHttp({"url": toy.url("/mcp")}) as server:
        assert server.call_tool("echo", {"text": "hi"}).content[0].text == "hi"
        session_id = server.session_id
    assert session_id == "toy-session-1"
    posts = [(h, b) for m, _p, h, b in toy.requests if m == "POST"]
    assert [b.get("method") for _h, b in posts] == ["initialize", "notifications/initialized", "tools/call"]
    for headers, _body in posts:
        assert headers["accept"] == "application/json, text/event-stream"
        assert headers["content-type"] == "application/json"
    assert "mcp-session-id" not in posts[0][0]
    for headers, _body in posts[1:]:
        assert headers["mcp-session-id"] == session_id
        assert headers["mcp-protocol-version"] == "2025-06-18"
    deletes = [h for m, _p, h, _b in toy.requests if m == "DELETE"]
    assert len(deletes) == 1 and deletes[0]["mcp-session-id"] == session_id
    assert toy.sessions == set()


def test_streamable_http_without_terminate_on_close(toy):
    with MCPServerStreamableHttp({"url": toy.url("/mcp"), "terminate_on_close": False}) as server:
        server.list_tools()
    assert [m for m, *_ in toy.requests if m == "DELETE"] == []


def test_streamable_http_404_session_reinitialises(toy):
    with MCPServerStreamableHttp({"url": toy.url("/mcp")}, cache_tools_list=True) as server:
        server.list_tools()
        toy.expire_sessions()
        assert server.call_tool("echo", {"text": "after expiry"}).content[0].text == "after expiry"
        assert server.session_id == "toy-session-2"
        assert toy.methods().count("initialize") == 2
        # The failed call was retried exactly once, after the new handshake.
        assert toy.methods()[-3:] == ["initialize", "notifications/initialized", "tools/call"]


def test_streamable_http_sse_reply_with_notification_first(toy):
    seen: list[dict] = []
    toy.reply_mode = "sse"
    with MCPServerStreamableHttp({"url": toy.url("/mcp")}, message_handler=seen.append) as server:
        assert server.call_tool("echo", {"text": "streamed"}).content[0].text == "streamed"
        concurrent_echoes(server, threads=4, calls=3)
    assert seen and seen[0]["method"] == "notifications/message"


def test_streamable_http_reply_stream_that_drops(toy):
    toy.reply_mode = "sse_drop"
    with MCPServerStreamableHttp({"url": toy.url("/mcp")}) as server:
        with pytest.raises(MCPConnectionError, match="ended the reply stream before answering"):
            server.call_tool("echo", {"text": "x"})
        toy.reply_mode = "json"  # the session itself survives a dropped reply
        assert server.call_tool("echo", {"text": "y"}).content[0].text == "y"


def test_streamable_http_timeout_sends_cancellation(toy):
    with MCPServerStreamableHttp({"url": toy.url("/mcp")}, client_session_timeout_seconds=0.4) as server:
        with pytest.raises(MCPTimeoutError):
            server.call_tool("hang", {})
        assert wait_until(lambda: "notifications/cancelled" in toy.methods())
        cancel = next(b for m, _p, _h, b in toy.requests
                      if m == "POST" and b.get("method") == "notifications/cancelled")
        call = next(b for m, _p, _h, b in toy.requests
                    if m == "POST" and b.get("method") == "tools/call")
        assert cancel["params"]["requestId"] == call["id"]


def test_streamable_http_server_stream(toy):
    seen: list[dict] = []
    toy.get_stream_mode = "stream"
    params = {"url": toy.url("/mcp"), "open_server_stream": True}
    with MCPServerStreamableHttp(params, message_handler=seen.append, cache_tools_list=True) as server:
        assert wait_until(lambda: seen)
        assert seen[0]["method"] == "notifications/tools/list_changed"
        gets = [h for m, p, h, _b in toy.requests if m == "GET" and p == "/mcp"]
        assert gets[0]["mcp-session-id"] == server.session_id
    # 405 (no server stream offered) is fine too.
    toy.get_stream_mode = "405"
    with MCPServerStreamableHttp(params) as server:
        assert server.call_tool("echo", {"text": "ok"}).content[0].text == "ok"


def test_unreachable_http_server():
    url = f"http://127.0.0.1:{free_port()}/mcp"
    with pytest.raises(MCPConnectionError, match="Could not reach"):
        MCPServerStreamableHttp({"url": url}).connect()
    with pytest.raises(MCPConnectionError, match="Could not open"):
        MCPServerSse({"url": url.replace("/mcp", "/sse")}).connect()


# --- legacy SSE faults ---------------------------------------------------------------------------


def test_legacy_sse_with_toy_server(toy):
    with MCPServerSse({"url": toy.url("/sse")}) as server:
        assert server.call_tool("echo", {"text": "legacy"}).content[0].text == "legacy"
        concurrent_echoes(server, threads=4, calls=3)


def test_legacy_sse_stream_that_drops_fails_pending_calls_at_once(toy):
    with MCPServerSse({"url": toy.url("/sse")}, client_session_timeout_seconds=20) as server:
        errors: list[BaseException] = []

        def call() -> None:
            try:
                server.call_tool("hang", {})
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=call)
        thread.start()
        assert wait_until(lambda: "tools/call" in toy.methods())
        toy.drop_sse_streams()
        thread.join(15)
        assert not thread.is_alive()
        # A connection error, not the 20 s timeout: the drop failed the waiting call.
        assert len(errors) == 1 and isinstance(errors[0], MCPConnectionError)
        assert "closed by the server" in str(errors[0])
        with pytest.raises(MCPConnectionError, match="closed by the server"):
            server.list_tools()


def test_legacy_sse_url_that_is_not_a_stream(toy):
    with pytest.raises(MCPConnectionError, match="HTTP 405"):
        MCPServerSse({"url": toy.url("/mcp")}).connect()


def test_legacy_sse_reconnects_on_retry_after_drop(toy):
    with MCPServerSse({"url": toy.url("/sse")}, max_retry_attempts=1,
                      retry_backoff_seconds_base=0.01) as server:
        server.list_tools()
        toy.drop_sse_streams()
        assert wait_until(lambda: server.session.closed)
        assert server.call_tool("echo", {"text": "again"}).content[0].text == "again"
        assert sum(1 for m, p, *_ in toy.requests if m == "GET" and p == "/sse") == 2
