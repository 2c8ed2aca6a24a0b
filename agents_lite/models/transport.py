"""The transport seam of the HTTP layer: how request bytes reach a server.

A `Transport` has `send(request) -> response` and `close()`. `RequestsTransport` is the default:
one `requests` connection adapter per thread (a bounded pool each), rebuilt after a fork.
Cassettes wrap a transport to record and replay traffic without patching `requests`.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator, Mapping
from typing import Any, Optional, Protocol, Union

from ..exceptions import APIConnectionError, APITimeoutError, UserError

_READ_SIZE = 65536


# --- transport seam ---------------------------------------------------------------------------


class HTTPRequest:
    """One HTTP request as handed to a `Transport`."""

    __slots__ = ("method", "url", "path", "headers", "body", "stream", "timeout")

    def __init__(
        self,
        method: str,
        url: str,
        path: str,
        headers: dict[str, str],
        body: Optional[bytes],
        stream: bool,
        timeout: tuple[float, float],
    ) -> None:
        self.method = method
        self.url = url
        """The full URL, query string included."""
        self.path = path
        """The path relative to the client's base URL (e.g. "/responses"), without the query."""
        self.headers = headers
        """Per-request headers only; `Transport.base_headers` holds the constant ones."""
        self.body = body
        self.stream = stream
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"HTTPRequest({self.method} {self.path}, stream={self.stream})"


class TransportResponse(Protocol):
    """What a transport returns. Header lookups must be case-insensitive."""

    status_code: int
    headers: Mapping[str, str]

    def read(self) -> bytes:
        """The whole body."""

    def iter_bytes(self) -> Iterator[bytes]:
        """The body in chunks as they arrive (streams). Raises `APIConnectionError` /
        `APITimeoutError` when the connection breaks or stalls."""

    def close(self) -> None:
        """Release the connection (closing it if the body was not fully read)."""


class Transport(Protocol):
    """Sends `HTTPRequest`s. Must be thread-safe. Raises `APIConnectionError` (or
    `APITimeoutError`) when no response arrives."""

    def configure(self, base_headers: dict[str, str], base_url: str) -> None:
        """Receive, once, the headers sent with every request (auth, user agent, ...) and the
        client's base URL."""

    def send(self, request: HTTPRequest) -> TransportResponse:
        """Send one request; return once the status and headers have arrived."""

    def close(self) -> None:
        """Close every connection."""


def _is_timeout(exc: BaseException) -> bool:
    """Whether an exception (or anything it wraps) is a timeout."""
    import socket

    import requests
    from urllib3.exceptions import NewConnectionError
    from urllib3.exceptions import TimeoutError as Urllib3Timeout

    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        err = stack.pop()
        if not isinstance(err, BaseException) or id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, NewConnectionError):  # urllib3 files it under timeouts; it is not
            return False
        if isinstance(err, (requests.exceptions.Timeout, Urllib3Timeout, socket.timeout)):
            return True
        stack.extend(err.args)
        stack.append(err.__cause__)
        stack.append(err.__context__)
        stack.append(getattr(err, "reason", None))
    return False


def _connection_error(exc: BaseException, what: str) -> APIConnectionError:
    if _is_timeout(exc):
        return APITimeoutError(f"Request timed out ({what}): {type(exc).__name__}: {exc}")
    return APIConnectionError(f"Connection error ({what}): {type(exc).__name__}: {exc}")


class _RequestsResponse:
    """`TransportResponse` over a `requests.Response`."""

    __slots__ = ("_resp", "status_code", "headers")

    def __init__(self, resp: Any) -> None:
        self._resp = resp
        self.status_code: int = resp.status_code
        self.headers: Mapping[str, str] = resp.headers

    def read(self) -> bytes:
        import requests

        try:
            return self._resp.content  # type: ignore[no-any-return]
        except requests.exceptions.RequestException as exc:
            raise _connection_error(exc, "reading the response body") from exc

    def iter_bytes(self) -> Iterator[bytes]:
        from urllib3.exceptions import HTTPError as Urllib3Error

        raw = self._resp.raw
        read1 = getattr(raw, "read1", None)  # urllib3 >= 2: returns what has arrived
        try:
            if read1 is not None:
                while True:
                    data = read1(_READ_SIZE, decode_content=True)
                    if not data:
                        break
                    yield data
            else:  # urllib3 1.x: chunk by chunk for chunked bodies
                yield from raw.stream(None, decode_content=True)
        except (Urllib3Error, OSError) as exc:
            raise _connection_error(exc, "reading the stream") from exc

    def close(self) -> None:
        # After a body was read to its end, urllib3 has already returned the connection to the
        # pool and this is cheap; otherwise it closes the socket, which is what we want.
        self._resp.close()


class RequestsTransport:
    """The default transport: `requests`' connection adapter, one per thread, each with a
    bounded pool (`pool_maxsize` kept-alive connections per host).

    Requests go straight to the adapter, skipping `requests.Session`'s per-request merging of
    settings, cookies and environment lookups (about a third of the per-call cost). Environment
    proxies (`HTTPS_PROXY`, `NO_PROXY`, ...) and CA bundle variables are read once, when the
    client is configured. Cookies are not kept and redirects are not followed.
    """

    def __init__(self, pool_maxsize: int = 4) -> None:
        self._local = threading.local()
        self._pool_maxsize = pool_maxsize
        self._base_headers: dict[str, str] = {}
        self._proxies: dict[str, str] = {}
        self._verify: Union[bool, str] = True
        self._adapters: weakref.WeakSet[Any] = weakref.WeakSet()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RequestsTransport(pool_maxsize={self._pool_maxsize})"

    def configure(self, base_headers: dict[str, str], base_url: str) -> None:
        import requests.utils

        self._base_headers = dict(base_headers)
        self._proxies = dict(requests.utils.get_environ_proxies(base_url))
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        self._verify = bundle or True

    def _adapter(self) -> Any:
        local = self._local
        adapter = getattr(local, "adapter", None)
        if adapter is not None and local.generation == _fork_generation[0]:
            return adapter
        from requests.adapters import HTTPAdapter

        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self._pool_maxsize)
        local.adapter = adapter
        local.generation = _fork_generation[0]
        with self._lock:
            self._adapters.add(adapter)
        return adapter

    def send(self, request: HTTPRequest) -> TransportResponse:
        import requests
        from requests.models import PreparedRequest
        from requests.structures import CaseInsensitiveDict

        adapter = self._adapter()
        prepared = PreparedRequest()
        prepared.method = request.method
        prepared.url = request.url
        headers = CaseInsensitiveDict(self._base_headers)
        headers.update(request.headers)
        body = request.body
        if body is not None:
            headers["Content-Length"] = str(len(body))
        prepared.headers = headers
        prepared.body = body
        prepared.hooks = {"response": []}
        try:
            resp = adapter.send(
                prepared,
                stream=request.stream,
                timeout=request.timeout,
                verify=self._verify,
                cert=None,
                proxies=self._proxies,
            )
        except requests.exceptions.InvalidURL as exc:
            raise UserError(f"Invalid URL for a model request: {exc}") from exc
        except (requests.exceptions.RequestException, OSError) as exc:
            raise _connection_error(exc, f"{request.method} {request.path}") from exc
        return _RequestsResponse(resp)

    def close(self) -> None:
        with self._lock:
            adapters = list(self._adapters)
            self._adapters = weakref.WeakSet()
        for adapter in adapters:
            adapter.close()
        self._local = threading.local()


# A forked child must not reuse the parent's sockets: sessions are rebuilt after a fork.
_fork_generation = [0]


def _after_fork() -> None:
    _fork_generation[0] += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
