"""RedisSession specifics against real Redis servers: key namespacing with hostile ids, TTLs,
corrupt elements, retries that must not duplicate, and a server that dies and restarts."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any, Optional

import pytest

from agents_lite import UserError
from agents_lite.extensions.memory import RedisSession as ExtensionsRedisSession
from agents_lite.memory import RedisSession
from agents_lite.memory.redis_session import escape_key_part

from conftest import free_port, redis_available, redis_url, require

try:
    import redis
except ImportError:  # pragma: no cover - the fixtures then skip, or fail under CI
    redis = None


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def contents(items: list[dict[str, Any]]) -> list[Any]:
    return [item.get("content") for item in items]


@pytest.fixture
def client() -> Iterator[Any]:
    require(redis_available(), "Redis is not reachable at " + redis_url())
    conn = redis.Redis.from_url(redis_url())
    yield conn
    conn.close()


@pytest.fixture
def prefix(client: Any) -> Iterator[str]:
    value = f"test:agents_lite:{uuid.uuid4().hex}"
    yield value
    for key in client.scan_iter(match=value + "*"):
        client.delete(key)


# --- keys -------------------------------------------------------------------------------------


NASTY_IDS = [
    "a",
    "a:messages",
    "a:b",
    "a:b:messages",
    "*",
    "a*",
    "?",
    "[a-z]",
    "{a}",
    "{a",
    "a}",
    "%61",
    "a%3Ab",
    "",
    " ",
    "a b",
    "a\nb",
    "ä",
    "\u2603:{*}",
    "\x00",
    "a\udcff",
]


def test_hostile_session_ids_never_share_keys(client: Any, prefix: str) -> None:
    sessions = [RedisSession(sid, redis_client=client, key_prefix=prefix) for sid in NASTY_IDS]
    keys = {s.messages_key for s in sessions}
    assert len(keys) == len(NASTY_IDS)
    for session in sessions:
        # The id part of the key holds no separator, glob or hash-tag character of its own.
        encoded = session.messages_key[len(prefix) + 1 :]
        assert encoded.startswith("{") and encoded.endswith("}:messages")
        inner = encoded[1 : -len("}:messages")]
        assert not set(inner) & set(":*?[]{} \n\x00")
    for index, session in enumerate(sessions):
        session.add_items([user(f"item of #{index}")])
    for index, session in enumerate(sessions):
        assert contents(session.get_items()) == [f"item of #{index}"]
    # Clearing or popping one session touches no other.
    sessions[NASTY_IDS.index("*")].clear_session()
    sessions[NASTY_IDS.index("a")].pop_item()
    for index, session in enumerate(sessions):
        expected = [] if NASTY_IDS[index] in ("*", "a") else [f"item of #{index}"]
        assert contents(session.get_items()) == expected


def test_prefixes_and_ids_cannot_be_combined_into_each_other(client: Any, prefix: str) -> None:
    one = RedisSession("x:y", redis_client=client, key_prefix=prefix)
    two = RedisSession("y", redis_client=client, key_prefix=prefix + ":x")
    one.add_items([user("one")])
    two.add_items([user("two")])
    assert contents(one.get_items()) == ["one"]
    assert contents(two.get_items()) == ["two"]


def test_escaping_is_injective() -> None:
    values = NASTY_IDS + ["%2561", "%25", "%", "%3A"]
    assert len({escape_key_part(v) for v in values}) == len(values)


def test_bad_arguments(client: Any) -> None:
    with pytest.raises(UserError):
        RedisSession("s", redis_client=None)  # type: ignore[arg-type]
    with pytest.raises(UserError):
        RedisSession("s", redis_client=client, key_prefix="")
    for ttl in (0, -5, 1.5, "10", True):
        with pytest.raises(UserError):
            RedisSession("s", redis_client=client, ttl=ttl)  # type: ignore[arg-type]
    with pytest.raises(UserError):
        RedisSession(b"bytes-id", redis_client=client)  # type: ignore[arg-type]


# --- TTL --------------------------------------------------------------------------------------


def test_ttl_is_set_and_refreshed_on_every_write(client: Any, prefix: str) -> None:
    session = RedisSession("ttl", redis_client=client, key_prefix=prefix, ttl=1000)
    session.add_items([user("a"), user("b")])
    assert 990 <= client.ttl(session.messages_key) <= 1000
    client.expire(session.messages_key, 5)
    session.add_items([user("c")])
    assert client.ttl(session.messages_key) > 5
    client.expire(session.messages_key, 5)
    assert contents([session.pop_item()]) == ["c"]
    assert client.ttl(session.messages_key) > 5
    # Reads do not extend the life of a session.
    client.expire(session.messages_key, 5)
    session.get_items()
    assert client.ttl(session.messages_key) <= 5
    # Every key of the session expires, not just the list.
    for key in client.scan_iter(match=prefix + "*"):
        assert client.ttl(key) > 0


def test_without_ttl_nothing_expires(client: Any, prefix: str) -> None:
    session = RedisSession("no-ttl", redis_client=client, key_prefix=prefix)
    session.add_items([user("a")])
    assert client.ttl(session.messages_key) == -1


# --- corrupt data -----------------------------------------------------------------------------


def test_corrupt_elements_are_skipped_with_a_warning(client: Any, prefix: str, caplog: Any) -> None:
    session = RedisSession("sess-r", redis_client=client, key_prefix=prefix)
    session.add_items([user("good-1")])
    client.rpush(session.messages_key, b"{not json", b"42", b"\xff\xfe", b'"text"')
    session.add_items([user("good-2")])
    with caplog.at_level(logging.WARNING, logger="agents_lite"):
        assert contents(session.get_items()) == ["good-1", "good-2"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4
    for index, message in zip(range(1, 5), warnings):
        assert "'sess-r'" in message and f"index {index}" in message
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="agents_lite"):
        assert contents(session.get_items(3)) == ["good-2"]
    assert "index -3" in caplog.records[0].getMessage()  # named by position from the end

    assert session.pop_item() == user("good-2")
    # The latest element is now corrupt: pop skips it (leaving it) and removes good-1.
    assert session.pop_item() == user("good-1")
    assert session.pop_item() is None
    assert client.llen(session.messages_key) == 4
    session.clear_session()
    assert client.exists(session.messages_key) == 0


def test_decode_responses_client(prefix: str) -> None:
    require(redis_available(), "Redis is not reachable")
    text_client = redis.Redis.from_url(redis_url(), decode_responses=True)
    session = RedisSession("text", redis_client=text_client, key_prefix=prefix)
    session.add_items([user("ünï"), user("b")])
    assert contents(session.get_items()) == ["ünï", "b"]
    assert session.pop_item() == user("b")
    assert contents(session.get_items()) == ["ünï"]
    session.clear_session()
    text_client.close()


def test_wrong_key_type_fails_without_writing(client: Any, prefix: str) -> None:
    session = RedisSession("typed", redis_client=client, key_prefix=prefix)
    client.set(session.messages_key, "a string, not a list")
    with pytest.raises(redis.ResponseError):
        session.add_items([user("x"), user("y")])
    assert client.get(session.messages_key) == b"a string, not a list"


# --- client ownership -------------------------------------------------------------------------


def client_names(client: Any) -> set[str]:
    return {entry.get("name") for entry in client.client_list()}


def test_from_url_owns_and_closes_its_client(client: Any, prefix: str) -> None:
    name = "agents-lite-test-" + uuid.uuid4().hex[:8]
    session = RedisSession.from_url("owned", url=redis_url(), key_prefix=prefix, ttl=60,
                                    redis_kwargs={"client_name": name})
    assert session.ping() is True
    session.add_items([user("x")])
    assert client.ttl(session.messages_key) > 0
    assert name in client_names(client)
    session.close()
    assert name not in client_names(client)


def test_close_leaves_a_passed_client_open(client: Any, prefix: str) -> None:
    name = "agents-lite-test-" + uuid.uuid4().hex[:8]
    borrowed = redis.Redis.from_url(redis_url(), client_name=name)
    session = RedisSession("borrowed", redis_client=borrowed, key_prefix=prefix)
    session.add_items([user("x")])
    session.close()
    assert name in client_names(client)
    assert borrowed.ping() is True
    borrowed.close()


def test_ping_is_false_when_the_server_is_gone() -> None:
    session = RedisSession.from_url(
        "x", url=f"redis://127.0.0.1:{free_port()}/0",
        redis_kwargs={"socket_connect_timeout": 0.5, "retry": None},
    )
    assert session.ping() is False
    session.close()


def test_extensions_module_exports_the_same_class() -> None:
    assert ExtensionsRedisSession is RedisSession


# --- retries never duplicate ------------------------------------------------------------------


class ReplyDroppingProxy:
    """A TCP proxy to Redis that can swallow the reply to the next script call and cut the
    connection: the server has run the script, the client sees a broken connection and
    retries."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.armed_for: Optional[bytes] = None
        self.dropped = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, command: bytes) -> None:
        with self._lock:
            self.armed_for = command

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            pending = {"drop": False}
            threading.Thread(target=self._pump_up, args=(conn, upstream, pending),
                             daemon=True).start()
            threading.Thread(target=self._pump_down, args=(upstream, conn, pending),
                             daemon=True).start()

    def _pump_up(self, src: socket.socket, dst: socket.socket, pending: dict) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self._lock:
                    if self.armed_for is not None and self.armed_for in data.upper():
                        self.armed_for = None
                        pending["drop"] = True
                dst.sendall(data)
        except OSError:
            pass
        finally:
            _close(src, dst)

    def _pump_down(self, src: socket.socket, dst: socket.socket, pending: dict) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if pending["drop"]:
                    self.dropped += 1
                    break  # swallow the reply and cut the client's connection
                dst.sendall(data)
        except OSError:
            pass
        finally:
            _close(src, dst)

    def close(self) -> None:
        self.listener.close()


def _close(*socks: socket.socket) -> None:
    for sock in socks:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


def test_a_retried_add_or_pop_is_applied_once(client: Any, prefix: str) -> None:
    port = client.connection_pool.connection_kwargs.get("port", 6379)
    proxy = ReplyDroppingProxy(port)
    try:
        through = redis.Redis(host="127.0.0.1", port=proxy.port,
                              db=client.connection_pool.connection_kwargs.get("db", 0))
        session = RedisSession("retry", redis_client=through, key_prefix=prefix)
        session.add_items([user("warm-up")])  # loads the script, so the next call runs it

        # Control: a plain RPUSH whose reply is lost is retried by redis-py and lands twice.
        probe_key = prefix + ":probe"
        proxy.arm(b"RPUSH")
        through.rpush(probe_key, "once")
        assert proxy.dropped == 1
        assert client.lrange(probe_key, 0, -1) == [b"once", b"once"]

        proxy.arm(b"EVALSHA")
        session.add_items([user("a"), user("b")])
        assert proxy.dropped == 2
        assert contents(session.get_items()) == ["warm-up", "a", "b"]

        proxy.arm(b"EVALSHA")
        assert session.pop_item() == user("b")
        assert proxy.dropped == 3
        assert contents(session.get_items()) == ["warm-up", "a"]
        through.close()
    finally:
        proxy.close()


# --- a server that dies and comes back --------------------------------------------------------


class RedisServer:
    """A private redis-server on a free port, persisting every write (AOF, fsync always)."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.port = free_port()
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", self.directory, "--appendonly", "yes", "--appendfsync", "always",
             "--save", "", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        probe = redis.Redis(port=self.port, socket_connect_timeout=0.2, retry=None)
        for _ in range(200):
            try:
                if probe.ping():
                    probe.close()
                    return
            except redis.ConnectionError:
                time.sleep(0.025)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def private_redis(tmp_path: Any) -> Iterator[RedisServer]:
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = RedisServer(str(tmp_path))
    server.start()
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.kill()


def test_server_restart_mid_session(private_redis: RedisServer) -> None:
    session = RedisSession.from_url(
        "restart", url=private_redis.url,
        redis_kwargs={"socket_timeout": 2, "socket_connect_timeout": 0.5},
    )
    session.add_items([user("before-1"), user("before-2")])
    private_redis.kill()

    # While the server is down the write fails with a clear error and leaves nothing behind.
    with pytest.raises(redis.ConnectionError):
        session.add_items([user("while-down-1"), user("while-down-2")])
    assert session.ping() is False

    private_redis.start()
    assert contents(session.get_items()) == ["before-1", "before-2"]
    session.add_items([user("after")])
    assert contents(session.get_items()) == ["before-1", "before-2", "after"]
    assert session.pop_item() == user("after")
    session.close()


def test_server_killed_while_writers_run(private_redis: RedisServer) -> None:
    """Writers keep adding batches while the server is killed and restarted. Afterwards every
    batch is either absent or complete, none twice, and every acknowledged batch is there."""
    session = RedisSession.from_url(
        "chaos", url=private_redis.url,
        redis_kwargs={"socket_timeout": 2, "socket_connect_timeout": 0.5},
    )
    acknowledged: set[str] = set()
    failed: set[str] = set()
    stop = threading.Event()

    def writer(w: int) -> None:
        batch = 0
        while not stop.is_set():
            name = f"w{w}b{batch}"
            try:
                session.add_items([user(f"{name}-{i}") for i in range(3)])
                acknowledged.add(name)
            except redis.RedisError:
                failed.add(name)
                time.sleep(0.01)
            batch += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    private_redis.kill()
    time.sleep(0.3)
    private_redis.start()
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join()

    stored = contents(session.get_items())
    assert len(stored) == len(set(stored)), "an item was written twice"
    batches: dict[str, list[str]] = {}
    for text in stored:
        batches.setdefault(text.rsplit("-", 1)[0], []).append(text)
    for name, parts in batches.items():
        assert parts == [f"{name}-{i}" for i in range(3)], f"batch {name} is partial"
    assert acknowledged <= set(batches), "an acknowledged batch was lost"
    assert set(batches) <= acknowledged | failed
    assert acknowledged, "no write succeeded at all"
    session.close()
