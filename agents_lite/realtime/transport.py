"""One websocket connection (websocket-client) with a reader thread: JSON events out from any
thread, frames in through a callback, and a clear account of how the connection ended."""

from __future__ import annotations

import json
import logging
import os
import struct
import threading
from dataclasses import dataclass
from typing import Any, Callable, Optional
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..exceptions import AgentsException, UserError

__all__ = [
    "CloseInfo",
    "RealtimeConnectionError",
    "WebSocketTransport",
    "realtime_url",
]

logger = logging.getLogger("agents_lite")

DEFAULT_REALTIME_BASE_URL = "wss://api.openai.com/v1"


class RealtimeConnectionError(AgentsException):
    """The realtime websocket could not be opened, or broke.

    `status_code` is the HTTP status of a refused handshake (401 for a bad key), else None;
    `close_code` the websocket close code when the server closed the connection.
    """

    def __init__(
        self, message: str, *, status_code: Optional[int] = None, close_code: Optional[int] = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.close_code = close_code


@dataclass
class CloseInfo:
    """How a connection ended."""

    code: Optional[int]
    """The close code the server sent (1000 = normal), or None when no close frame came."""
    reason: str = ""
    by_client: bool = False
    """True when we asked to close (a close from our side is always clean)."""
    error: Optional[BaseException] = None
    """The exception that ended the reader, when the socket broke."""

    @property
    def clean(self) -> bool:
        """Whether the connection ended the normal way (our close, or a server close 1000/1001/1005)."""
        return self.by_client or self.code in (1000, 1001, 1005)

    def describe(self) -> str:
        """A short human description."""
        if self.by_client:
            return "closed by the client"
        if self.code is None:
            detail = f": {type(self.error).__name__}: {self.error}" if self.error else ""
            return f"connection dropped without a close frame{detail}"
        reason = f" ({self.reason})" if self.reason else ""
        return f"closed by the server with code {self.code}{reason}"


def realtime_url(
    url: Optional[str] = None,
    *,
    base_url: Optional[str] = None,
    query: Optional[dict[str, str]] = None,
) -> str:
    """The websocket URL of the realtime endpoint.

    An explicit `url` is used as it is (query parameters are added only when missing). Otherwise
    the base URL (`base_url`, else `OPENAI_BASE_URL`, else api.openai.com) becomes
    `ws(s)://…/realtime`: http→ws, https→wss.

    >>> realtime_url(base_url="http://127.0.0.1:8000/v1", query={"model": "gpt-realtime"})
    'ws://127.0.0.1:8000/v1/realtime?model=gpt-realtime'
    """
    if url is None:
        base = base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_REALTIME_BASE_URL
        scheme, netloc, path, _, _ = urlsplit(base.rstrip("/"))
        scheme = {"http": "ws", "https": "wss"}.get(scheme, scheme)
        if scheme not in ("ws", "wss"):
            raise UserError(f"Cannot derive a websocket URL from base URL {base!r}")
        url = urlunsplit((scheme, netloc, path + "/realtime", "", ""))
    if not url.startswith(("ws://", "wss://")):
        raise UserError(f"A realtime URL must start with ws:// or wss://, got {url!r}")
    if query:
        parts = urlsplit(url)
        present = {kv.split("=", 1)[0] for kv in parts.query.split("&") if kv}
        extra = {k: v for k, v in query.items() if k not in present and v is not None}
        if extra:
            joined = "&".join(filter(None, [parts.query, urlencode(extra)]))
            url = urlunsplit((parts.scheme, parts.netloc, parts.path, joined, parts.fragment))
    return url


class WebSocketTransport:
    """A websocket-client connection with a reader thread.

    `on_message(text_or_bytes)` is called in the reader thread for every data frame, in order;
    `on_close(CloseInfo)` once, last, when the connection ends for any reason. Sending is
    thread-safe. Headers are never logged (they carry the API key).
    """

    def __init__(
        self,
        url: str,
        headers: dict[str, str],
        *,
        on_message: Callable[[Any], None],
        on_close: Callable[[CloseInfo], None],
        connect_timeout: float = 10.0,
        name: str = "realtime-reader",
    ) -> None:
        self.url = url
        self._headers = dict(headers)
        self._on_message = on_message
        self._on_close = on_close
        self._connect_timeout = connect_timeout
        self._name = name
        self._ws: Any = None
        self._reader: Optional[threading.Thread] = None
        self._send_lock = threading.Lock()
        self._closing = False
        self._closed = threading.Event()
        self.close_info: Optional[CloseInfo] = None

    def __repr__(self) -> str:
        return f"WebSocketTransport({self.url!r}, connected={self.connected})"

    @property
    def connected(self) -> bool:
        """Whether the connection is open."""
        return self._ws is not None and not self._closed.is_set()

    def connect(self) -> None:
        """Open the connection (handshake included) and start the reader thread."""
        try:
            import websocket
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise UserError(
                "Realtime needs websocket-client: pip install 'agents-lite[realtime]'"
            ) from exc
        header = [f"{name}: {value}" for name, value in self._headers.items()]
        try:
            ws = websocket.create_connection(
                self.url, header=header, timeout=self._connect_timeout, enable_multithread=True
            )
        except websocket.WebSocketBadStatusException as exc:
            status = getattr(exc, "status_code", None)
            raise RealtimeConnectionError(
                f"Realtime handshake with {_safe(self.url)} refused with HTTP {status}",
                status_code=status,
            ) from None
        except (OSError, websocket.WebSocketException) as exc:
            raise RealtimeConnectionError(
                f"Could not connect to {_safe(self.url)}: {type(exc).__name__}: {exc}"
            ) from None
        ws.settimeout(None)  # the reader blocks until something arrives
        self._ws = ws
        self._reader = threading.Thread(target=self._read_loop, name=self._name, daemon=True)
        self._reader.start()

    def send_json(self, event: dict[str, Any]) -> None:
        """Send one JSON event. Raises `RealtimeConnectionError` when the connection is gone."""
        self.send_text(json.dumps(event, separators=(",", ":")))

    def send_text(self, text: str) -> None:
        """Send one text frame."""
        ws = self._ws
        if ws is None or self._closed.is_set() or self._closing:
            raise RealtimeConnectionError("The realtime connection is closed")
        import websocket

        try:
            with self._send_lock:
                ws.send(text)
        except (OSError, websocket.WebSocketException) as exc:
            raise RealtimeConnectionError(
                f"Sending on the realtime connection failed: {type(exc).__name__}: {exc}"
            ) from None

    def _read_loop(self) -> None:
        import websocket

        ws = self._ws
        info: Optional[CloseInfo] = None
        try:
            while True:
                opcode, frame = ws.recv_data_frame(control_frame=False)
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    code, reason = _close_payload(frame.data)
                    info = CloseInfo(code, reason, by_client=self._closing)
                    break
                data = frame.data if hasattr(frame, "data") else frame
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    try:
                        data = data.decode("utf-8") if isinstance(data, bytes) else data
                    except UnicodeDecodeError:
                        pass  # handed on as bytes; the consumer reports it as malformed
                try:
                    self._on_message(data)
                except Exception:  # a consumer bug must not kill the connection silently
                    logger.exception("realtime: error while handling a server frame")
        except Exception as exc:
            info = CloseInfo(None, by_client=self._closing, error=None if self._closing else exc)
        finally:
            try:
                ws.shutdown()
            except Exception:
                pass
            self.close_info = info or CloseInfo(None, by_client=self._closing)
            self._closed.set()
            try:
                self._on_close(self.close_info)
            except Exception:
                logger.exception("realtime: error in the close handler")

    def close(self, code: int = 1000, timeout: float = 2.0) -> None:
        """Close with `code` (1000 = normal): send the close frame, wait up to `timeout` seconds
        for the server's answer, then drop the socket. Safe to call twice."""
        ws = self._ws
        if ws is None or self._closed.is_set():
            return
        self._closing = True
        try:
            with self._send_lock:
                ws.send_close(status=code)
        except Exception:
            pass
        if self._reader is not None and self._reader is not threading.current_thread():
            if not self._closed.wait(timeout):
                ws.abort()
                self._closed.wait(timeout)
        else:
            ws.abort()

    def wait_closed(self, timeout: Optional[float] = None) -> bool:
        """Block until the connection has ended; returns whether it did."""
        return self._closed.wait(timeout)


def _close_payload(data: bytes) -> tuple[Optional[int], str]:
    if len(data) >= 2:
        code = struct.unpack("!H", data[:2])[0]
        return code, data[2:].decode("utf-8", errors="replace")
    return 1005, ""  # RFC 6455: a close frame without a status code


def _safe(url: str) -> str:
    """The URL without its query string (which never holds secrets here, but may be long)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
