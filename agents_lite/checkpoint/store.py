"""The `CheckpointStore` protocol: where crash-resumable runs keep their latest `RunState`.

A checkpoint is the JSON text of a serialised `RunState` for one `run_id`, with the step (turn)
it was taken at. The contract every store keeps:

- `save` is atomic: after a crash at any point, `load` returns either the previous checkpoint
  or the new one, never a mix. Only the latest checkpoint of a run is kept. Steps never go
  backwards: saving a step lower than the stored one raises `UserError` (a worker that lost its
  lease cannot overwrite the newer work of the worker that took over). Saving the same step again
  replaces it.
- `mark_done` closes a run: `load` of a done run raises `UserError` (it must not be resumed),
  unless `include_done=True` asks for its final state. A done run accepts no more saves.
- A lease (`acquire(run_id, owner, ttl)` / `release`) lets one worker at a time resume a run: it
  is held by one owner until released or until `ttl` seconds pass without renewal (acquiring
  again as the same owner renews it). `save(..., owner=...)` refuses to write while another
  owner holds the lease.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional, Protocol, runtime_checkable

from ..exceptions import UserError

__all__ = ["CheckpointInfo", "CheckpointStore"]


@dataclass(frozen=True)
class CheckpointInfo:
    """One run as `list_runs` reports it."""

    run_id: str
    """The run's id."""
    step: int
    """The step of the latest checkpoint."""
    updated_at: float
    """When the latest checkpoint (or the done mark) was written, in Unix seconds."""
    done: bool
    """Whether the run was marked done."""


@runtime_checkable
class CheckpointStore(Protocol):
    """Storage for run checkpoints (see the module docstring for the guarantees)."""

    def save(
        self, run_id: str, state_json: str, *, step: int, owner: Optional[str] = None
    ) -> None:
        """Store `state_json` as the latest checkpoint of `run_id`, atomically."""
        ...

    def load(self, run_id: str, *, include_done: bool = False) -> Optional[str]:
        """The latest checkpoint of `run_id`, or None when there is none. Raises `UserError`
        for a done run unless `include_done`."""
        ...

    def mark_done(self, run_id: str) -> None:
        """Mark the run finished: it can no longer be resumed or saved."""
        ...

    def is_done(self, run_id: str) -> bool:
        """Whether the run was marked done (False for unknown runs)."""
        ...

    def list_runs(self, include_done: bool = False) -> list[CheckpointInfo]:
        """Runs with a checkpoint, oldest update first; done runs only with `include_done`."""
        ...

    def delete(self, run_id: str) -> bool:
        """Forget the run (checkpoint, done mark and lease); whether there was anything."""
        ...

    def acquire(self, run_id: str, owner: str, ttl: float) -> bool:
        """Take (or renew) the run's lease for `ttl` seconds; False if another owner holds it."""
        ...

    def release(self, run_id: str, owner: str) -> bool:
        """Give the lease up; False when `owner` did not hold it."""
        ...

    def lease_owner(self, run_id: str) -> Optional[str]:
        """Who holds the run's lease now, or None."""
        ...

    def close(self) -> None:
        """Release connections the store opened."""
        ...


def check_run_id(run_id: Any) -> str:
    """Run ids are non-empty strings."""
    if not isinstance(run_id, str) or not run_id:
        raise UserError(f"run_id must be a non-empty string, got {run_id!r}")
    return run_id


def check_owner(owner: Any) -> str:
    """Lease owners are non-empty strings."""
    if not isinstance(owner, str) or not owner:
        raise UserError(f"owner must be a non-empty string, got {owner!r}")
    return owner


def check_ttl(ttl: Any) -> float:
    """Lease lifetimes are positive numbers of seconds."""
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not ttl > 0:
        raise UserError(f"ttl must be a positive number of seconds, got {ttl!r}")
    return float(ttl)


def check_step(step: Any) -> int:
    """Steps are ints >= 0."""
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise UserError(f"step must be an int >= 0, got {step!r}")
    return step


def check_state_json(state_json: Any) -> str:
    """A checkpoint is the JSON text of an object; anything else is refused before writing."""
    if not isinstance(state_json, str):
        raise UserError(
            f"state_json must be the JSON text of a RunState (str), got {type(state_json).__name__}"
        )
    try:
        value = json.loads(state_json)
    except ValueError as exc:
        raise UserError(f"state_json is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise UserError("state_json must encode a JSON object")
    return state_json


def stale_step_message(run_id: str, stored: int, step: int) -> str:
    """The error text for a save that would move a run backwards."""
    return (
        f"Checkpoint of run {run_id!r} is at step {stored}; refusing to replace it with step "
        f"{step} (another worker may have resumed this run)"
    )


def done_message(run_id: str) -> str:
    """The error text for using a finished run."""
    return f"Run {run_id!r} is marked done; a finished run cannot be resumed or saved"


def leased_message(run_id: str, holder: str) -> str:
    """The error text for a save while another worker holds the lease."""
    return f"Run {run_id!r} is leased by {holder!r}; this worker may not save it"
