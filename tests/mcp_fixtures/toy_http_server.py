"""A small MCP server over HTTP (Streamable HTTP at /mcp, legacy SSE at /sse) with fault knobs.

It runs in a thread of the test process on a free port, so tests can flip faults at any moment:

    with ToyHTTPServer() as toy:
        toy.url("/mcp")
        toy.expire_sessions()      # the next request with an old session id gets 404
        toy.drop_sse_streams()     # legacy SSE streams end at once
        toy.reply_mode = "sse"     # "json" | "sse" | "sse_drop" (stream ends before the reply)

Tools: `echo {text}` and `hang` (never answered). Every HTTP request is recorded in `requests`
as (method, path, headers dict, parsed JSON body or None).
"""

from __future__ import annotations

import json
import queue
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

TOOLS = [
    {"name": "echo", "description": "Echo the text.",
     "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}}},
    {"name": "hang", "description": "Never answers.", "inputSchema": {"type": "object"}},
]


class ToyHTTPServer:
    """See the module docstring."""

    def __init__(self) -> None:
        self.reply_mode = "json"
        self.get_stream_mode = "405"  # or "stream": push one notification, then stay open
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.sessions: set[str] = set()
        self._session_counter = 0
        self._sse_queues: dict[str, queue.Queue[Optional[dict[str, Any]]]] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    # --- control -------------------------------------------------------------------------------

    def __enter__(self) -> ToyHTTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.drop_sse_streams()
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def expire_sessions(self) -> None:
        with self._lock:
            self.sessions.clear()

    def drop_sse_streams(self) -> None:
        with self._lock:
            queues = list(self._sse_queues.values())
            self._sse_queues.clear()
        for q in queues:
            q.put(None)

    def methods(self, http_method: str = "POST") -> list[str]:
        """JSON-RPC methods (or 'reply'/'response') of the recorded requests."""
        out = []
        for method, _path, _headers, body in self.requests:
            if method == http_method and isinstance(body, dict):
                out.append(body.get("method") or "response")
        return out

    # --- protocol ------------------------------------------------------------------------------

    def answer(self, message: dict[str, Any]) -> Optional[dict[str, Any]]:
        """The JSON-RPC reply to a message (None for notifications and unanswered calls)."""
        method = message.get("method")
        request_id = message.get("id")
        if request_id is None or method is None:
            return None
        if method == "initialize":
            result: dict[str, Any] = {
                "protocolVersion": message["params"]["protocolVersion"],
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "toy", "version": "0"},
            }
        elif method == "tools/list":
            result = {"tools": TOOLS}
        elif method == "tools/call":
            name = message["params"]["name"]
            if name == "hang":
                return None
            text = message["params"].get("arguments", {}).get("text", "")
            result = {"content": [{"type": "text", "text": text}]}
        elif method == "ping":
            result = {}
        else:
            return {"jsonrpc": "2.0", "id": request_id,
                    "error": {"code": -32601, "message": f"Method not found: {method}"}}
        return {"jsonrpc": "2.0", "id": request_id, "result": result}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        toy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _record(self, body: Any) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with toy._lock:
                    toy.requests.append((self.command, urlsplit(self.path).path, headers, body))

            def _send(self, status: int, body: bytes = b"", headers: Optional[dict[str, str]] = None) -> None:
                head = [f"HTTP/1.1 {status} X"]
                for key, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
                    head.append(f"{key}: {value}")
                self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
                self.wfile.flush()

            def _start_stream(self, headers: Optional[dict[str, str]] = None) -> None:
                head = ["HTTP/1.1 200 OK", "Content-Type: text/event-stream", "Connection: close",
                        "Cache-Control: no-cache"]
                head += [f"{k}: {v}" for k, v in (headers or {}).items()]
                self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode())
                self.wfile.flush()
                self.close_connection = True

            def _event(self, data: Any, event: str = "message") -> None:
                text = data if isinstance(data, str) else json.dumps(data)
                self.wfile.write(f"event: {event}\ndata: {text}\n\n".encode())
                self.wfile.flush()

            def _body(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    return json.loads(raw) if raw else None
                except ValueError:
                    return raw

            # Streamable HTTP ---------------------------------------------------------------

            def do_POST(self) -> None:
                path = urlsplit(self.path)
                body = self._body()
                self._record(body)
                if path.path == "/messages":
                    self._legacy_post(path.query, body)
                    return
                session = self.headers.get("Mcp-Session-Id")
                is_init = isinstance(body, dict) and body.get("method") == "initialize"
                if not is_init:
                    with toy._lock:
                        known = session in toy.sessions
                    if not known:
                        self._send(404, b'{"error": "unknown session"}',
                                   {"Content-Type": "application/json"})
                        return
                extra: dict[str, str] = {}
                if is_init:
                    with toy._lock:
                        toy._session_counter += 1
                        session = f"toy-session-{toy._session_counter}"
                        toy.sessions.add(session)
                    extra["Mcp-Session-Id"] = session
                reply = toy.answer(body) if isinstance(body, dict) else None
                if reply is None and isinstance(body, dict) and body.get("id") is None:
                    self._send(202, b"", extra)
                    return
                mode = "json" if is_init else toy.reply_mode
                if reply is None:  # a call that never gets an answer: keep the stream open
                    self._start_stream(extra)
                    threading.Event().wait(30)
                    return
                if mode == "json":
                    self._send(200, json.dumps(reply).encode(), {"Content-Type": "application/json", **extra})
                    return
                self._start_stream(extra)
                self._event({"jsonrpc": "2.0", "method": "notifications/message",
                             "params": {"level": "info", "data": "working"}})
                if mode == "sse_drop":
                    return  # the connection closes without the reply
                self._event(reply)

            def do_GET(self) -> None:
                path = urlsplit(self.path)
                self._record(None)
                if path.path == "/sse":
                    self._legacy_stream()
                    return
                if toy.get_stream_mode == "405":
                    self._send(405, b"")
                    return
                self._start_stream()
                self._event({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
                threading.Event().wait(30)

            def do_DELETE(self) -> None:
                self._record(None)
                with toy._lock:
                    toy.sessions.discard(self.headers.get("Mcp-Session-Id"))
                self._send(200, b"")

            # legacy SSE --------------------------------------------------------------------

            def _legacy_stream(self) -> None:
                q: queue.Queue[Optional[dict[str, Any]]] = queue.Queue()
                with toy._lock:
                    toy._session_counter += 1
                    sid = f"legacy-{toy._session_counter}"
                    toy._sse_queues[sid] = q
                self._start_stream()
                self._event(f"/messages?session_id={sid}", event="endpoint")
                while True:
                    message = q.get()
                    if message is None:
                        return
                    try:
                        self._event(message)
                    except OSError:
                        return

            def _legacy_post(self, query: str, body: Any) -> None:
                sid = parse_qs(query).get("session_id", [""])[0]
                with toy._lock:
                    q = toy._sse_queues.get(sid)
                if q is None:
                    self._send(404, b"no such session")
                    return
                self._send(202, b"Accepted")
                reply = toy.answer(body) if isinstance(body, dict) else None
                if reply is not None:
                    q.put(reply)

        return Handler
