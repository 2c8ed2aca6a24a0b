"""MCP tools inside agent runs: conversion, results, errors, approvals, concurrency, tracing, and
one end-to-end run over the local OpenAI server calling a tool of every real server."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading

import pytest
from mcp_fixtures.helpers import (
    everything_http_spec,
    fixture_http_spec,
    fixture_params,
    http_servers,
    misbehaving_params,
    npm_server,
)

from agents_lite import Agent, RunConfig, Runner
from agents_lite.exceptions import UserError
from agents_lite.mcp import (
    JSONRPCError,
    MCPServerManager,
    MCPServerSse,
    MCPServerStdio,
    MCPServerStreamableHttp,
    MCPUtil,
    get_all_function_tools,
)
from agents_lite.mcp.types import CallToolResult
from agents_lite.mcp.util import call_result_to_tool_output, prefixed_tool_name
from agents_lite.testing import FakeModel, function_call

DEFAULT_ERROR = "An error occurred while running the tool. Please try again. Error: "


@pytest.fixture(scope="module")
def basic_server():
    with MCPServerStdio(misbehaving_params(), name="basic") as server:
        yield server


def outputs_sent(model: FakeModel, call_index: int = 1) -> list[dict]:
    """The function_call_output items of the model's `call_index`-th request."""
    return [i for i in model.calls[call_index].input if i.get("type") == "function_call_output"]


# --- conversion ----------------------------------------------------------------------------------


def test_mcp_tools_are_offered_as_function_tools(basic_server):
    model = FakeModel(["hi"])
    Runner.run_sync(Agent(name="a", model=model, mcp_servers=[basic_server]), "hello")
    tools = {t.name: t for t in model.calls[0].tools}
    assert {"echo", "sleep", "ask_client", "change_tools", "flaky", "env"} <= set(tools)
    wire = tools["echo"].to_wire()
    assert wire == {
        "type": "function",
        "name": "echo",
        "description": "Echo the text back.",
        "parameters": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
        "strict": False,
    }


def test_missing_properties_are_added_and_schema_is_copied(basic_server):
    (tool,) = [t for t in basic_server.list_tools() if t.name == "flaky"]
    del tool["inputSchema"]["properties"]
    converted = MCPUtil.to_function_tool(tool, basic_server, False)
    assert converted.params_json_schema == {"type": "object", "properties": {}}
    assert "properties" not in tool["inputSchema"]  # the listed tool was not changed


def test_strict_conversion_and_fallback(basic_server):
    tools = {
        t.name: t
        for t in get_all_function_tools(
            [basic_server], convert_schemas_to_strict=True, run_context=None, agent=None
        )
    }
    echo = tools["echo"]
    assert echo.strict_json_schema is True
    assert echo.params_json_schema["additionalProperties"] is False
    assert echo.params_json_schema["required"] == ["text"]
    # An object without properties cannot be made strict without changing it: stays non-strict.
    assert tools["ask_client"].strict_json_schema is False
    assert "additionalProperties" not in tools["ask_client"].params_json_schema


def test_strict_option_through_agent_config(basic_server):
    model = FakeModel(["ok"])
    agent = Agent(name="a", model=model, mcp_servers=[basic_server],
                  mcp_config={"convert_schemas_to_strict": True})
    Runner.run_sync(agent, "x")
    echo = next(t for t in model.calls[0].tools if t.name == "echo")
    assert echo.to_wire()["strict"] is True


def test_invalid_tool_schema_is_skipped_with_a_warning(caplog):
    caplog.set_level(logging.WARNING, logger="agents_lite.mcp")
    with MCPServerStdio(misbehaving_params("bad_schema"), name="bad") as server:
        model = FakeModel([[function_call("echo", {"text": "still works"})], "done"])
        result = Runner.run_sync(Agent(name="a", model=model, mcp_servers=[server]), "x")
    names = {t.name for t in model.calls[0].tools}
    assert "echo" in names
    assert not names & {"typo_type", "not_an_object", "array_root"}
    messages = " ".join(r.getMessage() for r in caplog.records)
    for name in ("typo_type", "not_an_object", "array_root"):
        assert f"Skipping MCP tool '{name}' of server 'bad'" in messages
    assert result.final_output == "done"
    assert outputs_sent(model)[0]["output"] == [{"type": "input_text", "text": "still works"}]


def test_duplicate_names_across_servers_raise_before_any_model_call(basic_server):
    with MCPServerStdio(misbehaving_params(), name="second") as other:
        model = FakeModel(["never"])
        agent = Agent(name="a", model=model, mcp_servers=[basic_server, other])
        with pytest.raises(UserError) as info:
            Runner.run_sync(agent, "x")
        message = str(info.value)
        assert "'echo'" in message and "'basic'" in message and "'second'" in message
        assert 'Agent(mcp_config={"include_server_in_tool_names": True})' in message
        assert model.calls == []

        model = FakeModel([[function_call("mcp_second__echo", {"text": "from second"})], "done"])
        agent = Agent(name="a", model=model, mcp_servers=[basic_server, other],
                      mcp_config={"include_server_in_tool_names": True})
        Runner.run_sync(agent, "x")
        names = {t.name for t in model.calls[0].tools}
        assert {"mcp_basic__echo", "mcp_second__echo"} <= names
        assert outputs_sent(model)[0]["output"][0]["text"] == "from second"


def test_duplicate_names_on_one_server_raise():
    with MCPServerStdio(misbehaving_params("duplicate_tools"), name="dup") as server:
        with pytest.raises(UserError, match="Duplicate tool names found on MCP server 'dup': echo"):
            Runner.run_sync(Agent(name="a", model=FakeModel(["x"]), mcp_servers=[server]), "x")


def test_prefixed_names_fit_the_limit():
    assert prefixed_tool_name("stdio: node", "get-sum") == "mcp_stdio__node__get-sum"
    long = prefixed_tool_name("s" * 80, "t" * 80)
    assert len(long) == 64
    assert long != prefixed_tool_name("s" * 80, "t" * 79 + "u")


def test_local_tool_shadows_mcp_tool(basic_server, caplog):
    from agents_lite import function_tool

    @function_tool
    def echo(text: str) -> str:
        """Local echo."""
        return "local " + text

    caplog.set_level(logging.WARNING)
    model = FakeModel([[function_call("echo", {"text": "x"})], "done"])
    Runner.run_sync(Agent(name="a", model=model, tools=[echo], mcp_servers=[basic_server]), "x")
    assert outputs_sent(model)[0]["output"] == "local x"
    assert sum(1 for t in model.calls[0].tools if t.name == "echo") == 1


# --- results -------------------------------------------------------------------------------------


def test_result_mapping():
    text = CallToolResult({"content": [{"type": "text", "text": "hi"}]})
    assert call_result_to_tool_output(text) == {"type": "text", "text": "hi"}
    image = CallToolResult({"content": [
        {"type": "text", "text": "look"},
        {"type": "image", "data": "AAAA", "mimeType": "image/gif"},
        {"type": "resource_link", "uri": "file:///x", "name": "x"},
    ]})
    assert call_result_to_tool_output(image) == [
        {"type": "text", "text": "look"},
        {"type": "image", "image_url": "data:image/gif;base64,AAAA"},
        {"type": "text", "text": json.dumps({"type": "resource_link", "uri": "file:///x", "name": "x"})},
    ]
    structured = CallToolResult({"content": [{"type": "text", "text": "{}"}], "structuredContent": {"a": 1}})
    assert call_result_to_tool_output(structured, use_structured_content=True) == '{"a": 1}'
    assert call_result_to_tool_output(structured) == {"type": "text", "text": "{}"}
    error = CallToolResult({"content": [{"type": "text", "text": "bad"}], "structuredContent": {"a": 1},
                            "isError": True})
    assert call_result_to_tool_output(error, use_structured_content=True) == {"type": "text", "text": "bad"}
    assert call_result_to_tool_output(CallToolResult({"content": []})) == ""


@pytest.fixture(scope="module")
def fixture_server():
    with MCPServerStdio(fixture_params(), name="fixture") as server:
        yield server


def test_images_errors_and_structured_content_reach_the_model(fixture_server):
    model = FakeModel([
        [
            function_call("tiny_image", {}, call_id="c_img"),
            function_call("fail", {"message": "disk full"}, call_id="c_fail"),
            function_call("weather", {"city": "Oslo"}, call_id="c_weather"),
        ],
        "done",
    ])
    Runner.run_sync(Agent(name="a", model=model, mcp_servers=[fixture_server]), "x")
    sent = {o["call_id"]: o["output"] for o in outputs_sent(model)}
    assert sent["c_img"][0] == {"type": "input_text", "text": "a tiny image"}
    assert sent["c_img"][1]["type"] == "input_image"
    assert sent["c_img"][1]["image_url"].startswith("data:image/png;base64,iVBOR")
    assert sent["c_fail"] == [{"type": "input_text", "text": "Error executing tool fail: disk full"}]
    weather = json.loads(sent["c_weather"][0]["text"])
    assert weather == {"city": "Oslo", "temperature_c": 21, "sky": "clear"}

    structured = MCPServerStdio(fixture_params(), use_structured_content=True)
    with structured:
        model = FakeModel([[function_call("weather", {"city": "Rome"})], "done"])
        Runner.run_sync(Agent(name="a", model=model, mcp_servers=[structured]), "x")
    assert json.loads(outputs_sent(model)[0]["output"]) == {"city": "Rome", "temperature_c": 21, "sky": "clear"}


def test_call_errors_use_the_failure_error_function():
    with MCPServerStdio(misbehaving_params("rpc_error")) as server:
        model = FakeModel([[function_call("echo", {"text": "x"}, call_id="c1"),
                            function_call("echo", "{not json", call_id="c2")], "recovered"])
        result = Runner.run_sync(Agent(name="a", model=model, mcp_servers=[server]), "x")
        assert result.final_output == "recovered"
        sent = {o["call_id"]: o["output"] for o in outputs_sent(model)}
        assert sent["c1"].startswith(DEFAULT_ERROR) and "Unknown tool: echo" in sent["c1"]
        assert sent["c2"].startswith(DEFAULT_ERROR) and "Invalid JSON input for tool echo" in sent["c2"]

    with MCPServerStdio(misbehaving_params("rpc_error"), failure_error_function=None) as server:
        model = FakeModel([[function_call("echo", {"text": "x"})], "unreached"])
        with pytest.raises(JSONRPCError, match="Unknown tool: echo"):
            Runner.run_sync(Agent(name="a", model=model, mcp_servers=[server]), "x")

    def custom(ctx, error):
        return f"custom: {type(error).__name__}"

    with MCPServerStdio(misbehaving_params("rpc_error"), failure_error_function=custom) as server:
        model = FakeModel([[function_call("echo", {"text": "x"})], "done"])
        Runner.run_sync(Agent(name="a", model=model, mcp_servers=[server]), "x")
        assert outputs_sent(model)[0]["output"] == "custom: JSONRPCError"


def test_server_crash_during_a_run_is_reported_to_the_model():
    with MCPServerStdio(misbehaving_params("exit_during_call"), cache_tools_list=True) as server:
        model = FakeModel([[function_call("echo", {"text": "x"})], "noted"])
        result = Runner.run_sync(Agent(name="a", model=model, mcp_servers=[server]), "x")
        assert result.final_output == "noted"
        text = outputs_sent(model)[0]["output"]
        assert text.startswith(DEFAULT_ERROR) and "exited with code 7" in text


# --- approvals, filters --------------------------------------------------------------------------


def test_require_approval_interrupts_and_resumes(basic_server):
    server = MCPServerStdio(misbehaving_params(), require_approval={"always": {"tool_names": ["echo"]}})
    with server:
        model = FakeModel([[function_call("echo", {"text": "approved call"}, call_id="c1")], "done"])
        agent = Agent(name="a", model=model, mcp_servers=[server])
        first = Runner.run_sync(agent, "x")
        assert [i.tool_name for i in first.interruptions] == ["echo"]
        assert server.stderr_lines.count("recv tools/call") == 0
        state = first.to_state()
        state.approve(first.interruptions[0])
        second = Runner.run_sync(agent, state)
        assert second.final_output == "done"
        assert outputs_sent(model)[0]["output"][0]["text"] == "approved call"

    listed = basic_server.list_tools()

    def flags_for(setting, agent=None) -> dict:
        unconnected = MCPServerStdio(misbehaving_params(), require_approval=setting)
        return {t.name: MCPUtil.to_function_tool(t, unconnected, False, agent).needs_approval
                for t in listed}

    assert set(flags_for(None).values()) == {False}
    assert set(flags_for("always").values()) == {True}
    flags = flags_for({"echo": "never", "sleep": "always"})
    assert flags["echo"] is False and flags["sleep"] is True and flags["env"] is False
    seen = []

    def policy(run_context, agent, tool):
        seen.append((agent.name, tool.name))
        return tool.name == "env"

    flags = flags_for(policy, Agent(name="dyn"))
    assert flags["env"](None, {}, "call") is True and flags["echo"](None, {}, "call") is False
    assert ("dyn", "env") in seen
    with pytest.raises(UserError):
        MCPServerStdio(misbehaving_params(), require_approval="sometimes")


def test_callable_tool_filter_sees_the_running_agent():
    seen = []

    def only_echo_for_alice(context, tool) -> bool:
        seen.append((context.agent.name, context.server_name, context.run_context.context))
        return context.agent.name == "alice" and tool.name == "echo"

    with MCPServerStdio(misbehaving_params(), tool_filter=only_echo_for_alice, name="f") as server:
        model = FakeModel(["a", "b"])
        Runner.run_sync(Agent(name="alice", model=model, mcp_servers=[server]), "x", context={"k": 1})
        Runner.run_sync(Agent(name="bob", model=model, mcp_servers=[server]), "x")
    assert [t.name for t in model.calls[0].tools] == ["echo"]
    assert model.calls[1].tools == []
    assert ("alice", "f", {"k": 1}) in seen


# --- many runs, many threads ---------------------------------------------------------------------


def test_one_server_serves_many_runs_in_many_threads(basic_server):
    errors: list[BaseException] = []
    outputs: dict[str, object] = {}

    def runs(worker: int) -> None:
        try:
            for n in range(5):
                text = f"w{worker}-r{n}"
                model = FakeModel([[function_call("echo", {"text": text})], "ok"])
                Runner.run_sync(Agent(name="a", model=model, mcp_servers=[basic_server]), "x")
                outputs[text] = outputs_sent(model)[0]["output"][0]["text"]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=runs, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(outputs) == 40 and all(key == value for key, value in outputs.items())
    assert basic_server.call_tool("echo", {"text": "still alive"}).content[0].text == "still alive"


# --- tracing -------------------------------------------------------------------------------------


def test_list_tools_span(basic_server):
    from agents_lite.tracing import (
        MCPListToolsSpanData,
        TraceProvider,
        TracingProcessor,
        get_trace_provider,
        set_trace_provider,
        trace,
    )

    class Collect(TracingProcessor):
        def __init__(self) -> None:
            self.spans = []

        def on_trace_start(self, trace) -> None: ...
        def on_trace_end(self, trace) -> None: ...
        def on_span_start(self, span) -> None: ...

        def on_span_end(self, span) -> None:
            self.spans.append(span)

        def shutdown(self) -> None: ...
        def force_flush(self) -> None: ...

    collector = Collect()
    provider = TraceProvider()
    provider.set_processors([collector])
    provider.set_disabled(False)
    previous = get_trace_provider()
    set_trace_provider(provider)
    try:
        with trace("mcp test"):
            get_all_function_tools([basic_server])
    finally:
        set_trace_provider(previous)
    spans = [s for s in collector.spans if isinstance(s.span_data, MCPListToolsSpanData)]
    assert len(spans) == 1
    assert spans[0].span_data.server == "basic"
    assert "echo" in spans[0].span_data.result


# --- laziness ------------------------------------------------------------------------------------


def test_importing_agents_lite_does_not_import_mcp():
    code = (
        "import sys, agents_lite; "
        "bad = [m for m in sys.modules if m.startswith('agents_lite.mcp') or m == 'mcp']; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    code = "import sys, agents_lite.mcp; print([m for m in ('mcp', 'requests', 'asyncio') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "'mcp'" not in out.stdout and "'asyncio'" not in out.stdout


# --- hosted MCP tool -----------------------------------------------------------------------------


def approval_request(request_id: str = "mcpr_1") -> dict:
    return {
        "type": "mcp_approval_request",
        "id": request_id,
        "server_label": "deepwiki",
        "name": "ask_question",
        "arguments": json.dumps({"repoName": "openai/codex", "question": "What is it?"}),
    }


def test_hosted_mcp_approval_callback_flow():
    from agents_lite import HostedMCPTool

    asked: list[dict] = []

    def on_approval(request: dict) -> dict:
        asked.append(request)
        return {"approve": request["name"] == "ask_question", "reason": "looks safe"}

    tool = HostedMCPTool(
        tool_config={"type": "mcp", "server_label": "deepwiki",
                     "server_url": "https://mcp.deepwiki.com/mcp", "require_approval": "always"},
        on_approval_request=on_approval,
    )
    model = FakeModel([[approval_request()], "answered"])
    result = Runner.run_sync(Agent(name="a", model=model, tools=[tool]), "Ask deepwiki")
    assert result.final_output == "answered"
    assert asked[0]["id"] == "mcpr_1"
    responses = [i for i in model.calls[1].input if i.get("type") == "mcp_approval_response"]
    assert responses == [{"type": "mcp_approval_response", "approval_request_id": "mcpr_1",
                          "approve": True, "reason": "looks safe"}]
    assert tool.to_wire() == {"type": "mcp", "server_label": "deepwiki",
                              "server_url": "https://mcp.deepwiki.com/mcp", "require_approval": "always"}


def test_hosted_mcp_approval_by_a_human():
    from agents_lite import HostedMCPTool

    tool = HostedMCPTool(tool_config={"server_label": "deepwiki", "server_url": "https://x.invalid/mcp"})
    model = FakeModel([[approval_request("mcpr_2")], "after rejection"])
    agent = Agent(name="a", model=model, tools=[tool])
    first = Runner.run_sync(agent, "x")
    assert len(first.interruptions) == 1
    state = first.to_state()
    state.reject(first.interruptions[0], rejection_message="not now")
    second = Runner.run_sync(agent, state)
    assert second.final_output == "after rejection"
    responses = [i for i in model.calls[-1].input if i.get("type") == "mcp_approval_response"]
    assert responses[0]["approve"] is False and responses[0]["approval_request_id"] == "mcpr_2"


# --- end to end over HTTP with every real server ---------------------------------------------------


def test_agent_calls_a_tool_of_every_real_server_over_the_local_openai_server(tmp_path):
    from agents_lite import OpenAIProvider
    from agents_lite.testing import LocalOpenAIServer

    everything = npm_server("server-everything")
    filesystem = npm_server("server-filesystem")
    (tmp_path / "hello.txt").write_text("hello from disk")
    specs = (fixture_http_spec("sse"), fixture_http_spec("streamable-http"),
             everything_http_spec("streamableHttp"))
    with http_servers(*specs) as (sse_url, http_url, everything_url):
        servers = [
            MCPServerStdio(fixture_params(), name="py_stdio"),
            MCPServerSse({"url": sse_url}, name="py_sse"),
            MCPServerStreamableHttp({"url": http_url}, name="py_http"),
            MCPServerStdio({"command": everything[0], "args": [everything[1], "stdio"]}, name="ev_stdio"),
            MCPServerStreamableHttp({"url": everything_url}, name="ev_http"),
            MCPServerStdio({"command": filesystem[0], "args": [filesystem[1], str(tmp_path)]}, name="fs"),
        ]
        calls = [
            ("mcp_py_stdio__add", {"a": 1, "b": 2}, "3"),
            ("mcp_py_sse__echo", {"text": "over sse"}, "over sse"),
            ("mcp_py_http__add", {"a": 40, "b": 2}, "42"),
            ("mcp_ev_stdio__get-sum", {"a": 5, "b": 6}, "The sum of 5 and 6 is 11."),
            ("mcp_ev_http__echo", {"message": "hey"}, "Echo: hey"),
            ("mcp_fs__read_text_file", {"path": str(tmp_path / "hello.txt")}, "hello from disk"),
        ]
        with MCPServerManager(servers, connect_timeout_seconds=30, strict=True) as manager, \
                LocalOpenAIServer() as openai:
            assert manager.active_servers == servers
            openai.add_response([function_call(n, args, call_id=f"call_{i}") for i, (n, args, _) in enumerate(calls)])
            openai.add_response("All six tools answered.")
            agent = Agent(name="mcp user", mcp_servers=manager.active_servers,
                          mcp_config={"include_server_in_tool_names": True})
            provider = OpenAIProvider(base_url=openai.base_url, api_key="sk-test")
            result = Runner.run_sync(agent, "Use every tool.", run_config=RunConfig(model_provider=provider))
            assert result.final_output == "All six tools answered."
            first, second = [r.body for r in openai.requests_to("/v1/responses")]
        for process_server in servers[::3]:
            assert process_server.session is None  # the manager cleaned up
    offered = {t["name"]: t for t in first["tools"]}
    for name, _args, _expected in calls:
        assert offered[name]["type"] == "function" and offered[name]["strict"] is False
    sent = {i["call_id"]: i["output"] for i in second["input"] if i.get("type") == "function_call_output"}
    for index, (_name, _args, expected) in enumerate(calls):
        parts = sent[f"call_{index}"]
        assert parts[0] == {"type": "input_text", "text": expected}, (index, parts)
    assert os.path.exists(tmp_path / "hello.txt")
