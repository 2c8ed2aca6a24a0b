"""Shared test helpers. `require()` skips when a service is missing, but fails under CI=true."""

from __future__ import annotations

import os
import socket

import pytest

from agents_lite.testing.netguard import network_guard_fixture

IN_CI = os.environ.get("CI", "").lower() == "true"


network_guard = network_guard_fixture()
"""Every test runs with connections to non-local hosts refused (a test cannot reach a real API)."""


def require(condition: bool, reason: str) -> None:
    """Skip the test when `condition` is false; in CI a missing requirement is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def redis_url() -> str:
    """The Redis server tests use (env REDIS_URL, default the local one)."""
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_available() -> bool:
    """Whether a Redis server answers at `redis_url()`."""
    try:
        import redis
    except ImportError:
        return False
    try:
        client = redis.Redis.from_url(redis_url(), socket_connect_timeout=1)
        return bool(client.ping())
    except Exception:
        return False


def free_port() -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True, scope="session")
def _no_default_trace_export():
    """Tests that set OPENAI_API_KEY must not switch on the default export to OpenAI; tracing
    tests install their own processors."""
    from agents_lite.tracing import set_trace_processors

    set_trace_processors([])
    yield


@pytest.fixture(params=["fake", "responses", "chat"])
def backend(request: pytest.FixtureRequest):
    """A scripted model, in process and over HTTP (Responses, Chat Completions)."""
    from backends import BACKENDS

    instance = BACKENDS[request.param]()
    yield instance
    instance.close()


@pytest.fixture
def fake():
    """The in-process scripted model only (for scripts HTTP cannot carry, like exceptions)."""
    from backends import FakeBackend

    return FakeBackend()
