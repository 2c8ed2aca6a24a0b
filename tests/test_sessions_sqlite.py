"""SQLiteSession specifics: schema versions and migrations, table-name validation, corrupt rows,
atomic writes, WAL, closing, and forked children."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import threading
from typing import Any

import pytest

from agents_lite import UserError
from agents_lite.memory import SQLiteSession
from agents_lite.memory.sqlite_db import SCHEMA_TABLE, SQLiteDatabase
from agents_lite.memory.sqlite_session import _MIGRATIONS, SCHEMA_VERSION

COMPONENT = "session:agent_sessions:agent_messages"


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def contents(items: list[dict[str, Any]]) -> list[Any]:
    return [item.get("content") for item in items]


def raw(path: str) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


# --- schema and migrations --------------------------------------------------------------------


def test_new_file_gets_latest_schema_and_wal(tmp_path: Any) -> None:
    path = str(tmp_path / "new.db")
    SQLiteSession("s", path).close()
    conn = raw(path)
    version = conn.execute(
        f"SELECT version FROM {SCHEMA_TABLE} WHERE component = ?", (COMPONENT,)
    ).fetchone()
    assert version == (SCHEMA_VERSION,) and SCHEMA_VERSION == 3
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    indexes = {row[1] for row in conn.execute("PRAGMA index_list(agent_messages)")}
    assert indexes == {"idx_agent_messages_session_order"}
    conn.close()


def create_reference_layout(path: str) -> None:
    """A database as the reference SDK's SQLiteSession writes it (no version bookkeeping)."""
    conn = raw(path)
    conn.executescript(
        """
        CREATE TABLE agent_sessions (
            session_id TEXT PRIMARY KEY,
            created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
            updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
        CREATE TABLE agent_messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id TEXT NOT NULL,
            message_data TEXT NOT NULL,
            created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
            FOREIGN KEY (session_id) REFERENCES agent_sessions (session_id) ON DELETE CASCADE);
        CREATE INDEX idx_agent_messages_session_id ON agent_messages (session_id, created_at);
        INSERT INTO agent_sessions (session_id) VALUES ('old');
        INSERT INTO agent_messages (session_id, message_data)
            VALUES ('old', '{"role": "user", "content": "first"}'),
                   ('old', '{"role": "assistant", "content": "second"}');
        """
    )
    conn.close()


def test_file_from_the_reference_layout_is_migrated_in_place(tmp_path: Any) -> None:
    path = str(tmp_path / "reference.db")
    create_reference_layout(path)
    session = SQLiteSession("old", path)
    try:
        assert contents(session.get_items()) == ["first", "second"]
        session.add_items([user("third")])
        assert contents(session.get_items(2)) == ["second", "third"]
    finally:
        session.close()
    conn = raw(path)
    assert conn.execute(
        f"SELECT version FROM {SCHEMA_TABLE} WHERE component = ?", (COMPONENT,)
    ).fetchone() == (SCHEMA_VERSION,)
    indexes = {row[1] for row in conn.execute("PRAGMA index_list(agent_messages)")}
    # Version 2 added the (session_id, id) index; version 3 dropped the created_at one.
    assert indexes == {"idx_agent_messages_session_order"}
    conn.close()


def test_file_at_version_1_is_upgraded(tmp_path: Any) -> None:
    path = str(tmp_path / "v1.db")
    db = SQLiteDatabase(path)
    names = {"sessions": "agent_sessions", "messages": "agent_messages"}
    assert db.migrate(COMPONENT, _MIGRATIONS[:1], names) == 0
    assert db.schema_version(COMPONENT) == 1
    with db.writing() as conn:
        conn.execute("INSERT INTO agent_sessions (session_id) VALUES ('s')")
        conn.execute(
            "INSERT INTO agent_messages (session_id, message_data) VALUES ('s', ?)",
            ('{"content": "kept"}',),
        )
    db.close()
    session = SQLiteSession("s", path)
    try:
        assert contents(session.get_items()) == ["kept"]
    finally:
        session.close()
    db = SQLiteDatabase(path)
    assert db.schema_version(COMPONENT) == SCHEMA_VERSION
    # Opening again is a no-op: migrate reports it was already current.
    assert db.migrate(COMPONENT, _MIGRATIONS, names) == SCHEMA_VERSION
    db.close()


def test_file_from_a_newer_release_is_refused(tmp_path: Any) -> None:
    path = str(tmp_path / "future.db")
    SQLiteSession("s", path).close()
    conn = raw(path)
    conn.execute(f"UPDATE {SCHEMA_TABLE} SET version = 99 WHERE component = ?", (COMPONENT,))
    conn.close()
    with pytest.raises(UserError, match="newer"):
        SQLiteSession("s", path)


def test_table_sets_are_versioned_separately(tmp_path: Any) -> None:
    path = str(tmp_path / "two.db")
    first = SQLiteSession("s", path)
    second = SQLiteSession("s", path, sessions_table="app2_sessions", messages_table="app2_msgs")
    try:
        first.add_items([user("one")])
        second.add_items([user("two")])
        assert contents(first.get_items()) == ["one"]
        assert contents(second.get_items()) == ["two"]
    finally:
        first.close()
        second.close()
    conn = raw(path)
    rows = dict(conn.execute(f"SELECT component, version FROM {SCHEMA_TABLE}").fetchall())
    assert rows == {COMPONENT: SCHEMA_VERSION, "session:app2_sessions:app2_msgs": SCHEMA_VERSION}
    conn.close()


# --- table names and SQL injection ------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "agent_messages; DROP TABLE agent_sessions",
        'agent"messages',
        "agent messages",
        "1messages",
        "",
        "sqlite_master",
        "messages--",
        "x" * 64,
        None,
    ],
)
def test_bad_table_names_are_refused(tmp_path: Any, name: Any) -> None:
    with pytest.raises(UserError):
        SQLiteSession("s", str(tmp_path / "t.db"), messages_table=name)
    with pytest.raises(UserError):
        SQLiteSession("s", str(tmp_path / "t.db"), sessions_table=name)


def test_same_table_for_both_is_refused() -> None:
    with pytest.raises(UserError):
        SQLiteSession("s", sessions_table="t", messages_table="t")


def test_session_ids_are_data_not_sql(tmp_path: Any) -> None:
    path = str(tmp_path / "inj.db")
    nasty = "x'); DROP TABLE agent_messages; --"
    evil = SQLiteSession(nasty, path)
    other = SQLiteSession("other", path)
    try:
        evil.add_items([user("evil")])
        other.add_items([user("safe")])
        assert contents(evil.get_items()) == ["evil"]
        evil.clear_session()
        assert contents(other.get_items()) == ["safe"]
    finally:
        evil.close()
        other.close()


# --- corrupt rows -----------------------------------------------------------------------------


def test_corrupt_rows_are_skipped_with_a_warning(tmp_path: Any, caplog: Any) -> None:
    path = str(tmp_path / "corrupt.db")
    session = SQLiteSession("sess-x", path)
    session.add_items([user("good-1")])
    conn = raw(path)
    insert = "INSERT INTO agent_messages (session_id, message_data) VALUES ('sess-x', ?)"
    conn.execute(insert, ("{not json",))
    conn.execute(insert, ("42",))
    conn.execute(insert, ("[1, 2]",))
    conn.execute(insert, (b"\xff\xfe{\x00",))  # a blob that is not UTF-8
    bad_ids = [row[0] for row in conn.execute("SELECT id FROM agent_messages WHERE id > 1")]
    conn.close()
    session.add_items([user("good-2")])

    with caplog.at_level(logging.WARNING, logger="agents_lite"):
        assert contents(session.get_items()) == ["good-1", "good-2"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4
    for row_id, message in zip(bad_ids, warnings):
        assert "'sess-x'" in message and f"row {row_id}" in message

    # The limit counts stored rows; corrupt ones are left out of the answer.
    assert contents(session.get_items(2)) == ["good-2"]

    # pop skips the corrupt rows (leaving them for inspection) and removes the latest item.
    assert session.pop_item() == user("good-2")
    assert session.pop_item() == user("good-1")
    assert session.pop_item() is None
    conn = raw(path)
    assert conn.execute("SELECT COUNT(*) FROM agent_messages").fetchone() == (4,)
    conn.close()
    session.clear_session()
    assert session.get_items() == []
    session.close()


# --- atomicity --------------------------------------------------------------------------------


def test_add_items_is_one_transaction(tmp_path: Any) -> None:
    path = str(tmp_path / "atomic.db")
    session = SQLiteSession("s", path)
    session.add_items([user("before")])
    conn = raw(path)
    conn.execute(
        "CREATE TRIGGER refuse_boom BEFORE INSERT ON agent_messages "
        "WHEN NEW.message_data LIKE '%boom%' BEGIN SELECT RAISE(ABORT, 'boom refused'); END"
    )
    conn.close()
    batch = [user("one"), user("two"), user("boom"), user("four")]
    with pytest.raises(sqlite3.DatabaseError, match="boom refused"):
        session.add_items(batch)
    assert contents(session.get_items()) == ["before"]
    other = SQLiteSession("new-session", path)
    with pytest.raises(sqlite3.DatabaseError):
        other.add_items([user("boom")])
    conn = raw(path)
    # Not even the session row of the failed write was kept.
    assert conn.execute(
        "SELECT COUNT(*) FROM agent_sessions WHERE session_id = 'new-session'"
    ).fetchone() == (0,)
    conn.close()
    session.add_items([user("after")])
    assert contents(session.get_items()) == ["before", "after"]
    session.close()
    other.close()


def test_a_writer_waits_for_a_long_transaction(tmp_path: Any) -> None:
    """A write blocked by another connection's transaction waits (busy_timeout) rather than
    failing with 'database is locked'."""
    path = str(tmp_path / "busy.db")
    session = SQLiteSession("s", path)
    blocker = raw(path)
    blocker.execute("BEGIN IMMEDIATE")
    done = threading.Event()

    def write() -> None:
        session.add_items([user("waited")])
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    assert not done.wait(0.3)  # still waiting for the lock
    blocker.execute("COMMIT")
    thread.join(10)
    assert done.is_set()
    assert contents(session.get_items()) == ["waited"]
    blocker.close()
    session.close()


# --- lifecycle --------------------------------------------------------------------------------


def test_close_closes_every_thread_connection(tmp_path: Any) -> None:
    session = SQLiteSession("s", str(tmp_path / "c.db"))
    session.add_items([user("main")])
    thread = threading.Thread(target=lambda: session.add_items([user("thread")]))
    thread.start()
    thread.join()
    session.close()
    with pytest.raises(UserError, match="closed"):
        session.get_items()


def test_context_manager_closes(tmp_path: Any) -> None:
    with SQLiteSession("s", str(tmp_path / "c.db")) as session:
        session.add_items([user("x")])
    with pytest.raises(UserError):
        session.add_items([user("y")])


def test_memory_database_is_private_to_the_object() -> None:
    first, second = SQLiteSession("s"), SQLiteSession("s")
    first.add_items([user("only in first")])
    assert second.get_items() == []
    first.close()
    second.close()


def test_missing_directory_is_a_clear_error(tmp_path: Any) -> None:
    with pytest.raises(UserError, match="does not exist"):
        SQLiteSession("s", str(tmp_path / "nope" / "x.db"))


def test_path_objects_are_accepted(tmp_path: Any) -> None:
    with SQLiteSession("s", tmp_path / "p.db") as session:
        session.add_items([user("x")])
        assert contents(session.get_items()) == ["x"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_uses_its_own_connection(tmp_path: Any) -> None:
    path = str(tmp_path / "fork.db")
    session = SQLiteSession("s", path)
    session.add_items([user("parent")])
    pid = os.fork()
    if pid == 0:  # child: must not reuse the parent's connection
        code = 0
        try:
            session.add_items([user("child")])
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    session.add_items([user("parent again")])
    assert contents(session.get_items()) == ["parent", "child", "parent again"]
    session.close()


def test_sqlite_is_loaded_only_when_a_session_is_created() -> None:
    import subprocess

    code = (
        "import sys\n"
        "from agents_lite.memory import SQLiteSession\n"
        "assert 'sqlite3' not in sys.modules\n"
        "SQLiteSession('s').close()\n"
        "assert 'sqlite3' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
