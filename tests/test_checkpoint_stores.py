"""Checkpoint stores (SQLite file, SQLite memory, Redis): the `CheckpointStore` contract, leases
between workers, and atomic saves that survive a writer killed mid-way."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from agents_lite import UserError
from agents_lite.checkpoint import (
    CheckpointInfo,
    CheckpointStore,
    RedisCheckpointStore,
    SQLiteCheckpointStore,
)

from conftest import redis_available, redis_url, require

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    require(redis_available(), "Redis is not reachable at " + redis_url())
    import redis

    prefix = f"test:agents_lite:cp:{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(redis_url())
    for key in client.scan_iter(match=prefix + ":*"):
        client.delete(key)
    client.close()


@pytest.fixture(params=["sqlite_file", "sqlite_memory", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Any]:
    if request.param == "sqlite_file":
        made: Any = SQLiteCheckpointStore(str(tmp_path / "cp.db"))
    elif request.param == "sqlite_memory":
        made = SQLiteCheckpointStore()
    else:
        prefix = request.getfixturevalue("redis_prefix")
        made = RedisCheckpointStore.from_url(redis_url(), key_prefix=prefix)
    yield made
    made.close()


def state(step: int, **extra: Any) -> str:
    return json.dumps({"$schemaVersion": "1.0", "step": step, **extra})


def test_is_a_checkpoint_store(store: Any) -> None:
    assert isinstance(store, CheckpointStore)


def test_save_and_load_latest(store: Any) -> None:
    assert store.load("run-1") is None
    store.save("run-1", state(1), step=1)
    store.save("run-1", state(2), step=2)
    assert json.loads(store.load("run-1"))["step"] == 2
    store.save("run-1", state(2, again=True), step=2)  # the same step may be saved again
    assert json.loads(store.load("run-1")) == {"$schemaVersion": "1.0", "step": 2, "again": True}
    assert store.load("run-2") is None


def test_steps_never_go_backwards(store: Any) -> None:
    store.save("run", state(5), step=5)
    with pytest.raises(UserError, match="step 5"):
        store.save("run", state(3), step=3)
    assert json.loads(store.load("run"))["step"] == 5


def test_large_unicode_state_round_trips(store: Any) -> None:
    payload = state(1, text="ünïcødé ✓ " * 5000, nested={"a": [1, 2.5, None, True]})
    store.save("big", payload, step=1)
    assert store.load("big") == payload


@pytest.mark.parametrize("bad", [None, b"{}", "not json", "[1, 2]", "42", {"a": 1}])
def test_bad_state_is_refused_and_the_old_one_kept(store: Any, bad: Any) -> None:
    store.save("run", state(1), step=1)
    with pytest.raises(UserError):
        store.save("run", bad, step=2)
    assert json.loads(store.load("run"))["step"] == 1


@pytest.mark.parametrize("bad_step", [-1, 1.0, "2", None, True])
def test_bad_step_is_refused(store: Any, bad_step: Any) -> None:
    with pytest.raises(UserError):
        store.save("run", state(1), step=bad_step)


@pytest.mark.parametrize("bad_id", ["", None, 7])
def test_bad_run_id_is_refused(store: Any, bad_id: Any) -> None:
    with pytest.raises(UserError):
        store.save(bad_id, state(1), step=1)
    with pytest.raises(UserError):
        store.load(bad_id)


def test_done_runs_cannot_be_resumed_or_saved(store: Any) -> None:
    store.save("run", state(3), step=3)
    assert store.is_done("run") is False
    store.mark_done("run")
    assert store.is_done("run") is True
    with pytest.raises(UserError, match="done"):
        store.load("run")
    assert json.loads(store.load("run", include_done=True))["step"] == 3
    with pytest.raises(UserError, match="done"):
        store.save("run", state(4), step=4)
    store.mark_done("run")  # marking twice is fine
    assert store.is_done("unknown") is False


def test_mark_done_without_a_checkpoint(store: Any) -> None:
    store.mark_done("never-saved")
    assert store.is_done("never-saved")
    assert store.load("never-saved", include_done=True) is None
    with pytest.raises(UserError):
        store.load("never-saved")
    with pytest.raises(UserError):
        store.save("never-saved", state(1), step=1)


def test_list_runs(store: Any) -> None:
    assert store.list_runs() == []
    store.save("a", state(1), step=1)
    time.sleep(0.01)
    store.save("b", state(4), step=4)
    time.sleep(0.01)
    store.save("c", state(2), step=2)
    time.sleep(0.01)
    store.save("a", state(2), step=2)  # "a" is now the most recently updated
    store.mark_done("c")
    runs = store.list_runs()
    assert [(r.run_id, r.step, r.done) for r in runs] == [("b", 4, False), ("a", 2, False)]
    assert all(isinstance(r, CheckpointInfo) for r in runs)
    assert runs[0].updated_at <= runs[1].updated_at
    assert abs(runs[1].updated_at - time.time()) < 60
    everything = store.list_runs(include_done=True)
    # Marking done counts as an update.
    assert [(r.run_id, r.done) for r in everything] == [("b", False), ("a", False), ("c", True)]


def test_delete(store: Any) -> None:
    store.save("run", state(1), step=1)
    assert store.acquire("run", "worker", 30)
    store.mark_done("run")
    assert store.delete("run") is True
    assert store.load("run") is None and not store.is_done("run")
    assert store.lease_owner("run") is None
    assert store.list_runs(include_done=True) == []
    assert store.delete("run") is False
    store.save("run", state(1), step=1)  # a deleted run id can start over
    assert json.loads(store.load("run"))["step"] == 1


def test_hostile_run_ids_stay_apart(store: Any) -> None:
    ids = ["a", "a:b", "*", "{x}", "run:a", "%61", "a b", "ä"]
    for index, run_id in enumerate(ids):
        store.save(run_id, state(index), step=index)
    for index, run_id in enumerate(ids):
        assert json.loads(store.load(run_id))["step"] == index
    assert sorted(r.run_id for r in store.list_runs()) == sorted(ids)
    store.delete("*")
    assert store.load("a") is not None and store.load("*") is None


# --- leases -----------------------------------------------------------------------------------


def test_lease_between_two_owners(store: Any) -> None:
    assert store.lease_owner("run") is None
    assert store.acquire("run", "worker-1", 30) is True
    assert store.acquire("run", "worker-2", 30) is False
    assert store.lease_owner("run") == "worker-1"
    assert store.acquire("run", "worker-1", 30) is True  # renewal
    assert store.release("run", "worker-2") is False  # not the holder: nothing changes
    assert store.lease_owner("run") == "worker-1"
    assert store.release("run", "worker-1") is True
    assert store.lease_owner("run") is None
    assert store.acquire("run", "worker-2", 30) is True
    assert store.release("run", "worker-1") is False


def test_lease_expires(store: Any) -> None:
    assert store.acquire("run", "worker-1", 0.15)
    assert not store.acquire("run", "worker-2", 10)
    time.sleep(0.4)
    assert store.lease_owner("run") is None
    assert store.acquire("run", "worker-2", 10) is True
    assert store.release("run", "worker-1") is False


def test_save_with_owner_respects_the_lease(store: Any) -> None:
    store.acquire("run", "worker-1", 30)
    store.save("run", state(1), step=1, owner="worker-1")
    with pytest.raises(UserError, match="leased by 'worker-1'"):
        store.save("run", state(2), step=2, owner="worker-2")
    assert json.loads(store.load("run"))["step"] == 1
    store.save("run", state(2), step=2)  # no owner given: no lease check
    store.release("run", "worker-1")
    store.save("run", state(3), step=3, owner="worker-2")  # free lease: anyone may save


@pytest.mark.parametrize("bad_ttl", [0, -1, None, "10", True])
def test_bad_lease_arguments(store: Any, bad_ttl: Any) -> None:
    with pytest.raises(UserError):
        store.acquire("run", "worker", bad_ttl)
    with pytest.raises(UserError):
        store.acquire("run", "", 10)


def test_only_one_of_many_threads_gets_the_lease(store: Any) -> None:
    barrier = threading.Barrier(8)
    winners: list[str] = []
    lock = threading.Lock()

    def contender(n: int) -> None:
        barrier.wait()
        if store.acquire("contested", f"worker-{n}", 30):
            with lock:
                winners.append(f"worker-{n}")

    threads = [threading.Thread(target=contender, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1
    assert store.lease_owner("contested") == winners[0]


# --- across processes and crashes -------------------------------------------------------------


STORE_SCRIPT = textwrap.dedent(
    """
    import hashlib, json, sys
    kind, target, prefix = sys.argv[1:4]
    if kind == "sqlite":
        from agents_lite.checkpoint import SQLiteCheckpointStore
        store = SQLiteCheckpointStore(target)
    else:
        from agents_lite.checkpoint import RedisCheckpointStore
        store = RedisCheckpointStore.from_url(target, key_prefix=prefix)
    """
)

SAVER = STORE_SCRIPT + textwrap.dedent(
    """
    step = 0
    while True:
        step += 1
        blob = str(step) * 50000
        digest = hashlib.sha256(blob.encode()).hexdigest()
        store.save("crashy", json.dumps({"step": step, "blob": blob, "sha": digest}), step=step)
    """
)


def crash_targets(kind: str, tmp_path: Any, request: pytest.FixtureRequest) -> tuple[str, str]:
    if kind == "sqlite":
        return str(tmp_path / "crash.db"), ""
    return redis_url(), request.getfixturevalue("redis_prefix")


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_a_writer_killed_mid_save_leaves_a_whole_checkpoint(
    kind: str, tmp_path: Any, request: pytest.FixtureRequest
) -> None:
    target, prefix = crash_targets(kind, tmp_path, request)
    if kind == "sqlite":
        reader: Any = SQLiteCheckpointStore(target)
    else:
        reader = RedisCheckpointStore.from_url(target, key_prefix=prefix)
    for kill_after_step in (3, 8):
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVER, kind, target, prefix],
            cwd=REPO, stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                runs = reader.list_runs()
                if runs and runs[0].step >= kill_after_step:
                    break
                assert proc.poll() is None, proc.stderr.read().decode()  # type: ignore[union-attr]
                time.sleep(0.005)
            os.kill(proc.pid, signal.SIGKILL)  # most likely in the middle of a save
        finally:
            proc.wait()
        text = reader.load("crashy")
        assert text is not None
        value = json.loads(text)  # parses: never half-written
        assert hashlib.sha256(value["blob"].encode()).hexdigest() == value["sha"]
        assert value["blob"] == str(value["step"]) * 50000
        info = reader.list_runs()[0]
        assert info.step == value["step"]  # the step and the state were written together
        reader.delete("crashy")
    if kind == "sqlite":
        conn = sqlite3.connect(target)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()
    reader.close()


LEASER = STORE_SCRIPT + textwrap.dedent(
    """
    owner = sys.argv[4]
    print("yes" if store.acquire("shared-run", owner, 30) else "no", flush=True)
    """
)


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_one_lease_across_processes(kind: str, tmp_path: Any, request: pytest.FixtureRequest) -> None:
    target, prefix = crash_targets(kind, tmp_path, request)
    if kind == "sqlite":
        SQLiteCheckpointStore(target).close()
    procs = [
        subprocess.Popen([sys.executable, "-c", LEASER, kind, target, prefix, f"proc-{n}"],
                         cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for n in range(4)
    ]
    answers = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        answers.append(out.decode().strip())
    assert sorted(answers) == ["no", "no", "no", "yes"]


def test_sqlite_store_schema_is_versioned(tmp_path: Any) -> None:
    path = str(tmp_path / "v.db")
    SQLiteCheckpointStore(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute(
        "SELECT version FROM agents_lite_schema WHERE component = 'checkpoint:agent_checkpoints'"
    ).fetchone() == (1,)
    conn.execute("UPDATE agents_lite_schema SET version = 7")
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="newer"):
        SQLiteCheckpointStore(path)


def test_sqlite_store_table_name_is_validated(tmp_path: Any) -> None:
    with pytest.raises(UserError):
        SQLiteCheckpointStore(str(tmp_path / "t.db"), table="runs; DROP TABLE x")
    with SQLiteCheckpointStore(str(tmp_path / "t.db"), table="my_runs") as custom:
        custom.save("r", state(1), step=1)
        assert custom.load("r") is not None


def test_sqlite_store_shares_a_file_with_sessions(tmp_path: Any) -> None:
    from agents_lite.memory import SQLiteSession

    path = str(tmp_path / "app.db")
    with SQLiteSession("s", path) as session, SQLiteCheckpointStore(path) as checkpoints:
        session.add_items([{"role": "user", "content": "hi"}])
        checkpoints.save("r", state(1), step=1)
        assert session.get_items() == [{"role": "user", "content": "hi"}]
        assert checkpoints.load("r") == state(1)


def test_redis_store_arguments() -> None:
    with pytest.raises(UserError):
        RedisCheckpointStore(redis_client=None)  # type: ignore[arg-type]
