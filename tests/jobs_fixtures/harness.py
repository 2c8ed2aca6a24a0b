"""Process helpers for the job tests: real worker processes, a private redis-server, cleanup."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional

TESTS_DIR = str(Path(__file__).resolve().parent.parent)


def worker_env(base_url: str, side_effects: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker process: the local model server, a dummy key, the fixtures
    on the path, the side-effect log."""
    env = dict(os.environ)
    env.update(
        OPENAI_BASE_URL=base_url,
        OPENAI_API_KEY="sk-test-jobs",
        PYTHONPATH=os.pathsep.join([TESTS_DIR, env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        JOBS_SIDE_EFFECTS=str(side_effects),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_rq_worker(queue: str, redis_url: str, env: dict[str, str], *args: str,
                    log: Optional[Path] = None) -> subprocess.Popen[Any]:
    """`agents-lite worker` in its own process (burst mode unless told otherwise)."""
    command = [sys.executable, "-m", "agents_lite", "worker", "--queue", queue, "--url", redis_url,
               *args]
    out: Any = open(log, "ab") if log is not None else subprocess.DEVNULL
    try:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                cwd=TESTS_DIR)
    finally:
        if log is not None:
            out.close()


def wait_for(condition: Callable[[], Any], timeout: float, what: str,
             alive: Optional[subprocess.Popen[Any]] = None) -> Any:
    """Poll `condition` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if alive is not None and alive.poll() is not None:
            raise AssertionError(f"process exited ({alive.returncode}) while waiting for {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def stop(process: subprocess.Popen[Any], timeout: float = 10) -> None:
    """Terminate a process we started (it may have exited already)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


def side_effects(path: Path) -> list[str]:
    """The lines the fixture tools wrote."""
    return path.read_text().splitlines() if path.exists() else []


def delete_keys(redis: Any, *patterns: str) -> None:
    """Delete every key matching the patterns."""
    for pattern in patterns:
        batch = list(redis.scan_iter(match=pattern, count=1000))
        if batch:
            redis.delete(*batch)


def cleanup_rq(redis: Any, queue: str, job_ids: list[str]) -> None:
    """Remove an RQ queue's keys and its jobs' keys."""
    delete_keys(redis, f"rq:*{queue}*")
    for job_id in job_ids:
        delete_keys(redis, f"rq:*{job_id}*")
    redis.srem("rq:queues", f"rq:queue:{queue}")
    for member in redis.smembers("rq:workers"):
        if queue in member.decode():
            redis.srem("rq:workers", member)


class PrivateRedis:
    """A redis-server of our own on a free port, persisted to an append-only file, so a test
    can stop it and start it again with its data."""

    def __init__(self, directory: Path, port: int) -> None:
        self.directory = directory
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: Optional[subprocess.Popen[Any]] = None

    @staticmethod
    def available() -> bool:
        """Whether a redis-server binary is installed."""
        return shutil.which("redis-server") is not None

    def start(self) -> None:
        """Start (or restart) the server and wait until it answers."""
        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.directory), "--appendonly", "yes", "--appendfsync", "always", "--save", "",
             "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        try:
            wait_for(answers, 10, "the private redis-server", alive=self.process)
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the server (SIGTERM: it writes its append-only file first)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)
        self.process = None
