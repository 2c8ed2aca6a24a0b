"""HTTPClient over real HTTP to LocalOpenAIServer: headers, retries, typed errors, timeouts,
streams, secrets. No patching of `requests`."""

from __future__ import annotations

import email.utils
import logging
import socket
import threading
import time

import pytest

from agents_lite.exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    ModelBehaviorError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    UserError,
)
from agents_lite.model_settings import ModelRetrySettings
from agents_lite.models.http import (
    USER_AGENT,
    HTTPClient,
    _retry_after_seconds,
    _retry_delay,
    _should_retry_status,
)
from agents_lite.testing.faults import Fault
from agents_lite.testing.replies import Reply
from agents_lite.testing.server import LocalOpenAIServer

KEY = "sk-test-SECRET-0123456789abcdef"
FAST = ModelRetrySettings(initial_delay=0.001, max_delay=0.005, max_retry_after=0.01)
BODY = {"model": "m", "input": [{"role": "user", "content": "hi"}]}


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server():
    with LocalOpenAIServer() as srv:
        yield srv


@pytest.fixture
def client(server):
    with HTTPClient(api_key=KEY, base_url=server.base_url, timeout=(2, 5)) as c:
        yield c


# --- headers ----------------------------------------------------------------------------------


def test_headers_auth_user_agent_org_project_and_retry_count(server):
    client = HTTPClient(
        api_key=KEY, base_url=server.base_url, organization="org-1", project="proj-1",
        default_headers={"X-Custom": "yes"},
    )
    data, headers = client.post_json(
        "/responses", BODY, extra_headers={"X-Extra": "1"}, extra_query={"api-version": "v"}
    )
    assert data["object"] == "response"
    assert headers["x-request-id"].startswith("req_")
    request = server.last_request
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["user-agent"] == USER_AGENT
    assert request.headers["openai-organization"] == "org-1"
    assert request.headers["openai-project"] == "proj-1"
    assert request.headers["x-custom"] == "yes"
    assert request.headers["x-extra"] == "1"
    assert request.headers["x-stainless-retry-count"] == "0"
    assert request.headers["content-type"] == "application/json"
    assert request.query == {"api-version": "v"}
    assert request.body == BODY


def test_no_key_sends_no_authorization(server):
    client = HTTPClient(base_url=server.base_url)
    client.post_json("/responses", BODY)
    assert "authorization" not in server.last_request.headers


def test_bad_base_url_is_a_user_error():
    with pytest.raises(UserError, match="http:// or https://"):
        HTTPClient(base_url="localhost:8000/v1")


def test_connections_are_reused(server, client):
    for _ in range(5):
        client.post_json("/responses", BODY)
        with client.post_stream("/responses", {**BODY, "stream": True}) as stream:
            assert list(stream)
    assert server.connections_accepted == 1


# --- typed errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, cls",
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, InternalServerError),
        (418, APIStatusError),
    ],
)
def test_status_maps_to_error_class(server, client, status, cls):
    server.add_response(Fault(status=status, should_retry=False))
    with pytest.raises(cls) as info:
        client.post_json("/responses", BODY)
    err = info.value
    assert type(err) is cls
    assert err.status_code == status
    assert err.request_id and err.request_id.startswith("req_")
    assert isinstance(err.body, dict) and "message" in err.body
    assert str(err).startswith(f"Error code: {status} - ")
    assert len(server.requests) == 1


def test_401_fails_fast_with_code(server, client):
    server.add_response(Fault(status=401))
    with pytest.raises(AuthenticationError) as info:
        client.post_json("/responses", BODY, retry=FAST)
    assert info.value.code == "invalid_api_key"
    assert info.value.type == "invalid_request_error"
    assert len(server.requests) == 1


def test_404_unknown_model(server, client):
    server.add_response(
        Fault(status=404, code="model_not_found", message="The model `nope` does not exist.")
    )
    with pytest.raises(NotFoundError, match="The model `nope` does not exist") as info:
        client.post_json("/responses", {**BODY, "model": "nope"}, retry=FAST)
    assert info.value.code == "model_not_found"
    assert len(server.requests) == 1


def test_400_with_param_error(server, client):
    server.add_response(
        Fault(status=400, param="temperature", code="invalid_value",
              message="Invalid 'temperature': decimal above maximum value.")
    )
    with pytest.raises(BadRequestError) as info:
        client.post_json("/responses", {**BODY, "temperature": 9}, retry=FAST)
    err = info.value
    assert err.param == "temperature"
    assert err.code == "invalid_value"
    assert err.body["param"] == "temperature"
    assert "temperature" in str(err)
    assert len(server.requests) == 1


def test_non_json_error_body_is_kept_as_text(server, client):
    server.add_response(Reply(502, headers={"x-should-retry": "false"}, body=b"<html>bad gateway</html>"))
    with pytest.raises(InternalServerError, match="bad gateway") as info:
        client.post_json("/responses", BODY)
    assert info.value.body == "<html>bad gateway</html>"


def test_success_with_non_json_body_is_a_model_behavior_error(server, client):
    server.add_response(Reply(200, body=b"not json at all"))
    with pytest.raises(ModelBehaviorError, match="not valid JSON"):
        client.post_json("/responses", BODY)


# --- retries ----------------------------------------------------------------------------------


def test_429_then_success_retries_once(server, client):
    server.add_response(Fault(status=429, retry_after=30))  # 30 s asked, capped to 0.01 s
    data, _ = client.post_json("/responses", BODY, retry=FAST)
    assert data["status"] == "completed"
    assert len(server.requests) == 2
    counts = [r.headers["x-stainless-retry-count"] for r in server.requests]
    assert counts == ["0", "1"]


def test_500_three_times_gives_up_after_max_retries(server, client):
    for _ in range(3):
        server.add_response(Fault(status=500))
    with pytest.raises(InternalServerError):
        client.post_json("/responses", BODY, retry=FAST)
    assert len(server.requests) == 3  # 1 + max_retries (2)
    assert [r.headers["x-stainless-retry-count"] for r in server.requests] == ["0", "1", "2"]


def test_max_retries_from_settings_overrides_client(server, client):
    for _ in range(6):
        server.add_response(Fault(status=503))
    settings = ModelRetrySettings(max_retries=4, initial_delay=0.001, max_delay=0.002)
    with pytest.raises(InternalServerError):
        client.post_json("/responses", BODY, retry=settings)
    assert len(server.requests) == 5


def test_client_max_retries_zero(server):
    client = HTTPClient(base_url=server.base_url, max_retries=0)
    server.add_response(Fault(status=500))
    with pytest.raises(InternalServerError):
        client.post_json("/responses", BODY)
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", [408, 409])
def test_408_and_409_are_retried(server, client, status):
    server.add_response(Fault(status=status))
    client.post_json("/responses", BODY, retry=FAST)
    assert len(server.requests) == 2


def test_x_should_retry_true_overrides_a_400(server, client):
    server.add_response(Fault(status=400, should_retry=True))
    data, _ = client.post_json("/responses", BODY, retry=FAST)
    assert data["status"] == "completed"
    assert len(server.requests) == 2


def test_x_should_retry_false_overrides_a_500(server, client):
    server.add_response(Fault(status=500, should_retry=False))
    with pytest.raises(InternalServerError):
        client.post_json("/responses", BODY, retry=FAST)
    assert len(server.requests) == 1


def test_retry_after_above_120s_is_not_retried(server, client):
    server.add_response(Fault(status=429, retry_after=500))
    with pytest.raises(RateLimitError):
        client.post_json("/responses", BODY, retry=FAST)
    assert len(server.requests) == 1


def test_retry_on_status_setting(server, client):
    server.add_response(Fault(status=429))
    only_503 = ModelRetrySettings(initial_delay=0.001, retry_on_status=(503,))
    with pytest.raises(RateLimitError):
        client.post_json("/responses", BODY, retry=only_503)
    assert len(server.requests) == 1


def test_retry_delay_honours_server_headers_capped():
    settings = ModelRetrySettings(max_retry_after=2.0, jitter=0.0)
    assert _retry_delay(0, {"retry-after-ms": "1500"}, settings) == pytest.approx(1.5)
    assert _retry_delay(0, {"retry-after": "1"}, settings) == pytest.approx(1.0)
    assert _retry_delay(0, {"retry-after": "90"}, settings) == pytest.approx(2.0)  # capped
    date = email.utils.formatdate(time.time() + 1.5, usegmt=True)
    assert 0.0 < _retry_delay(0, {"retry-after": date}, settings) <= 2.0
    # retry-after-ms wins over retry-after
    assert _retry_delay(0, {"retry-after-ms": "250", "retry-after": "9"}, settings) == 0.25


def test_retry_delay_exponential_backoff_with_jitter():
    settings = ModelRetrySettings(initial_delay=0.5, max_delay=8.0, jitter=0.0)
    assert [_retry_delay(n, {}, settings) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    jittered = ModelRetrySettings(initial_delay=1.0, max_delay=8.0, jitter=0.25)
    delays = [_retry_delay(0, None, jittered) for _ in range(200)]
    assert all(0.75 <= d <= 1.0 for d in delays)
    assert len(set(delays)) > 1
    # unparsable or non-positive server values fall back to backoff
    assert _retry_delay(1, {"retry-after": "soon"}, settings) == 1.0
    assert _retry_delay(1, {"retry-after": "0"}, settings) == 1.0


def test_retry_after_parsing():
    assert _retry_after_seconds({}) is None
    assert _retry_after_seconds({"retry-after": "garbage"}) is None
    assert _retry_after_seconds({"retry-after-ms": "x", "retry-after": "3"}) == 3.0


def test_should_retry_rules():
    s = ModelRetrySettings()
    assert _should_retry_status(429, {}, s)
    assert _should_retry_status(500, {}, s)
    assert not _should_retry_status(400, {}, s)
    assert not _should_retry_status(404, {}, s)
    assert _should_retry_status(404, {"x-should-retry": "true"}, s)
    assert not _should_retry_status(503, {"x-should-retry": "false"}, s)
    assert not _should_retry_status(429, {"retry-after": "121", "x-should-retry": "true"}, s)


# --- no response ------------------------------------------------------------------------------


def test_connection_refused_is_a_connection_error():
    client = HTTPClient(base_url=f"http://127.0.0.1:{free_port()}/v1", max_retries=1)
    with pytest.raises(APIConnectionError) as info:
        client.post_json("/responses", BODY, retry=FAST)
    assert not isinstance(info.value, APITimeoutError)
    assert "Connection error" in str(info.value)


def test_connection_refused_then_server_comes_back():
    port = free_port()
    server = LocalOpenAIServer(port=port)
    client = HTTPClient(base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)
    with pytest.raises(APIConnectionError):
        client.post_json("/responses", BODY)
    with server:
        data, _ = client.post_json("/responses", BODY)
    assert data["status"] == "completed"


def test_read_timeout_is_a_timeout_error_and_retried(server):
    client = HTTPClient(base_url=server.base_url, timeout=(2, 0.2), max_retries=1)
    server.add_response(Fault(delay=1.0))
    server.add_response(Fault(delay=1.0))
    with pytest.raises(APITimeoutError, match="timed out"):
        client.post_json("/responses", BODY, retry=FAST)
    assert len(server.requests) == 2


def test_read_timeout_then_success(server):
    client = HTTPClient(base_url=server.base_url, timeout=(2, 0.3), max_retries=1)
    server.add_response(Fault(delay=1.0))
    data, _ = client.post_json("/responses", BODY, retry=FAST)
    assert data["status"] == "completed"


def test_dropped_connection_is_retried(server, client):
    server.add_response(Fault(drop_connection=True))
    data, _ = client.post_json("/responses", BODY, retry=FAST)
    assert data["status"] == "completed"
    assert len(server.requests) == 2


def test_half_a_body_then_close_is_a_connection_error(server):
    client = HTTPClient(base_url=server.base_url, max_retries=0)
    server.add_response(Fault(cut_after_events=1))
    with pytest.raises(APIConnectionError):
        client.post_json("/responses", BODY)


# --- streams ----------------------------------------------------------------------------------


def test_stream_yields_named_events_and_request_id(server, client):
    with client.post_stream("/responses", {**BODY, "stream": True}) as stream:
        events = list(stream)
        assert stream.request_id.startswith("req_")
        assert stream.finished and not stream.truncated
    assert events[0].event == "response.created"
    assert events[-1].event == "response.completed"
    assert server.last_request.headers["accept"] == "text/event-stream"


def test_stream_errors_before_start_are_retried(server, client):
    server.add_response(Fault(status=503))
    with client.post_stream("/responses", {**BODY, "stream": True}, retry=FAST) as stream:
        assert list(stream)[-1].event == "response.completed"
    assert len(server.requests) == 2


def test_stream_cut_mid_way_is_not_retried(server, client):
    server.add_response(Fault(cut_after_events=4))
    received = []
    with pytest.raises(APIConnectionError):
        with client.post_stream("/responses", {**BODY, "stream": True}, retry=FAST) as stream:
            for event in stream:
                received.append(event)
    assert len(received) == 4
    assert len(server.requests) == 1


def test_stream_read_timeout_between_events(server):
    client = HTTPClient(base_url=server.base_url, timeout=(2, 0.2))
    server.add_response(Fault(event_delay=0.6))
    with pytest.raises(APITimeoutError):
        with client.post_stream("/responses", {**BODY, "stream": True}) as stream:
            list(stream)
    assert len(server.requests) == 1


def test_closing_a_stream_early_closes_the_connection(server, client):
    stream = client.post_stream("/responses", {**BODY, "stream": True})
    next(stream)
    stream.close()
    stream.close()  # idempotent
    assert list(stream) == []
    client.post_json("/responses", BODY)  # the client still works (a fresh connection)
    assert server.connections_accepted == 2


# --- secrets ----------------------------------------------------------------------------------


def test_api_key_never_appears_in_errors_reprs_or_logs(server, caplog):
    caplog.set_level(logging.DEBUG)
    client = HTTPClient(api_key=KEY, base_url=server.base_url, organization="org-x")
    assert KEY not in repr(client)
    # the server echoes the key back in the error message and a bearer token in the body
    server.add_response(Fault(status=401, message=f"Incorrect API key provided: {KEY}."))
    with pytest.raises(AuthenticationError) as info:
        client.post_json("/responses", BODY, retry=FAST)
    err = info.value
    for text in (str(err), repr(err), repr(err.body), err.message, repr(err.args)):
        assert KEY not in text
    assert "***" in str(err)
    # retries, timeouts and connection errors are logged / raised without the key
    server.add_response(Fault(status=500, message=f"Bearer {KEY} broke"))
    server.add_response(Fault(status=500, message=f"Bearer {KEY} broke"))
    server.add_response(Fault(status=500, message=f"Bearer {KEY} broke"))
    with pytest.raises(InternalServerError) as info2:
        client.post_json("/responses", BODY, retry=FAST)
    assert KEY not in str(info2.value)
    # a key placed in the query string (as some gateways want) is scrubbed from connection errors
    dead = HTTPClient(api_key=KEY, base_url=f"http://127.0.0.1:{free_port()}/v1", max_retries=1)
    with pytest.raises(APIConnectionError) as info3:
        dead.post_json("/responses", BODY, extra_query={"api-key": KEY}, retry=FAST)
    assert KEY not in str(info3.value) and KEY not in repr(info3.value)
    assert info3.value.__cause__ is None or KEY not in str(info3.value.__cause__)
    assert KEY not in caplog.text
    assert any("retry" in r.getMessage() for r in caplog.records)


def test_secret_in_custom_auth_header_is_redacted(server):
    client = HTTPClient(base_url=server.base_url, default_headers={"api-key": "azure-SECRET-xyz"})
    server.add_response(Fault(status=403, message="key azure-SECRET-xyz not allowed"))
    with pytest.raises(PermissionDeniedError) as info:
        client.post_json("/responses", BODY)
    assert "azure-SECRET-xyz" not in str(info.value)
    assert server.last_request.headers["api-key"] == "azure-SECRET-xyz"


# --- threads ----------------------------------------------------------------------------------


def test_one_client_shared_by_eight_threads(server, client):
    errors: list[BaseException] = []
    results: list[str] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        try:
            for i in range(10):
                body = {"model": "m", "input": [{"role": "user", "content": f"t{n}-{i}"}]}
                if i % 2:
                    with client.post_stream("/responses", {**body, "stream": True}) as stream:
                        events = list(stream)
                    text = events[-1].data
                else:
                    data, _ = client.post_json("/responses", body)
                    text = data["output"][0]["content"][0]["text"]
                with lock:
                    results.append(text)
                assert f"t{n}-{i}" in text
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len(results) == 80
    # one connection per thread at most (sessions are per thread, connections kept alive)
    assert server.connections_accepted <= 8


def test_close_then_reuse(server, client):
    client.post_json("/responses", BODY)
    client.close()
    data, _ = client.post_json("/responses", BODY)
    assert data["status"] == "completed"


def test_gzip_bodies_and_streams_are_decoded(server, client):
    import gzip
    import json

    body = gzip.compress(json.dumps({"ok": 1}).encode())
    server.add_response(Reply(200, headers={"content-encoding": "gzip",
                                            "content-type": "application/json"}, body=body))
    assert client.post_json("/responses", BODY)[0] == {"ok": 1}
    assert server.last_request.headers["accept-encoding"] == "gzip, deflate"
    frames = b'event: a\ndata: {"x": 1}\n\nevent: b\ndata: {"y": 2}\n\n'
    server.add_response(Reply(200, headers={"content-encoding": "gzip",
                                            "content-type": "text/event-stream"},
                              body=iter([gzip.compress(frames)])))
    with client.post_stream("/responses", BODY) as stream:
        assert [(e.event, e.data) for e in stream] == [("a", '{"x": 1}'), ("b", '{"y": 2}')]


def test_stream_request_answered_with_json(server, client):
    server.add_response(Reply(200, body={"error": {"message": "stream not allowed",
                                                   "type": "invalid_request_error"}}))
    with pytest.raises(BadRequestError, match="stream not allowed"):
        client.post_stream("/responses", BODY)
    server.add_response(Reply(200, body={"id": "resp_1", "object": "response"}))
    with pytest.raises(ModelBehaviorError, match="Asked for a stream"):
        client.post_stream("/responses", BODY)
