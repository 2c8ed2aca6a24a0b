"""A small websocket server (RFC 6455) on the standard library, for tests.

`WebSocketServer` accepts connections on 127.0.0.1, performs the opening handshake itself and
hands each connection, as a `ServerConnection`, to a handler running in its own thread. The
connection reads frames in a reader thread (answering pings, reassembling fragments, replying to
close) and records everything it receives; the handler sends JSON events, raw text (malformed
frames), close frames, or drops the TCP connection without a close frame.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import queue
import socket
import socketserver
import struct
import threading
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl

__all__ = ["CLOSED", "NOTHING", "ServerConnection", "WebSocketServer"]

logger = logging.getLogger(__name__)

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_OP_CONT, _OP_TEXT, _OP_BINARY, _OP_CLOSE, _OP_PING, _OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
_MAX_FRAME = 64 * 1024 * 1024

CLOSED = object()
"""What `ServerConnection.next_event` returns once the connection has ended."""
NOTHING = object()
"""What `ServerConnection.poll` returns when no frame is waiting."""


class _ProtocolError(Exception):
    pass


def _unmask(payload: bytes, mask: bytes) -> bytes:
    if not payload:
        return payload
    length = len(payload)
    key = (mask * (length // 4 + 1))[:length]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")).to_bytes(
        length, "little"
    )


def _frame(opcode: int, payload: bytes, fin: bool = True) -> bytes:
    head = bytes([(0x80 if fin else 0) | opcode])
    length = len(payload)
    if length < 126:
        head += bytes([length])
    elif length < 65536:
        head += bytes([126]) + struct.pack("!H", length)
    else:
        head += bytes([127]) + struct.pack("!Q", length)
    return head + payload


class ServerConnection:
    """The server side of one websocket connection.

    Everything the client sent is recorded in `received` (JSON frames parsed to dicts, anything
    else as the raw str/bytes). `next_event()` hands the frames to the handler in order.
    """

    def __init__(self, sock: socket.socket, path: str, query: dict[str, str],
                 headers: dict[str, str], rfile: Any) -> None:
        self.sock = sock
        self.path = path
        self.query = query
        self.headers = headers
        """Request headers, lower-cased names."""
        self.received: list[Any] = []
        self.pongs: list[bytes] = []
        """Payloads of the pongs the client sent (answers to `ping`)."""
        self.client_close_code: Optional[int] = None
        """The close code the client sent, if it closed the connection."""
        self._rfile = rfile
        self._received_changed = threading.Condition()
        self._inbox: queue.Queue[Any] = queue.Queue()
        self._send_lock = threading.Lock()
        self._close_sent = False
        self._ended = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, name="ws-server-reader",
                                        daemon=True)
        self._reader.start()

    # --- sending ----------------------------------------------------------------------------

    def _send(self, data: bytes) -> bool:
        with self._send_lock:
            if self._close_sent:
                return False
            try:
                self.sock.sendall(data)
            except OSError:
                return False
        return True

    def send_json(self, event: dict[str, Any]) -> bool:
        """Send one JSON event as a text frame; False when the connection is gone."""
        return self._send(_frame(_OP_TEXT, json.dumps(event).encode()))

    def send_text(self, text: str) -> bool:
        """Send a raw text frame (how malformed JSON is delivered)."""
        return self._send(_frame(_OP_TEXT, text.encode()))

    def send_bytes(self, data: bytes) -> bool:
        """Send a binary frame."""
        return self._send(_frame(_OP_BINARY, data))

    def send_fragmented(self, text: str, pieces: int = 3) -> bool:
        """Send a text message split over several frames (continuation frames)."""
        raw = text.encode()
        size = max(1, len(raw) // pieces)
        chunks = [raw[i:i + size] for i in range(0, len(raw), size)] or [b""]
        data = b"".join(
            _frame(_OP_TEXT if i == 0 else _OP_CONT, chunk, fin=i == len(chunks) - 1)
            for i, chunk in enumerate(chunks)
        )
        return self._send(data)

    def ping(self, payload: bytes = b"") -> bool:
        """Send a ping (the client must answer with a pong)."""
        return self._send(_frame(_OP_PING, payload))

    def close(self, code: int = 1000, reason: str = "", wait: float = 2.0) -> None:
        """Send a close frame, wait up to `wait` seconds for the client's, then close the
        socket."""
        with self._send_lock:
            if not self._close_sent:
                try:
                    self.sock.sendall(_frame(_OP_CLOSE, struct.pack("!H", code) + reason.encode()))
                except OSError:
                    pass
                self._close_sent = True
        self._ended.wait(wait)
        self._shutdown()

    def drop(self, reset: bool = False) -> None:
        """End the TCP connection at once, without a close frame (with `reset`, a TCP RST)."""
        with self._send_lock:
            self._close_sent = True
            if reset:
                try:
                    self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                         struct.pack("ii", 1, 0))
                except OSError:
                    pass
        self._shutdown()

    def _shutdown(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    # --- receiving --------------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        """Whether the connection has ended (closed by either side or broken)."""
        return self._ended.is_set()

    def wait_ended(self, timeout: Optional[float] = None) -> bool:
        """Block until the connection ends; returns whether it did."""
        return self._ended.wait(timeout)

    def next_event(self, timeout: Optional[float] = None) -> Any:
        """The next frame from the client (dict for JSON, else str/bytes), `CLOSED` once the
        connection ended. Raises `queue.Empty` on timeout."""
        return self._inbox.get(timeout=timeout)

    def poll(self) -> Any:
        """Like `next_event` without waiting; returns `NOTHING` when nothing is there."""
        try:
            return self._inbox.get_nowait()
        except queue.Empty:
            return NOTHING

    def wait_for_received(self, kind: str, count: int = 1, timeout: float = 5.0
                          ) -> list[dict[str, Any]]:
        """Wait until `count` JSON events of type `kind` were received; returns them. Unlike
        `next_event`, this does not take frames away from the connection's handler."""
        with self._received_changed:
            if not self._received_changed.wait_for(
                lambda: len(self.events_of_type(kind)) >= count, timeout
            ):
                raise TimeoutError(f"fewer than {count} {kind!r} events within {timeout} s")
        return self.events_of_type(kind)

    def events_of_type(self, kind: str) -> list[dict[str, Any]]:
        """The received JSON events of one type."""
        return [e for e in self.received if isinstance(e, dict) and e.get("type") == kind]

    def _read_exact(self, count: int) -> bytes:
        data = self._rfile.read(count)
        if data is None or len(data) < count:
            raise EOFError("connection closed")
        return bytes(data)

    def _read_frame(self) -> tuple[bool, int, bytes]:
        first, second = self._read_exact(2)
        fin, opcode = bool(first & 0x80), first & 0x0F
        if not second & 0x80:
            raise _ProtocolError("client frames must be masked")
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read_exact(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read_exact(8))[0]
        if length > _MAX_FRAME:
            raise _ProtocolError("frame too large")
        mask = self._read_exact(4)
        return fin, opcode, _unmask(self._read_exact(length), mask)

    def _read_loop(self) -> None:
        fragments: list[bytes] = []
        fragment_op = _OP_TEXT
        try:
            while True:
                fin, opcode, payload = self._read_frame()
                if opcode == _OP_PING:
                    self._send(_frame(_OP_PONG, payload))
                    continue
                if opcode == _OP_PONG:
                    self.pongs.append(payload)
                    continue
                if opcode == _OP_CLOSE:
                    self.client_close_code = (
                        struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                    )
                    with self._send_lock:
                        if not self._close_sent:
                            try:
                                self.sock.sendall(_frame(_OP_CLOSE, payload[:2]))
                            except OSError:
                                pass
                            self._close_sent = True
                    break
                if opcode in (_OP_TEXT, _OP_BINARY):
                    fragments, fragment_op = [payload], opcode
                elif opcode == _OP_CONT:
                    fragments.append(payload)
                else:
                    raise _ProtocolError(f"unknown opcode {opcode}")
                if not fin:
                    continue
                message = b"".join(fragments)
                fragments = []
                value: Any = message
                if fragment_op == _OP_TEXT:
                    value = message.decode("utf-8", errors="replace")
                    try:
                        value = json.loads(value)
                    except ValueError:
                        pass
                with self._received_changed:
                    self.received.append(value)
                    self._received_changed.notify_all()
                self._inbox.put(value)
        except (EOFError, OSError, _ProtocolError, ValueError):
            pass
        finally:
            self._ended.set()
            self._inbox.put(CLOSED)
            self._shutdown()


Handler = Callable[[ServerConnection], None]


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class WebSocketServer:
    """Accepts websocket connections on `host` (a free port by default) and runs
    `handler(connection)` for each one in its own thread.

    `reject_next(status, body)` makes the next handshake fail with that HTTP status. With
    `api_key`, handshakes without `Authorization: Bearer <api_key>` get 401.
    """

    def __init__(self, handler: Optional[Handler] = None, host: str = "127.0.0.1", port: int = 0,
                 *, api_key: Optional[str] = None) -> None:
        self.handler = handler
        self.host = host
        self.api_key = api_key
        self.connections: list[ServerConnection] = []
        self.handshakes: list[dict[str, Any]] = []
        """Every handshake request: path, query and headers (accepted or not)."""
        self.errors: list[BaseException] = []
        """Exceptions raised by handlers."""
        self._rejections: list[tuple[int, str]] = []
        self._lock = threading.Lock()
        self._connected = threading.Condition(self._lock)
        owner = self

        class _Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                owner._serve(self.request, self.rfile)

        self._server = _TCPServer((host, port), _Handler, bind_and_activate=True)
        self._thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        """The TCP port."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The root websocket URL, e.g. "ws://127.0.0.1:8123"."""
        return f"ws://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """An OpenAI-style base URL for this server ("ws://127.0.0.1:<port>/v1")."""
        return self.url + "/v1"

    @property
    def http_base_url(self) -> str:
        """The same base URL with http:// (what OPENAI_BASE_URL would hold)."""
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> WebSocketServer:
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            kwargs={"poll_interval": 0.05},
                                            name=f"ws-server:{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting connections and drop the open ones."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(2)
            self._thread = None
        self._server.server_close()
        with self._lock:
            connections = list(self.connections)
        for connection in connections:
            connection.drop()

    def __enter__(self) -> WebSocketServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def reject_next(self, status: int = 500, body: str = "") -> None:
        """Fail the next handshake with `status`."""
        with self._lock:
            self._rejections.append((status, body))

    def wait_for_connection(self, index: int = 0, timeout: float = 5.0) -> ServerConnection:
        """The `index`-th accepted connection, waiting for it to arrive."""
        with self._connected:
            if not self._connected.wait_for(lambda: len(self.connections) > index, timeout):
                raise TimeoutError(f"no websocket connection #{index} within {timeout} s")
            return self.connections[index]

    # --- one connection ---------------------------------------------------------------------

    def _serve(self, sock: socket.socket, rfile: Any) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        request = self._handshake(sock, rfile)
        if request is None:
            return
        path, query, headers, accept = request
        connection = ServerConnection(sock, path, query, headers, rfile)
        with self._connected:
            self.connections.append(connection)
            self._connected.notify_all()
        # The handshake is answered only now, so a client whose connect() returned finds its
        # connection in `connections` already.
        try:
            sock.sendall(accept)
        except OSError:
            connection.drop()
            return
        try:
            if self.handler is not None:
                self.handler(connection)
            connection.wait_ended()
        except Exception as exc:  # a broken handler must show up in the test, not vanish
            logger.exception("WebSocketServer handler failed")
            with self._lock:
                self.errors.append(exc)
            connection.drop()

    def _handshake(self, sock: socket.socket, rfile: Any
                   ) -> Optional[tuple[str, dict[str, str], dict[str, str], bytes]]:
        """Read the upgrade request; refuse it (None), or return its path, query and headers
        with the 101 answer to send once the connection is registered."""
        line = rfile.readline(65537)
        try:
            method, target, _version = line.decode("latin-1").split()
        except ValueError:
            return None
        headers: dict[str, str] = {}
        while True:
            raw = rfile.readline(65537)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        path, _, query_string = target.partition("?")
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        with self._lock:
            self.handshakes.append({"path": path, "query": query, "headers": headers})
            rejection = self._rejections.pop(0) if self._rejections else None
        key = headers.get("sec-websocket-key")
        if rejection is None:
            if method != "GET" or "websocket" not in headers.get("upgrade", "").lower() or not key:
                rejection = (400, "Expected a websocket upgrade request")
            elif self.api_key is not None and headers.get("authorization") != (
                f"Bearer {self.api_key}"
            ):
                rejection = (401, json.dumps({"error": {
                    "message": "Incorrect API key provided.", "type": "invalid_request_error",
                    "code": "invalid_api_key", "param": None}}))
        if rejection is not None:
            status, body = rejection
            data = body.encode()
            sock.sendall(
                f"HTTP/1.1 {status} Rejected\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data
            )
            return None
        assert key is not None
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        answer = (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode()
        )
        return path, query, headers, answer
