"""The Streamable HTTP transport (protocol 2025-03-26 and later).

Every message is a POST to one endpoint. The reply to a request is either a JSON body or an
event stream whose frames may carry server requests and notifications before the response; the
posting thread reads it and delivers each message, so concurrent requests run in parallel on
their own connections. The `Mcp-Session-Id` the server hands out with the `initialize` reply, and
the negotiated `MCP-Protocol-Version`, go on every later request. A 404 for a known session means
the server forgot it (`MCPSessionExpiredError`; the server object re-initialises). Closing sends
DELETE to end the session. An optional GET stream receives messages the server pushes on its own.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, Callable, Optional

from ..exceptions import UserError
from ._http import SessionPool, body_excerpt, iter_sse, media_type, response_socket, shutdown_socket
from .errors import MCPConnectionError, MCPSessionExpiredError, MCPTimeoutError

logger = logging.getLogger("agents_lite.mcp")

_ACCEPT = "application/json, text/event-stream"


def _valid_session_id(value: str) -> bool:
    return bool(value) and all(0x21 <= ord(ch) <= 0x7E for ch in value)


class StreamableHTTPTransport:
    """Talks to an MCP server at one Streamable HTTP endpoint."""

    def __init__(
        self,
        url: str,
        *,
        headers: Optional[dict[str, str]] = None,
        timeout: float = 5.0,
        sse_read_timeout: float = 300.0,
        terminate_on_close: bool = True,
        open_server_stream: bool = False,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise UserError(f"MCPServerStreamableHttp needs an http(s) URL, got {url!r}")
        self.url = url
        self.headers = dict(headers or {})
        self.timeout = float(timeout)
        self.sse_read_timeout = float(sse_read_timeout)
        self.terminate_on_close = terminate_on_close
        self.open_server_stream = open_server_stream
        self.session_id: Optional[str] = None
        """The `Mcp-Session-Id` the server assigned, if it uses sessions."""
        self.protocol_version: Optional[str] = None
        """Sent as `MCP-Protocol-Version` once the handshake chose one."""
        self._pool = SessionPool(self.headers)
        self._deliver: Callable[[Any], None] = lambda message: None
        self._closed_cb: Callable[[Exception], None] = lambda error: None
        self._active: set[Any] = set()
        self._lock = threading.Lock()
        self._closing = False
        self._get_thread: Optional[threading.Thread] = None

    def describe(self) -> str:
        """The endpoint URL."""
        return self.url

    def start(self, deliver: Callable[[Any], None], closed: Callable[[Exception], None]) -> None:
        """Nothing to open until the first POST."""
        self._deliver = deliver
        self._closed_cb = closed

    def reset_session(self) -> None:
        """Forget the session id and version (before a new handshake)."""
        self.session_id = None
        self.protocol_version = None

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": _ACCEPT, "Content-Type": "application/json"}
        if self.session_id is not None:
            headers["Mcp-Session-Id"] = self.session_id
        if self.protocol_version is not None:
            headers["MCP-Protocol-Version"] = self.protocol_version
        return headers

    # --- POST ----------------------------------------------------------------------------------

    def send(self, message: dict[str, Any], *, timeout: Optional[float] = None) -> None:
        """POST one message; for a request, read and deliver the reply before returning."""
        import requests

        if self._closing:
            raise MCPConnectionError(f"MCP server {self.url}: connection closed")
        is_request = "method" in message and message.get("id") is not None
        read_timeout = self.sse_read_timeout if timeout is None else max(timeout, 0.001)
        session = self._pool.acquire()
        response = None
        sock = None
        try:
            had_session = self.session_id is not None
            try:
                response = session.post(
                    self.url,
                    data=json.dumps(message, separators=(",", ":")),
                    headers=self._headers(),
                    stream=True,
                    timeout=(self.timeout, read_timeout),
                )
            except requests.Timeout as exc:
                raise self._timeout(message, timeout, exc) from exc
            except requests.RequestException as exc:
                raise MCPConnectionError(f"Could not reach MCP server {self.url}: {exc}") from exc
            sock = response_socket(response)
            with self._lock:
                self._active.add(sock)
            status = response.status_code
            if status == 404 and had_session:
                raise MCPSessionExpiredError(
                    f"MCP server {self.url} no longer knows session {self.session_id!r} (HTTP 404)"
                )
            if message.get("method") == "initialize" and status < 300:
                new_id = response.headers.get("Mcp-Session-Id")
                if new_id is not None:
                    if _valid_session_id(new_id):
                        self.session_id = new_id
                    else:
                        logger.warning("MCP server %s sent an invalid session id %r", self.url, new_id)
            if status == 202 or (not is_request and status < 300):
                return
            kind = media_type(response)
            if status >= 400 and kind != "application/json":
                raise MCPConnectionError(
                    f"MCP server {self.url} answered HTTP {status}: {body_excerpt(response)}"
                )
            if not is_request:
                return
            if kind == "text/event-stream":
                self._read_event_stream(response, message["id"])
            elif kind == "application/json":
                self._read_json(response, status, message["id"])
            else:
                raise MCPConnectionError(
                    f"MCP server {self.url} replied with unexpected Content-Type {kind!r} "
                    f"(HTTP {status})"
                )
        except (requests.Timeout, TimeoutError) as exc:
            raise self._timeout(message, timeout, exc) from exc
        except (requests.RequestException, OSError) as exc:
            if self._closing:
                raise MCPConnectionError(f"MCP server {self.url}: connection closed") from exc
            raise MCPConnectionError(f"MCP server {self.url}: reply stream broke: {exc}") from exc
        except Exception as exc:
            # urllib3 errors raised while reading a streamed body
            if type(exc).__module__.startswith("urllib3"):
                if "timed out" in str(exc).lower():
                    raise self._timeout(message, timeout, exc) from exc
                raise MCPConnectionError(f"MCP server {self.url}: reply stream broke: {exc}") from exc
            raise
        finally:
            if response is not None:
                with self._lock:
                    self._active.discard(sock)
                response.close()
            self._pool.release(session)

    def _timeout(self, message: dict[str, Any], timeout: Optional[float], exc: BaseException) -> MCPTimeoutError:
        method = str(message.get("method", "reply"))
        return MCPTimeoutError(
            f"MCP server {self.url} did not answer {method} in time: {exc}",
            method=method,
            timeout_seconds=float(timeout or self.sse_read_timeout),
        )

    def _read_json(self, response: Any, status: int, request_id: Any) -> None:
        try:
            payload = json.loads(response.content)
        except ValueError as exc:
            raise MCPConnectionError(
                f"MCP server {self.url} sent invalid JSON (HTTP {status}): {body_excerpt(response)}"
            ) from exc
        self._deliver(payload)
        if not _answers(payload, request_id):
            raise MCPConnectionError(
                f"MCP server {self.url} answered HTTP {status} without a reply to request "
                f"{request_id}: {body_excerpt(response)}"
            )

    def _read_event_stream(self, response: Any, request_id: Any) -> None:
        for event in iter_sse(response):
            if event.event != "message" or not event.data.strip():
                continue
            try:
                payload = json.loads(event.data)
            except ValueError:
                logger.warning("MCP server %s sent a non-JSON event: %.200s", self.url, event.data)
                continue
            self._deliver(payload)
            if _answers(payload, request_id):
                return
        raise MCPConnectionError(
            f"MCP server {self.url} ended the reply stream before answering request {request_id}"
        )

    # --- optional server stream ------------------------------------------------------------------

    def open_get_stream(self) -> None:
        """Open the GET stream for server-initiated messages (after the handshake), if enabled."""
        if not self.open_server_stream or self._get_thread is not None:
            return
        self._get_thread = threading.Thread(target=self._listen, name="mcp-http-listener", daemon=True)
        self._get_thread.start()

    def _listen(self) -> None:
        import requests

        session = self._pool.acquire()
        sock = None
        try:
            headers = self._headers()
            headers["Accept"] = "text/event-stream"
            del headers["Content-Type"]
            response = session.get(
                self.url, headers=headers, stream=True, timeout=(self.timeout, self.sse_read_timeout)
            )
            if response.status_code == 405:
                logger.debug("MCP server %s offers no server stream (405)", self.url)
                response.close()
                return
            if response.status_code != 200 or media_type(response) != "text/event-stream":
                logger.warning("MCP server %s refused the server stream (HTTP %s)", self.url, response.status_code)
                response.close()
                return
            sock = response_socket(response)
            with self._lock:
                self._active.add(sock)
            for event in iter_sse(response):
                if event.event == "message" and event.data.strip():
                    try:
                        self._deliver(json.loads(event.data))
                    except ValueError:
                        logger.warning("MCP server %s sent a non-JSON event: %.200s", self.url, event.data)
        except (requests.RequestException, OSError) as exc:
            if not self._closing:
                logger.info("MCP server stream of %s ended: %s", self.url, exc)
        except Exception as exc:
            if not self._closing:
                logger.info("MCP server stream of %s ended: %s", self.url, exc)
        finally:
            with self._lock:
                self._active.discard(sock)
            self._pool.release(session)

    # --- close ---------------------------------------------------------------------------------

    def close(self) -> None:
        """End the session (DELETE), break open streams, close the connections."""
        if self._closing:
            return
        if self.terminate_on_close and self.session_id is not None:
            self._terminate()
        self._closing = True
        with self._lock:
            sockets = list(self._active)
        for sock in sockets:
            shutdown_socket(sock)
        if self._get_thread is not None and self._get_thread is not threading.current_thread():
            self._get_thread.join(timeout=2.0)
        self._pool.close()
        self._closed_cb(MCPConnectionError(f"MCP server {self.url}: connection closed"))

    def _terminate(self) -> None:
        import requests

        session = self._pool.acquire()
        try:
            headers = self._headers()
            del headers["Content-Type"]
            response = session.delete(self.url, headers=headers, timeout=self.timeout)
            if response.status_code not in (200, 202, 204, 404, 405):
                logger.debug("MCP server %s answered DELETE with HTTP %s", self.url, response.status_code)
        except requests.RequestException as exc:
            logger.debug("could not end the MCP session at %s: %s", self.url, exc)
        finally:
            self._pool.release(session)


def _answers(payload: Any, request_id: Any) -> bool:
    entries = payload if isinstance(payload, list) else [payload]
    return any(
        isinstance(e, dict) and "method" not in e and e.get("id") == request_id for e in entries
    )
