"""What a worker does with a run job, whatever the queue engine (RQ or Celery).

`execute_run` imports the agent, takes the run's lease, continues the run from its last
checkpoint when there is one (a retried job, or a resume after approvals), runs it streamed
with a `RedisSession` and a `RedisCheckpointStore`, publishes every event to the run's Redis
stream, and returns the JSON result that the engine stores on the job.
"""

from __future__ import annotations

import logging
import socket
import time
from typing import TYPE_CHECKING, Any, Callable, Optional

from ..exceptions import APIConnectionError, APIStatusError, UserError
from ..items import ToolApprovalItem
from .event_stream import EventPublisher, encode_event
from .keys import JobKeys
from .lease import JobLeaseStore, LeaseOwner, RunLeaseBusy, RunLeaseHeld
from .spec import JobSpec, build_run_config, load_agent

if TYPE_CHECKING:
    from redis import Redis

    from ..agent import Agent
    from ..run_state import RunState

logger = logging.getLogger("agents_lite.jobs")

CLAIM_TTL = 7 * 86_400
"""Seconds the record of which job started a run is kept."""
_CANCEL_POLL = 0.25  # seconds between checks of the cancel flag while events flow


def is_transient(exc: BaseException) -> bool:
    """Whether a job that failed with `exc` is worth retrying: lost connections (Redis, the
    model API), 429/5xx answers, a lease still held by the job's earlier attempt. Misuse,
    bad model output and guardrails fail for good."""
    if isinstance(exc, RunLeaseBusy):
        return True
    if isinstance(exc, UserError):
        return False
    if isinstance(exc, APIConnectionError):
        return True
    if isinstance(exc, APIStatusError):
        status = getattr(exc, "status_code", None) or 0
        return status == 429 or status >= 500
    if type(exc).__module__.startswith("redis"):
        return type(exc).__name__ in ("ConnectionError", "TimeoutError", "BusyLoadingError",
                                      "ReadOnlyError", "TryAgainError")
    return isinstance(exc, (ConnectionError, TimeoutError))


def result_json(state: RunState, *, status: str, job_id: str, run_id: str) -> dict[str, Any]:
    """The JSON result of a run job."""
    from .event_stream import _safe

    return {
        "run_id": run_id,
        "job_id": job_id,
        "status": status,
        "final_output": _safe(state.final_output),
        "usage": state.context_wrapper.usage.to_json(),
        "last_agent": state.current_agent.name,
        "interruptions": [
            {"call_id": item.call_id, "tool_name": item.tool_name, "arguments": item.arguments}
            for item in state.interruptions
        ],
        "turns": state.current_turn,
    }


def _flush_tracing() -> None:
    # A forked RQ work horse ends with os._exit (no atexit): deliver this job's spans now.
    try:
        from ..tracing import flush_traces
    except ImportError:  # pragma: no cover - tracing is part of the package
        return
    try:
        flush_traces()
    except Exception:
        logger.exception("Flushing traces after a run job failed")


def execute_run(
    payload: Any,
    *,
    job_id: str,
    redis: Redis,
    will_retry: Callable[[BaseException], bool],
    worker: Optional[str] = None,
) -> dict[str, Any]:
    """Run (or continue) the run described by `payload` (a `JobSpec.to_dict()`).

    Args:
        payload: the job's payload.
        job_id: the engine's id of the job (the same for every retry of it).
        redis: the Redis for sessions, checkpoints and events (unless the payload names one).
        will_retry: asked once when the job fails: whether the engine will run it again (an
            engine may also be told here not to retry an error that will not go away).
        worker: a name for the worker, shown in the `job_started` record.

    Returns the JSON result; raises what ended the run (after publishing an "error" record).
    """
    try:
        spec = JobSpec.from_dict(payload)
    except UserError as exc:
        will_retry(exc)  # lets the engine know: a malformed payload stays malformed
        raise
    state_redis = redis
    if spec.redis_url is not None:
        import redis as redis_module

        state_redis = redis_module.Redis.from_url(spec.redis_url)
    try:
        return _JobRun(spec, job_id, state_redis, will_retry, worker).execute()
    finally:
        _flush_tracing()
        if state_redis is not redis:
            state_redis.close()


class _JobRun:
    """One attempt of one run job."""

    def __init__(self, spec: JobSpec, job_id: str, redis: Redis,
                 will_retry: Callable[[BaseException], bool], worker: Optional[str]) -> None:
        self.spec = spec
        self.job_id = job_id
        self.redis = redis
        self.will_retry = will_retry
        self.worker = worker or socket.gethostname()
        self.keys = JobKeys(spec.key_prefix)
        self.publisher = EventPublisher(
            redis, self.keys.events(spec.run_id), maxlen=spec.events_maxlen, ttl=spec.events_ttl
        )
        self.started = False
        self.attempt = 0

    def execute(self) -> dict[str, Any]:
        spec = self.spec
        try:
            self.attempt = int(self.redis.incr(self.keys.attempts(self.job_id)))  # type: ignore[arg-type]
            self.redis.expire(self.keys.attempts(self.job_id), spec.events_ttl)
            if self._cancel_requested():
                self._publish_started(resumed=False)
                return self._finish_without_running("cancelled", None)
            agent = load_agent(spec.agent)
            if spec.kind == "start":
                self._claim()
            return self._run_leased(agent)
        except BaseException as exc:
            retry = False
            try:
                retry = bool(self.will_retry(exc))
            except Exception:
                logger.exception("Deciding whether job %s is retried failed", self.job_id)
            logger.warning("Run job %s (run %s, attempt %d) failed: %s: %s%s", self.job_id,
                           spec.run_id, self.attempt, type(exc).__name__, exc,
                           "; it will be retried" if retry else "")
            if self.started:
                self._publish_quietly({
                    "type": "error", "job_id": self.job_id, "will_retry": retry,
                    "error": {"type": type(exc).__name__, "message": str(exc)},
                })
            raise

    # --- steps --------------------------------------------------------------------------------

    def _claim(self) -> None:
        """Record this job as the one that started the run; a second start job is refused."""
        key = self.keys.claim(self.spec.run_id)
        if self.redis.set(key, self.job_id, nx=True, ex=CLAIM_TTL):
            return
        holder = self.redis.get(key)
        holder_text = holder.decode() if isinstance(holder, bytes) else holder
        if holder_text != self.job_id:
            raise RunLeaseHeld(
                f"Run {self.spec.run_id!r} was already started by job {holder_text!r}; a run id "
                "runs once (continue it through that job's handle)"
            )

    def _run_leased(self, agent: Agent[Any]) -> dict[str, Any]:
        from ..checkpoint.redis_store import RedisCheckpointStore
        from ..run_state import RunState

        spec = self.spec
        store = RedisCheckpointStore(redis_client=self.redis, key_prefix=self.keys.checkpoint_prefix)
        lease = JobLeaseStore(store, spec.run_id, LeaseOwner.current(self.job_id), spec.lease_seconds)
        lease.take()
        try:
            text = store.load(spec.run_id, include_done=True)
            if store.is_done(spec.run_id):
                # Finished by an earlier attempt (killed before the engine recorded it) or by
                # another job: report the result, run nothing.
                self._publish_started(resumed=True)
                state = RunState.from_string(agent, text) if text else None
                return self._finish_without_running("completed", state)
            state = None
            if text is not None:
                state = RunState.from_string(agent, text)
                self._apply_decisions(state)
            elif spec.kind == "resume":
                raise UserError(f"No checkpoint for run {spec.run_id!r}: nothing to resume")
            self._publish_started(resumed=state is not None)
            return self._stream(agent, state, lease)
        finally:
            lease.close()

    def _apply_decisions(self, state: RunState) -> None:
        spec = self.spec
        if spec.kind != "resume" or not spec.decisions:
            return
        if spec.from_step is not None and state._checkpoint_step != spec.from_step:
            return  # an earlier attempt of this job applied them and the run moved on
        pending = {item.call_id: item for item in state.interruptions}
        for decision in spec.decisions:
            item: Optional[ToolApprovalItem] = pending.get(decision.call_id)
            if item is None:
                raise UserError(
                    f"Call {decision.call_id!r} is not waiting for approval in run "
                    f"{spec.run_id!r} (pending: {sorted(pending)})"
                )
            if decision.approve:
                state.approve(item, always_approve=decision.always)
            else:
                state.reject(item, always_reject=decision.always,
                             rejection_message=decision.message)

    def _stream(self, agent: Agent[Any], state: Optional[RunState],
                lease: JobLeaseStore) -> dict[str, Any]:
        from ..memory.redis_session import RedisSession
        from ..run import Runner

        spec = self.spec
        config = build_run_config(spec.run_config)
        config.group_id = config.group_id or spec.run_id
        config.trace_metadata = {**(config.trace_metadata or {}), "run_id": spec.run_id,
                                 "job_id": self.job_id}
        session = None
        if spec.session_id is not None:
            session = RedisSession(spec.session_id, redis_client=self.redis,
                                   key_prefix=self.keys.session_prefix, ttl=spec.session_ttl)
        max_turns = state.max_turns if state is not None else spec.max_turns
        result = Runner.run_streamed(
            agent, state if state is not None else spec.input,  # type: ignore[arg-type]
            context=spec.context, max_turns=max_turns, run_config=config, session=session,
            checkpoint=lease, run_id=spec.run_id,
        )
        cancelled = False
        next_poll = time.monotonic() + _CANCEL_POLL
        for event in result.stream_events():
            if event.type != "raw_response_event" or spec.raw_events:
                self.publisher.publish(encode_event(event))
            if lease.lost.is_set():
                result.cancel()
                raise RunLeaseHeld(f"Run {spec.run_id!r}: the lease was taken by another job")
            if not cancelled and time.monotonic() >= next_poll:
                next_poll = time.monotonic() + _CANCEL_POLL
                if self._cancel_requested():
                    cancelled = True
                    result.cancel()
        final_state = result.to_state()
        if final_state._phase == "done":
            status = "completed"
        elif final_state.interruptions:
            status = "interrupted"
        else:
            status = "cancelled"
        return self._finish(status, final_state)

    # --- records ------------------------------------------------------------------------------

    def _cancel_requested(self) -> bool:
        return bool(self.redis.exists(self.keys.cancel(self.job_id)))

    def _publish_started(self, *, resumed: bool) -> None:
        self.publisher.publish({
            "type": "job_started", "job_id": self.job_id, "run_id": self.spec.run_id,
            "attempt": self.attempt, "resumed": resumed, "worker": self.worker,
        })
        self.started = True

    def _finish(self, status: str, state: RunState) -> dict[str, Any]:
        result = result_json(state, status=status, job_id=self.job_id, run_id=self.spec.run_id)
        record_type = "done" if status == "completed" else status
        self.publisher.publish({"type": record_type, "job_id": self.job_id, "result": result})
        return result

    def _finish_without_running(self, status: str, state: Optional[RunState]) -> dict[str, Any]:
        if state is not None:
            return self._finish(status, state)
        result: dict[str, Any] = {"run_id": self.spec.run_id, "job_id": self.job_id, "status": status,
                  "final_output": None, "usage": None, "last_agent": None, "interruptions": [],
                  "turns": 0}
        record_type = "done" if status == "completed" else status
        self.publisher.publish({"type": record_type, "job_id": self.job_id, "result": result})
        return result

    def _publish_quietly(self, record: dict[str, Any]) -> None:
        try:
            self.publisher.publish(record)
        except Exception as exc:  # Redis may be what failed
            logger.warning("Could not publish the final record of job %s: %s", self.job_id, exc)
