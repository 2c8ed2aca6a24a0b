"""The terminal chat, driven through a real pseudo-terminal against the local server.

A child process gets the pty as its controlling terminal (so Ctrl-C typed there is a real
SIGINT), talks to a `LocalOpenAIServer` through OPENAI_BASE_URL, and the test types into it.
Streamed replies are held at a gate in the server, so "text appears before the reply is
complete" is checked without timing.
"""

from __future__ import annotations

import os
import platform
import pty
import select
import signal
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from typing import Optional

import pytest

from agents_lite.testing.replies import Reply, sse_frame
from agents_lite.testing.scripted import (
    function_call,
    response_object,
    response_stream_events,
    text_message,
)
from agents_lite.testing.server import LocalOpenAIServer

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

_READ_SYSCALL = {"x86_64": 0, "aarch64": 63, "arm64": 63}

CHAT_SCRIPT = textwrap.dedent('''
    from agents_lite import Agent, function_tool
    from agents_lite.repl import run_demo_loop


    @function_tool
    def clock() -> str:
        """Tell the time."""
        return "12:00"


    agent = Agent(name="Assistant", instructions="Be brief.", tools=[clock])
    run_demo_loop(agent, stream=True)
    print("bye")
''')


class Terminal:
    """A child process on a pseudo-terminal: type into it, read what it shows."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal
            try:
                # A test runner started in the background ignores SIGINT, and an ignored
                # signal stays ignored across exec; a shell in a terminal would restore it.
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                os.chdir(cwd)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.shown = ""
        self.status: Optional[int] = None

    def read_until(self, text: str, timeout: float = 30.0) -> str:
        """Read until `text` has been shown (after what earlier reads consumed); returns
        everything shown so far."""
        deadline = time.monotonic() + timeout
        while text not in self.shown:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} never appeared; the terminal shows:\n{self.shown}")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:  # the child closed the terminal
                    data = b""
                if not data:
                    raise AssertionError(f"the terminal closed before {text!r}:\n{self.shown}")
                self.shown += data.decode("utf-8", "replace").replace("\r\n", "\n")
        return self.shown

    def type(self, data: str) -> None:
        os.write(self.fd, data.encode())

    def wait_reading_input(self, timeout: float = 30.0) -> None:
        """Wait until the child blocks reading its terminal. A SIGINT that lands between
        Python printing the prompt and starting to read is only noticed after the next line
        (CPython's input()), so Ctrl-C is pressed once the child really waits, like a person
        would. Uses /proc/<pid>/syscall where the read syscall number is known."""
        number = _READ_SYSCALL.get(platform.machine())
        path = f"/proc/{self.pid}/syscall"
        if number is None or not os.path.exists(path):
            time.sleep(0.5)
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open(path) as handle:
                    fields = handle.read().split()
            except OSError:
                fields = []
            if fields[:2] == [str(number), "0x0"]:  # read(0, ...)
                return
            time.sleep(0.02)
        raise AssertionError("the chat never waited for input")

    def wait(self, timeout: float = 30.0) -> int:
        """Drain the terminal until the child exits; returns its exit code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                self._drain()
                return self.status
            self._drain(0.1)
        self.kill()
        raise AssertionError(f"the chat did not exit; the terminal shows:\n{self.shown}")

    def _drain(self, wait: float = 0.0) -> None:
        while True:
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                return
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                return
            if not data:
                return
            self.shown += data.decode("utf-8", "replace").replace("\r\n", "\n")
            wait = 0.0

    def kill(self) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.status = -9

    def close(self) -> None:
        self.kill()
        os.close(self.fd)


def gated_text_stream(text: str, gate: threading.Event, hold_after: int = 1) -> Reply:
    """A streamed Responses reply that stops after `hold_after` text deltas until `gate` opens."""
    response = response_object([text_message(text)])

    def frames() -> Iterator[bytes]:
        deltas = 0
        for event in response_stream_events(response):
            yield sse_frame(event, event["type"])
            if event["type"] == "response.output_text.delta":
                deltas += 1
                if deltas == hold_after:
                    gate.wait(30)

    return Reply(200, body=frames())


@pytest.fixture
def server():
    with LocalOpenAIServer() as local:
        yield local


@pytest.fixture
def child_env(server):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-test",
               OPENAI_AGENTS_DISABLE_TRACING="1", TERM="dumb", PYTHONUNBUFFERED="1")
    return env


@pytest.fixture
def chat(tmp_path, child_env):
    script = tmp_path / "chat.py"
    script.write_text(CHAT_SCRIPT)
    terminals: list[Terminal] = []

    def start(argv: Optional[list[str]] = None) -> Terminal:
        terminal = Terminal(argv or [sys.executable, str(script)], child_env, str(tmp_path))
        terminals.append(terminal)
        return terminal

    yield start
    for terminal in terminals:
        terminal.close()


def test_two_messages_streamed_with_a_tool_call_then_eof(chat, server):
    gate = threading.Event()
    server.add_response(gated_text_stream("Hello Ada, nice to meet you.", gate))
    server.add_responses([function_call("clock", {}, call_id="call_clock")], "It is noon.")
    term = chat()
    term.read_until(" > ")
    term.type("hi, I am Ada\n")
    # The first words are on screen while the server still holds the rest of the reply.
    shown = term.read_until("Hello")
    assert "nice to meet you" not in shown
    gate.set()
    term.read_until("Hello Ada, nice to meet you.\n")
    term.read_until(" > ")
    term.type("what time is it?\n")
    shown = term.read_until("It is noon.")
    assert "[tool call] clock({})" in shown
    assert "[tool output] 12:00" in shown
    assert shown.index("[tool call] clock") < shown.index("[tool output] 12:00") < shown.index(
        "It is noon.")
    term.read_until("It is noon.\n > ")
    term.type("\x04")  # Ctrl-D: end of input
    assert term.wait() == 0
    assert term.shown.endswith("bye\n")
    assert "Traceback" not in term.shown

    # The history is kept: the second turn's first request carries the first exchange.
    bodies = [r.body for r in server.requests_to("/v1/responses")]
    assert len(bodies) == 3
    second = bodies[1]["input"]
    assert second[0] == {"role": "user", "content": "hi, I am Ada"}
    assert second[1]["role"] == "assistant"
    assert second[1]["content"][0]["text"] == "Hello Ada, nice to meet you."
    assert second[-1] == {"role": "user", "content": "what time is it?"}
    assert all(body["stream"] is True for body in bodies)
    assert [t["name"] for t in bodies[0]["tools"]] == ["clock"]


def test_ctrl_c_at_the_prompt_exits_cleanly(chat, server):
    server.add_response("pong")
    term = chat()
    term.read_until(" > ")
    term.type("ping\n")
    term.read_until("pong\n > ")
    term.wait_reading_input()
    term.type("\x03")  # Ctrl-C: SIGINT from the terminal
    assert term.wait() == 0
    assert "Traceback" not in term.shown and "KeyboardInterrupt" not in term.shown
    assert term.shown.endswith("bye\n")


def test_ctrl_c_while_streaming_stops_that_answer_and_keeps_chatting(chat, server):
    gate = threading.Event()
    try:
        server.add_response(gated_text_stream("one two three four", gate))
        server.add_response("still here")
        term = chat()
        term.read_until(" > ")
        term.type("count\n")
        term.read_until("one")
        term.type("\x03")
        term.read_until("[interrupted]")
        term.read_until(" > ")
        term.type("are you there?\n")
        shown = term.read_until("still here")
        assert "four" not in shown
        term.read_until("still here\n > ")
        term.type("exit\n")
        assert term.wait() == 0
        assert "Traceback" not in term.shown
    finally:
        gate.set()
    # The interrupted answer was not added to the history.
    last = server.requests_to("/v1/responses")[-1].body["input"]
    assert [item.get("content") for item in last] == ["are you there?"]


def test_agents_lite_chat_command(chat, server):
    server.add_response("Hi from the local model.")
    term = chat([sys.executable, "-m", "agents_lite", "chat", "--instructions", "Be terse."])
    term.read_until(" > ")
    term.type("hello\n")
    term.read_until("Hi from the local model.\n > ")
    term.type("\x04")
    assert term.wait() == 0
    assert "Traceback" not in term.shown
    body = server.requests_to("/v1/responses")[0].body
    assert body["instructions"] == "Be terse."
    assert body["input"] == [{"role": "user", "content": "hello"}]
