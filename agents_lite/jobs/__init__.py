"""Agent runs as jobs of an existing distributed queue: RQ (extra `rq`) or Celery (extra
`celery`), with Redis for sessions, checkpoints and live events.

    from agents_lite.jobs import enqueue_run            # RQ
    from agents_lite.jobs.celery_app import enqueue_run  # Celery

Both return a `RunHandle`: `status()`, `result(timeout)`, `events()` (live, from any process),
`approve(call_id)` / `reject(call_id, message)`, `cancel()`. Nothing here imports rq, celery or
redis until it is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .handle import JobState, PendingApproval, RunHandle, RunJobFailed, RunJobResult
    from .lease import RunLeaseBusy, RunLeaseHeld
    from .rq_jobs import enqueue_run, get_handle
    from .spec import Decision, JobSpec
    from .worker_run import execute_run

_LAZY = {
    "enqueue_run": ".rq_jobs",
    "get_handle": ".rq_jobs",
    "RunHandle": ".handle",
    "RunJobResult": ".handle",
    "RunJobFailed": ".handle",
    "PendingApproval": ".handle",
    "JobState": ".handle",
    "JobSpec": ".spec",
    "Decision": ".spec",
    "RunLeaseHeld": ".lease",
    "RunLeaseBusy": ".lease",
    "execute_run": ".worker_run",
}

__all__ = [
    "Decision",
    "JobSpec",
    "JobState",
    "PendingApproval",
    "RunHandle",
    "RunJobFailed",
    "RunJobResult",
    "RunLeaseBusy",
    "RunLeaseHeld",
    "enqueue_run",
    "execute_run",
    "get_handle",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
