"""Redis key names shared by the enqueuing side (handles) and the workers.

Everything a run job keeps in Redis lives under one prefix (default "agents"):

- `<prefix>:events:<run_id>` — the run's event stream (XADD, trimmed with MAXLEN);
- `<prefix>:checkpoint:...` — the `RedisCheckpointStore` of the runs (state and lease);
- `<prefix>:session:...` — the `RedisSession`s of the runs;
- `<prefix>:claim:<run_id>` — the job that started the run (a second start is refused);
- `<prefix>:decided:<run_id>:<step>` — set when a resume was enqueued for a checkpoint step;
- `<prefix>:cancel:<job_id>` — set by `RunHandle.cancel()`, read by the worker;
- `<prefix>:attempts:<job_id>` — how many times a worker started the job.

Run and job ids are percent-encoded, so no id can reach another id's keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..memory.redis_session import escape_key_part

DEFAULT_KEY_PREFIX = "agents"
"""The key prefix of run jobs when the job options name none."""


@dataclass(frozen=True)
class JobKeys:
    """The Redis keys of run jobs under one prefix."""

    prefix: str = DEFAULT_KEY_PREFIX

    @property
    def checkpoint_prefix(self) -> str:
        """The `key_prefix` of the runs' `RedisCheckpointStore`."""
        return f"{self.prefix}:checkpoint"

    @property
    def session_prefix(self) -> str:
        """The `key_prefix` of the runs' `RedisSession`s."""
        return f"{self.prefix}:session"

    def events(self, run_id: str) -> str:
        """The run's event stream."""
        return f"{self.prefix}:events:{escape_key_part(run_id)}"

    def claim(self, run_id: str) -> str:
        """Which job started the run."""
        return f"{self.prefix}:claim:{escape_key_part(run_id)}"

    def decided(self, run_id: str, step: int) -> str:
        """Marks that a resume was enqueued for the run's checkpoint `step`."""
        return f"{self.prefix}:decided:{escape_key_part(run_id)}:{step}"

    def cancel(self, job_id: str) -> str:
        """The cancel request of one job."""
        return f"{self.prefix}:cancel:{escape_key_part(job_id)}"

    def attempts(self, job_id: str) -> str:
        """How many times a worker started the job."""
        return f"{self.prefix}:attempts:{escape_key_part(job_id)}"
