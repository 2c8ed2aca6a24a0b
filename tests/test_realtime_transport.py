"""The websocket layer on its own: websocket-client (WebSocketTransport) against the project's
RFC 6455 test server, frame by frame."""

from __future__ import annotations

import json
import queue
import threading
import time

import pytest
import requests

from agents_lite.realtime.transport import (
    CloseInfo,
    RealtimeConnectionError,
    WebSocketTransport,
)
from agents_lite.testing.websocket_server import CLOSED, WebSocketServer

from conftest import require


@pytest.fixture(autouse=True)
def _websocket_client_installed():
    try:
        import websocket  # noqa: F401
    except ImportError:
        require(False, "websocket-client is not installed (pip install 'agents-lite[realtime]')")


class Client:
    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.messages: queue.Queue = queue.Queue()
        self.closed: list[CloseInfo] = []
        self.transport = WebSocketTransport(url, headers or {}, on_message=self.messages.put,
                                            on_close=self.closed.append)

    def next(self, timeout: float = 5.0):
        return self.messages.get(timeout=timeout)


def test_round_trip_of_small_and_large_frames():
    def echo(conn):
        while True:
            event = conn.next_event()
            if event is CLOSED:
                return
            conn.send_json({"echo": event})

    with WebSocketServer(echo) as server:
        client = Client(server.url + "/v1/realtime?model=m", {"Authorization": "Bearer k"})
        client.transport.connect()
        client.transport.send_json({"type": "small"})
        big = {"type": "big", "data": "x" * 200_000}  # needs the 64-bit length form
        client.transport.send_json(big)
        medium = {"type": "medium", "data": "y" * 1000}  # the 16-bit length form
        client.transport.send_json(medium)
        assert json.loads(client.next()) == {"echo": {"type": "small"}}
        assert json.loads(client.next()) == {"echo": big}
        assert json.loads(client.next()) == {"echo": medium}
        client.transport.close()
        conn = server.connections[0]
        assert conn.wait_ended(5)
        assert conn.client_close_code == 1000
        assert client.closed[0].by_client and client.closed[0].clean
        assert server.handshakes[0]["headers"]["authorization"] == "Bearer k"
        assert server.handshakes[0]["query"] == {"model": "m"}


def test_server_ping_is_answered_and_fragments_are_joined():
    def handler(conn):
        conn.ping(b"are you there")
        conn.send_fragmented('{"type": "joined", "parts": 4}', pieces=4)

    with WebSocketServer(handler) as server:
        client = Client(server.url)
        client.transport.connect()
        assert json.loads(client.next()) == {"type": "joined", "parts": 4}
        conn = server.connections[0]
        deadline = time.monotonic() + 5
        while not conn.pongs and time.monotonic() < deadline:
            time.sleep(0.01)
        assert conn.pongs == [b"are you there"]
        client.transport.close()


@pytest.mark.parametrize("code,clean", [(1000, True), (1001, True), (1011, False)])
def test_server_close_codes(code, clean):
    with WebSocketServer(lambda conn: conn.close(code, "reason text")) as server:
        client = Client(server.url)
        client.transport.connect()
        assert client.transport.wait_closed(5)
        (info,) = client.closed
        assert (info.code, info.reason, info.clean, info.by_client) == (
            code, "reason text", clean, False)
        with pytest.raises(RealtimeConnectionError):
            client.transport.send_json({"type": "late"})


def test_dropped_connection_has_no_close_code():
    with WebSocketServer(lambda conn: conn.drop(reset=True)) as server:
        client = Client(server.url)
        client.transport.connect()
        assert client.transport.wait_closed(5)
        info = client.closed[0]
        assert info.code is None and not info.clean
        assert "without a close frame" in info.describe()


def test_handshake_refusals():
    with WebSocketServer(api_key="sk-good") as server:
        with pytest.raises(RealtimeConnectionError) as excinfo:
            Client(server.url, {"Authorization": "Bearer sk-bad"}).transport.connect()
        assert excinfo.value.status_code == 401
        server.reject_next(503)
        with pytest.raises(RealtimeConnectionError) as excinfo:
            Client(server.url, {"Authorization": "Bearer sk-good"}).transport.connect()
        assert excinfo.value.status_code == 503
        # a plain HTTP request is not a websocket upgrade
        response = requests.get(server.http_base_url + "/realtime", timeout=5)
        assert response.status_code == 400
        ok = Client(server.url, {"Authorization": "Bearer sk-good"})
        ok.transport.connect()
        ok.transport.close()


def test_send_from_many_threads_keeps_frames_whole():
    with WebSocketServer() as server:
        client = Client(server.url)
        client.transport.connect()

        def send(worker: int) -> None:
            for i in range(50):
                client.transport.send_json({"worker": worker, "i": i, "pad": "z" * 300})

        threads = [threading.Thread(target=send, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        conn = server.connections[0]
        deadline = time.monotonic() + 5
        while len(conn.received) < 200 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(conn.received) == 200
        for worker in range(4):
            assert [e["i"] for e in conn.received if e["worker"] == worker] == list(range(50))
        client.transport.close()
