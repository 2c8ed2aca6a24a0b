"""Session and checkpoint store throughput.

    python benchmarks/sessions.py            # Redis from REDIS_URL, else 127.0.0.1:6379
    python benchmarks/sessions.py --quick    # fewer repetitions

Prints, for SQLite (file and :memory:), Redis and InMemorySession, at 100 and 10,000 items per
session:
- add 1/call: items/s when each `add_items` call carries one item (one transaction each);
- add 2/call: items/s at the run loop's usual write (a turn: input + answer);
- add 100/call: items/s in batches of 100;
- get all: items/s of `get_items()` on the full session (best run);
- get 20: milliseconds per `get_items(20)` (a run with `SessionSettings(limit=20)`).
Floors: a raw sqlite3 insert transaction and a raw redis-py RPUSH per item.

Then the checkpoint cost per turn: milliseconds per `save` and per `load` of a ~20 KB RunState
JSON for SQLiteCheckpointStore (file, memory) and RedisCheckpointStore.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from typing import Any, Callable, Optional

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from agents_lite.checkpoint import RedisCheckpointStore, SQLiteCheckpointStore  # noqa: E402
from agents_lite.memory import InMemorySession, RedisSession, SQLiteSession  # noqa: E402

SIZES = (100, 10_000)


def make_item(i: int) -> dict[str, Any]:
    if i % 2:
        return {"type": "message", "role": "assistant", "status": "completed", "id": f"msg_{i}",
                "content": [{"type": "output_text", "text": f"answer number {i} " * 4,
                             "annotations": []}]}
    return {"role": "user", "content": f"question number {i}, please answer briefly"}


def redis_client() -> Optional[Any]:
    try:
        import redis
    except ImportError:
        return None
    client = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    try:
        client.ping()
    except Exception:
        return None
    return client


class Backends:
    def __init__(self, tmp: str, client: Optional[Any]) -> None:
        self.tmp = tmp
        self.client = client
        self.prefix = f"bench:agents_lite:{uuid.uuid4().hex}"

    def names(self) -> list[str]:
        names = ["sqlite file", "sqlite memory"]
        if self.client is not None:
            names.append("redis")
        return names + ["in-memory"]

    def make(self, name: str) -> Any:
        sid = uuid.uuid4().hex
        if name == "sqlite file":
            return SQLiteSession(sid, os.path.join(self.tmp, "sessions.db"))
        if name == "sqlite memory":
            return SQLiteSession(sid)
        if name == "redis":
            return RedisSession(sid, redis_client=self.client, key_prefix=self.prefix)
        return InMemorySession(sid)

    def cleanup(self) -> None:
        if self.client is not None:
            for key in self.client.scan_iter(match=self.prefix + ":*"):
                self.client.delete(key)


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def add_rate(backends: Backends, name: str, size: int, per_call: int, rounds: int) -> float:
    """Items/s of the best of several fills of a fresh session (best-of filters out noise from
    other processes on a shared machine)."""
    items = [make_item(i) for i in range(size)]
    batches = [items[i : i + per_call] for i in range(0, size, per_call)]
    best = float("inf")
    for _ in range(rounds if size > 1000 else rounds * 4):
        session = backends.make(name)
        session.get_items(1)  # open the connection first: measure writes, not set-up
        best = min(best, timed(lambda s=session: [s.add_items(batch) for batch in batches]))
        session.clear_session()
        session.close()
    return size / best


def read_stats(backends: Backends, name: str, size: int, repeat: int) -> tuple[float, float]:
    session = backends.make(name)
    items = [make_item(i) for i in range(size)]
    for start in range(0, size, 500):
        session.add_items(items[start : start + 500])
    assert len(session.get_items()) == size
    runs = max(1, repeat if size <= 1000 else repeat // 10)
    get_all = min(timed(session.get_items) for _ in range(runs))
    get_20 = statistics.median(timed(lambda: session.get_items(20)) for _ in range(repeat))
    session.clear_session()
    session.close()
    return size / get_all, get_20 * 1000


def floor_sqlite(tmp: str, size: int) -> float:
    conn = sqlite3.connect(os.path.join(tmp, "floor.db"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, s TEXT, d TEXT)")
    texts = [json.dumps(make_item(i)) for i in range(size)]

    def run() -> None:
        for text in texts:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (s, d) VALUES (?, ?)", ("x", text))
            conn.execute("COMMIT")

    seconds = timed(run)
    conn.close()
    return size / seconds


def floor_redis(client: Any, prefix: str, size: int) -> float:
    key = prefix + ":floor"
    texts = [json.dumps(make_item(i)) for i in range(size)]
    seconds = timed(lambda: [client.rpush(key, text) for text in texts])
    client.delete(key)
    return size / seconds


def session_table(backends: Backends, repeat: int, rounds: int) -> None:
    print(f"Sessions (items/s, best of {rounds}; get 20: median ms per call)")
    header = (f"{'backend':<15}{'items':>7}{'add 1/call':>13}{'add 2/call':>13}"
              f"{'add 100/call':>15}{'get all':>13}{'get 20 ms':>11}")
    print(header)
    print("-" * len(header))
    for name in backends.names():
        for size in SIZES:
            add_1 = add_rate(backends, name, size, 1, rounds)
            add_2 = add_rate(backends, name, size, 2, rounds)
            add_100 = add_rate(backends, name, size, 100, rounds)
            get_all, get_20 = read_stats(backends, name, size, repeat)
            print(f"{name:<15}{size:>7}{add_1:>13,.0f}{add_2:>13,.0f}{add_100:>15,.0f}"
                  f"{get_all:>13,.0f}{get_20:>11.3f}")
    print()
    print("Floors (add 1/call, items/s)")
    for size in SIZES:
        line = f"  raw sqlite3 transaction per item  {size:>6}: {floor_sqlite(backends.tmp, size):>10,.0f}"
        print(line)
        if backends.client is not None:
            rate = floor_redis(backends.client, backends.prefix, size)
            print(f"  raw redis-py RPUSH per item       {size:>6}: {rate:>10,.0f}")
    print()


def checkpoint_state() -> str:
    items = [make_item(i) for i in range(60)]
    state = {"$schemaVersion": "1.0", "current_turn": 7, "original_input": items[:2],
             "generated_items": items, "model_responses": [], "context": {"user": "u-1"}}
    text = json.dumps(state)
    while len(text) < 20_000:
        state["generated_items"].append(make_item(len(state["generated_items"])))
        text = json.dumps(state)
    return text


def checkpoint_table(tmp: str, client: Optional[Any], repeat: int) -> None:
    text = checkpoint_state()
    stores: list[tuple[str, Any]] = [
        ("sqlite file", SQLiteCheckpointStore(os.path.join(tmp, "checkpoints.db"))),
        ("sqlite memory", SQLiteCheckpointStore()),
    ]
    prefix = f"bench:agents_lite:cp:{uuid.uuid4().hex}"
    if client is not None:
        stores.append(("redis", RedisCheckpointStore(redis_client=client, key_prefix=prefix)))
    print(f"Checkpoints (state of {len(text):,} bytes; ms per call, median of {repeat})")
    header = f"{'store':<15}{'save':>10}{'load':>10}{'save+lease':>12}"
    print(header)
    print("-" * len(header))
    for name, store in stores:
        run_id = uuid.uuid4().hex
        steps = iter(range(1, 10 * repeat))

        def save(store: Any = store, run_id: str = run_id, steps: Any = steps,
                 owner: Optional[str] = None) -> None:
            store.save(run_id, text, step=next(steps), owner=owner)

        saves = [timed(save) for _ in range(repeat)]
        loads = [timed(lambda s=store, r=run_id: s.load(r)) for _ in range(repeat)]
        store.acquire(run_id, "bench", 60)
        leased = [timed(lambda: save(owner="bench")) for _ in range(repeat)]
        store.delete(run_id)
        print(f"{name:<15}{statistics.median(saves) * 1000:>10.3f}"
              f"{statistics.median(loads) * 1000:>10.3f}{statistics.median(leased) * 1000:>12.3f}")
        store.close()
    if client is not None:
        for key in client.scan_iter(match=prefix + ":*"):
            client.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    repeat = 20 if args.quick else 100
    rounds = 1 if args.quick else 3
    if hasattr(os, "getloadavg"):
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
    client = redis_client()
    if client is None:
        print("(Redis not reachable: Redis rows are left out)\n")
    with tempfile.TemporaryDirectory() as tmp:
        backends = Backends(tmp, client)
        try:
            session_table(backends, repeat, rounds)
            checkpoint_table(tmp, client, repeat)
        finally:
            backends.cleanup()


if __name__ == "__main__":
    main()
