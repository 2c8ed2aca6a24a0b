"""`SQLiteSession`: conversation history in a SQLite file (or in memory), stdlib only.

Layout (schema version 3):
- `<sessions_table>(session_id TEXT PRIMARY KEY, created_at, updated_at)`
- `<messages_table>(id INTEGER PRIMARY KEY AUTOINCREMENT, session_id, message_data TEXT,
  created_at)`: one row per item, its JSON in `message_data`; `id` gives the order.

Version 1 is the layout the reference SDK's `SQLiteSession` writes, so its database files open
as they are (and are upgraded in place: version 2 indexes rows by session and id, version 3 drops
the version-1 index on `created_at`, which nothing reads). Migrations are only ever appended; see `_MIGRATIONS`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from ..exceptions import UserError
from ..items import TResponseInputItem
from .session import (
    SessionABC,
    SessionSettings,
    check_session_id,
    coerce_session_settings,
    decode_item,
    encode_items,
    resolve_session_limit,
)

if TYPE_CHECKING:
    from .sqlite_db import SQLiteDatabase

__all__ = ["SQLiteSession"]

# Append-only: each entry is one schema version; never edit a released step, add a new one.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the reference SDK's layout.
    (
        "CREATE TABLE IF NOT EXISTS {sessions} ("
        " session_id TEXT PRIMARY KEY,"
        " created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
        " updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
        "CREATE TABLE IF NOT EXISTS {messages} ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " session_id TEXT NOT NULL,"
        " message_data TEXT NOT NULL,"
        " created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
        " FOREIGN KEY (session_id) REFERENCES {sessions} (session_id) ON DELETE CASCADE)",
        'CREATE INDEX IF NOT EXISTS "idx_{messages_raw}_session_id"'
        " ON {messages} (session_id, created_at)",
    ),
    # 2: reads and pops walk a session's rows by id; index exactly that.
    (
        'CREATE INDEX IF NOT EXISTS "idx_{messages_raw}_session_order"'
        " ON {messages} (session_id, id)",
    ),
    # 3: nothing reads by created_at; its index only slowed every insert down.
    ('DROP INDEX IF EXISTS "idx_{messages_raw}_session_id"',),
)
SCHEMA_VERSION = len(_MIGRATIONS)


class SQLiteSession(SessionABC):
    """A session stored in SQLite.

    Args:
        session_id: the conversation's id; any string.
        db_path: a database file (created if missing), or ":memory:" (default) for a database
            that lives as long as this object.
        sessions_table / messages_table: table names (plain identifiers only); several
            applications can share one file with different names.
        session_settings: defaults for reads (e.g. `SessionSettings(limit=50)`).
        busy_timeout: seconds a write waits for other writers (threads or processes).

    One object may be used from many threads, and many processes may use one file: each thread
    has its own connection, the file runs in WAL mode, and every write is one `BEGIN IMMEDIATE`
    transaction, so `add_items` of N items lands completely or not at all. Call `close()` (or use
    `with`) when done.

        >>> session = SQLiteSession("user-1")
        >>> session.add_items([{"role": "user", "content": "hi"}])
        >>> session.get_items()
        [{'role': 'user', 'content': 'hi'}]
        >>> session.close()
    """

    def __init__(
        self,
        session_id: str,
        db_path: Union[str, Path] = ":memory:",
        sessions_table: str = "agent_sessions",
        messages_table: str = "agent_messages",
        session_settings: Union[SessionSettings, dict[str, Any], None] = None,
        *,
        busy_timeout: float = 30.0,
    ) -> None:
        from .sqlite_db import SQLiteDatabase, check_identifier, quote_identifier

        self.session_id = check_session_id(session_id)
        self.db_path = db_path
        self.sessions_table = check_identifier(sessions_table, "sessions_table")
        self.messages_table = check_identifier(messages_table, "messages_table")
        if self.sessions_table == self.messages_table:
            raise UserError("sessions_table and messages_table must differ")
        self.session_settings = (
            coerce_session_settings(session_settings)
            if session_settings is not None
            else SessionSettings()
        )
        self._db: SQLiteDatabase = SQLiteDatabase(db_path, busy_timeout=busy_timeout)
        try:
            self._db.migrate(
                f"session:{self.sessions_table}:{self.messages_table}",
                _MIGRATIONS,
                {"sessions": self.sessions_table, "messages": self.messages_table},
                legacy_table=self.messages_table,
            )
        except BaseException:
            self._db.close()
            raise
        sessions = quote_identifier(self.sessions_table)
        messages = quote_identifier(self.messages_table)
        self._sql_all = (
            f"SELECT id, CAST(message_data AS BLOB) FROM {messages} "
            "WHERE session_id = ? ORDER BY id ASC"
        )
        self._sql_latest = (
            f"SELECT id, CAST(message_data AS BLOB) FROM {messages} "
            "WHERE session_id = ? ORDER BY id DESC LIMIT ?"
        )
        self._sql_touch = (
            f"INSERT INTO {sessions} (session_id) VALUES (?) ON CONFLICT(session_id) "
            "DO UPDATE SET updated_at = CURRENT_TIMESTAMP"
        )
        self._sql_insert = f"INSERT INTO {messages} (session_id, message_data) VALUES (?, ?)"
        self._sql_delete_row = f"DELETE FROM {messages} WHERE id = ?"
        self._sql_clear_messages = f"DELETE FROM {messages} WHERE session_id = ?"
        self._sql_clear_session = f"DELETE FROM {sessions} WHERE session_id = ?"

    def __repr__(self) -> str:
        return f"SQLiteSession(session_id={self.session_id!r}, db_path={str(self.db_path)!r})"

    def get_items(self, limit: Optional[int] = None) -> list[TResponseInputItem]:
        """The history, oldest first; with `limit`, only the latest `limit` items.

        Rows that are not a JSON object are skipped with a warning naming the session and row.
        """
        limit = resolve_session_limit(limit, self.session_settings)
        if limit == 0:
            return []
        with self._db.reading() as conn:
            if limit is None:
                rows = conn.execute(self._sql_all, (self.session_id,)).fetchall()
            else:
                rows = conn.execute(self._sql_latest, (self.session_id, limit)).fetchall()
                rows.reverse()
        items: list[TResponseInputItem] = []
        for row_id, data in rows:
            item = decode_item(data, self.session_id, f"{self.messages_table} row {row_id}")
            if item is not None:
                items.append(item)
        return items

    def add_items(self, items: list[TResponseInputItem]) -> None:
        """Append `items` in one transaction: all of them are stored, or (on error) none."""
        encoded = encode_items(items)
        if not encoded:
            return
        session_id = self.session_id
        with self._db.writing() as conn:
            conn.execute(self._sql_touch, (session_id,))
            conn.executemany(self._sql_insert, [(session_id, text) for text in encoded])

    def pop_item(self) -> Optional[TResponseInputItem]:
        """Remove and return the latest item, or None when there is none.

        Corrupt rows are not items: they are skipped (and left in place, with a warning), and the
        latest readable item is the one removed.
        """
        with self._db.writing() as conn:
            offset = 0
            while True:
                rows = conn.execute(
                    self._sql_latest + " OFFSET ?", (self.session_id, 16, offset)
                ).fetchall()
                if not rows:
                    return None
                for row_id, data in rows:
                    item = decode_item(
                        data, self.session_id, f"{self.messages_table} row {row_id}"
                    )
                    if item is not None:
                        conn.execute(self._sql_delete_row, (row_id,))
                        return item
                offset += len(rows)

    def clear_session(self) -> None:
        """Delete every item of this session (and its session row)."""
        with self._db.writing() as conn:
            conn.execute(self._sql_clear_messages, (self.session_id,))
            conn.execute(self._sql_clear_session, (self.session_id,))

    def close(self) -> None:
        """Close the database connections of every thread. Further calls raise `UserError`."""
        self._db.close()
