"""The command line, the demo and the terminal chat loop."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from agents_lite import Agent, function_tool
from agents_lite.cli import main
from agents_lite.demo import TripPlan, run_demo
from agents_lite.repl import run_demo_loop
from agents_lite.testing.fake_model import FakeModel
from agents_lite.testing.scripted import function_call


def test_demo_runs_offline_over_http():
    out = io.StringIO()
    plan = run_demo(out=out)
    assert plan == TripPlan(
        city="Lisbon", days=4, budget_eur=1104.0,
        highlights=["Weather looks sunny, 24 °C", "Tram 28 through Alfama", "Pastéis de Belém"],
    )
    text = out.getvalue()
    assert "offline, over HTTP to a local server" in text
    assert "[handoff] Travel Desk -> Trip Planner" in text
    assert '[tool call] get_weather({"city": "Lisbon"})' in text
    assert "[tool output] 1104.0" in text
    assert "3 model requests" in text


def test_console_script_demo_in_a_fresh_process():
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    done = subprocess.run([sys.executable, "-m", "agents_lite", "demo"], capture_output=True,
                          text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert "TripPlan(city='Lisbon'" in done.stdout


def test_demo_live_needs_a_key(monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert main(["demo", "--live"]) == 2
    assert "OPENAI_API_KEY" in capsys.readouterr().err


def test_run_command_against_the_local_server(monkeypatch, capsys):
    from agents_lite.testing.server import LocalOpenAIServer

    with LocalOpenAIServer() as server:
        server.add_response("answer from the server")
        server.add_response("streamed answer")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        import agents_lite.run_loop as loop

        monkeypatch.setattr(loop, "_DEFAULT_PROVIDER", None)  # pick up the env of this test
        assert main(["run", "hello there", "--model", "local-model"]) == 0
        assert main(["run", "again", "--stream"]) == 0
        out = capsys.readouterr().out
        assert "answer from the server" in out and "streamed answer" in out
        bodies = [r.body for r in server.requests_to("/v1/responses")]
        assert bodies[0]["model"] == "local-model"
        assert bodies[0]["input"][0]["content"] == "hello there"
    monkeypatch.setattr(loop, "_DEFAULT_PROVIDER", None)


def test_repl_keeps_history_and_shows_tools():
    @function_tool
    def clock() -> str:
        """Tell the time."""
        return "12:00"

    model = FakeModel([[function_call("clock", {})], "It is noon.", "You asked about the time."])
    lines = iter(["what time is it?", "", "what did I ask?"])

    def fake_input(prompt):
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    run_demo_loop(Agent(name="a", tools=[clock], model=model), input_fn=fake_input, output=out)
    text = out.getvalue()
    assert "[tool call] clock({})" in text and "[tool output] 12:00" in text
    assert "It is noon." in text and "You asked about the time." in text
    third = model.calls[2].input
    assert [i.get("content") for i in third if i.get("role") == "user"] == [
        "what time is it?", "what did I ask?"
    ]


def test_repl_non_streamed_and_exit_word():
    model = FakeModel(["plain answer"])
    lines = iter(["hi", "exit", "never read"])
    out = io.StringIO()
    run_demo_loop(Agent(name="a", model=model), stream=False, input_fn=lambda p: next(lines), output=out)
    assert out.getvalue().strip() == "plain answer"
    assert len(model.calls) == 1


def test_repl_asks_for_approvals_and_resumes():
    ran = []

    @function_tool(needs_approval=True)
    def wipe(target: str) -> str:
        """Wipe something."""
        ran.append(target)
        return f"wiped {target}"

    model = FakeModel([
        [function_call("wipe", {"target": "cache"}, call_id="w1")], "Cache wiped.",
        [function_call("wipe", {"target": "disk"}, call_id="w2")], "Not wiping the disk.",
    ])
    answers = iter(["wipe the cache", "y", "wipe the disk", "n"])
    prompts = []

    def fake_input(prompt):
        prompts.append(prompt)
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    run_demo_loop(Agent(name="a", tools=[wipe], model=model), input_fn=fake_input, output=out)
    assert ran == ["cache"]
    assert prompts[1] == '[approve wipe({"target": "cache"})? y/N] '
    assert "Cache wiped." in out.getvalue() and "Not wiping the disk." in out.getvalue()
    assert model.calls[3].input[-1]["output"] == "Tool execution was not approved."
