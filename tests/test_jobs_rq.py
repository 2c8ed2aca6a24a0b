"""Agent runs as RQ jobs, with real `agents-lite worker` (rq) processes, real Redis and the local
OpenAI server: many runs across workers, SIGKILLed workers, live events, approvals across
workers, cancel, and every bad input of the feature."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from jobs_fixtures.harness import (
    PrivateRedis,
    cleanup_rq,
    delete_keys,
    side_effects,
    start_rq_worker,
    stop,
    wait_for,
    worker_env,
)
from jobs_fixtures.replies import responder

from agents_lite import UserError
from agents_lite.testing.faults import Fault
from agents_lite.testing.scripted import function_call, text_message

from conftest import free_port, redis_available, redis_url, require

TRAVEL = "jobs_fixtures.agents:travel"
SUPPORT = "jobs_fixtures.agents:support"
WRITER = "jobs_fixtures.agents:make_writer"

pytestmark = pytest.mark.timeout(120)


class RQEnv:
    """One test's queue, key prefix, model server and worker processes."""

    def __init__(self, tmp_path: Path, url: str) -> None:
        from redis import Redis
        from rq import Queue

        from agents_lite.testing.server import LocalOpenAIServer

        self.tmp = tmp_path
        self.url = url
        self.tag = uuid.uuid4().hex[:10]
        self.name = f"jobs-{self.tag}"
        self.prefix = f"agents-test-{self.tag}"
        self.redis = Redis.from_url(url)
        self.queue = Queue(self.name, connection=self.redis)
        self.server = LocalOpenAIServer().start()
        self.server.set_responder(responder)
        self.effects = tmp_path / "side_effects.txt"
        self.env = worker_env(self.server.base_url, self.effects)
        self.workers: list[subprocess.Popen[Any]] = []
        self.job_ids: list[str] = []
        self.log = tmp_path / "workers.log"

    def enqueue(self, queue: Any = None, **kwargs: Any) -> Any:
        from agents_lite.jobs import enqueue_run

        kwargs.setdefault("key_prefix", self.prefix)
        handle = enqueue_run(queue or self.queue, **kwargs)
        self.job_ids.append(handle.job_id)
        return handle

    def worker_name(self, name: str) -> str:
        return f"{self.name}-{name}"

    def worker(self, name: str, *args: str, url: str = "", queue: str = "") -> subprocess.Popen[Any]:
        process = start_rq_worker(queue or self.name, url or self.url, self.env, "--burst",
                                  "--name", self.worker_name(name), "--quiet", *args, log=self.log)
        self.workers.append(process)
        return process

    def track(self, handle: Any) -> Any:
        self.job_ids.append(handle.job_id)
        return handle

    def store(self) -> Any:
        from agents_lite.checkpoint.redis_store import RedisCheckpointStore

        return RedisCheckpointStore(redis_client=self.redis, key_prefix=f"{self.prefix}:checkpoint")

    def session_items(self, session_id: str) -> list[dict[str, Any]]:
        from agents_lite.memory.redis_session import RedisSession

        return RedisSession(session_id, redis_client=self.redis,
                            key_prefix=f"{self.prefix}:session").get_items()

    def model_requests(self) -> list[Any]:
        return self.server.requests_to("/v1/responses")

    def close(self) -> None:
        for process in self.workers:
            stop(process)
        self.server.stop()
        try:
            cleanup_rq(self.redis, self.name, self.job_ids)
            delete_keys(self.redis, f"{self.prefix}:*")
        finally:
            self.redis.close()


@pytest.fixture
def env(tmp_path):
    require(importlib.util.find_spec("rq") is not None, "the rq package (extra 'rq')")
    require(redis_available(), f"a Redis server at {redis_url()}")
    instance = RQEnv(tmp_path, redis_url())
    yield instance
    instance.close()


def _stream_records(env: RQEnv, run_id: str) -> list[dict[str, Any]]:
    from agents_lite.jobs.keys import JobKeys

    entries = env.redis.xrange(JobKeys(env.prefix).events(run_id))
    return [json.loads(fields[b"e"]) for _, fields in entries]


# --- throughput and exactly-once ---------------------------------------------------------------


def test_forty_runs_across_four_worker_processes_complete_exactly_once(env):
    env.server.latency = 0.05  # long enough that every worker gets some of the 40 runs
    handles = [
        env.enqueue(agent=TRAVEL, input=f"book city{i}", session_id=f"user{i}",
                    context={"order": i})
        for i in range(40)
    ]
    workers = [env.worker(f"w{n}") for n in range(4)]
    results = [handle.result(timeout=90) for handle in handles]
    for process in workers:
        assert process.wait(30) == 0

    assert [r.status for r in results] == ["completed"] * 40
    assert [r.final_output for r in results] == [f"Done: booked city{i}." for i in range(40)]
    assert [r.run_id for r in results] == [h.run_id for h in handles]
    assert all(r.usage is not None and r.usage.requests == 2 for r in results)
    # Every booking happened exactly once, for the right run, on one of the four workers.
    lines = [line.split() for line in side_effects(env.effects)]
    assert sorted((int(order), city) for _, city, order, _ in lines) == [
        (i, f"city{i}") for i in range(40)
    ]
    ran_on = {where for *_, where in lines}
    assert ran_on <= {env.worker_name(f"w{n}") for n in range(4)} and len(ran_on) >= 2
    assert len(env.model_requests()) == 80  # no model call was repeated
    for i in (0, 17, 39):
        items = env.session_items(f"user{i}")
        assert [item.get("type", "message") for item in items] == [
            "message", "function_call", "function_call_output", "message"]
        assert items[0]["content"] == f"book city{i}"
    assert all(env.store().is_done(h.run_id) for h in handles)
    # A forked job exits without exit handlers: its trace was flushed at the end of the job.
    traces = [t for t in env.server.trace_ingest_items() if t.get("object") == "trace"]
    assert {t["group_id"] for t in traces} == {h.run_id for h in handles}
    assert all(t["metadata"]["run_id"] == t["group_id"] for t in traces)


@pytest.mark.parametrize("victim", ["work horse", "whole worker"])
def test_a_sigkilled_worker_job_is_retried_elsewhere_and_the_tool_runs_once(env, victim):
    from rq.job import Job
    from rq.registry import StartedJobRegistry

    env.server.add_response([function_call("book", {"destination": "Lima"}, call_id="b1")])
    # The request after the tool call hangs: the worker is killed while waiting for it.
    env.server.add_response(Fault(reply=[text_message("never delivered")], delay=30))
    # A long lease: the retry must take over at once because the holder is known dead.
    handle = env.enqueue(agent=TRAVEL, input="book Lima", session_id="kill", lease_seconds=60)
    first = env.worker("a", "--max-jobs", "1")
    wait_for(lambda: len(env.model_requests()) >= 2, 30, "the request after the tool call",
             alive=first)
    assert side_effects(env.effects) == [f"book Lima - {env.worker_name('a')}"]
    owner = json.loads(env.store().lease_owner(handle.run_id))
    assert owner["job"] == handle.job_id

    if victim == "whole worker":
        os.kill(first.pid, signal.SIGKILL)
    os.kill(owner["pid"], signal.SIGKILL)
    first.wait(30)
    if victim == "whole worker":
        # Nobody saw the job die: RQ finds it abandoned when its heartbeat expires (about a
        # minute); run RQ's own sweep of abandoned jobs as if that time had passed.
        assert Job.fetch(handle.job_id, connection=env.redis).get_status().value == "started"
        StartedJobRegistry(env.name, connection=env.redis).cleanup(timestamp=time.time() + 3600)
    assert handle.status() == "queued"  # re-enqueued by RQ's Retry

    second = env.worker("b")
    result = handle.result(timeout=60)
    assert second.wait(30) == 0
    assert result.final_output == "Done: booked Lima."
    assert side_effects(env.effects) == [f"book Lima - {env.worker_name('a')}"]  # exactly once
    bodies = [r.body for r in env.model_requests()]
    assert len(bodies) == 3  # the first turn was not requested again
    assert bodies[2]["input"][-1] == {"type": "function_call_output", "call_id": "b1",
                                      "output": "booked Lima"}
    job = Job.fetch(handle.job_id, connection=env.redis)
    assert job.worker_name == env.worker_name("b") and job.retries_left == 2
    started = [r for r in _stream_records(env, handle.run_id) if r["type"] == "job_started"]
    assert [(r["attempt"], r["resumed"], r["worker"]) for r in started] == [
        (1, False, env.worker_name("a")), (2, True, env.worker_name("b"))]
    items = env.session_items("kill")
    assert [item.get("type", "message") for item in items] == [
        "message", "function_call", "function_call_output", "message"]


# --- events --------------------------------------------------------------------------------


def test_events_stream_a_remote_runs_text_deltas_live_and_in_order(env):
    words = "one two three four five six seven eight"
    env.server.add_response(Fault(reply=words, event_delay=0.05))
    handle = env.enqueue(agent=WRITER, input="write")
    env.worker("w")
    records, deltas, status_at_first_delta = [], [], None
    for record in handle.events(timeout=60):
        records.append(record)
        data = record.get("data") or {}
        if data.get("type") == "response.output_text.delta":
            deltas.append(data["delta"])
            if status_at_first_delta is None:
                status_at_first_delta = handle.status()
    assert deltas == [w + " " for w in words.split()[:-1]] + ["eight"]
    assert status_at_first_delta == "running"  # streamed while the run was still going
    assert records[0]["type"] == "job_started" and records[0]["job_id"] == handle.job_id
    assert records[1] == {"type": "agent_updated_stream_event", "new_agent": {"name": "writer"},
                          "stream_id": records[1]["stream_id"]}
    assert [r["name"] for r in records if r["type"] == "run_item_stream_event"] == [
        "message_output_created"]
    assert records[-1]["type"] == "done"
    assert records[-1]["result"]["final_output"] == words
    ids = [r["stream_id"] for r in records]
    assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-"))))
    # Any process can rebuild the handle and replay the run's events once it is over.
    from agents_lite.jobs import get_handle

    again = get_handle(env.queue, handle.job_id)
    assert again.run_id == handle.run_id
    assert "".join(again.text_deltas(timeout=10)) == words
    assert handle.result(timeout=30).final_output == words


def test_run_state_can_live_in_another_redis_than_the_queue(env):
    from urllib.parse import urlsplit

    from redis import Redis

    from agents_lite.jobs.keys import JobKeys

    state_url = urlsplit(env.url)._replace(path="/1").geturl()  # database 1 of the same server
    state = Redis.from_url(state_url)
    try:
        handle = env.enqueue(agent=TRAVEL, input="book Kyoto", session_id="elsewhere",
                             redis_url=state_url)
        assert env.worker("w").wait(60) == 0
        assert "".join(handle.text_deltas(timeout=10)) == "Done: booked Kyoto."
        assert handle.result(timeout=10).final_output == "Done: booked Kyoto."
        events_key = JobKeys(env.prefix).events(handle.run_id)
        assert state.exists(events_key) and not env.redis.exists(events_key)
        assert list(env.redis.scan_iter(match=f"{env.prefix}:*")) == []
    finally:
        delete_keys(state, f"{env.prefix}:*")
        state.close()


# --- human in the loop ---------------------------------------------------------------------


def test_approvals_are_decided_in_one_process_and_carried_out_on_another_worker(env):
    refund_a = env.enqueue(agent=SUPPORT, input="refund A1", session_id="hitl-a")
    refund_b = env.enqueue(agent=SUPPORT, input="refund B2", session_id="hitl-b")
    assert env.worker("a").wait(60) == 0
    first_a, first_b = refund_a.result(timeout=10), refund_b.result(timeout=10)
    assert (first_a.status, first_b.status) == ("interrupted", "interrupted")
    [pending] = first_a.interruptions
    assert pending.tool_name == "refund" and json.loads(pending.arguments) == {"order_id": "A1"}
    assert refund_a.pending_approvals() == first_a.interruptions
    assert refund_a.status() == "interrupted" and side_effects(env.effects) == []

    with pytest.raises(UserError, match="not waiting for approval"):
        refund_a.approve("call_that_does_not_exist")
    approved = refund_a.approve(pending.call_id)
    with pytest.raises(UserError, match="already continued"):
        refund_a.approve(pending.call_id)
    rejected = refund_b.reject(first_b.interruptions[0].call_id, "Refunds over 50 need a manager")
    env.track(approved)
    env.track(rejected)
    assert approved.run_id == refund_a.run_id and approved.job_id != refund_a.job_id

    assert env.worker("b").wait(60) == 0
    done_a, done_b = approved.result(timeout=10), rejected.result(timeout=10)
    assert done_a.final_output == "Done: refunded A1."
    assert "Refunds over 50 need a manager" in done_b.final_output
    # Only the approved refund happened, once, on the second worker.
    assert side_effects(env.effects) == [f"refund A1 {env.worker_name('b')}"]
    started = next(r for r in approved.events(timeout=10) if r["type"] == "job_started")
    assert started["resumed"] and started["worker"] == env.worker_name("b")
    with pytest.raises(UserError, match="marked done"):
        approved.approve(pending.call_id)  # the run is finished
    assert [item.get("type", "message") for item in env.session_items("hitl-a")] == [
        "message", "function_call", "function_call_output", "message"]


def test_a_run_held_by_a_live_job_is_not_run_by_a_second_one(env):
    from agents_lite.jobs import RunJobFailed
    from agents_lite.jobs.lease import LeaseOwner

    handle = env.enqueue(agent=SUPPORT, input="refund C3")
    assert env.worker("a").wait(60) == 0
    [pending] = handle.result(timeout=10).interruptions
    # Another job, alive on this host (this very process), holds the run's lease.
    store = env.store()
    holder = LeaseOwner("some-other-job", LeaseOwner.current("x").host, os.getpid(), "n1")
    assert store.acquire(handle.run_id, holder.encode(), 60)

    blocked = env.track(handle.approve(pending.call_id))
    assert env.worker("b").wait(60) == 0
    with pytest.raises(RunJobFailed) as failure:
        blocked.result(timeout=10)
    assert failure.value.error_type == "RunLeaseHeld" and "some-other-job" in failure.value.message
    assert side_effects(env.effects) == []
    assert env.redis.get(f"{env.prefix}:attempts:{blocked.job_id}") == b"1"  # not retried

    assert store.release(handle.run_id, holder.encode())
    retried = env.track(handle.approve(pending.call_id))  # allowed: the last attempt failed
    assert env.worker("c").wait(60) == 0
    assert retried.result(timeout=10).final_output == "Done: refunded C3."
    assert side_effects(env.effects) == [f"refund C3 {env.worker_name('c')}"]


def test_two_jobs_with_the_same_run_id_only_one_proceeds(env):
    from agents_lite.jobs import RunJobFailed

    env.server.latency = 0.2
    first = env.enqueue(agent=TRAVEL, input="book Rome", run_id="trip-rome", context={"order": 1})
    second = env.enqueue(agent=TRAVEL, input="book Rome", run_id="trip-rome", context={"order": 2})
    workers = [env.worker("a"), env.worker("b")]
    for process in workers:
        assert process.wait(60) == 0
    outcomes = []
    for handle in (first, second):
        try:
            outcomes.append(handle.result(timeout=10).final_output)
        except RunJobFailed as exc:
            assert exc.error_type == "RunLeaseHeld" and "already started" in exc.message
            outcomes.append("refused")
    assert sorted(outcomes) == ["Done: booked Rome.", "refused"]
    assert len(side_effects(env.effects)) == 1
    assert len(env.model_requests()) == 2


# --- cancel --------------------------------------------------------------------------------


def test_cancel_a_queued_job_and_a_running_one_then_resume_it(env):
    queued = env.enqueue(agent=TRAVEL, input="book Paris")
    queued.cancel()
    assert queued.status() == "cancelled"
    assert queued.result(timeout=5).status == "cancelled"

    env.server.add_response(Fault(reply=" ".join(f"w{i}" for i in range(40)), event_delay=0.05))
    running = env.enqueue(agent=WRITER, input="write long")
    env.worker("a")
    seen = []
    for record in running.events(timeout=60):
        seen.append(record["type"])
        if (record.get("data") or {}).get("type") == "response.output_text.delta":
            running.cancel()
    assert seen[-1] == "cancelled" and seen.count("raw_response_event") < 30
    result = running.result(timeout=30)
    assert result.status == "cancelled" and result.final_output is None
    assert side_effects(env.effects) == []  # the cancelled booking never ran

    resumed = env.track(running.resume())
    env.worker("b")
    assert resumed.result(timeout=60).final_output == "write long"  # the default echo


# --- bad input -----------------------------------------------------------------------------


def test_an_agent_path_that_does_not_import_fails_the_job_without_retries(env):
    from rq.job import Job

    from agents_lite.jobs import RunJobFailed

    bad = {
        "jobs_fixtures.no_such_module:agent": "ModuleNotFoundError",
        "jobs_fixtures.agents:no_such_agent": "AttributeError",
        "jobs_fixtures.agents:not_an_agent": "is not an Agent",
    }
    handles = {path: env.enqueue(agent=path, input="hi", retries=3) for path in bad}
    factory = env.enqueue(agent=WRITER, input="hello")
    assert env.worker("w").wait(60) == 0
    for path, text in bad.items():
        handle = handles[path]
        with pytest.raises(RunJobFailed) as failure:
            handle.result(timeout=10)
        assert failure.value.error_type == "UserError" and text in failure.value.message
        assert path in failure.value.message
        assert handle.status() == "failed"
        assert Job.fetch(handle.job_id, connection=env.redis).retries_left == 0
        assert env.redis.get(f"{env.prefix}:attempts:{handle.job_id}") == b"1"
        [record] = list(handle.events(timeout=10))
        assert record["type"] == "error" and text in record["error"]["message"]
    assert factory.result(timeout=10).final_output == "hello"
    for path in ("no_colon", "a:b:c", "", "pkg.mod:", "1pkg:agent"):
        with pytest.raises(UserError, match="import path"):
            env.enqueue(agent=path, input="hi")


def test_input_that_is_not_json_is_refused_at_enqueue(env):
    cases: list[dict[str, Any]] = [
        {"input": object()},
        {"input": [{"role": "user", "content": b"bytes"}]},
        {"input": [{"role": "user", "content": "x", "when": datetime(2024, 1, 1)}]},
        {"input": [{"role": "user", "content": math.nan}]},
        {"input": ["not an item"]},
        {"input": "hi", "context": {"when": datetime(2024, 1, 1)}},
        {"input": "hi", "context": {1: "int keys change in JSON"}},
        {"input": "hi", "context": ("a", "tuple")},
        {"input": "hi", "run_config": {"model_provider": object()}},
        {"input": "hi", "run_config": {"model_settings": {"temperature": object()}}},
        {"input": "hi", "run_config": {"model_settings": {"no_such_setting": 1}}},
        {"input": "hi", "run_config": {"max_total_tokens": "many"}},
        {"input": "hi", "no_such_option": 1},
        {"input": "hi", "retries": -1},
        {"input": "hi", "session_id": ""},
        {"input": "hi", "max_turns": 0},
    ]
    for case in cases:
        with pytest.raises(UserError):
            env.enqueue(agent=TRAVEL, **case)
    assert env.queue.count == 0
    assert list(env.redis.scan_iter(match=f"{env.prefix}:*")) == []


def test_redis_going_away_mid_job_fails_it_clearly_and_the_retry_duplicates_nothing(env, tmp_path):
    from redis import Redis
    from rq import Queue
    from rq.job import Job
    from rq.registry import StartedJobRegistry

    require(PrivateRedis.available(), "a redis-server binary to start a private Redis")
    (tmp_path / "redis").mkdir()
    private = PrivateRedis(tmp_path / "redis", free_port())
    private.start()
    client = Redis.from_url(private.url)
    try:
        queue = Queue(env.name, connection=client)
        env.server.add_response([function_call("book", {"destination": "Oslo"}, call_id="o1")])
        env.server.add_response(Fault(reply="never delivered", delay=1.5))
        handle = env.enqueue(queue, agent=TRAVEL, input="book Oslo", session_id="oslo",
                             lease_seconds=60)
        worker = env.worker("a", url=private.url)
        wait_for(lambda: len(env.model_requests()) >= 2, 30, "the request after the tool call",
                 alive=worker)
        private.stop()  # Redis goes away while the worker waits for the model
        worker.wait(60)  # the worker cannot save the run nor record the job: it gives up
        assert "ConnectionError" in env.log.read_text()
        with pytest.raises(Exception, match="(?i)connect"):
            handle.status()
        assert side_effects(env.effects) == [f"book Oslo - {env.worker_name('a')}"]

        private.start()  # back, with everything it had written to its append-only file
        assert Job.fetch(handle.job_id, connection=client).get_status().value == "started"
        # RQ's sweep of abandoned jobs (as after the job's heartbeat expired) retries it.
        StartedJobRegistry(env.name, connection=client).cleanup(timestamp=time.time() + 3600)
        env.worker("b", url=private.url)
        result = handle.result(timeout=60)
        assert result.final_output == "Done: booked Oslo."
        assert side_effects(env.effects) == [f"book Oslo - {env.worker_name('a')}"]
        from agents_lite.memory.redis_session import RedisSession

        items = RedisSession("oslo", redis_client=client,
                             key_prefix=f"{env.prefix}:session").get_items()
        assert [item.get("type", "message") for item in items] == [
            "message", "function_call", "function_call_output", "message"]
    finally:
        client.close()
        for process in env.workers:
            stop(process)
        private.stop()


# --- the worker command and the import contract -------------------------------------------


def test_worker_command_refuses_an_agent_that_does_not_import(env):
    done = subprocess.run(
        [sys.executable, "-m", "agents_lite", "worker", "--queue", env.name, "--url", env.url,
         "--burst", "--preload", "jobs_fixtures.agents:no_such_agent"],
        env=env.env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert "Cannot import the agent 'jobs_fixtures.agents:no_such_agent'" in done.stderr


def test_importing_agents_lite_and_its_jobs_package_loads_no_queue_engine():
    code = (
        "import sys, agents_lite, agents_lite.jobs\n"
        "from agents_lite.jobs import enqueue_run, RunHandle, JobSpec\n"
        "JobSpec.create(agent='a.b:c', input='hi')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'rq', 'celery', 'redis', 'kombu'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
