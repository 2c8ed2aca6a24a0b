"""Crash-resumable runs: save the `RunState` to a checkpoint store as the run goes.

The runner saves after every model response, after every finished tool call, after every tool
batch and after each session write. A run holds a lease on its `run_id` while it runs, so two
workers never advance the same run; the lease is renewed as checkpoints are written.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Optional

from .exceptions import UserError

if TYPE_CHECKING:
    from .run_state import RunState
    from .stream_events import StreamEvent

DEFAULT_LEASE_SECONDS = 60.0
"""How long a run's lease lasts without a checkpoint renewing it."""


def new_run_id() -> str:
    """A fresh run id."""
    return f"run_{uuid.uuid4().hex}"


class RunCheckpointer:
    """Writes one run's checkpoints and manages its lease."""

    def __init__(
        self,
        store: Any,
        run_id: str,
        *,
        lease_seconds: Optional[float] = None,
        force: bool = False,
    ) -> None:
        for method in ("save", "load", "mark_done", "acquire", "release"):
            if not callable(getattr(store, method, None)):
                raise UserError(f"checkpoint= needs a checkpoint store; {store!r} has no {method}()")
        self.store = store
        self.run_id = run_id
        self.owner = f"owner_{uuid.uuid4().hex}"
        self.lease_seconds = lease_seconds or DEFAULT_LEASE_SECONDS
        self.force = force
        self._renewed_at = 0.0
        self._lost = False
        self._stop = threading.Event()

    def begin(self) -> None:
        """Take the run's lease (or fail: another worker is running it)."""
        if self.force:
            holder = self.store.lease_owner(self.run_id) if hasattr(self.store, "lease_owner") else None
            if holder is not None:
                self.store.release(self.run_id, holder)
        if not self.store.acquire(self.run_id, self.owner, self.lease_seconds):
            raise UserError(
                f"Run {self.run_id!r} is being run by another worker (its lease is held); "
                "pass force=True to Runner.resume only if that worker is gone"
            )
        self._renewed_at = time.monotonic()

    def _heartbeat(self) -> None:
        """Keep the lease while a long tool call or model request runs between checkpoints."""
        while not self._stop.wait(self.lease_seconds / 3):
            try:
                if not self.store.acquire(self.run_id, self.owner, self.lease_seconds):
                    self._lost = True
                    return
                self._renewed_at = time.monotonic()
            except Exception:  # a store hiccup: the next save renews or fails loudly
                continue

    def save(self, state: RunState, reason: str = "") -> None:
        """Write the state as the run's latest checkpoint, renewing the lease when due."""
        if self._lost:
            raise UserError(f"Run {self.run_id!r}: the lease was lost to another worker")
        if time.monotonic() - self._renewed_at > self.lease_seconds / 3:
            if not self.store.acquire(self.run_id, self.owner, self.lease_seconds):
                raise UserError(f"Run {self.run_id!r}: the lease was lost to another worker")
            self._renewed_at = time.monotonic()
        state._checkpoint_step += 1
        self.store.save(self.run_id, state.to_string(), step=state._checkpoint_step, owner=self.owner)

    def run(self, state: RunState, events: Generator[StreamEvent, None, None]) -> Generator[StreamEvent, None, None]:
        """Drive `events` under the lease; mark the run done when it finishes."""
        self.begin()
        beat = threading.Thread(target=self._heartbeat, name=f"lease-{self.run_id}", daemon=True)
        beat.start()
        finished = False
        try:
            yield from events
            finished = state._phase == "done"
            # Done: mark it. Interrupted or cancelled: the last state must be resumable.
            self.save(state, "end")
            if finished:
                self.store.mark_done(self.run_id)
        except GeneratorExit:
            self.save(state, "closed")
            raise
        finally:
            self._stop.set()
            beat.join()
            self.store.release(self.run_id, self.owner)


def load_state_text(store: Any, run_id: str) -> str:
    """The saved state of a run, or a `UserError` saying why there is none."""
    text: Optional[str] = store.load(run_id)
    if text is None:
        raise UserError(f"No checkpoint for run {run_id!r}")
    return text
