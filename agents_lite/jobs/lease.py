"""The run lease of a job: one worker at a time advances a run, and a dead worker's lease is
taken over at once.

The core `RunCheckpointer` takes a lease on the run under a random owner name. A job wraps the
checkpoint store in a `JobLeaseStore` so the lease is held under the job's identity instead —
job id, host name, process id — with a short lifetime that a heartbeat thread renews while the
process lives. When a job finds the lease held:

- by a process of this host that no longer exists (a SIGKILLed worker): it takes the lease over;
- by an earlier attempt of the same job elsewhere: it waits for that lease to expire (the engine
  only retries a job it believes dead; a live holder keeps renewing and the retry gives up);
- by another job that is alive: it refuses (`RunLeaseHeld`); only one job may run a run.

A worker that lost its lease cannot overwrite the newer checkpoint: the store refuses saves from
an owner that does not hold the lease, and steps never go backwards.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Optional

from ..exceptions import UserError


class RunLeaseHeld(UserError):
    """Another live job holds the run's lease: this job must not run it."""


class RunLeaseBusy(UserError):
    """An earlier attempt of this job still holds the lease; the job may be retried later."""


@dataclass(frozen=True)
class LeaseOwner:
    """Who holds a run's lease: a job attempt in one process."""

    job_id: str
    host: str
    pid: int
    nonce: str

    @classmethod
    def current(cls, job_id: str) -> LeaseOwner:
        """This process, running `job_id`."""
        return cls(job_id, socket.gethostname(), os.getpid(), uuid.uuid4().hex[:12])

    def encode(self) -> str:
        """The owner string stored in the lease."""
        return json.dumps({"job": self.job_id, "host": self.host, "pid": self.pid,
                           "nonce": self.nonce}, separators=(",", ":"))

    @classmethod
    def decode(cls, text: str) -> Optional[LeaseOwner]:
        """The owner behind a lease string, or None for owners that are not jobs."""
        try:
            data = json.loads(text)
            return cls(str(data["job"]), str(data["host"]), int(data["pid"]), str(data["nonce"]))
        except (ValueError, TypeError, KeyError):
            return None


def process_is_gone(pid: int) -> bool:
    """Whether process `pid` of this host has exited (a zombie counts as exited)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            state = handle.read().rpartition(")")[2].split()[0]
        return state in ("Z", "X")
    except (OSError, IndexError):
        return False


class JobLeaseStore:
    """A checkpoint store whose lease is held under one job attempt's identity, with a
    heartbeat. Every other method goes to the wrapped store."""

    def __init__(self, store: Any, run_id: str, owner: LeaseOwner, ttl: float) -> None:
        self._store = store
        self.run_id = run_id
        self.owner = owner
        self._owner_text = owner.encode()
        self.ttl = float(ttl)
        self.lost = threading.Event()
        """Set when the heartbeat finds the lease held by someone else."""
        self._lock = threading.Lock()
        self._released = False
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    # --- taking the lease ---------------------------------------------------------------------

    def take(self, wait_for_own: Optional[float] = None) -> None:
        """Acquire the lease (taking over a dead holder's) and start the heartbeat; see the
        module docstring. Raises `RunLeaseHeld` or `RunLeaseBusy`."""
        limit = self.ttl + 2.0 if wait_for_own is None else wait_for_own
        deadline = time.monotonic() + limit
        me = self.owner
        while True:
            if self._store.acquire(self.run_id, self._owner_text, self.ttl):
                break
            text = self._store.lease_owner(self.run_id)
            if text is None:
                continue  # expired between the two calls
            holder = LeaseOwner.decode(text)
            if holder is not None and holder.host == me.host and (
                (holder.pid == me.pid and holder.job_id == me.job_id)
                or (holder.pid != me.pid and process_is_gone(holder.pid))
            ):
                # An earlier attempt in this very process, or a process of this host that is gone.
                self._store.release(self.run_id, text)
                continue
            if holder is None or holder.job_id != me.job_id:
                who = f"job {holder.job_id!r} on {holder.host} (pid {holder.pid})" if holder \
                    else repr(text)
                raise RunLeaseHeld(
                    f"Run {self.run_id!r} is being run by {who}; only one job may run it at a time"
                )
            if time.monotonic() >= deadline:
                raise RunLeaseBusy(
                    f"Run {self.run_id!r} is still leased by an earlier attempt of job "
                    f"{me.job_id!r} on {holder.host} (pid {holder.pid}); retry later"
                )
            time.sleep(min(0.25, self.ttl / 4))
        self._thread = threading.Thread(
            target=self._heartbeat, name=f"lease:{self.run_id}", daemon=True
        )
        self._thread.start()

    def _heartbeat(self) -> None:
        interval = self.ttl / 3
        while not self._stop.wait(interval):
            with self._lock:
                if self._released:
                    return
                try:
                    if not self._store.acquire(self.run_id, self._owner_text, self.ttl):
                        self.lost.set()
                        return
                except Exception:
                    # Redis unreachable: keep trying; if the lease expires meanwhile, the
                    # next checkpoint save is refused and the run stops.
                    continue

    # --- the store protocol, under this job's identity ---------------------------------------

    def acquire(self, run_id: str, owner: str, ttl: float) -> bool:
        """Take or renew the lease as this job (the runner's own owner name is replaced)."""
        with self._lock:
            if self._released:
                return False
            return bool(self._store.acquire(run_id, self._owner_text, self.ttl))

    def release(self, run_id: str, owner: str) -> bool:
        """Stop the heartbeat, then give the lease up."""
        with self._lock:
            self._released = True
        self._stop.set()
        return bool(self._store.release(run_id, self._owner_text))

    def save(self, run_id: str, state_json: str, *, step: int, owner: Optional[str] = None) -> None:
        """Save the checkpoint as this job (refused when another owner holds the lease)."""
        self._store.save(run_id, state_json, step=step, owner=self._owner_text)

    def lease_owner(self, run_id: str) -> Optional[str]:
        """Who holds the lease now."""
        text: Optional[str] = self._store.lease_owner(run_id)
        return text

    def close(self) -> None:
        """Stop the heartbeat and release the lease if still held."""
        if not self._released:
            try:
                self.release(self.run_id, self._owner_text)
            except Exception:
                pass
        self._stop.set()
