"""SQLite plumbing shared by `SQLiteSession` and `SQLiteCheckpointStore`.

- Connections: a file database gets one connection per thread (SQLite serialises writers itself;
  readers never block in WAL mode), rebuilt after a fork. `:memory:` gets one shared connection
  behind a lock, since every new connection to `:memory:` would be a different, empty database.
- Transactions: connections run in autocommit mode and every write is an explicit
  `BEGIN IMMEDIATE ... COMMIT`, so the write lock is taken up front and a busy database is waited
  for (`busy_timeout`) instead of failing half-way with "database is locked".
- Schema: each component (a table set) has a version row in `agents_lite_schema`, and a list of
  migration steps that is only ever appended to. Opening a database applies the missing steps in
  one transaction; a database from a newer release is refused.
- Table names come from users: they must be plain identifiers, and are quoted as well. Values
  always travel as parameters.

`sqlite3` is imported here, and this module is imported only when a SQLite store is created.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional, Union

from ..exceptions import UserError

__all__ = ["SQLiteDatabase", "check_identifier", "quote_identifier"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}\Z")
SCHEMA_TABLE = "agents_lite_schema"

Migration = Sequence[str]
"""One migration step: SQL statements with `{name}` placeholders for (quoted) table names."""


def check_identifier(name: Any, what: str) -> str:
    """A table name must be a plain identifier (letters, digits, underscores; not starting with a
    digit; at most 63 characters). Anything else is a `UserError`, so no SQL can be smuggled in."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise UserError(
            f"{what} must be a plain SQL identifier (letters, digits and underscores, not "
            f"starting with a digit, at most 63 characters), got {name!r}"
        )
    if name.lower().startswith("sqlite_"):
        raise UserError(f"{what} may not start with 'sqlite_' (reserved by SQLite), got {name!r}")
    return name


def quote_identifier(name: str) -> str:
    """Double-quote an identifier already accepted by `check_identifier`."""
    return '"' + name + '"'


class SQLiteDatabase:
    """Connections and transactions for one database file (or one private `:memory:` database).

    Args:
        db_path: a file path, or ":memory:" for a database private to this object.
        busy_timeout: seconds a writer waits for another connection's write to finish.
    """

    def __init__(self, db_path: Union[str, Path] = ":memory:", *, busy_timeout: float = 30.0):
        self.db_path = str(db_path)
        self.busy_timeout = float(busy_timeout)
        self.is_memory = self.db_path == ":memory:" or self.db_path.startswith("file::memory:")
        self._local = threading.local()
        self._lock = threading.RLock()
        self._holders: weakref.WeakSet[_Holder] = weakref.WeakSet()
        self._pid = os.getpid()
        self._closed = False
        self._shared: Optional[sqlite3.Connection] = None
        if self.is_memory:
            self._shared = self._open()
            self._shared_holder = _Holder(self._shared)
            self._holders.add(self._shared_holder)
        elif self.db_path and self.db_path != ":memory:":
            parent = Path(self.db_path).parent
            if not parent.exists():
                raise UserError(f"The directory of the SQLite database does not exist: {parent}")

    def __repr__(self) -> str:
        return f"SQLiteDatabase({self.db_path!r})"

    # -- connections ----------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.db_path,
            timeout=self.busy_timeout,
            isolation_level=None,  # autocommit: transactions are explicit
            check_same_thread=False,  # close() may run on another thread
            uri=self.db_path.startswith("file:"),
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            if not self.is_memory:
                # WAL lets readers run during a write; NORMAL sync keeps every commit atomic
                # and consistent (a crash never leaves a half-written transaction).
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (the shared one for `:memory:`)."""
        if self._closed:
            raise UserError(f"The SQLite database {self.db_path!r} was closed")
        if self._shared is not None:
            return self._shared
        pid = os.getpid()
        if pid != self._pid:
            # A forked child must not touch connections opened by its parent.
            self._local = threading.local()
            self._holders = weakref.WeakSet()
            self._pid = pid
        holder: Optional[_Holder] = getattr(self._local, "holder", None)
        if holder is None:
            holder = _Holder(self._open())
            self._local.holder = holder
            with self._lock:
                self._holders.add(holder)
        return holder.conn

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads (each statement sees one consistent snapshot)."""
        if self._shared is not None:
            with self._lock:
                yield self.connection()
        else:
            yield self.connection()

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: `BEGIN IMMEDIATE`, then COMMIT, or ROLLBACK on any error."""
        with self._lock if self._shared is not None else _NULL_LOCK:
            conn = self.connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the transaction may already be gone (e.g. after an I/O error)
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close every connection this object opened (in every thread)."""
        with self._lock:
            self._closed = True
            holders = list(self._holders)
            self._holders = weakref.WeakSet()
            self._shared = None
            self._local = threading.local()
        for holder in holders:
            holder.close()

    @property
    def closed(self) -> bool:
        """Whether `close()` was called."""
        return self._closed

    # -- schema ---------------------------------------------------------------------------

    def schema_version(self, component: str) -> Optional[int]:
        """The recorded schema version of `component`, or None when none is recorded."""
        with self.reading() as conn:
            if not _table_exists(conn, SCHEMA_TABLE):
                return None
            row = conn.execute(
                f"SELECT version FROM {quote_identifier(SCHEMA_TABLE)} WHERE component = ?",
                (component,),
            ).fetchone()
        return None if row is None else int(row[0])

    def migrate(
        self,
        component: str,
        migrations: Sequence[Migration],
        names: dict[str, str],
        *,
        legacy_table: Optional[str] = None,
    ) -> int:
        """Bring `component` to `len(migrations)`; return the version it was at before.

        `names` fills the `{placeholders}` of the statements (values are checked identifiers,
        quoted here; `{name_raw}` gives the bare name, for index names). A database that has
        `legacy_table` but no version row is taken to be at version 1 (the first step's layout).
        """
        latest = len(migrations)
        current = self.schema_version(component)
        if current is not None and current == latest:
            return current
        if current is not None and current > latest:
            raise UserError(_too_new(self.db_path, component, current, latest))
        fill = {key: quote_identifier(value) for key, value in names.items()}
        fill.update({key + "_raw": value for key, value in names.items()})
        with self.writing() as conn:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {quote_identifier(SCHEMA_TABLE)} ("
                "component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
            )
            row = conn.execute(
                f"SELECT version FROM {quote_identifier(SCHEMA_TABLE)} WHERE component = ?",
                (component,),
            ).fetchone()
            if row is not None:
                current = int(row[0])
            elif legacy_table is not None and _table_exists(conn, legacy_table):
                current = 1
            else:
                current = 0
            if current > latest:
                raise UserError(_too_new(self.db_path, component, current, latest))
            for step in migrations[current:]:
                for statement in step:
                    conn.execute(statement.format(**fill))
            conn.execute(
                f"INSERT INTO {quote_identifier(SCHEMA_TABLE)} (component, version) "
                "VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version",
                (component, latest),
            )
        return current


class _Holder:
    """Owns one connection; closes it when the thread that used it is gone (its thread-local
    storage, and so this holder, is then garbage)."""

    __slots__ = ("conn", "pid", "__weakref__")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.pid = os.getpid()

    def close(self) -> None:
        if os.getpid() != self.pid:
            # Inherited through fork: closing it here could checkpoint or delete the WAL files
            # the parent is still using. Leave it alone.
            return
        try:
            self.conn.close()
        except sqlite3.Error:
            pass

    def __del__(self) -> None:
        self.close()


class _NullLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: Any) -> None:
        return None


_NULL_LOCK = _NullLock()


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def _too_new(db_path: str, component: str, found: int, latest: int) -> str:
    return (
        f"The SQLite database {db_path!r} holds schema version {found} of {component!r}, newer "
        f"than this version of agents_lite understands ({latest}); upgrade agents_lite"
    )
