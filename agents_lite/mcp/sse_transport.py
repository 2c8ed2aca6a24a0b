"""The legacy HTTP+SSE transport (protocol 2024-11-05).

The client opens a GET event stream; the server's first event, `endpoint`, names the URL to POST
messages to; every reply then arrives on the event stream as a `message` event. A reader thread
consumes the stream. When the stream ends or breaks, every waiting request fails at once.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, Callable, Optional
from urllib.parse import urljoin, urlsplit

from ..exceptions import UserError
from ._http import SessionPool, body_excerpt, iter_sse, media_type, response_socket, shutdown_socket
from .errors import MCPConnectionError

logger = logging.getLogger("agents_lite.mcp")


class SSETransport:
    """Talks to an MCP server over GET `url` (events) and POSTs to the announced endpoint."""

    def __init__(
        self,
        url: str,
        *,
        headers: Optional[dict[str, str]] = None,
        timeout: float = 5.0,
        sse_read_timeout: float = 300.0,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise UserError(f"MCPServerSse needs an http(s) URL, got {url!r}")
        self.url = url
        self.headers = dict(headers or {})
        self.timeout = float(timeout)
        self.sse_read_timeout = float(sse_read_timeout)
        self.endpoint: Optional[str] = None
        """The URL messages are POSTed to, from the server's `endpoint` event."""
        self._pool = SessionPool(self.headers)
        self._endpoint_ready = threading.Event()
        self._stream: Any = None
        self._socket: Any = None
        self._reader: Optional[threading.Thread] = None
        self._closing = False
        self._start_error: Optional[Exception] = None

    def describe(self) -> str:
        """The stream URL."""
        return self.url

    def start(self, deliver: Callable[[Any], None], closed: Callable[[Exception], None]) -> None:
        """Open the event stream and wait (up to `timeout`) for the `endpoint` event."""
        import requests

        session = self._pool.acquire()
        try:
            response = session.get(
                self.url,
                headers={"Accept": "text/event-stream", "Cache-Control": "no-cache"},
                stream=True,
                timeout=(self.timeout, self.sse_read_timeout),
            )
        except requests.RequestException as exc:
            raise MCPConnectionError(f"Could not open the MCP SSE stream {self.url}: {exc}") from exc
        if response.status_code != 200:
            detail = body_excerpt(response)
            response.close()
            raise MCPConnectionError(
                f"MCP SSE stream {self.url} answered HTTP {response.status_code}: {detail}"
            )
        if media_type(response) != "text/event-stream":
            response.close()
            raise MCPConnectionError(
                f"MCP SSE stream {self.url} is not an event stream "
                f"(Content-Type {response.headers.get('Content-Type')!r})"
            )
        self._stream = response
        self._socket = response_socket(response)
        self._reader = threading.Thread(
            target=self._read, args=(response, deliver, closed), name="mcp-sse-reader", daemon=True
        )
        self._reader.start()
        if not self._endpoint_ready.wait(self.timeout):
            self.close()
            raise MCPConnectionError(
                f"MCP SSE stream {self.url} sent no 'endpoint' event within {self.timeout:g} seconds"
            )
        if self.endpoint is None:
            self.close()
            raise self._start_error or MCPConnectionError(
                f"MCP SSE stream {self.url} closed before sending its endpoint"
            )

    def _read(self, response: Any, deliver: Callable[[Any], None], closed: Callable[[Exception], None]) -> None:
        error: Optional[BaseException] = None
        try:
            for event in iter_sse(response):
                if event.event == "endpoint":
                    self._set_endpoint(event.data)
                elif event.event == "message":
                    try:
                        message = json.loads(event.data)
                    except ValueError:
                        logger.warning("MCP SSE server %s sent a non-JSON message: %.200s", self.url, event.data)
                        continue
                    deliver(message)
        except Exception as exc:
            error = exc
        finally:
            self._endpoint_ready.set()
        if self._closing:
            closed(MCPConnectionError(f"MCP SSE stream {self.url}: connection closed"))
            return
        detail = f": {error}" if error is not None else ""
        closed(MCPConnectionError(f"MCP SSE stream {self.url} closed by the server{detail}"))

    def _set_endpoint(self, data: str) -> None:
        endpoint = urljoin(self.url, data.strip())
        base, target = urlsplit(self.url), urlsplit(endpoint)
        if (base.scheme, base.netloc) != (target.scheme, target.netloc):
            # A stream must not redirect our messages to another origin.
            self._start_error = MCPConnectionError(
                f"MCP SSE server {self.url} announced an endpoint on another origin: {endpoint}"
            )
            logger.error("%s", self._start_error)
        else:
            self.endpoint = endpoint
        self._endpoint_ready.set()

    def send(self, message: dict[str, Any], *, timeout: Optional[float] = None) -> None:
        """POST one message to the endpoint; the answer comes on the stream."""
        import requests

        if self.endpoint is None:
            raise MCPConnectionError(f"MCP SSE server {self.url} has no message endpoint")
        session = self._pool.acquire()
        try:
            response = session.post(
                self.endpoint,
                data=json.dumps(message, separators=(",", ":")),
                headers={"Content-Type": "application/json"},
                timeout=self.timeout,
            )
            if response.status_code >= 300:
                raise MCPConnectionError(
                    f"MCP SSE server rejected a message (HTTP {response.status_code} from "
                    f"{self.endpoint}): {body_excerpt(response)}"
                )
        except requests.RequestException as exc:
            raise MCPConnectionError(f"Could not post to MCP SSE server {self.endpoint}: {exc}") from exc
        finally:
            self._pool.release(session)

    def close(self) -> None:
        """Shut the stream down and join the reader."""
        if self._closing:
            return
        self._closing = True
        shutdown_socket(self._socket)
        if self._stream is not None:
            try:
                self._stream.close()
            except Exception:
                pass
        reader = self._reader
        if reader is not None and reader is not threading.current_thread():
            reader.join(timeout=2.0)
        self._pool.close()
