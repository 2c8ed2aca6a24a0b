"""`SQLiteCheckpointStore`: run checkpoints in a SQLite file, stdlib only.

Tables (schema version 1; migrations are append-only):
- `<table>(run_id TEXT PRIMARY KEY, step, state TEXT, done, created_at, updated_at)`: one row
  per run holding its latest checkpoint; every save is a single-row upsert inside a
  `BEGIN IMMEDIATE` transaction, so SQLite's journal makes it atomic.
- `<table>_leases(run_id TEXT PRIMARY KEY, owner, expires_at)`: one lease per run, taken and
  checked in the same kind of transaction. Expiry uses the wall clock (`time.time()`), so all
  workers should share a machine (or well-synchronised clocks).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

from ..exceptions import UserError
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
    import sqlite3

    from ..memory.sqlite_db import SQLiteDatabase

__all__ = ["SQLiteCheckpointStore"]

_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE IF NOT EXISTS {runs} ("
        " run_id TEXT PRIMARY KEY,"
        " step INTEGER NOT NULL,"
        " state TEXT,"
        " done INTEGER NOT NULL DEFAULT 0,"
        " created_at REAL NOT NULL,"
        " updated_at REAL NOT NULL)",
        'CREATE INDEX IF NOT EXISTS "idx_{runs_raw}_updated" ON {runs} (done, updated_at)',
        "CREATE TABLE IF NOT EXISTS {leases} ("
        " run_id TEXT PRIMARY KEY,"
        " owner TEXT NOT NULL,"
        " expires_at REAL NOT NULL)",
    ),
)


class SQLiteCheckpointStore:
    """Checkpoints of crash-resumable runs in a SQLite database.

    Args:
        db_path: the database file (created if missing); ":memory:" keeps checkpoints only as
            long as this object (useful in tests).
        table: name of the checkpoints table (a plain identifier); leases live in
            `<table>_leases`.
        busy_timeout: seconds a write waits for other writers.

    Safe to share across threads and processes (one connection per thread, WAL mode,
    `BEGIN IMMEDIATE` writes). See `agents_lite.checkpoint.store` for the guarantees.
    """

    def __init__(
        self,
        db_path: Union[str, Path] = ":memory:",
        *,
        table: str = "agent_checkpoints",
        busy_timeout: float = 30.0,
    ) -> None:
        from ..memory.sqlite_db import SQLiteDatabase, check_identifier, quote_identifier

        self.db_path = db_path
        self.table = check_identifier(table, "table")
        leases = check_identifier(table + "_leases", "table")
        self._db: SQLiteDatabase = SQLiteDatabase(db_path, busy_timeout=busy_timeout)
        try:
            self._db.migrate(
                f"checkpoint:{self.table}", _MIGRATIONS, {"runs": self.table, "leases": leases}
            )
        except BaseException:
            self._db.close()
            raise
        self._runs = quote_identifier(self.table)
        self._leases = quote_identifier(leases)

    def __repr__(self) -> str:
        return f"SQLiteCheckpointStore(db_path={str(self.db_path)!r}, table={self.table!r})"

    def _lease_holder(self, conn: sqlite3.Connection, run_id: str, now: float) -> Optional[str]:
        row = conn.execute(
            f"SELECT owner FROM {self._leases} WHERE run_id = ? AND expires_at > ?",
            (run_id, now),
        ).fetchone()
        return None if row is None else str(row[0])

    def save(
        self, run_id: str, state_json: str, *, step: int, owner: Optional[str] = None
    ) -> None:
        """Store `state_json` as the run's latest checkpoint (one atomic upsert).

        Raises `UserError` when the run is done, when `step` is lower than the stored step, or
        when `owner` is given and another owner holds the lease.
        """
        check_run_id(run_id)
        check_step(step)
        check_state_json(state_json)
        if owner is not None:
            check_owner(owner)
        with self._db.writing() as conn:
            now = time.time()
            if owner is not None:
                holder = self._lease_holder(conn, run_id, now)
                if holder is not None and holder != owner:
                    raise UserError(leased_message(run_id, holder))
            row = conn.execute(
                f"SELECT step, done FROM {self._runs} WHERE run_id = ?", (run_id,)
            ).fetchone()
            if row is not None:
                if row[1]:
                    raise UserError(done_message(run_id))
                if step < row[0]:
                    raise UserError(stale_step_message(run_id, int(row[0]), step))
            conn.execute(
                f"INSERT INTO {self._runs} (run_id, step, state, done, created_at, updated_at) "
                "VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT(run_id) DO UPDATE SET "
                "step = excluded.step, state = excluded.state, updated_at = excluded.updated_at",
                (run_id, step, state_json, now, now),
            )

    def load(self, run_id: str, *, include_done: bool = False) -> Optional[str]:
        """The run's latest checkpoint, or None. A done run raises `UserError` unless
        `include_done` (then its final checkpoint, or None if it never saved one)."""
        check_run_id(run_id)
        with self._db.reading() as conn:
            row = conn.execute(
                f"SELECT state, done FROM {self._runs} WHERE run_id = ?", (run_id,)
            ).fetchone()
        if row is None:
            return None
        if row[1] and not include_done:
            raise UserError(done_message(run_id))
        return None if row[0] is None else str(row[0])

    def mark_done(self, run_id: str) -> None:
        """Mark the run finished (a run never saved is recorded as done at step 0)."""
        check_run_id(run_id)
        with self._db.writing() as conn:
            now = time.time()
            conn.execute(
                f"INSERT INTO {self._runs} (run_id, step, state, done, created_at, updated_at) "
                "VALUES (?, 0, NULL, 1, ?, ?) ON CONFLICT(run_id) DO UPDATE SET "
                "done = 1, updated_at = excluded.updated_at",
                (run_id, now, now),
            )

    def is_done(self, run_id: str) -> bool:
        """Whether the run was marked done."""
        check_run_id(run_id)
        with self._db.reading() as conn:
            row = conn.execute(
                f"SELECT done FROM {self._runs} WHERE run_id = ?", (run_id,)
            ).fetchone()
        return bool(row and row[0])

    def list_runs(self, include_done: bool = False) -> list[CheckpointInfo]:
        """Runs with a checkpoint, oldest update first (done ones only with `include_done`)."""
        sql = f"SELECT run_id, step, updated_at, done FROM {self._runs}"
        if not include_done:
            sql += " WHERE done = 0"
        sql += " ORDER BY updated_at ASC, run_id ASC"
        with self._db.reading() as conn:
            rows = conn.execute(sql).fetchall()
        return [CheckpointInfo(str(r[0]), int(r[1]), float(r[2]), bool(r[3])) for r in rows]

    def delete(self, run_id: str) -> bool:
        """Forget the run's checkpoint, done mark and lease; whether it existed."""
        check_run_id(run_id)
        with self._db.writing() as conn:
            deleted = conn.execute(f"DELETE FROM {self._runs} WHERE run_id = ?", (run_id,))
            leased = conn.execute(f"DELETE FROM {self._leases} WHERE run_id = ?", (run_id,))
            return bool(deleted.rowcount or leased.rowcount)

    def acquire(self, run_id: str, owner: str, ttl: float) -> bool:
        """Take the run's lease for `ttl` seconds, or renew it if `owner` holds it already.
        False when another owner holds an unexpired lease."""
        check_run_id(run_id)
        check_owner(owner)
        seconds = check_ttl(ttl)
        with self._db.writing() as conn:
            now = time.time()
            holder = self._lease_holder(conn, run_id, now)
            if holder is not None and holder != owner:
                return False
            conn.execute(
                f"INSERT INTO {self._leases} (run_id, owner, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT(run_id) DO UPDATE SET owner = excluded.owner, "
                "expires_at = excluded.expires_at",
                (run_id, owner, now + seconds),
            )
            return True

    def release(self, run_id: str, owner: str) -> bool:
        """Give up the lease; False when `owner` did not hold it (nothing changes then)."""
        check_run_id(run_id)
        check_owner(owner)
        with self._db.writing() as conn:
            cursor = conn.execute(
                f"DELETE FROM {self._leases} WHERE run_id = ? AND owner = ? AND expires_at > ?",
                (run_id, owner, time.time()),
            )
            return cursor.rowcount > 0

    def lease_owner(self, run_id: str) -> Optional[str]:
        """Who holds the run's lease now (None when free or expired)."""
        check_run_id(run_id)
        with self._db.reading() as conn:
            return self._lease_holder(conn, run_id, time.time())

    def close(self) -> None:
        """Close the database connections of every thread."""
        self._db.close()

    def __enter__(self) -> SQLiteCheckpointStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
