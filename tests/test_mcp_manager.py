"""MCPServerManager: parallel connects, failures kept apart, timeouts, strict mode, cleanup."""

from __future__ import annotations

import threading

import pytest
from mcp_fixtures.helpers import misbehaving_params

from agents_lite import Agent, Runner
from agents_lite.mcp import (
    MCPProtocolError,
    MCPServerCommandNotFoundError,
    MCPServerManager,
    MCPServerStdio,
    MCPTimeoutError,
)
from agents_lite.testing import FakeModel, function_call


def good(name: str) -> MCPServerStdio:
    return MCPServerStdio(misbehaving_params(f"shared={name}"), name=name)


def test_working_servers_are_active_and_failures_are_recorded():
    a, b = good("a"), good("b")
    missing = MCPServerStdio({"command": "no-such-mcp-server-abc"}, name="missing")
    wrong_version = MCPServerStdio(misbehaving_params("unknown_version"), name="old")
    with MCPServerManager([a, missing, b, wrong_version]) as manager:
        assert manager.active_servers == [a, b]
        assert manager.all_servers == [a, missing, b, wrong_version]
        assert manager.failed_servers == [missing, wrong_version]
        assert isinstance(manager.errors[missing], MCPServerCommandNotFoundError)
        assert isinstance(manager.errors[wrong_version], MCPProtocolError)
        model = FakeModel([[function_call("b_echo", {"text": "via b"})], "done"])
        Runner.run_sync(Agent(name="x", model=model, mcp_servers=manager.active_servers), "go")
        outputs = [i for i in model.calls[1].input if i.get("type") == "function_call_output"]
        assert outputs[0]["output"] == [{"type": "input_text", "text": "via b"}]
        processes = [a.process, b.process]
    assert a.session is None and b.session is None
    assert all(p.returncode is not None for p in processes)


def test_keep_failed_servers_when_asked():
    a = good("a")
    missing = MCPServerStdio({"command": "no-such-mcp-server-abc"}, name="missing")
    with MCPServerManager([a, missing], drop_failed_servers=False) as manager:
        assert manager.active_servers == [a, missing]
        assert manager.failed_servers == [missing]


def test_strict_raises_and_disconnects_what_connected():
    a = good("a")
    missing = MCPServerStdio({"command": "no-such-mcp-server-abc"}, name="missing")
    manager = MCPServerManager([a, missing], strict=True)
    with pytest.raises(MCPServerCommandNotFoundError):
        manager.connect_all()
    assert a.session is None
    assert manager.active_servers == [a]


def test_connect_timeout_marks_the_server_failed_and_stops_it():
    slow = MCPServerStdio(misbehaving_params("slow_start"), name="slow",
                          client_session_timeout_seconds=60)
    a = good("a")
    with MCPServerManager([slow, a], connect_timeout_seconds=1.0) as manager:
        assert manager.active_servers == [a]
        error = manager.errors[slow]
        assert isinstance(error, MCPTimeoutError) and "did not connect within 1 seconds" in str(error)
        assert slow.session is None
        assert slow.process.poll() is not None  # the half-started server was stopped


def test_connects_run_in_parallel():
    # Each connect blocks until both have started: sequential connects would time out.
    barrier = threading.Barrier(2, timeout=10)

    class Rendezvous(MCPServerStdio):
        def connect(self) -> None:
            barrier.wait()
            super().connect()

    servers = [Rendezvous(misbehaving_params(f"shared={n}"), name=n) for n in ("p", "q")]
    with MCPServerManager(servers, connect_timeout_seconds=20) as manager:
        assert manager.active_servers == servers
        assert manager.failed_servers == []


def test_reconnect_failed_only():
    flaky = MCPServerStdio({"command": "no-such-mcp-server-abc"}, name="flaky")
    a = good("a")
    with MCPServerManager([a, flaky]) as manager:
        assert manager.active_servers == [a]
        first_process = a.process
        flaky.params = misbehaving_params("shared=flaky")  # the problem got fixed
        assert manager.reconnect() == [a, flaky]
        assert manager.failed_servers == [] and flaky not in manager.errors
        assert a.process is first_process  # connected servers were left alone
        assert flaky.call_tool("flaky_echo", {"text": "ok"}).content[0].text == "ok"
        assert manager.reconnect(failed_only=False) == [a, flaky]
        assert a.process is not first_process
    assert flaky.session is None
