"""`RunHandle`: follow and steer a run executing as a job on a queue worker, from any process.

The handle talks to the queue engine through a small `JobBackend` (RQ and Celery each have one)
and to Redis directly: the run's event stream, its checkpoint (for approvals) and the cancel flag.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Protocol

from ..exceptions import AgentsException, UserError
from ..usage import Usage
from .event_stream import read_job_records
from .keys import JobKeys
from .spec import Decision, JobSpec

if TYPE_CHECKING:
    from redis import Redis

RUN_STATUSES = ("queued", "running", "completed", "interrupted", "cancelled", "failed", "unknown")
"""What `RunHandle.status()` returns."""


class RunJobFailed(AgentsException):
    """The run job failed for good (no retries left, or an error that retrying cannot fix)."""

    def __init__(self, job_id: str, run_id: str, error_type: str, message: str) -> None:
        super().__init__(f"Run job {job_id} (run {run_id}) failed: {error_type}: {message}")
        self.job_id = job_id
        self.run_id = run_id
        self.error_type = error_type
        """The name of the exception class that ended the job (e.g. "UserError")."""
        self.message = message


@dataclass(frozen=True)
class PendingApproval:
    """A tool call of a remote run waiting for a human's decision."""

    call_id: str
    tool_name: str
    arguments: Optional[str]
    """The call's JSON arguments (as the model sent them)."""


@dataclass
class RunJobResult:
    """The JSON result a worker stored on a run job, decoded."""

    run_id: str
    job_id: str
    status: str
    """"completed", "interrupted" (approvals pending) or "cancelled"."""
    final_output: Any
    """The final output as JSON (dataclasses became dicts); None unless completed."""
    usage: Optional[Usage]
    last_agent: Optional[str]
    """The name of the agent that ran last."""
    interruptions: list[PendingApproval] = field(default_factory=list)
    turns: int = 0
    raw: dict[str, Any] = field(default_factory=dict)
    """The stored JSON, as is."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunJobResult:
        """Decode a worker's JSON result."""
        usage = data.get("usage")
        return cls(
            run_id=data.get("run_id", ""),
            job_id=data.get("job_id", ""),
            status=data.get("status", ""),
            final_output=data.get("final_output"),
            usage=Usage.from_json(usage) if isinstance(usage, dict) else None,
            last_agent=data.get("last_agent"),
            interruptions=[
                PendingApproval(i.get("call_id", ""), i.get("tool_name", ""), i.get("arguments"))
                for i in data.get("interruptions") or []
            ],
            turns=int(data.get("turns") or 0),
            raw=data,
        )


@dataclass
class JobState:
    """An engine's view of one job, in the engine-neutral words the handle uses."""

    state: str
    """"queued", "running", "finished", "failed", "cancelled" or "missing"."""
    result: Optional[dict[str, Any]] = None
    """The job's JSON result, when finished."""
    error: Optional[dict[str, str]] = None
    """{"type", "message"} of the exception that failed the job."""


class JobBackend(Protocol):
    """What a queue engine provides to `RunHandle`."""

    @property
    def redis(self) -> Redis:
        """The Redis of the runs' events, checkpoints and sessions."""
        ...

    def submit(self, spec: JobSpec, job_options: dict[str, Any]) -> str:
        """Enqueue a run job; its id."""
        ...

    def job_state(self, job_id: str) -> JobState:
        """The job's state now."""
        ...

    def wait(self, job_id: str, timeout: Optional[float]) -> JobState:
        """The job's state once it is over, or its state when `timeout` seconds passed."""
        ...

    def cancel_queued(self, job_id: str) -> None:
        """Take the job off the queue if it has not started (a no-op otherwise)."""
        ...


_FINAL_JOB_STATES = ("finished", "failed", "cancelled", "missing")


class RunHandle:
    """A run executing as a job: its status, result and live events; approvals and cancel.

    `approve`, `reject`, `decide` and `resume` enqueue a new job that continues the same run
    (same `run_id`) from its checkpoint, and return that job's handle.
    """

    def __init__(self, backend: JobBackend, job_id: str, spec: JobSpec,
                 job_options: Optional[dict[str, Any]] = None) -> None:
        self.backend = backend
        self.job_id = job_id
        """The engine's id of the job."""
        self.spec = spec
        self.job_options = dict(job_options or {})
        self.keys = JobKeys(spec.key_prefix)

    @property
    def run_id(self) -> str:
        """The run's id (shared by the jobs that continue it)."""
        return self.spec.run_id

    def __repr__(self) -> str:
        return f"RunHandle(job_id={self.job_id!r}, run_id={self.run_id!r})"

    # --- following the run --------------------------------------------------------------------

    def status(self) -> str:
        """One of `RUN_STATUSES`: "queued", "running", then "completed", "interrupted",
        "cancelled" or "failed" ("unknown" when the engine forgot the job)."""
        state = self.backend.job_state(self.job_id)
        if state.state == "finished":
            return str((state.result or {}).get("status") or "completed")
        if state.state == "missing":
            return "unknown"
        return state.state

    def result(self, timeout: Optional[float] = None) -> RunJobResult:
        """Wait (up to `timeout` seconds; None waits as long as it takes) for the job to end.

        Raises `RunJobFailed` when the job failed for good, `TimeoutError` when it is still
        queued or running at the timeout, `UserError` for a job the engine does not know.
        """
        state = self.backend.wait(self.job_id, timeout)
        if state.state == "finished":
            return RunJobResult.from_json(state.result or {})
        if state.state == "cancelled":
            return RunJobResult(self.run_id, self.job_id, "cancelled", None, None, None)
        if state.state == "failed":
            error = state.error or {}
            raise RunJobFailed(self.job_id, self.run_id, error.get("type", "Error"),
                               error.get("message", "unknown error"))
        if state.state == "missing":
            raise UserError(f"The queue does not know job {self.job_id!r} (expired or deleted)")
        raise TimeoutError(f"Run job {self.job_id} is still {state.state} after {timeout} s")

    def events(self, *, timeout: Optional[float] = None) -> Iterator[dict[str, Any]]:
        """The run's events as JSON records, live, from the start of this job until its final
        record ("done", "interrupted", "cancelled" or "error"); see
        `agents_lite.jobs.event_stream` for the records. Works from any process: the records
        come from the Redis stream the worker writes to."""
        return read_job_records(
            self.backend.redis, self.keys.events(self.run_id), self.job_id,
            ended=self._ended_record, timeout=timeout,
        )

    def text_deltas(self, *, timeout: Optional[float] = None) -> Iterator[str]:
        """Only the text deltas of the run's model responses, in order, live. (After a retry
        the deltas of the turn that was cut off are sent again.)"""
        for record in self.events(timeout=timeout):
            data = record.get("data") if record.get("type") == "raw_response_event" else None
            if isinstance(data, dict) and data.get("type") == "response.output_text.delta":
                yield str(data.get("delta", ""))

    def _ended_record(self) -> Optional[dict[str, Any]]:
        state = self.backend.job_state(self.job_id)
        if state.state not in _FINAL_JOB_STATES:
            return None
        base = {"job_id": self.job_id, "synthetic": True}
        if state.state == "finished":
            result = state.result or {}
            status = result.get("status", "completed")
            return {"type": "done" if status == "completed" else status, "result": result,
                    **base}
        if state.state == "cancelled":
            return {"type": "cancelled", "result": None, **base}
        error = state.error or {"type": "UserError",
                                "message": f"the queue does not know job {self.job_id!r}"}
        return {"type": "error", "error": error, "will_retry": False, **base}

    # --- human in the loop --------------------------------------------------------------------

    def _checkpoint(self) -> dict[str, Any]:
        from ..checkpoint.redis_store import RedisCheckpointStore

        store = RedisCheckpointStore(redis_client=self.backend.redis,
                                     key_prefix=self.keys.checkpoint_prefix)
        text = store.load(self.run_id)  # a finished run raises UserError here
        if text is None:
            raise UserError(f"Run {self.run_id!r} has no checkpoint yet (has its job started?)")
        data: dict[str, Any] = json.loads(text)
        return data

    def pending_approvals(self) -> list[PendingApproval]:
        """The tool calls of the run waiting for a decision (from its latest checkpoint)."""
        return _pending(self._checkpoint())

    def approve(self, call_id: str, *, always_approve: bool = False) -> RunHandle:
        """Approve a pending call and enqueue the run's continuation; its handle."""
        return self.decide(approve=[call_id], always=always_approve)

    def reject(self, call_id: str, message: Optional[str] = None, *,
               always_reject: bool = False) -> RunHandle:
        """Reject a pending call (the model is told `message`) and enqueue the continuation."""
        return self.decide(reject={call_id: message}, always=always_reject)

    def decide(self, approve: Sequence[str] = (), reject: Optional[dict[str, Optional[str]]] = None,
               *, always: bool = False) -> RunHandle:
        """Approve and reject several pending calls at once, then enqueue the continuation.

        Raises `UserError` when a call id is not pending, when the run is finished, and when a
        continuation was already enqueued for this interruption.
        """
        if isinstance(approve, str):
            approve = [approve]
        decisions = [Decision(call_id, True, always) for call_id in approve]
        decisions += [Decision(call_id, False, always, message)
                      for call_id, message in (reject or {}).items()]
        if not decisions:
            raise UserError("decide() needs at least one call id to approve or reject")
        data = self._checkpoint()
        pending = {p.call_id for p in _pending(data)}
        for decision in decisions:
            if not isinstance(decision.call_id, str) or decision.call_id not in pending:
                raise UserError(
                    f"Call {decision.call_id!r} is not waiting for approval in run "
                    f"{self.run_id!r} (pending: {sorted(pending) or 'none'})"
                )
        return self._continue(decisions, data)

    def resume(self) -> RunHandle:
        """Enqueue the continuation of a run that stopped without finishing (cancelled, or
        failed for good) from its last checkpoint; its handle."""
        return self._continue([], self._checkpoint())

    def _continue(self, decisions: list[Decision], checkpoint: dict[str, Any]) -> RunHandle:
        step = int((checkpoint.get("loop") or {}).get("checkpoint_step", 0))
        marker = self.keys.decided(self.run_id, step)
        redis = self.backend.redis
        if not redis.set(marker, "enqueuing", nx=True, ex=self.spec.events_ttl) \
                and not self._earlier_continuation_failed(marker):
            raise UserError(
                f"Run {self.run_id!r} was already continued from this point (checkpoint step "
                f"{step}); follow the handle of that job"
            )
        spec = self.spec.resume_spec(decisions, step)
        try:
            job_id = self.backend.submit(spec, self.job_options)
        except BaseException:
            redis.delete(marker)
            raise
        redis.set(marker, job_id, ex=self.spec.events_ttl)
        return RunHandle(self.backend, job_id, spec, self.job_options)

    def _earlier_continuation_failed(self, marker: str) -> bool:
        """Whether the continuation recorded in `marker` failed or was cancelled (then the run
        may be continued from the same point again)."""
        value = self.backend.redis.get(marker)
        job_id = value.decode() if isinstance(value, bytes) else value
        if not job_id or job_id == "enqueuing":
            return False
        if self.backend.job_state(job_id).state not in ("failed", "cancelled", "missing"):
            return False
        self.backend.redis.set(marker, "enqueuing", ex=self.spec.events_ttl)
        return True

    # --- cancelling ---------------------------------------------------------------------------

    def cancel(self) -> None:
        """Cancel the job: a queued job never runs; a running one stops at its next event
        (its last checkpoint stays, so `resume()` can continue it)."""
        self.backend.redis.set(self.keys.cancel(self.job_id), "1", ex=self.spec.events_ttl)
        self.backend.cancel_queued(self.job_id)


def _pending(checkpoint: dict[str, Any]) -> list[PendingApproval]:
    found = []
    for entry in checkpoint.get("interruptions") or []:
        raw = entry.get("raw_item") or {}
        call_id = raw.get("call_id") or raw.get("id") or ""
        found.append(PendingApproval(call_id, entry.get("tool_name") or raw.get("name", ""),
                                     raw.get("arguments")))
    return found
