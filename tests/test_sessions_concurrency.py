"""Many writers on one session: 8 threads (SQLite file, SQLite :memory:, Redis, in-memory) and 4
processes (SQLite file, Redis). Every item must be there exactly once, each writer's items in
the order it wrote them, and each `add_items` batch in one piece (batches are atomic)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from agents_lite.memory import InMemorySession, RedisSession, SQLiteSession

from conftest import redis_available, redis_url, require

THREADS = 8
BATCHES = 25
BATCH_SIZE = 4
PROCESSES = 4
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def item(writer: int, batch: int, index: int) -> dict[str, Any]:
    return {"role": "user", "content": f"w{writer}-b{batch}-i{index}"}


def check_history(items: list[dict[str, Any]], writers: int) -> None:
    """Exactly once, per-writer order, and batches contiguous."""
    contents = [entry["content"] for entry in items]
    expected = {
        item(w, b, i)["content"]
        for w in range(writers)
        for b in range(BATCHES)
        for i in range(BATCH_SIZE)
    }
    assert len(contents) == len(expected), (len(contents), len(expected))
    assert set(contents) == expected
    for w in range(writers):
        mine = [c for c in contents if c.startswith(f"w{w}-")]
        assert mine == [
            item(w, b, i)["content"] for b in range(BATCHES) for i in range(BATCH_SIZE)
        ]
    # A batch is atomic: its items sit next to each other in the history.
    for start in range(0, len(contents), BATCH_SIZE):
        chunk = contents[start : start + BATCH_SIZE]
        prefixes = {c.rsplit("-i", 1)[0] for c in chunk}
        assert len(prefixes) == 1, chunk
        assert [c.rsplit("-i", 1)[1] for c in chunk] == [str(i) for i in range(BATCH_SIZE)]


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    require(redis_available(), "Redis is not reachable at " + redis_url())
    import redis

    prefix = f"test:agents_lite:{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(redis_url())
    for key in client.scan_iter(match=prefix + ":*"):
        client.delete(key)
    client.close()


def run_threads(session: Any) -> None:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        try:
            barrier.wait()
            for b in range(BATCHES):
                session.add_items([item(w, b, i) for i in range(BATCH_SIZE)])
                if b % 5 == 0:
                    session.get_items(3)  # readers interleaved with writers
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


SessionFactory = Callable[[Any], Any]


def test_threads_sqlite_file(tmp_path: Any) -> None:
    session = SQLiteSession("shared", str(tmp_path / "s.db"))
    try:
        run_threads(session)
        check_history(session.get_items(), THREADS)
    finally:
        session.close()


def test_threads_sqlite_file_one_session_object_per_thread(tmp_path: Any) -> None:
    path = str(tmp_path / "s.db")
    sessions = [SQLiteSession("shared", path) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def writer(w: int) -> None:
        barrier.wait()
        for b in range(BATCHES):
            sessions[w].add_items([item(w, b, i) for i in range(BATCH_SIZE)])

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        check_history(sessions[0].get_items(), THREADS)
    finally:
        for session in sessions:
            session.close()


def test_threads_sqlite_memory() -> None:
    session = SQLiteSession("shared")
    try:
        run_threads(session)
        check_history(session.get_items(), THREADS)
    finally:
        session.close()


def test_threads_in_memory() -> None:
    session = InMemorySession("shared")
    run_threads(session)
    check_history(session.get_items(), THREADS)


def test_threads_redis(redis_prefix: str) -> None:
    session = RedisSession.from_url("shared", url=redis_url(), key_prefix=redis_prefix)
    try:
        run_threads(session)
        check_history(session.get_items(), THREADS)
    finally:
        session.close()


def test_threads_pop_each_item_once(tmp_path: Any, redis_prefix: str) -> None:
    """Concurrent pops never hand out the same item twice nor lose one."""
    sessions = [
        SQLiteSession("pops", str(tmp_path / "p.db")),
        RedisSession.from_url("pops", url=redis_url(), key_prefix=redis_prefix),
        InMemorySession("pops"),
    ]
    for session in sessions:
        total = THREADS * 20
        session.add_items([{"role": "user", "content": str(i)} for i in range(total)])
        popped: list[str] = []
        lock = threading.Lock()

        def popper(session: Any = session, popped: list[str] = popped,
                    lock: threading.Lock = lock) -> None:
            while True:
                got = session.pop_item()
                if got is None:
                    return
                with lock:
                    popped.append(got["content"])

        threads = [threading.Thread(target=popper) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(popped, key=int) == [str(i) for i in range(total)], type(session)
        assert session.get_items() == []
        session.close()


WRITER_SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    backend, target, prefix, writer, go = sys.argv[1:6]
    writer = int(writer)
    from agents_lite.memory import RedisSession, SQLiteSession
    if backend == "sqlite":
        session = SQLiteSession("shared", target)
    else:
        session = RedisSession.from_url("shared", url=target, key_prefix=prefix)
    while not os.path.exists(go):
        time.sleep(0.005)
    for b in range({batches}):
        session.add_items(
            [{{"role": "user", "content": f"w{{writer}}-b{{b}}-i{{i}}"}} for i in range({size})]
        )
    session.close()
    """
).format(batches=BATCHES, size=BATCH_SIZE)


def run_processes(backend: str, target: str, prefix: str, tmp_path: Any) -> None:
    go = str(tmp_path / "go")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_SCRIPT, backend, target, prefix, str(w), go],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for w in range(PROCESSES)
    ]
    time.sleep(0.3)  # let every process import and open its session before the start signal
    open(go, "w").close()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()


def test_processes_sqlite_file(tmp_path: Any) -> None:
    path = str(tmp_path / "procs.db")
    SQLiteSession("shared", path).close()  # create the schema before the race
    run_processes("sqlite", path, "", tmp_path)
    session = SQLiteSession("shared", path)
    try:
        check_history(session.get_items(), PROCESSES)
    finally:
        session.close()


def test_processes_sqlite_file_schema_created_concurrently(tmp_path: Any) -> None:
    """Four processes open a brand-new file at once: the schema is created exactly once."""
    path = str(tmp_path / "fresh.db")
    run_processes("sqlite", path, "", tmp_path)
    session = SQLiteSession("shared", path)
    try:
        check_history(session.get_items(), PROCESSES)
    finally:
        session.close()


def test_processes_redis(redis_prefix: str, tmp_path: Any) -> None:
    run_processes("redis", redis_url(), redis_prefix, tmp_path)
    session = RedisSession.from_url("shared", url=redis_url(), key_prefix=redis_prefix)
    try:
        check_history(session.get_items(), PROCESSES)
    finally:
        session.close()
