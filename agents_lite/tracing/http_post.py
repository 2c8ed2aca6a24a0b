"""POSTing export batches: a kept-alive stdlib `http.client` connection per thread and host,
which costs a third of the CPU of a `requests` call, or `requests` when a proxy applies to the
URL (so `HTTPS_PROXY` and friends keep working)."""

from __future__ import annotations

import http.client
import os
import random
import ssl
import threading
import time
import urllib.request
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from .processor_interface import export_time_left

__all__ = ["post", "post_with_retries", "PostError"]


class PostError(Exception):
    """The request could not be sent or answered (connection refused, reset, timeout, TLS)."""


class _Local(threading.local):
    def __init__(self) -> None:
        self.connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}
        self.session: Any = None


_local = _Local()
_ssl_context: Optional[ssl.SSLContext] = None
_proxy_cache: dict[str, bool] = {}


def _forget_parent_connections() -> None:
    # A forked child must not talk over its parent's kept-alive sockets.
    global _local
    _local = _Local()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parent_connections)


def _context() -> ssl.SSLContext:
    global _ssl_context
    if _ssl_context is None:
        try:
            import certifi  # installed with requests; the CA bundle requests would use

            _ssl_context = ssl.create_default_context(cafile=certifi.where())
        except ImportError:
            _ssl_context = ssl.create_default_context()
    return _ssl_context


def _uses_proxy(url: str, host: str) -> bool:
    known = _proxy_cache.get(url)
    if known is None:
        proxies = urllib.request.getproxies()
        scheme = urlsplit(url).scheme
        known = bool(proxies.get(scheme) or proxies.get("all")) and not urllib.request.proxy_bypass(host)
        _proxy_cache[url] = known
    return known


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """POST `body` to `url`; returns (status, response text). Raises `PostError` when no answer
    arrives."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if _uses_proxy(url, host):
        return _post_with_requests(url, body, headers, timeout)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    key = (parts.scheme, host, port)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    for attempt in (1, 2):
        connection = _local.connections.get(key)
        fresh = connection is None
        if connection is None:
            if parts.scheme == "https":
                connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=_context())
            else:
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
            _local.connections[key] = connection
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            if response.will_close:
                _drop(key)
            return response.status, text
        except (OSError, http.client.HTTPException) as exc:
            _drop(key)
            # A kept-alive connection the server already closed fails at once: retry it once
            # on a new connection; a fresh connection's failure is real.
            if fresh or attempt == 2:
                raise PostError(f"{type(exc).__name__}: {exc}") from exc
    raise PostError("unreachable")  # pragma: no cover


def _drop(key: tuple[str, str, int]) -> None:
    connection = _local.connections.pop(key, None)
    if connection is not None:
        connection.close()


def _post_with_requests(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    import requests

    if _local.session is None:
        _local.session = requests.Session()
    try:
        response = _local.session.post(url, data=body, headers=headers, timeout=(min(5.0, timeout), timeout))
    except requests.RequestException as exc:
        raise PostError(f"{type(exc).__name__}: {exc}") from exc
    return response.status_code, response.text


def close_connections() -> None:
    """Close this thread's connections."""
    for key in list(_local.connections):
        _drop(key)
    session, _local.session = _local.session, None
    if session is not None:
        session.close()


def post_with_retries(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    max_retries: int,
    base_delay: float,
    max_delay: float,
    retryable: Callable[[int], bool],
) -> tuple[Optional[int], str]:
    """POST with retries: network errors and statuses for which `retryable(status)` is true are
    tried again (up to `max_retries` attempts in all), after `base_delay` seconds doubling up to
    `max_delay`, plus up to 10% jitter. Timeouts and waits never run past the export deadline
    of this thread (see `export_deadline`). Returns (final status, response text), or (None,
    what went wrong) when no attempt got an answer worth keeping."""
    delay = base_delay
    problem = "no attempt made"
    for attempt in range(1, max_retries + 1):
        left = export_time_left()
        if left is not None and left <= 0:
            return None, f"{problem}; export deadline reached"
        limit = timeout if left is None else max(0.05, min(timeout, left))
        try:
            status, text = post(url, body, headers, limit)
        except PostError as exc:
            problem = f"request failed ({exc})"
        else:
            if status < 300 or not retryable(status):
                return status, text
            problem = f"HTTP {status}"
        if attempt >= max_retries:
            break
        pause = delay + random.uniform(0, 0.1 * delay)
        left = export_time_left()
        if left is not None and pause >= left:
            return None, f"{problem}; export deadline reached"
        time.sleep(pause)
        delay = min(delay * 2, max_delay)
    return None, f"{problem} after {max_retries} attempts"
