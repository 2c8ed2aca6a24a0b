"""Agent runs as Celery tasks: a real `celery worker` process (prefork pool, one child), Redis
broker and result backend, the local OpenAI server. Same handle as with RQ: status, result,
live events, approvals, cancel; a killed pool process's task is delivered again and resumes."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from jobs_fixtures.harness import TESTS_DIR, delete_keys, side_effects, stop, wait_for, worker_env
from jobs_fixtures.replies import responder

from agents_lite import UserError
from agents_lite.testing.faults import Fault
from agents_lite.testing.scripted import function_call, text_message

from conftest import redis_available, redis_url, require

TRAVEL = "jobs_fixtures.agents:travel"
SUPPORT = "jobs_fixtures.agents:support"
WRITER = "jobs_fixtures.agents:make_writer"

pytestmark = pytest.mark.timeout(120)


class CeleryEnv:
    """A Celery app, one worker process serving its queue, a model server and a key prefix."""

    def __init__(self, tmp_path: Path) -> None:
        import redis
        from celery import Celery

        from agents_lite.jobs.celery_app import configure, register
        from agents_lite.testing.server import LocalOpenAIServer

        tag = uuid.uuid4().hex[:10]
        self.queue = f"jobs-celery-{tag}"
        self.prefix = f"agents-test-{tag}"
        self.celery_prefix = f"celery-test-{tag}:"
        self.node = f"{tag}@agents-test"
        url = redis_url()
        self.redis = redis.Redis.from_url(url)
        self.app = Celery("agents_lite_tests", broker=url, backend=url)
        configure(self.app, key_prefix=self.celery_prefix, default_queue=self.queue)
        register(self.app)
        self.server = LocalOpenAIServer().start()
        self.server.set_responder(responder)
        self.effects = tmp_path / "side_effects.txt"
        self.log = tmp_path / "celery.log"
        env = worker_env(
            self.server.base_url, self.effects,
            AGENTS_LITE_CELERY_BROKER_URL=url,
            AGENTS_LITE_CELERY_RESULT_BACKEND=url,
            AGENTS_LITE_CELERY_KEY_PREFIX=self.celery_prefix,
            AGENTS_LITE_CELERY_QUEUE=self.queue,
        )
        with open(self.log, "wb") as out:
            self.worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "agents_lite.jobs.celery_app", "worker",
                 "--pool=prefork", "--concurrency=1", "-Q", self.queue, "-n", self.node,
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
                env=env, cwd=TESTS_DIR, stdout=out, stderr=subprocess.STDOUT,
            )

    def enqueue(self, **kwargs: Any) -> Any:
        from agents_lite.jobs.celery_app import enqueue_run

        kwargs.setdefault("key_prefix", self.prefix)
        return enqueue_run(app=self.app, **kwargs)

    def store(self) -> Any:
        from agents_lite.checkpoint.redis_store import RedisCheckpointStore

        return RedisCheckpointStore(redis_client=self.redis, key_prefix=f"{self.prefix}:checkpoint")

    def effects_of(self, word: str) -> list[str]:
        return [line for line in side_effects(self.effects) if f" {word} " in f" {line} "]

    def close(self) -> None:
        stop(self.worker, timeout=20)
        self.server.stop()
        delete_keys(self.redis, f"{self.celery_prefix}*", f"{self.prefix}:*")
        self.redis.close()


@pytest.fixture(scope="module")
def celery_env(tmp_path_factory):
    require(importlib.util.find_spec("celery") is not None, "the celery package (extra 'celery')")
    require(redis_available(), f"a Redis server at {redis_url()}")
    instance = CeleryEnv(tmp_path_factory.mktemp("celery"))
    yield instance
    instance.close()


@pytest.fixture
def env(celery_env):
    assert celery_env.worker.poll() is None, celery_env.log.read_text()[-3000:]
    celery_env.server.clear()
    return celery_env


def test_a_run_goes_through_celery_end_to_end(env):
    from agents_lite.jobs.celery_app import get_handle

    handle = env.enqueue(agent=TRAVEL, input="book Quito", session_id="celery-user",
                         context={"order": 5})
    records = list(handle.events(timeout=60))
    assert records[0]["type"] == "job_started" and records[0]["worker"] == env.node
    names = [r["name"] for r in records if r["type"] == "run_item_stream_event"]
    assert names == ["tool_called", "tool_output", "message_output_created"]
    deltas = [r["data"]["delta"] for r in records
              if (r.get("data") or {}).get("type") == "response.output_text.delta"]
    assert "".join(deltas) == "Done: booked Quito."
    assert records[-1]["type"] == "done"

    result = handle.result(timeout=30)
    assert (result.status, result.final_output, result.last_agent) == (
        "completed", "Done: booked Quito.", "travel")
    assert result.usage is not None and result.usage.requests == 2
    assert handle.status() == "completed"
    assert len(env.effects_of("Quito")) == 1 and env.effects_of("Quito")[0].split()[2] == "5"
    from agents_lite.memory.redis_session import RedisSession

    items = RedisSession("celery-user", redis_client=env.redis,
                         key_prefix=f"{env.prefix}:session").get_items()
    assert [item.get("type", "message") for item in items] == [
        "message", "function_call", "function_call_output", "message"]
    again = get_handle(handle.job_id, app=env.app)  # e.g. from another web request
    assert again.run_id == handle.run_id
    assert again.result(timeout=5).final_output == "Done: booked Quito."
    traces = [t for t in env.server.trace_ingest_items() if t.get("object") == "trace"]
    assert [t["group_id"] for t in traces] == [handle.run_id]


def test_approvals_through_celery(env):
    approve_me = env.enqueue(agent=SUPPORT, input="refund CE1")
    reject_me = env.enqueue(agent=SUPPORT, input="refund CE2")
    first, second = approve_me.result(timeout=60), reject_me.result(timeout=60)
    assert (first.status, second.status) == ("interrupted", "interrupted")
    [pending] = first.interruptions
    assert json.loads(pending.arguments) == {"order_id": "CE1"}
    with pytest.raises(UserError, match="not waiting for approval"):
        approve_me.approve("nope")
    approved = approve_me.approve(pending.call_id)
    # The idle worker may already be running (or have finished) the continuation.
    with pytest.raises(UserError, match="already continued|not waiting|marked done"):
        approve_me.approve(pending.call_id)
    rejected = reject_me.reject(second.interruptions[0].call_id, "Not without a receipt")
    assert approved.result(timeout=60).final_output == "Done: refunded CE1."
    assert "Not without a receipt" in rejected.result(timeout=60).final_output
    assert len(env.effects_of("CE1")) == 1 and env.effects_of("CE2") == []


def test_a_killed_pool_process_task_is_delivered_again_and_resumes(env):
    env.server.add_response([function_call("book", {"destination": "Cusco"}, call_id="k1")])
    env.server.add_response(Fault(reply=[text_message("never delivered")], delay=30))
    handle = env.enqueue(agent=TRAVEL, input="book Cusco", lease_seconds=60)
    wait_for(lambda: len(env.server.requests_to("/v1/responses")) >= 2, 60,
             "the request after the tool call", alive=env.worker)
    [booked] = env.effects_of("Cusco")
    owner = json.loads(env.store().lease_owner(handle.run_id))
    assert owner["job"] == handle.job_id and f"pid{owner['pid']}" == booked.split()[-1]
    os.kill(owner["pid"], signal.SIGKILL)  # the pool process running the task dies

    result = handle.result(timeout=60)
    assert result.final_output == "Done: booked Cusco."
    assert env.effects_of("Cusco") == [booked]  # the tool ran once
    bodies = [r.body for r in env.server.requests_to("/v1/responses")]
    assert len(bodies) == 3 and bodies[2]["input"][-1]["output"] == "booked Cusco"
    records = list(handle.events(timeout=10))
    started = [r for r in records if r["type"] == "job_started"]
    assert [(r["attempt"], r["resumed"]) for r in started] == [(1, False), (2, True)]


def test_cancel_a_running_task_then_resume_it(env):
    env.server.add_response(Fault(reply=" ".join(f"w{i}" for i in range(40)), event_delay=0.05))
    handle = env.enqueue(agent=WRITER, input="write on")
    kinds = []
    for record in handle.events(timeout=60):
        kinds.append(record["type"])
        if (record.get("data") or {}).get("type") == "response.output_text.delta":
            handle.cancel()
    assert kinds[-1] == "cancelled" and kinds.count("raw_response_event") < 30
    assert handle.result(timeout=30).status == "cancelled"
    assert handle.status() == "cancelled"
    resumed = handle.resume()
    assert resumed.result(timeout=60).final_output == "write on"


def test_bad_input_through_celery(env):
    from agents_lite.jobs import RunJobFailed

    handle = env.enqueue(agent="jobs_fixtures.no_such_module:agent", input="hi", retries=3)
    with pytest.raises(RunJobFailed) as failure:
        handle.result(timeout=60)
    assert failure.value.error_type == "UserError"
    assert "Cannot import the agent" in failure.value.message
    assert env.redis.get(f"{env.prefix}:attempts:{handle.job_id}") == b"1"  # not retried
    assert handle.status() == "failed"
    [record] = list(handle.events(timeout=10))
    assert record["type"] == "error" and "no_such_module" in record["error"]["message"]
    for bad in ({"input": {"not": "a list"}}, {"input": "hi", "context": {"x": object()}},
                {"input": "hi", "no_such_option": True}):
        with pytest.raises(UserError):
            env.enqueue(agent=TRAVEL, **bad)
