"""HTTP plumbing shared by the SSE and Streamable HTTP transports (requests is imported lazily)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any, Optional

from ..models.sse import SSEEvent, SSEParser

_READ_SIZE = 65536


class SessionPool:
    """`requests.Session`s handed to one thread at a time (sessions are not documented as
    thread-safe). The pool grows to the number of concurrent requests and is closed as a whole."""

    def __init__(self, headers: Optional[dict[str, str]] = None) -> None:
        self._headers = dict(headers or {})
        self._idle: list[Any] = []
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def acquire(self) -> Any:
        """An idle session, or a new one."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        import requests

        session = requests.Session()
        session.headers.update(self._headers)
        with self._lock:
            self._all.append(session)
        return session

    def release(self, session: Any) -> None:
        """Give a session back."""
        with self._lock:
            self._idle.append(session)

    def close(self) -> None:
        """Close every session."""
        with self._lock:
            sessions, self._all, self._idle = self._all, [], []
        for session in sessions:
            try:
                session.close()
            except Exception:
                pass


def response_socket(response: Any) -> Optional[socket.socket]:
    """The socket under a streamed `requests` response, while it is open (urllib3 1.x and 2.x)."""
    raw = getattr(response, "raw", None)
    conn = getattr(raw, "_connection", None)
    sock = getattr(conn, "sock", None)
    if isinstance(sock, socket.socket):
        return sock
    fp = getattr(getattr(raw, "_fp", None), "fp", None)
    sock = getattr(getattr(fp, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def shutdown_socket(sock: Optional[socket.socket]) -> None:
    """Unblock a thread reading from `sock` (closing the response from another thread does not)."""
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def iter_sse(response: Any) -> Iterator[SSEEvent]:
    """Events of a streamed `text/event-stream` response, as they arrive."""
    raw = response.raw
    parser = SSEParser()
    read1 = getattr(raw, "read1", None)  # urllib3 >= 2 returns what has arrived
    if read1 is not None:
        while True:
            data = read1(_READ_SIZE)
            if not data:
                break
            yield from parser.feed(data)
    else:
        for data in raw.stream(None, decode_content=True):
            yield from parser.feed(data)
    parser.finish()


def media_type(response: Any) -> str:
    """The response's content type without parameters, lower-cased."""
    return str(response.headers.get("Content-Type", "")).split(";", 1)[0].strip().lower()


def body_excerpt(response: Any, limit: int = 300) -> str:
    """The start of a (non-streamed or small) response body, for error messages."""
    try:
        text = response.text
    except Exception:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."
