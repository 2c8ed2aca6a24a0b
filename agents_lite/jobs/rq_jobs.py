"""Agent runs as RQ jobs (extra `rq`).

    from redis import Redis
    from rq import Queue
    from agents_lite.jobs import enqueue_run

    queue = Queue("agents", connection=Redis())
    handle = enqueue_run(queue, agent="myapp.agents:support", input="Where is my order?",
                         session_id="user-42")
    for delta in handle.text_deltas():
        print(delta, end="")
    print(handle.result(timeout=60).final_output)

Workers: `agents-lite worker --queue agents` (or `rq worker agents`). A job is retried with
RQ's own `Retry` when its worker dies (SIGKILL, OOM) or a transient error stops it; the retry
continues the run from its last checkpoint, so completed tool calls are not repeated.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any, Optional, Union

from ..exceptions import UserError
from .handle import JobState, RunHandle
from .spec import RUN_OPTIONS, JobSpec
from .worker_run import execute_run, is_transient

if TYPE_CHECKING:
    from redis import Redis
    from rq import Queue

RQ_JOB_OPTIONS = frozenset({
    "retries", "retry_interval", "job_timeout", "result_ttl", "failure_ttl", "job_id",
    "description", "at_front",
})
"""The options of `enqueue_run` that go to RQ."""

DEFAULT_RETRIES = 3
"""How many times RQ retries a run job whose worker died or hit a transient error."""
DEFAULT_JOB_TIMEOUT = 1800
"""Seconds a run job may take before RQ stops it."""
DEFAULT_RESULT_TTL = 86_400
"""Seconds RQ keeps a run job's result."""


def run_job(payload: dict[str, Any]) -> dict[str, Any]:
    """The function RQ workers execute for a run job (see `worker_run.execute_run`)."""
    from rq import get_current_job

    job = get_current_job()
    if job is None:
        raise UserError("run_job runs inside an RQ worker; enqueue it with enqueue_run()")

    def will_retry(exc: BaseException) -> bool:
        if not is_transient(exc):
            job.retries_left = 0  # retrying cannot fix this one: fail the job now
            return False
        return bool(job.retries_left)

    return execute_run(payload, job_id=job.id, redis=job.connection, will_retry=will_retry,
                       worker=os.environ.get("RQ_WORKER_ID"))


def _split_options(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    run = {k: v for k, v in options.items() if k in RUN_OPTIONS}
    job = {k: v for k, v in options.items() if k not in RUN_OPTIONS}
    unknown = sorted(set(job) - RQ_JOB_OPTIONS)
    if unknown:
        raise UserError(
            f"Unknown options {unknown}; run options: {sorted(RUN_OPTIONS)}, RQ options: "
            f"{sorted(RQ_JOB_OPTIONS)}"
        )
    return run, job


def enqueue_run(
    queue: Queue,
    *,
    agent: str,
    input: Union[str, list[dict[str, Any]]],
    session_id: Optional[str] = None,
    run_id: Optional[str] = None,
    run_config: Optional[dict[str, Any]] = None,
    **options: Any,
) -> RunHandle:
    """Enqueue an agent run on an RQ queue; a `RunHandle` to follow it.

    Args:
        queue: the `rq.Queue`; its Redis also keeps the runs' sessions, checkpoints and events
            (unless `redis_url=` names another).
        agent: import path of the agent on the workers, "package.module:attr" (`attr` may be a
            zero-argument factory).
        input: a string or a list of input items (JSON).
        session_id: keep the conversation in a `RedisSession` with this id.
        run_id: the run's id (generated when None); a run id runs once.
        run_config: `RunConfig` fields that are data (model, model_settings, workflow_name,
            trace_metadata, max_total_tokens, ...).
        options: run options — `context` (JSON), `max_turns`, `key_prefix`, `events_maxlen`,
            `events_ttl`, `lease_seconds`, `session_ttl`, `raw_events`, `redis_url` — and RQ
            options — `retries` (default 3), `retry_interval` (seconds or a list; needs a
            worker started with `--with-scheduler`), `job_timeout` (default 1800),
            `result_ttl` (default 1 day), `failure_ttl`, `job_id`, `description`, `at_front`.

    Anything that is not JSON, unknown options and malformed agent paths raise `UserError`
    here, before anything is enqueued.
    """
    run_options, job_options = _split_options(options)
    spec = JobSpec.create(agent=agent, input=input, session_id=session_id, run_id=run_id,
                          run_config=run_config, **run_options)
    backend = RQBackend(queue, redis_url=spec.redis_url)
    job_id = backend.submit(spec, job_options)
    job_options.pop("job_id", None)  # continuations get ids of their own
    return RunHandle(backend, job_id, spec, job_options)


def get_handle(queue: Queue, job_id: str) -> RunHandle:
    """The handle of a run job enqueued earlier (e.g. by another web request)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(job_id, connection=queue.connection, serializer=queue.serializer)
    except NoSuchJobError as exc:
        raise UserError(f"The queue does not know job {job_id!r}") from exc
    if not job.args:
        raise UserError(f"Job {job_id!r} is not a run job")
    spec = JobSpec.from_dict(job.args[0])
    return RunHandle(RQBackend(queue, redis_url=spec.redis_url), job_id, spec)


class RQBackend:
    """`JobBackend` over an `rq.Queue`; the runs' state lives in the queue's Redis unless
    `redis_url` names another."""

    def __init__(self, queue: Queue, *, redis_url: Optional[str] = None) -> None:
        self.queue = queue
        self._redis_url = redis_url
        self._state_redis: Optional[Redis] = None

    @property
    def redis(self) -> Redis:
        """The Redis of the runs' events, checkpoints and sessions."""
        if self._redis_url is None:
            connection: Redis = self.queue.connection
            return connection
        if self._state_redis is None:
            from redis import Redis as RedisClient

            self._state_redis = RedisClient.from_url(self._redis_url)
        return self._state_redis

    def submit(self, spec: JobSpec, job_options: dict[str, Any]) -> str:
        """Enqueue `run_job(spec)` with RQ's `Retry`."""
        from rq import Retry

        options = dict(job_options)
        retries = options.pop("retries", DEFAULT_RETRIES)
        interval = options.pop("retry_interval", 0)
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise UserError(f"retries must be an int >= 0, got {retries!r}")
        job = self.queue.enqueue_call(
            run_job,
            args=(spec.to_dict(),),
            timeout=options.pop("job_timeout", DEFAULT_JOB_TIMEOUT),
            result_ttl=options.pop("result_ttl", DEFAULT_RESULT_TTL),
            failure_ttl=options.pop("failure_ttl", None),
            description=options.pop("description", None)
            or f"agents_lite run {spec.run_id} ({spec.kind} {spec.agent})",
            job_id=options.pop("job_id", None),
            at_front=bool(options.pop("at_front", False)),
            retry=Retry(max=retries, interval=interval) if retries else None,
        )
        return str(job.id)

    def _fetch(self, job_id: str) -> Any:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            return Job.fetch(job_id, connection=self.queue.connection,
                             serializer=self.queue.serializer)
        except NoSuchJobError:
            return None

    def job_state(self, job_id: str) -> JobState:
        """RQ's status of the job, in the handle's words."""
        job = self._fetch(job_id)
        if job is None:
            return JobState("missing")
        status = str(getattr(job.get_status(), "value", job.get_status()))
        if status in ("queued", "deferred", "scheduled"):
            return JobState("queued")
        if status == "started":
            return JobState("running")
        if status == "finished":
            return JobState("finished", result=job.return_value(refresh=True))
        if status in ("canceled", "stopped"):
            return JobState("cancelled")
        if status == "failed":
            return JobState("failed", error=_failure(job))
        return JobState(status)

    def wait(self, job_id: str, timeout: Optional[float]) -> JobState:
        """Poll until the job is over or `timeout` seconds passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = 0.02
        while True:
            state = self.job_state(job_id)
            if state.state in ("finished", "failed", "cancelled", "missing"):
                return state
            if deadline is not None and time.monotonic() >= deadline:
                return state
            time.sleep(pause if deadline is None else min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 1.5, 0.5)

    def cancel_queued(self, job_id: str) -> None:
        """Cancel the job in RQ if it has not started."""
        job = self._fetch(job_id)
        if job is None:
            return
        status = str(getattr(job.get_status(), "value", job.get_status()))
        if status in ("queued", "deferred", "scheduled"):
            try:
                job.cancel()
            except Exception:  # started or finished meanwhile: the worker sees the flag
                pass


def _failure(job: Any) -> dict[str, str]:
    """The exception type and message of a failed RQ job, from its traceback text."""
    text = ""
    try:
        latest = job.latest_result()
        text = (getattr(latest, "exc_string", None) or "").strip()
    except Exception:
        text = ""
    last = text.splitlines()[-1] if text else "Error: the job failed without a traceback"
    kind, _, message = last.partition(": ")
    if not message or " " in kind:
        lost = "Work-horse" in last or "Abandoned" in last
        return {"type": "WorkerLost" if lost else "JobFailed", "message": last}
    return {"type": kind.rsplit(".", 1)[-1], "message": message}
