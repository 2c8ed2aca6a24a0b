"""`RedisCheckpointStore`: run checkpoints in Redis.

Keys (default prefix "agents:checkpoint"; run ids are percent-encoded like session ids):
- `<prefix>:run:<id>` — a hash with `state`, `step`, `done`, `created_at`, `updated_at`;
- `<prefix>:lease:<id>` — the lease: the owner's name, expiring with `PX` on the server's clock;
- `<prefix>:runs` — a sorted set of run ids by last update, for `list_runs`.

Every write is one Lua script (or one MULTI/EXEC), so it is atomic: a checkpoint's fields and the
index change together or not at all, and the checks (done, step order, lease owner) run inside
the same atomic step as the write. Retrying a save (redis-py retries on connection errors) is
harmless: the same step may be saved again. The index key spans runs, so a Redis Cluster would
need every key of the store on one node; use a single Redis server (or a replicated primary).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Optional, Union

from ..exceptions import UserError
from ..memory.redis_session import escape_key_part
from .store import (
    CheckpointInfo,
    check_owner,
    check_run_id,
    check_state_json,
    check_step,
    check_ttl,
    done_message,
    leased_message,
    stale_step_message,
)

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["RedisCheckpointStore"]

# KEYS: run, lease, index. ARGV: run_id, state, step, now, owner ("" = no lease check).
_SAVE = """
if ARGV[5] ~= '' then
  local holder = redis.call('GET', KEYS[2])
  if holder and holder ~= ARGV[5] then return {'leased', holder} end
end
local cur = redis.call('HMGET', KEYS[1], 'step', 'done')
if cur[2] == '1' then return {'done'} end
if cur[1] and tonumber(ARGV[3]) < tonumber(cur[1]) then return {'stale', cur[1]} end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'step', ARGV[3], 'done', '0',
           'updated_at', ARGV[4])
redis.call('HSETNX', KEYS[1], 'created_at', ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return {'ok'}
"""

# KEYS: run, index. ARGV: run_id, now.
_MARK_DONE = """
redis.call('HSET', KEYS[1], 'done', '1', 'updated_at', ARGV[2])
redis.call('HSETNX', KEYS[1], 'step', '0')
redis.call('HSETNX', KEYS[1], 'created_at', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
"""

# KEYS: lease. ARGV: owner, ttl in ms.
_ACQUIRE = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""

# KEYS: lease. ARGV: owner.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _text(value: Union[str, bytes, None]) -> Optional[str]:
    if value is None:
        return None
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class RedisCheckpointStore:
    """Checkpoints of crash-resumable runs in Redis.

    Args:
        redis_client: a `redis.Redis` client (bytes or `decode_responses=True`); it stays
            yours: `close()` does not close it.
        key_prefix: namespace of the keys, default "agents:checkpoint".

    `RedisCheckpointStore.from_url("redis://localhost:6379/0")` creates (and closes) its own
    client. See `agents_lite.checkpoint.store` for the guarantees.
    """

    def __init__(self, *, redis_client: Redis, key_prefix: str = "agents:checkpoint") -> None:
        if redis_client is None:
            raise UserError(
                "RedisCheckpointStore needs a redis_client (or use RedisCheckpointStore.from_url)"
            )
        if not isinstance(key_prefix, str) or not key_prefix:
            raise UserError("key_prefix must be a non-empty string")
        self.key_prefix = key_prefix
        self._redis = redis_client
        self._owns_client = False
        self._index = f"{key_prefix}:runs"
        self._save = redis_client.register_script(_SAVE)
        self._mark_done = redis_client.register_script(_MARK_DONE)
        self._acquire = redis_client.register_script(_ACQUIRE)
        self._release = redis_client.register_script(_RELEASE)

    @classmethod
    def from_url(
        cls, url: str, *, redis_kwargs: Optional[dict[str, Any]] = None, **kwargs: Any
    ) -> RedisCheckpointStore:
        """A store with its own client for `url`; `close()` closes it."""
        try:
            import redis
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise UserError(
                "RedisCheckpointStore needs the 'redis' package: pip install 'agents-lite[redis]'"
            ) from exc
        store = cls(redis_client=redis.Redis.from_url(url, **(redis_kwargs or {})), **kwargs)
        store._owns_client = True
        return store

    def __repr__(self) -> str:
        return f"RedisCheckpointStore(key_prefix={self.key_prefix!r})"

    def _run_key(self, run_id: str) -> str:
        return f"{self.key_prefix}:run:{escape_key_part(run_id)}"

    def _lease_key(self, run_id: str) -> str:
        return f"{self.key_prefix}:lease:{escape_key_part(run_id)}"

    def save(
        self, run_id: str, state_json: str, *, step: int, owner: Optional[str] = None
    ) -> None:
        """Store `state_json` as the run's latest checkpoint (one atomic script).

        Raises `UserError` when the run is done, when `step` is lower than the stored step, or
        when `owner` is given and another owner holds the lease.
        """
        check_run_id(run_id)
        check_step(step)
        check_state_json(state_json)
        if owner is not None:
            check_owner(owner)
        result = self._save(
            keys=[self._run_key(run_id), self._lease_key(run_id), self._index],
            args=[run_id, state_json, step, repr(time.time()), owner or ""],
        )
        status = _text(result[0])
        if status == "ok":
            return
        if status == "done":
            raise UserError(done_message(run_id))
        if status == "stale":
            raise UserError(stale_step_message(run_id, int(_text(result[1]) or 0), step))
        if status == "leased":
            raise UserError(leased_message(run_id, _text(result[1]) or "?"))
        raise UserError(f"Unexpected answer from Redis while saving run {run_id!r}: {result!r}")

    def load(self, run_id: str, *, include_done: bool = False) -> Optional[str]:
        """The run's latest checkpoint, or None. A done run raises `UserError` unless
        `include_done` (then its final checkpoint, or None if it never saved one)."""
        check_run_id(run_id)
        state, done = self._redis.hmget(self._run_key(run_id), ["state", "done"])
        if _text(done) == "1" and not include_done:
            raise UserError(done_message(run_id))
        return _text(state)

    def mark_done(self, run_id: str) -> None:
        """Mark the run finished (a run never saved is recorded as done at step 0)."""
        check_run_id(run_id)
        self._mark_done(keys=[self._run_key(run_id), self._index],
                        args=[run_id, repr(time.time())])

    def is_done(self, run_id: str) -> bool:
        """Whether the run was marked done."""
        check_run_id(run_id)
        return _text(self._redis.hget(self._run_key(run_id), "done")) == "1"

    def list_runs(self, include_done: bool = False) -> list[CheckpointInfo]:
        """Runs with a checkpoint, oldest update first (done ones only with `include_done`)."""
        members: list[Any] = self._redis.zrange(self._index, 0, -1)  # type: ignore[assignment]
        run_ids = [_text(member) or "" for member in members]
        if not run_ids:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for run_id in run_ids:
            pipe.hmget(self._run_key(run_id), ["step", "updated_at", "done"])
        infos: list[CheckpointInfo] = []
        for run_id, (step, updated_at, done) in zip(run_ids, pipe.execute()):
            if step is None:  # removed by hand or expired: not a run any more
                continue
            is_done = _text(done) == "1"
            if is_done and not include_done:
                continue
            infos.append(
                CheckpointInfo(run_id, int(_text(step) or 0), float(_text(updated_at) or 0),
                               is_done)
            )
        infos.sort(key=lambda info: (info.updated_at, info.run_id))
        return infos

    def delete(self, run_id: str) -> bool:
        """Forget the run's checkpoint, done mark and lease; whether it existed."""
        check_run_id(run_id)
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(self._run_key(run_id), self._lease_key(run_id))
        pipe.zrem(self._index, run_id)
        deleted, removed = pipe.execute()
        return bool(deleted or removed)

    def acquire(self, run_id: str, owner: str, ttl: float) -> bool:
        """Take the run's lease for `ttl` seconds, or renew it if `owner` holds it already.
        False when another owner holds an unexpired lease."""
        check_run_id(run_id)
        check_owner(owner)
        millis = max(int(check_ttl(ttl) * 1000), 1)
        return bool(self._acquire(keys=[self._lease_key(run_id)], args=[owner, millis]))

    def release(self, run_id: str, owner: str) -> bool:
        """Give up the lease; False when `owner` did not hold it (nothing changes then)."""
        check_run_id(run_id)
        check_owner(owner)
        return bool(self._release(keys=[self._lease_key(run_id)], args=[owner]))

    def lease_owner(self, run_id: str) -> Optional[str]:
        """Who holds the run's lease now (None when free or expired)."""
        check_run_id(run_id)
        return _text(self._redis.get(self._lease_key(run_id)))

    def ping(self) -> bool:
        """Whether the Redis server answers."""
        try:
            return bool(self._redis.ping())
        except Exception:
            return False

    def close(self) -> None:
        """Close the client if this store created it (`from_url`)."""
        if self._owns_client:
            self._redis.close()

    def __enter__(self) -> RedisCheckpointStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
