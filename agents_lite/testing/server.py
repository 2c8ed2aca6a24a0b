"""`LocalOpenAIServer`: a real OpenAI-compatible HTTP server on 127.0.0.1 for tests and demos.

It serves `POST /v1/responses` and `POST /v1/chat/completions` (plain JSON or SSE), records every
request, answers model requests from a FIFO of scripted replies, a responder function or a
default reply, injects faults, accepts trace ingest, and lets other modules plug in more
endpoints with `add_route`. Only the standard library is used.

Run it as a process with `python -m agents_lite.testing.server --port 8123`.
"""

from __future__ import annotations

import argparse
import json
import logging
import socket
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from .faults import Fault, error_body
from .http_wire import (
    BadRequest,
    Headers,
    RecordedRequest,
    abort_connection,
    build_head,
    encode_body,
    is_stream_body,
    read_request,
)
from .model_replies import render_chat, render_responses
from .replies import (
    Reply,
    ScriptedResponse,
    last_user_text,
    sse_frame,
    to_scripted,
)

__all__ = [
    "LocalOpenAIServer",
    "RecordedRequest",
    "Headers",
    "Reply",
    "ScriptedResponse",
    "Fault",
    "serve",
    "load_script",
    "main",
]

logger = logging.getLogger(__name__)

RouteHandler = Callable[[RecordedRequest], Any]
Responder = Callable[[RecordedRequest], Any]

@dataclass
class _Route:
    method: str
    prefix: str
    handler: RouteHandler

    def matches_path(self, path: str) -> bool:
        prefix = self.prefix
        return path == prefix or path.startswith(prefix if prefix.endswith("/") else prefix + "/")


class LocalOpenAIServer:
    """A local OpenAI-compatible HTTP server running in a daemon thread.

    Use it as a context manager (`with LocalOpenAIServer() as server:`) or call `start()` and
    `stop()`. Point clients at `server.base_url` ("http://127.0.0.1:<port>/v1").

    Model requests (Responses and Chat Completions) are answered, in this order of preference,
    by the next reply queued with `add_response`, by the responder set with `set_responder`
    (when it returns None, the default is used), or by the default reply: one assistant text
    message echoing the text of the last user message ("ok" when there is none), or
    `default_text` when given. `latency` seconds are added to every model request.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        latency: float = 0.0,
        default_text: Optional[str] = None,
        model: str = "fake-model",
    ) -> None:
        self.host = host
        self._requested_port = port
        self.latency = latency
        """Seconds added before answering every model request (benchmarks use 0.02-0.05)."""
        self.default_text = default_text
        """Text of the default reply; None echoes the last user message ("ok" if none)."""
        self.model = model
        """Model name used in replies when the request names none."""
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._queue: deque[Any] = deque()
        self._path_queues: dict[str, deque[Any]] = {}
        self._responder: Optional[Responder] = None
        self._routes: list[_Route] = []
        self._listener: Optional[socket.socket] = None
        self._accept_thread: Optional[threading.Thread] = None
        self._connections: set[socket.socket] = set()
        self._stopping = False
        self._port: Optional[int] = None
        self.connections_accepted = 0
        """How many TCP connections the server has accepted (keep-alive reuse keeps it low)."""
        self.errors: list[BaseException] = []
        """Exceptions raised by responders and route handlers (each also answered with a 500)."""
        self.add_route("POST", "/v1/responses", self._handle_responses)
        self.add_route("POST", "/v1/chat/completions", self._handle_chat)
        self.add_route("POST", "/v1/traces/ingest", lambda request: Reply(200, body={}))
        self.add_route("GET", "/v1/models", self._handle_models)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> LocalOpenAIServer:
        """Bind and start serving in a daemon thread; returns self. After `stop()`, `start()`
        binds the same port again (a server that goes away and comes back)."""
        if self._accept_thread is not None:
            return self
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self.host, self._port if self._port is not None else self._requested_port))
            listener.listen(128)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self._port = listener.getsockname()[1]
        self._stopping = False
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name=f"LocalOpenAIServer:{self._port}", daemon=True
        )
        self._accept_thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: close the listening socket (the port is released) and every open
        client connection. Safe to call twice."""
        thread, listener = self._accept_thread, self._listener
        if thread is None or listener is None:
            return
        self._stopping = True
        try:
            listener.shutdown(socket.SHUT_RDWR)  # wakes accept() on Linux
        except OSError:
            pass
        thread.join(0.5)
        if thread.is_alive():  # other platforms: wake accept() with a connection
            try:
                socket.create_connection((self.host, self.port), timeout=1).close()
            except OSError:
                pass
            thread.join(2)
        listener.close()
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._accept_thread = None
        self._listener = None

    def close(self) -> None:
        """Same as `stop()`."""
        self.stop()

    def __enter__(self) -> LocalOpenAIServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._accept_thread is not None

    @property
    def port(self) -> int:
        """The TCP port (known once started)."""
        if self._port is None:
            raise RuntimeError("LocalOpenAIServer has not been started; call start() first")
        return self._port

    @property
    def url(self) -> str:
        """Root URL, e.g. "http://127.0.0.1:8123"."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI base URL to give clients: `url` + "/v1"."""
        return self.url + "/v1"

    # -- scripting ---------------------------------------------------------------------------

    def add_response(self, reply: Any, *, path: Optional[str] = None) -> None:
        """Queue a reply for the next model request (Responses or Chat Completions), FIFO.

        `reply` is a list of output items, a string, a `ScriptedResponse`, a `Fault` or a raw
        `Reply`. With `path`, the reply is queued for the next request whose path starts with
        that prefix instead (e.g. `path="/v1/traces/ingest"` with a `Fault(status=500)`); a
        `Fault` with no status and no reply then only delays or breaks the route's own answer.
        """
        if not isinstance(reply, (Fault, Reply)):
            to_scripted(reply)  # fail now, in the test, rather than inside the server thread
        with self._lock:
            if path is None:
                self._queue.append(reply)
            else:
                self._path_queues.setdefault(path, deque()).append(reply)

    def add_responses(self, *replies: Any) -> None:
        """Queue several model replies in order."""
        for reply in replies:
            self.add_response(reply)

    def set_responder(self, responder: Optional[Responder]) -> None:
        """Answer model requests with `responder(request)` when the queue is empty; it returns
        any reply `add_response` accepts, or None for the default reply. None removes it."""
        self._responder = responder

    @property
    def pending(self) -> int:
        """How many queued model replies have not been used yet."""
        with self._lock:
            return len(self._queue)

    def add_route(self, method: str, path_prefix: str, handler: RouteHandler) -> None:
        """Serve requests whose path starts with `path_prefix` with `handler(request)`.

        `method` is an HTTP method or "*" for any. The handler returns a `Reply`, a `Fault`, a
        dict/list (JSON, 200), bytes/str (200) or None (empty 200). The longest matching prefix
        wins; a later route with the same method and prefix replaces the earlier one.
        """
        method = method.upper()
        with self._lock:
            routes = [r for r in self._routes if (r.method, r.prefix) != (method, path_prefix)]
            routes.append(_Route(method, path_prefix, handler))
            routes.sort(key=lambda r: len(r.prefix), reverse=True)
            self._routes = routes

    # -- recording ---------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> Optional[RecordedRequest]:
        """The most recent request, or None."""
        with self._lock:
            return self._requests[-1] if self._requests else None

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The recorded requests whose path is `path` (or starts with `path` + "/")."""
        prefix = path.rstrip("/") + "/"
        with self._lock:
            return [r for r in self._requests if r.path == path or r.path.startswith(prefix)]

    def trace_ingest_items(self) -> list[dict[str, Any]]:
        """Every trace and span posted to `/v1/traces/ingest`, in arrival order."""
        items: list[dict[str, Any]] = []
        for request in self.requests_to("/v1/traces/ingest"):
            if isinstance(request.body, dict):
                items.extend(request.body.get("data") or [])
        return items

    def clear(self) -> None:
        """Forget recorded requests, queued replies and recorded errors (routes, responder and
        latency stay)."""
        with self._lock:
            self._requests.clear()
            self._queue.clear()
            self._path_queues.clear()
            self.errors.clear()

    # -- connection handling -----------------------------------------------------------------

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._stopping:
            try:
                conn, _ = listener.accept()
            except OSError:
                if self._stopping:
                    break
                time.sleep(0.01)
                continue
            if self._stopping:
                conn.close()
                break
            with self._lock:
                self._connections.add(conn)
                self.connections_accepted += 1
            threading.Thread(target=self._serve_connection, args=(conn,), daemon=True).start()

    def _serve_connection(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rfile = conn.makefile("rb", buffering=65536)
        try:
            while True:
                try:
                    request = read_request(rfile, conn)
                except BadRequest as exc:
                    body, _ = encode_body(error_body(400, str(exc)))
                    conn.sendall(
                        build_head(400, {"content-type": "application/json",
                                         "content-length": str(len(body)),
                                         "connection": "close"}) + body
                    )
                    break
                if request is None or not self._handle(conn, request, rfile):
                    break
        except OSError:
            pass  # the client went away
        finally:
            with self._lock:
                self._connections.discard(conn)
            abort_connection(conn, rfile=rfile)

    def _handle(self, conn: socket.socket, request: RecordedRequest, rfile: Any) -> bool:
        """Answer one request; returns whether the connection stays open."""
        with self._lock:
            self._requests.append(request)
            route = self._match(request)
            queued = self._pop_path_reply(request.path)
        try:
            if queued is not None:
                reply = self._path_fault_reply(queued, route, request)
            elif route is None:
                reply = self._not_found(request)
            else:
                reply = self._coerce(route.handler(request))
        except Exception as exc:  # a broken responder or route must not kill the server
            logger.exception("LocalOpenAIServer: handler for %s %s failed", request.method,
                             request.path)
            with self._lock:
                self.errors.append(exc)
            reply = Reply(500, body=error_body(500, f"LocalOpenAIServer handler error: {exc!r}"))
        return self._write(conn, request, reply, rfile)

    def _match(self, request: RecordedRequest) -> Optional[_Route]:
        path_matched = None
        for route in self._routes:
            if route.matches_path(request.path):
                if route.method in ("*", request.method):
                    return route
                path_matched = path_matched or route
        if path_matched is not None:
            return _Route(request.method, path_matched.prefix, self._method_not_allowed)
        return None

    def _pop_path_reply(self, path: str) -> Any:
        for prefix, queue in self._path_queues.items():
            if queue and (path == prefix or path.startswith(prefix.rstrip("/") + "/")):
                return queue.popleft()
        return None

    def _path_fault_reply(self, queued: Any, route: Optional[_Route],
                          request: RecordedRequest) -> Reply:
        if not isinstance(queued, Fault):
            return self._coerce(queued)
        if queued.status is not None or queued.drop_connection:
            return self._fault_error_reply(queued)
        if queued.reply is not None:
            reply = self._coerce(queued.reply)
        elif route is not None:
            reply = self._coerce(route.handler(request))
        else:
            reply = self._not_found(request)
        reply.fault = queued
        reply.headers = {**reply.headers, **queued.response_headers()}
        return reply

    @staticmethod
    def _not_found(request: RecordedRequest) -> Reply:
        return Reply(404, body=error_body(
            404, f"Unknown request URL: {request.method} {request.path}.", code="unknown_url"))

    @staticmethod
    def _method_not_allowed(request: RecordedRequest) -> Reply:
        return Reply(405, body=error_body(
            405, f"Method {request.method} is not allowed on {request.path}.",
            type="invalid_request_error", code="method_not_allowed"))

    def _coerce(self, result: Any) -> Reply:
        if isinstance(result, Reply):
            return result
        if isinstance(result, Fault):
            if result.status is not None or result.drop_connection or result.reply is None:
                return self._fault_error_reply(result)
            reply = self._coerce(result.reply)
            reply.fault = result
            return reply
        if result is None:
            return Reply(200)
        if isinstance(result, (dict, list, bytes, str)) or is_stream_body(result):
            return Reply(200, body=result)
        raise TypeError(f"A route handler returned {type(result).__name__}, not a Reply")

    @staticmethod
    def _fault_error_reply(fault: Fault) -> Reply:
        status = fault.status or 500
        return Reply(status, headers=fault.response_headers(), body=fault.error_body(status),
                     fault=fault)

    # -- writing -----------------------------------------------------------------------------

    def _write(self, conn: socket.socket, request: RecordedRequest, reply: Reply,
               rfile: Any) -> bool:
        fault: Optional[Fault] = reply.fault
        if fault is not None:
            if fault.delay > 0:
                time.sleep(fault.delay)
            if fault.drop_connection:
                abort_connection(conn, fault.reset, rfile)
                return False
        keep_alive = request.keep_alive and not reply.close
        headers = {"x-request-id": f"req_{uuid.uuid4().hex}"}
        for name, value in reply.headers.items():
            headers[name.lower()] = value
        body = reply.body
        if is_stream_body(body):
            return self._write_stream(conn, request, reply.status, headers, body, keep_alive,
                                      fault, rfile)
        try:
            data, content_type = encode_body(body)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:  # e.g. a route returned a non-JSON value
            logger.exception("LocalOpenAIServer: cannot encode the reply to %s", request.path)
            with self._lock:
                self.errors.append(exc)
            reply, headers = Reply(500), {"x-request-id": headers["x-request-id"]}
            data, content_type = encode_body(error_body(500, f"Unencodable reply: {exc!r}"))
        headers.setdefault("content-type", content_type)
        headers["content-length"] = str(len(data))
        if not keep_alive:
            headers["connection"] = "close"
        if fault is not None and fault.cut_after_events is not None:
            conn.sendall(build_head(reply.status, headers) + data[: len(data) // 2])
            abort_connection(conn, fault.reset, rfile)
            return False
        conn.sendall(build_head(reply.status, headers) + data)
        return keep_alive

    def _write_stream(self, conn: socket.socket, request: RecordedRequest, status: int,
                      headers: dict[str, str], frames: Any, keep_alive: bool,
                      fault: Optional[Fault], rfile: Any) -> bool:
        chunked = request.version == "HTTP/1.1"
        headers.setdefault("content-type", "text/event-stream; charset=utf-8")
        headers.setdefault("cache-control", "no-cache")
        if chunked:
            headers["transfer-encoding"] = "chunked"
        else:
            keep_alive = False
        if not keep_alive:
            headers["connection"] = "close"
        cut = fault.cut_after_events if fault is not None else None
        event_delay = fault.event_delay if fault is not None else 0.0
        conn.sendall(build_head(status, headers))
        written = 0
        try:
            for frame in frames:
                if cut is not None and written >= cut:
                    abort_connection(conn, fault.reset if fault else False, rfile)
                    return False
                if event_delay > 0:
                    time.sleep(event_delay)
                if isinstance(frame, dict):
                    data = sse_frame(frame)
                elif isinstance(frame, str):
                    data = frame.encode()
                else:
                    data = bytes(frame)
                if not data:
                    continue
                conn.sendall(b"%x\r\n%b\r\n" % (len(data), data) if chunked else data)
                written += 1
        except OSError:
            raise
        except Exception as exc:  # a broken frame generator: nothing sane left to send
            logger.exception("LocalOpenAIServer: stream for %s failed", request.path)
            with self._lock:
                self.errors.append(exc)
            abort_connection(conn, False, rfile)
            return False
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()
        if cut is not None and written >= cut:
            abort_connection(conn, fault.reset if fault else False, rfile)
            return False
        if chunked:
            conn.sendall(b"0\r\n\r\n")
        return keep_alive

    # -- model endpoints ---------------------------------------------------------------------

    def _next_model_reply(self, request: RecordedRequest) -> Any:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        return self._fallback_reply(request)

    def _fallback_reply(self, request: RecordedRequest) -> Any:
        responder = self._responder
        if responder is not None:
            reply = responder(request)
            if reply is not None:
                return reply
        if self.default_text is not None:
            return self.default_text
        text = last_user_text(request.body)
        return text if text else "ok"

    def _model_reply(self, request: RecordedRequest) -> Union[Reply, tuple[ScriptedResponse,
                                                                           Optional[Fault]]]:
        """The scripted reply (and fault) for a model request, or a finished `Reply`."""
        if not isinstance(request.body, dict):
            return Reply(400, body=error_body(
                400, "We could not parse the JSON body of your request.",
                code="invalid_json"))
        if self.latency > 0:
            time.sleep(self.latency)
        scripted = self._next_model_reply(request)
        fault: Optional[Fault] = None
        if isinstance(scripted, Fault):
            fault = scripted
            if fault.status is not None or fault.drop_connection:
                return self._fault_error_reply(fault)
            scripted = fault.reply if fault.reply is not None else self._fallback_reply(request)
        if isinstance(scripted, Reply):
            if fault is not None:
                scripted.fault = fault
            return scripted
        return to_scripted(scripted), fault

    def _handle_responses(self, request: RecordedRequest) -> Reply:
        got = self._model_reply(request)
        return got if isinstance(got, Reply) else render_responses(request, *got, self.model)

    def _handle_chat(self, request: RecordedRequest) -> Reply:
        got = self._model_reply(request)
        return got if isinstance(got, Reply) else render_chat(request, *got, self.model)

    def _handle_models(self, request: RecordedRequest) -> dict[str, Any]:
        return {"object": "list", "data": [
            {"id": self.model, "object": "model", "created": 0, "owned_by": "agents_lite"}]}


# -- running as a process ----------------------------------------------------------------------


def load_script(path: str) -> list[Any]:
    """Replies from a JSON file: a list whose entries are strings, lists of output items,
    objects with ScriptedResponse fields ({"output": …, "usage": …}) or {"fault": {Fault fields}}."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, list):
        raise ValueError(f"{path}: a script must be a JSON list of replies")
    replies: list[Any] = []
    for entry in data:
        if isinstance(entry, dict) and "fault" in entry:
            fields = dict(entry["fault"])
            if "inject" in fields:
                fields["inject"] = [tuple(pair) for pair in fields["inject"]]
            replies.append(Fault(**fields))
        elif isinstance(entry, dict) and "output" in entry:
            replies.append(ScriptedResponse(**entry))
        else:
            replies.append(to_scripted(entry))
    return replies


def serve(
    host: str = "127.0.0.1",
    port: int = 8123,
    *,
    latency: float = 0.0,
    default_text: Optional[str] = None,
    script: Optional[list[Any]] = None,
    quiet: bool = False,
) -> None:
    """Serve until interrupted (Ctrl-C). `script` is a list of replies served first, in order;
    after it (or without it) the default reply answers."""
    server = LocalOpenAIServer(host, port, latency=latency, default_text=default_text)
    for reply in script or []:
        server.add_response(reply)
    server.start()
    if not quiet:
        print(f"LocalOpenAIServer listening on {server.base_url}  (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def main(argv: Optional[list[str]] = None) -> None:
    """Command line: `python -m agents_lite.testing.server [--host H] [--port P] …`."""
    parser = argparse.ArgumentParser(
        prog="python -m agents_lite.testing.server",
        description="A local OpenAI-compatible server (Responses + Chat Completions) for offline "
                    "tests and demos.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8123, help="port (8123; 0 picks a free one)")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds added to every model request (e.g. 0.03)")
    parser.add_argument("--text", dest="default_text", default=None,
                        help="fixed text of the default reply (default: echo the last user "
                             "message)")
    parser.add_argument("--script", default=None,
                        help="JSON file with a list of replies to serve first, in order")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    script = load_script(args.script) if args.script else None
    serve(args.host, args.port, latency=args.latency, default_text=args.default_text,
          script=script, quiet=args.quiet)


if __name__ == "__main__":
    main()
