"""Agent runs as Celery tasks (extra `celery`), with a Redis broker and result backend.

    celery -A agents_lite.jobs.celery_app worker --pool=prefork -Q agents

    from agents_lite.jobs.celery_app import enqueue_run
    handle = enqueue_run(agent="myapp.agents:support", input="Where is my order?")
    print(handle.result(timeout=60).final_output)

The handle is the same `RunHandle` as with RQ. The module's `app` reads its settings from the
environment: `AGENTS_LITE_CELERY_BROKER_URL` (else `CELERY_BROKER_URL`, else `REDIS_URL`, else
redis://127.0.0.1:6379/0), `AGENTS_LITE_CELERY_RESULT_BACKEND` (else `CELERY_RESULT_BACKEND`,
else the broker), `AGENTS_LITE_CELERY_QUEUE` (default "agents"), `AGENTS_LITE_CELERY_KEY_PREFIX`
(a prefix for every Celery key in Redis) and `AGENTS_LITE_REDIS_URL` (where runs keep sessions,
checkpoints and events; default the broker). To use your own Celery app, call `configure(app)`
and `register(app)`.

Tasks are acknowledged late and rejected when their worker process dies, so a killed pool
process's task is delivered again and continues from its last checkpoint.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING, Any, Optional, Union

from ..exceptions import UserError
from .handle import JobState, RunHandle
from .spec import RUN_OPTIONS, JobSpec
from .worker_run import execute_run, is_transient

if TYPE_CHECKING:
    from celery import Celery
    from redis import Redis

TASK_NAME = "agents_lite.run_agent"
"""The name of the run task."""
CELERY_JOB_OPTIONS = frozenset({"retries", "countdown", "queue", "task_id", "priority"})
"""The options of `enqueue_run` that go to Celery."""
DEFAULT_RETRIES = 3
"""How many times a run task is retried after a transient error."""

_clients: dict[str, Redis] = {}
_clients_lock = threading.Lock()


def broker_url() -> str:
    """The broker URL from the environment."""
    return (os.environ.get("AGENTS_LITE_CELERY_BROKER_URL") or os.environ.get("CELERY_BROKER_URL")
            or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")


def state_redis_url(app: Celery) -> str:
    """Where runs keep their sessions, checkpoints and events: `AGENTS_LITE_REDIS_URL`, else
    the app's broker when it is Redis."""
    url = os.environ.get("AGENTS_LITE_REDIS_URL") or str(app.conf.broker_url or "")
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise UserError(
            "agents_lite run tasks keep their state in Redis: set AGENTS_LITE_REDIS_URL (the "
            f"broker {url!r} is not Redis)"
        )
    return url


def _client(url: str) -> Redis:
    # One client (and connection pool) per URL and process; redis-py resets pools after fork.
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            import redis

            client = _clients[url] = redis.Redis.from_url(url)
        return client


def configure(app: Celery, *, key_prefix: Optional[str] = None,
              default_queue: Optional[str] = None) -> None:
    """The settings run tasks rely on: JSON only, late acknowledgement, tasks of a dead worker
    process delivered again, started tasks visible, one task prefetched at a time.
    `key_prefix` (default env AGENTS_LITE_CELERY_KEY_PREFIX) prefixes Celery's Redis keys;
    `default_queue` (default env AGENTS_LITE_CELERY_QUEUE, else "agents") is where tasks go."""
    prefix = key_prefix or os.environ.get("AGENTS_LITE_CELERY_KEY_PREFIX")
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_track_started=True,
        worker_prefetch_multiplier=1,
        result_extended=True,
        result_expires=86_400,
        broker_connection_retry_on_startup=True,
        task_default_queue=default_queue or os.environ.get("AGENTS_LITE_CELERY_QUEUE")
        or "agents",
    )
    if prefix:
        app.conf.broker_transport_options = {"global_keyprefix": prefix}
        app.conf.result_backend_transport_options = {"global_keyprefix": prefix}


def register(app: Celery) -> Any:
    """Define the run task on `app`; the task."""

    @app.task(bind=True, name=TASK_NAME, max_retries=None)
    def run_agent(task: Any, payload: dict[str, Any], retries: int = DEFAULT_RETRIES,
                  countdown: float = 0) -> dict[str, Any]:
        """Run (or continue) an agent run job (see `worker_run.execute_run`)."""
        url = payload.get("redis_url") if isinstance(payload, dict) else None
        redis = _client(url or state_redis_url(task.app))

        def will_retry(exc: BaseException) -> bool:
            return is_transient(exc) and task.request.retries < retries

        try:
            return execute_run(payload, job_id=task.request.id, redis=redis,
                               will_retry=will_retry, worker=task.request.hostname)
        except Exception as exc:
            if will_retry(exc):
                raise task.retry(exc=exc, countdown=countdown, max_retries=retries) from exc
            raise

    return run_agent


def _make_app() -> Celery:
    from celery import Celery

    broker = broker_url()
    backend = (os.environ.get("AGENTS_LITE_CELERY_RESULT_BACKEND")
               or os.environ.get("CELERY_RESULT_BACKEND") or broker)
    celery_app = Celery("agents_lite", broker=broker, backend=backend)
    configure(celery_app)
    return celery_app


app = _make_app()
"""The default Celery app (`celery -A agents_lite.jobs.celery_app worker`)."""
run_agent = register(app)
"""The run task of the default app."""


def enqueue_run(
    *,
    agent: str,
    input: Union[str, list[dict[str, Any]]],
    session_id: Optional[str] = None,
    run_id: Optional[str] = None,
    run_config: Optional[dict[str, Any]] = None,
    app: Optional[Celery] = None,
    **options: Any,
) -> RunHandle:
    """Send an agent run to Celery workers; a `RunHandle` to follow it.

    The arguments are those of `agents_lite.jobs.enqueue_run` (RQ), with `app` (default: this
    module's) instead of a queue, and these Celery options: `retries` (default 3), `countdown`
    (seconds before a retry), `queue`, `task_id`, `priority`. Bad input raises `UserError`
    before anything is sent.
    """
    run_options = {k: v for k, v in options.items() if k in RUN_OPTIONS}
    job_options = {k: v for k, v in options.items() if k not in RUN_OPTIONS}
    unknown = sorted(set(job_options) - CELERY_JOB_OPTIONS)
    if unknown:
        raise UserError(
            f"Unknown options {unknown}; run options: {sorted(RUN_OPTIONS)}, Celery options: "
            f"{sorted(CELERY_JOB_OPTIONS)}"
        )
    spec = JobSpec.create(agent=agent, input=input, session_id=session_id, run_id=run_id,
                          run_config=run_config, **run_options)
    backend = CeleryBackend(app or globals()["app"], redis_url=spec.redis_url)
    job_id = backend.submit(spec, job_options)
    job_options.pop("task_id", None)
    return RunHandle(backend, job_id, spec, job_options)


def get_handle(task_id: str, *, app: Optional[Celery] = None) -> RunHandle:
    """The handle of a run task sent earlier (its payload comes from the result backend, so
    the task must have started)."""
    celery_app = app or globals()["app"]
    result = celery_app.AsyncResult(task_id)
    args = result.args
    if not args:
        raise UserError(f"Run task {task_id!r} is unknown or has not started yet")
    spec = JobSpec.from_dict(args[0])
    return RunHandle(CeleryBackend(celery_app, redis_url=spec.redis_url), task_id, spec)


class CeleryBackend:
    """`JobBackend` over a Celery app."""

    def __init__(self, app: Celery, *, redis_url: Optional[str] = None) -> None:
        self.app = app
        self._redis_url = redis_url

    @property
    def redis(self) -> Redis:
        """The Redis of the runs' state."""
        return _client(self._redis_url or state_redis_url(self.app))

    def submit(self, spec: JobSpec, job_options: dict[str, Any]) -> str:
        """Send the run task."""
        options = dict(job_options)
        retries = options.pop("retries", DEFAULT_RETRIES)
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise UserError(f"retries must be an int >= 0, got {retries!r}")
        send: dict[str, Any] = {}
        for key in ("queue", "task_id", "priority"):
            if options.get(key) is not None:
                send[key] = options[key]
        result = self.app.send_task(
            TASK_NAME, args=(spec.to_dict(),),
            kwargs={"retries": retries, "countdown": options.get("countdown", 0)}, **send,
        )
        return str(result.id)

    def job_state(self, job_id: str) -> JobState:
        """Celery's state of the task, in the handle's words."""
        result = self.app.AsyncResult(job_id)
        state = result.state
        if state in ("PENDING", "RECEIVED", "RETRY"):
            return JobState("queued")
        if state == "STARTED":
            return JobState("running")
        if state == "SUCCESS":
            value = result.result
            return JobState("finished", result=value if isinstance(value, dict) else {})
        if state == "REVOKED":
            return JobState("cancelled")
        if state == "FAILURE":
            error = result.result
            if isinstance(error, BaseException):
                return JobState("failed", error={"type": type(error).__name__,
                                                 "message": str(error)})
            return JobState("failed", error={"type": "Error", "message": str(error)})
        return JobState(state.lower())

    def wait(self, job_id: str, timeout: Optional[float]) -> JobState:
        """Poll until the task is over or `timeout` seconds passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = 0.02
        while True:
            state = self.job_state(job_id)
            if state.state in ("finished", "failed", "cancelled"):
                return state
            if deadline is not None and time.monotonic() >= deadline:
                return state
            time.sleep(pause if deadline is None
                       else min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 1.5, 0.5)

    def cancel_queued(self, job_id: str) -> None:
        """Revoke the task (workers skip it if it has not started; a started task sees the
        cancel flag instead)."""
        self.app.control.revoke(job_id)
