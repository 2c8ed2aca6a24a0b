"""Process exit with spans still queued: the interpreter-exit flush delivers them (a cron
script's traces are not lost), and an unreachable ingest does not hang the exit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator

import pytest

from agents_lite.testing.server import LocalOpenAIServer, RecordedRequest, Reply

from conftest import free_port

INGEST = "/v1/traces/ingest"

SCRIPT = textwrap.dedent(
    """
    import os, sys, threading
    from agents_lite import Agent, Runner
    from agents_lite.testing.fake_model import FakeModel
    from agents_lite.tracing import (BackendSpanExporter, BatchTraceProcessor, custom_span,
                                     set_trace_processors, trace)

    mode = sys.argv[1]
    if os.environ.get("EXIT_TIMEOUT"):
        import agents_lite.tracing.setup as tracing_setup
        tracing_setup.EXIT_FLUSH_TIMEOUT = float(os.environ["EXIT_TIMEOUT"])
    if mode == "custom":
        exporter = BackendSpanExporter(api_key="sk-exit", endpoint=os.environ["INGEST_URL"],
                                       base_delay=0.05)
        processor = BatchTraceProcessor(exporter, schedule_delay=3600)  # never on its own
        set_trace_processors([processor])
    for index in range(3):
        Runner.run_sync(Agent(name=f"cron-{index}", model=FakeModel(["ok"])), "job")
    with trace("tail"):
        with custom_span("last step", {"n": 1}):
            pass
    alive = [t.name for t in threading.enumerate() if t.name == "agents-lite-trace-export"]
    print("export threads:", alive, flush=True)
    # no flush_traces(): the script just ends
    """
)


@pytest.fixture
def server() -> Iterator[LocalOpenAIServer]:
    with LocalOpenAIServer() as local:
        yield local


def _run(mode: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items()
            if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_AGENTS_DISABLE_TRACING")}
    full.update(env)
    return subprocess.run([sys.executable, "-c", SCRIPT, mode], env=full, capture_output=True,
                          text=True, timeout=60)


def test_queued_spans_are_delivered_at_interpreter_exit(server: LocalOpenAIServer) -> None:
    done = _run("custom", {"INGEST_URL": server.base_url + "/traces/ingest"})
    assert done.returncode == 0, done.stderr
    assert "agents-lite-trace-export" in done.stdout  # the worker was running, yet idle
    items = server.trace_ingest_items()
    assert [i["workflow_name"] for i in items if i["object"] == "trace"] == [
        "Agent workflow", "Agent workflow", "Agent workflow", "tail",
    ]
    spans = [i for i in items if i["object"] == "trace.span"]
    assert len(spans) == 3 * 4 + 1
    assert {r.headers["authorization"] for r in server.requests_to(INGEST)} == {"Bearer sk-exit"}


def test_the_default_openai_export_is_flushed_at_exit_too(server: LocalOpenAIServer) -> None:
    done = _run("default", {"OPENAI_API_KEY": "sk-default-exit", "OPENAI_BASE_URL": server.base_url})
    assert done.returncode == 0, done.stderr
    items = server.trace_ingest_items()
    assert len([i for i in items if i["object"] == "trace"]) == 4
    assert len([i for i in items if i["object"] == "trace.span"]) == 13
    assert {r.headers["authorization"] for r in server.requests_to(INGEST)} == {"Bearer sk-default-exit"}


def test_without_a_key_the_default_setup_starts_no_thread_and_prints_nothing() -> None:
    done = _run("default", {})
    assert done.returncode == 0, done.stderr
    assert "export threads: []" in done.stdout
    assert done.stderr == ""


def test_an_unreachable_ingest_does_not_hang_the_exit() -> None:
    done = _run("custom", {"INGEST_URL": f"http://127.0.0.1:{free_port()}/v1/traces/ingest"})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def test_an_ingest_that_never_answers_cannot_hold_the_exit_past_its_deadline(
    server: LocalOpenAIServer,
) -> None:
    entered, release = threading.Event(), threading.Event()

    def never_answers(request: RecordedRequest) -> Reply:
        entered.set()
        release.wait(120)
        return Reply(200, body={})

    server.add_route("POST", "/stuck/traces/ingest", never_answers)
    try:
        # The exporter's own timeout is 60 s per attempt, 3 attempts: only the exit deadline
        # (1 s here) can end this within the subprocess time limit.
        done = _run("custom", {"INGEST_URL": server.url + "/stuck/traces/ingest",
                               "EXIT_TIMEOUT": "1"})
    finally:
        release.set()
    assert done.returncode == 0, done.stderr
    assert entered.is_set()
    assert "Traceback" not in done.stderr
