"""A minimal, fast HTTP/1.1 request reader and reply writer on plain sockets (stdlib only).

Kept lean on purpose: benchmarks measure per-request overhead against this server, so requests
are parsed with a handful of `readline` calls, each non-streamed reply goes out in one `sendall`,
and streamed replies use chunked encoding with one write per frame.
"""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Optional, Union
from urllib.parse import parse_qsl

__all__ = [
    "Headers",
    "RecordedRequest",
    "read_request",
    "encode_body",
    "build_head",
    "is_stream_body",
    "abort_connection",
    "BadRequest",
]

_REASONS = {status.value: status.phrase for status in HTTPStatus}
_MAX_LINE = 65536
_MAX_HEADERS = 200


class BadRequest(Exception):
    """The bytes on the connection are not an HTTP/1.x request we can serve."""


class Headers(dict):  # type: ignore[type-arg]
    """A case-insensitive header mapping: keys are stored lower-cased, lookups ignore case."""

    def __init__(self, data: Any = None) -> None:
        super().__init__()
        if data:
            items = data.items() if hasattr(data, "items") else data
            for key, value in items:
                self[key] = value

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key.lower(), value)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key.lower())


@dataclass
class RecordedRequest:
    """One request the server received, as recorded in `server.requests`."""

    method: str
    path: str
    """The path without the query string, e.g. "/v1/responses"."""
    headers: Headers
    """Request headers; lookups ignore case (keys are stored lower-cased)."""
    body: Any
    """The parsed JSON body, or the raw bytes when the body is not JSON (b"" when empty)."""
    query: dict[str, str] = field(default_factory=dict)
    """Query parameters (the last value wins for repeated names)."""
    raw_body: bytes = b""
    version: str = "HTTP/1.1"

    @property
    def keep_alive(self) -> bool:
        """Whether the client expects the connection to stay open after the reply."""
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.1":
            return connection != "close"
        return connection == "keep-alive"

    @property
    def stream(self) -> bool:
        """Whether a JSON body asked for a streamed reply (`"stream": true`)."""
        return isinstance(self.body, dict) and self.body.get("stream") is True


def _read_chunked(rfile: Any) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = rfile.readline(_MAX_LINE)
        if not size_line:
            raise BadRequest("connection closed inside a chunked body")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while rfile.readline(_MAX_LINE) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(parts)
        parts.append(rfile.read(size))
        rfile.readline(_MAX_LINE)


def read_request(rfile: Any, wfile_sock: socket.socket) -> Optional[RecordedRequest]:
    """Read one request from a buffered socket reader; None when the client closed cleanly."""
    line = rfile.readline(_MAX_LINE + 1)
    while line in (b"\r\n", b"\n"):  # tolerate stray blank lines between requests
        line = rfile.readline(_MAX_LINE + 1)
    if not line:
        return None
    if len(line) > _MAX_LINE:
        raise BadRequest("request line too long")
    try:
        method, target, version = line.decode("latin-1").split()
    except ValueError:
        raise BadRequest(f"malformed request line {line[:80]!r}") from None
    if not version.startswith("HTTP/1."):
        raise BadRequest(f"unsupported protocol {version!r}")
    headers = Headers()
    for _ in range(_MAX_HEADERS):
        raw = rfile.readline(_MAX_LINE + 1)
        if raw in (b"\r\n", b"\n", b""):
            break
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep:
            raise BadRequest(f"malformed header line {raw[:80]!r}")
        dict.__setitem__(headers, name.strip().lower(), value.strip())
    else:
        raise BadRequest("too many headers")
    if headers.get("expect", "").lower() == "100-continue":
        wfile_sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    length = headers.get("content-length")
    if length is not None:
        try:
            raw_body = rfile.read(int(length)) if length != "0" else b""
        except ValueError:
            raise BadRequest(f"bad content-length {length!r}") from None
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        raw_body = _read_chunked(rfile)
    else:
        raw_body = b""
    path, _, query_string = target.partition("?")
    query = dict(parse_qsl(query_string, keep_blank_values=True)) if query_string else {}
    body: Any = raw_body
    if raw_body[:1] in (b"{", b"[") or "json" in headers.get("content-type", ""):
        try:
            body = json.loads(raw_body)
        except ValueError:
            body = raw_body
    return RecordedRequest(method, path, headers, body, query, raw_body, version)


def is_stream_body(body: Any) -> bool:
    """Whether a reply body is an iterator of frames (streamed) rather than a whole body."""
    return body is not None and not isinstance(
        body, (bytes, bytearray, str, dict, list)
    ) and isinstance(body, (Iterable, Iterator))


def encode_body(body: Union[bytes, bytearray, str, dict, list, None]) -> tuple[bytes, str]:
    """Bytes and the default content type for a whole (non-streamed) body."""
    if body is None:
        return b"", "application/json"
    if isinstance(body, (bytes, bytearray)):
        return bytes(body), "application/octet-stream"
    if isinstance(body, str):
        return body.encode(), "text/plain; charset=utf-8"
    return json.dumps(body, separators=(",", ":")).encode(), "application/json"


def build_head(status: int, headers: dict[str, str]) -> bytes:
    """Status line and header block (ending with the blank line) as bytes."""
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\n"]
    for name, value in headers.items():
        lines.append(f"{name}: {value}\r\n")
    lines.append("\r\n")
    return "".join(lines).encode("latin-1")


def abort_connection(conn: socket.socket, reset: bool = False, rfile: Any = None) -> None:
    """Close a client connection at once: an orderly FIN, or a TCP reset with `reset`.

    `rfile` (a reader made with `makefile`) is closed too, since the descriptor stays open while
    any such reader is.
    """
    try:
        if reset:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    for closable in (rfile, conn):
        try:
            if closable is not None:
                closable.close()
        except OSError:
            pass
