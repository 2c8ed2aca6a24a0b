"""MCP over stdio: the `mcp`-package fixture server, npm servers, and misbehaving servers."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time

import pytest
from mcp_fixtures.helpers import fixture_params, misbehaving_params, npm_server

from agents_lite.exceptions import AgentsException, UserError
from agents_lite.mcp import (
    JSONRPCError,
    MCPConnectionError,
    MCPProtocolError,
    MCPServerCommandNotFoundError,
    MCPServerStdio,
    MCPTimeoutError,
)


def wait_until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def received(server: MCPServerStdio, what: str) -> int:
    """How many times the misbehaving server logged `recv <what>`."""
    return sum(1 for line in server.stderr_lines if line == f"recv {what}")


# --- the `mcp` package's server ------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_server():
    with MCPServerStdio(fixture_params(), name="fixture") as server:
        yield server


def test_handshake_and_tools_of_mcp_package_server(fixture_server):
    init = fixture_server.server_initialize_result
    assert init.protocol_version == "2025-06-18"
    assert init.server_info["name"] == "fixture"
    tools = {t.name: t for t in fixture_server.list_tools()}
    assert {"add", "echo", "tiny_image", "weather", "fail", "slow"} <= set(tools)
    assert tools["add"].input_schema["properties"]["a"]["type"] == "integer"
    assert tools["add"].inputSchema is tools["add"].input_schema
    assert tools["add"].description == "Add two integers."


def test_call_tool_results_of_mcp_package_server(fixture_server):
    result = fixture_server.call_tool("add", {"a": 2, "b": 40})
    assert result.content[0].text == "42"
    assert result.structured_content == {"result": 42}
    assert result.is_error is False and result.isError is False
    failed = fixture_server.call_tool("fail", {"message": "boom"})
    assert failed.is_error is True
    assert "boom" in failed.content[0].text
    image = fixture_server.call_tool("tiny_image", {})
    assert [block.type for block in image.content] == ["text", "image"]
    assert image.content[1].mime_type == "image/png"


def test_prompts_and_resources_of_mcp_package_server(fixture_server):
    prompts = fixture_server.list_prompts()
    assert [p.name for p in prompts.prompts] == ["greeting"]
    assert prompts.next_cursor is None
    rendered = fixture_server.get_prompt("greeting", {"name": "Ann"})
    assert rendered.messages[0].role == "user"
    assert rendered.messages[0].content.text == "Please greet Ann warmly."
    resources = fixture_server.list_resources()
    assert [r.uri for r in resources.resources] == ["fixture://readme"]
    content = fixture_server.read_resource("fixture://readme")
    assert content.contents[0].text == "fixture readme"


def test_unknown_tool_of_mcp_package_server_is_an_error_result(fixture_server):
    result = fixture_server.call_tool("no_such_tool", {})
    assert result.is_error
    assert "no_such_tool" in result.content[0].text


def test_concurrent_calls_from_threads_share_one_connection(fixture_server):
    answers: dict[int, str] = {}
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            for j in range(5):
                text = fixture_server.call_tool("echo", {"text": f"{i}-{j}"}).content[0].text
                answers[i * 10 + j] = text
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert answers == {i * 10 + j: f"{i}-{j}" for i in range(8) for j in range(5)}


# --- process management --------------------------------------------------------------------------


def test_missing_command_names_the_command():
    server = MCPServerStdio({"command": "definitely-not-an-mcp-server-xyz", "args": ["--flag"]})
    with pytest.raises(MCPServerCommandNotFoundError) as info:
        server.connect()
    assert isinstance(info.value, AgentsException)
    assert "definitely-not-an-mcp-server-xyz" in str(info.value)
    assert info.value.command == "definitely-not-an-mcp-server-xyz"


def test_missing_command_path_and_missing_cwd(tmp_path):
    with pytest.raises(MCPServerCommandNotFoundError, match="nope/server"):
        MCPServerStdio({"command": str(tmp_path / "nope" / "server")}).connect()
    with pytest.raises(UserError, match="does not exist"):
        MCPServerStdio({**misbehaving_params(), "cwd": str(tmp_path / "missing")}).connect()


def test_not_connected_is_a_user_error():
    server = MCPServerStdio(misbehaving_params())
    with pytest.raises(UserError, match="connect"):
        server.list_tools()
    with pytest.raises(UserError, match="connect"):
        server.call_tool("echo", {"text": "x"})


def test_server_gets_a_minimal_environment(monkeypatch):
    monkeypatch.setenv("AGENTS_LITE_TEST_SECRET", "sk-do-not-leak")
    with MCPServerStdio(misbehaving_params()) as server:
        names = json.loads(server.call_tool("env", {}).content[0].text)
    assert "AGENTS_LITE_TEST_SECRET" not in names
    assert "PATH" in names
    with MCPServerStdio({**misbehaving_params(), "env": {"EXTRA_VAR": "1"}}) as server:
        names = json.loads(server.call_tool("env", {}).content[0].text)
    assert "EXTRA_VAR" in names and "PATH" in names
    assert "AGENTS_LITE_TEST_SECRET" not in names


def test_cleanup_reaps_the_process_and_captures_stderr():
    server = MCPServerStdio(misbehaving_params())
    server.connect()
    process = server.process
    assert process.poll() is None
    assert server.call_tool("echo", {"text": "hi"}).content[0].text == "hi"
    server.cleanup()
    assert process.returncode == 0  # it exited by itself once stdin closed
    assert "recv initialize" in server.stderr_lines
    assert "recv notifications/initialized" in server.stderr_lines
    server.cleanup()  # idempotent
    with pytest.raises(UserError):
        server.list_tools()


def test_stubborn_server_is_killed(monkeypatch):
    from agents_lite.mcp import stdio

    monkeypatch.setattr(stdio, "SHUTDOWN_GRACE_SECONDS", 0.3)
    server = MCPServerStdio(misbehaving_params("stubborn"))
    server.connect()
    process = server.process
    server.cleanup()
    assert process.returncode == -signal.SIGKILL


def test_server_usable_again_after_reconnect():
    server = MCPServerStdio(misbehaving_params())
    with server:
        first_pid = server.process.pid
    with server:
        assert server.process.pid != first_pid
        assert server.call_tool("echo", {"text": "again"}).content[0].text == "again"


# --- bad input -----------------------------------------------------------------------------------


def test_server_exiting_during_a_call():
    with MCPServerStdio(misbehaving_params("exit_during_call")) as server:
        with pytest.raises(MCPConnectionError) as info:
            server.call_tool("echo", {"text": "x"})
        message = str(info.value)
        assert "exited with code 7" in message
        assert "exiting during a call" in message  # the stderr tail
        assert server.process.returncode == 7
        # The connection stays failed, with the same reason, without hanging.
        with pytest.raises(MCPConnectionError, match="exited with code 7"):
            server.list_tools()


def test_lost_server_is_restarted_by_a_retry():
    with MCPServerStdio(
        misbehaving_params(), max_retry_attempts=1, retry_backoff_seconds_base=0.01
    ) as server:
        old = server.process
        old.kill()
        old.wait()
        assert server.call_tool("echo", {"text": "back"}).content[0].text == "back"
        assert server.process.pid != old.pid


def test_server_that_never_answers_times_out_and_is_told_to_cancel():
    with MCPServerStdio(misbehaving_params("never_answer"), client_session_timeout_seconds=0.5) as server:
        with pytest.raises(MCPTimeoutError) as info:
            server.call_tool("echo", {"text": "x"})
        assert info.value.method == "tools/call"
        assert "did not answer tools/call within 0.5 seconds" in str(info.value)
        assert wait_until(lambda: any(line.startswith("cancelled ") for line in server.stderr_lines))
        line = next(line for line in server.stderr_lines if line.startswith("cancelled "))
        assert "timed out" in line
        # The session is still usable for requests the server does answer.
        assert [t.name for t in server.list_tools()][:2] == ["echo", "sleep"]


def test_non_json_on_stdout_is_skipped_and_explained(caplog):
    caplog.set_level(logging.WARNING, logger="agents_lite.mcp")
    with MCPServerStdio(misbehaving_params("non_json"), client_session_timeout_seconds=0.5) as server:
        assert server.list_tools()  # the banner did not break the handshake
        assert any("non-JSON" in r.getMessage() and "banner" in r.getMessage() for r in caplog.records)
        with pytest.raises(MCPTimeoutError) as info:
            server.call_tool("echo", {"text": "x"})
        assert "non-JSON" in str(info.value) and "oops, this is not JSON" in str(info.value)


def test_jsonrpc_error_reply():
    with MCPServerStdio(misbehaving_params("rpc_error"), max_retry_attempts=2,
                        retry_backoff_seconds_base=0.01) as server:
        with pytest.raises(JSONRPCError) as info:
            server.call_tool("echo", {"text": "x"})
        assert info.value.code == -32602
        assert info.value.data == {"tool": "echo"}
        assert "Unknown tool: echo" in str(info.value)
        # -32602 is not worth retrying: the server saw exactly one call.
        assert wait_until(lambda: received(server, "tools/call") == 1)
        # An internal error (-32603) is retried.
        assert server.call_tool("flaky", {}).content[0].text == "worked the second time"
        assert wait_until(lambda: received(server, "tools/call") == 3)


def test_jsonrpc_internal_error_without_retries():
    with MCPServerStdio(misbehaving_params()) as server:
        with pytest.raises(JSONRPCError) as info:
            server.call_tool("flaky", {})
        assert info.value.code == -32603


def test_server_that_ignores_initialized_still_works():
    with MCPServerStdio(misbehaving_params("ignore_initialized")) as server:
        assert server.call_tool("echo", {"text": "fine"}).content[0].text == "fine"
        # We answered its early ping.
        assert wait_until(lambda: received(server, "reply srv-ping-0") == 1)


def test_unknown_protocol_version_disconnects():
    server = MCPServerStdio(misbehaving_params("unknown_version"))
    with pytest.raises(MCPProtocolError) as info:
        server.connect()
    assert "1999-01-01" in str(info.value)
    assert server.session is None
    assert wait_until(lambda: server.process.poll() is not None)


def test_older_protocol_version_is_accepted():
    with MCPServerStdio(misbehaving_params("old_version")) as server:
        assert server.server_initialize_result.protocol_version == "2024-11-05"
        assert server.server_initialize_result["futureField"] == {"ignored": True}


def test_pagination_and_repeated_cursor():
    with MCPServerStdio(misbehaving_params("paginate")) as server:
        assert [t.name for t in server.list_tools()] == [
            "echo", "sleep", "ask_client", "change_tools", "flaky", "env"
        ]
        assert wait_until(lambda: received(server, "tools/list") == 3)
    with MCPServerStdio(misbehaving_params("repeat_cursor")) as server:
        with pytest.raises(MCPProtocolError, match="repeated the pagination cursor 'same'"):
            server.list_tools()


def test_out_of_order_replies_are_matched_by_id():
    with MCPServerStdio(misbehaving_params()) as server:
        results: dict[str, str] = {}

        def call(seconds: float) -> None:
            results[str(seconds)] = server.call_tool("sleep", {"seconds": seconds}).content[0].text

        slow = threading.Thread(target=call, args=(0.4,))
        slow.start()
        time.sleep(0.05)
        call(0.01)  # answered while the slow call is still pending
        assert results == {"0.01": "slept 0.01"}
        slow.join()
        assert results["0.4"] == "slept 0.4"


def test_server_requests_are_answered():
    with MCPServerStdio(misbehaving_params()) as server:
        answers = json.loads(server.call_tool("ask_client", {}).content[0].text)
    assert answers["srv-1"]["result"] == {}
    assert answers["srv-2"]["error"]["code"] == -32601


def test_tools_cache_and_list_changed_notification():
    seen: list[dict] = []
    with MCPServerStdio(misbehaving_params(), cache_tools_list=True, message_handler=seen.append) as server:
        server.list_tools()
        server.list_tools()
        assert wait_until(lambda: received(server, "tools/list") == 1)
        server.invalidate_tools_cache()
        server.list_tools()
        assert wait_until(lambda: received(server, "tools/list") == 2)
        server.call_tool("change_tools", {})
        assert wait_until(lambda: seen)
        assert seen[0]["method"] == "notifications/tools/list_changed"
        server.list_tools()
        assert wait_until(lambda: received(server, "tools/list") == 3)


def test_static_and_callable_tool_filters():
    from agents_lite import Agent, RunContextWrapper
    from agents_lite.mcp import ToolFilterContext, create_static_tool_filter

    allowed = create_static_tool_filter(allowed_tool_names=["echo", "sleep"], blocked_tool_names=["sleep"])
    with MCPServerStdio(misbehaving_params(), tool_filter=allowed) as server:
        assert [t.name for t in server.list_tools()] == ["echo"]

    contexts: list[ToolFilterContext] = []

    def only_for_agent_a(context: ToolFilterContext, tool) -> bool:
        contexts.append(context)
        if tool.name == "env":
            raise RuntimeError("broken filter")  # a failing filter hides the tool
        return context.agent.name == "a" and tool.name != "flaky"

    with MCPServerStdio(misbehaving_params(), tool_filter=only_for_agent_a, name="filtered") as server:
        ctx = RunContextWrapper(context=None)
        names = [t.name for t in server.list_tools(ctx, Agent(name="a"))]
        assert names == ["echo", "sleep", "ask_client", "change_tools"]
        assert server.list_tools(ctx, Agent(name="b")) == []
        assert contexts[0].server_name == "filtered" and contexts[0].run_context is ctx
        with pytest.raises(UserError, match="run_context and agent"):
            server.list_tools()


# --- npm servers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def everything_stdio():
    command = npm_server("server-everything")
    with MCPServerStdio({"command": command[0], "args": [command[1], "stdio"]}, name="everything") as server:
        yield server


def test_server_everything_over_stdio(everything_stdio):
    names = {t.name for t in everything_stdio.list_tools()}
    assert {"echo", "get-sum", "get-tiny-image", "get-structured-content"} <= names
    assert everything_stdio.call_tool("get-sum", {"a": 2, "b": 3}).content[0].text == "The sum of 2 and 3 is 5."
    image = everything_stdio.call_tool("get-tiny-image", {})
    assert any(block.type == "image" and block.mime_type == "image/png" for block in image.content)
    structured = everything_stdio.call_tool("get-structured-content", {"location": "New York"})
    assert set(structured.structured_content) >= {"temperature", "conditions"}


def test_server_everything_prompts_and_resources(everything_stdio):
    prompts = [p.name for p in everything_stdio.list_prompts().prompts]
    assert {"simple-prompt", "args-prompt"} <= set(prompts)
    rendered = everything_stdio.get_prompt("args-prompt", {"city": "Oslo"})
    assert "Oslo" in rendered.messages[0].content.text
    resources = everything_stdio.list_resources().resources
    assert resources
    read = everything_stdio.read_resource(resources[0].uri)
    assert read.contents[0].uri == resources[0].uri


def test_server_filesystem_over_stdio(tmp_path):
    command = npm_server("server-filesystem")
    (tmp_path / "notes.txt").write_text("first line\n")
    with MCPServerStdio({"command": command[0], "args": [command[1], str(tmp_path)]}) as server:
        names = {t.name for t in server.list_tools()}
        assert {"read_text_file", "write_file", "list_directory"} <= names
        target = str(tmp_path / "new.txt")
        server.call_tool("write_file", {"path": target, "content": "written by MCP"})
        assert (tmp_path / "new.txt").read_text() == "written by MCP"
        read = server.call_tool("read_text_file", {"path": str(tmp_path / "notes.txt")})
        assert read.content[0].text == "first line\n"
        outside = server.call_tool("read_text_file", {"path": "/etc/hostname"})
        assert outside.is_error  # the server refuses paths outside its directories
    assert os.path.exists(target)
