"""Crash-resumable runs: checkpoints, resume without repeating work, a SIGKILLed process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from agents_lite import Agent, Runner, UserError, function_tool
from agents_lite.checkpoint.sqlite_store import SQLiteCheckpointStore
from agents_lite.testing.fake_model import FakeModel
from agents_lite.testing.scripted import function_call, text_message


@pytest.fixture
def store(tmp_path):
    s = SQLiteCheckpointStore(str(tmp_path / "checkpoints.db"))
    yield s
    s.close()


def test_finished_run_is_marked_done(store):
    model = FakeModel(["hi"])
    result = Runner.run_sync(Agent(name="a", model=model), "x", checkpoint=store)
    assert result.run_id and store.is_done(result.run_id)
    with pytest.raises(UserError):
        Runner.resume(result.run_id, Agent(name="a", model=model), checkpoint=store)


def test_resume_after_a_model_error_does_not_rerun_tools(store):
    calls = []

    @function_tool
    def charge(amount: int) -> str:
        """Charge a card."""
        calls.append(amount)
        return f"charged {amount}"

    from agents_lite import APIConnectionError

    model = FakeModel([[function_call("charge", {"amount": 5}, call_id="c1")],
                       APIConnectionError("network gone")])
    agent = Agent(name="a", tools=[charge], model=model)
    with pytest.raises(APIConnectionError):
        Runner.run_sync(agent, "pay", checkpoint=store, run_id="pay-1")
    assert calls == [5]
    assert [info.run_id for info in store.list_runs()] == ["pay-1"]

    model.set_next_output("paid")
    result = Runner.resume("pay-1", agent, checkpoint=store)
    assert result.final_output == "paid" and calls == [5]
    assert len(model.calls) == 3  # turn 1, the failed turn 2, turn 2 again: turn 1 not re-sent
    assert model.calls[-1].input[-1] == {"type": "function_call_output", "call_id": "c1",
                                         "output": "charged 5"}
    assert store.is_done("pay-1")
    assert store.delete("pay-1") and store.list_runs(include_done=True) == []


def test_run_id_without_store_is_refused():
    with pytest.raises(UserError, match="checkpoint="):
        Runner.run_sync(Agent(name="a", model=FakeModel(["x"])), "x", run_id="r")


def test_a_leased_run_cannot_be_resumed_twice(store):
    model = FakeModel([[function_call("noop", {}, call_id="n")]])
    store.acquire("busy", "someone-else", 60)
    with pytest.raises(UserError, match="another worker"):
        Runner.run_sync(Agent(name="a", model=model), "x", checkpoint=store, run_id="busy")


CHILD = textwrap.dedent(
    """
    import os, sys, json
    from agents_lite import Agent, Runner, function_tool
    from agents_lite.checkpoint.sqlite_store import SQLiteCheckpointStore
    from agents_lite.models.http import HTTPClient
    from agents_lite.models.openai_responses import OpenAIResponsesModel

    base_url, db, marker, mode = sys.argv[1:5]

    @function_tool
    def book_flight(destination: str) -> str:
        '''Book a flight (not idempotent!).'''
        with open(marker, "a") as f:
            f.write(destination + "\\n")
        return "booked " + destination

    model = OpenAIResponsesModel("m", client=HTTPClient(base_url=base_url, max_retries=0))
    agent = Agent(name="travel", tools=[book_flight], model=model)
    store = SQLiteCheckpointStore(db)
    if mode == "start":
        Runner.run_sync(agent, "book me to Lima", checkpoint=store, run_id="trip")
    else:
        result = Runner.resume("trip", agent, checkpoint=store, force=True)
        print(json.dumps({"final": result.final_output}))
    """
)


def test_sigkilled_run_resumes_in_a_new_process(tmp_path):
    from agents_lite.testing.faults import Fault
    from agents_lite.testing.server import LocalOpenAIServer

    script = tmp_path / "child.py"
    script.write_text(CHILD)
    db, marker = str(tmp_path / "ck.db"), tmp_path / "bookings.txt"
    with LocalOpenAIServer() as server:
        server.add_response([function_call("book_flight", {"destination": "Lima"}, call_id="b1")])
        # The request after the tool call hangs: the process is killed while waiting for it.
        server.add_response(Fault(reply=[text_message("never delivered")], delay=60))
        child = subprocess.Popen([sys.executable, str(script), server.base_url, db, str(marker), "start"])
        try:
            deadline = time.monotonic() + 30
            while len(server.requests_to("/v1/responses")) < 2:
                assert child.poll() is None, "child exited early"
                assert time.monotonic() < deadline, "child never made its second request"
                time.sleep(0.02)
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.wait(10)
        assert child.returncode == -signal.SIGKILL
        assert marker.read_text() == "Lima\n"

        server.add_response("You are booked to Lima.")
        done = subprocess.run(
            [sys.executable, str(script), server.base_url, db, str(marker), "resume"],
            capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout.strip().splitlines()[-1]) == {"final": "You are booked to Lima."}
        assert marker.read_text() == "Lima\n"  # the tool ran exactly once
        bodies = [r.body for r in server.requests_to("/v1/responses")]
        assert len(bodies) == 3  # turn 1 was not sent again
        assert bodies[2]["input"][-1]["output"] == "booked Lima"
    store = SQLiteCheckpointStore(db)
    assert store.is_done("trip")
    store.close()


def test_lease_is_kept_during_a_long_tool_call(tmp_path, monkeypatch):
    """A tool running longer than the lease must not let another worker take the run."""
    import agents_lite.checkpointing as checkpointing

    monkeypatch.setattr(checkpointing, "DEFAULT_LEASE_SECONDS", 0.3)
    store = SQLiteCheckpointStore(str(tmp_path / "lease.db"))
    took_over = []

    @function_tool
    def slow_tool() -> str:
        """Slow."""
        # Try to take the run over while the tool runs, past the lease's lifetime.
        deadline = time.monotonic() + 0.9
        while time.monotonic() < deadline:
            took_over.append(store.acquire("long", "intruder", 0.3))
            time.sleep(0.05)
        return "done"

    model = FakeModel([[function_call("slow_tool", {})], "ok"])
    result = Runner.run_sync(Agent(name="a", tools=[slow_tool], model=model), "x",
                             checkpoint=store, run_id="long")
    assert result.final_output == "ok"
    assert len(took_over) > 5 and not any(took_over)
    store.close()
