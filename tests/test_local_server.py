"""LocalOpenAIServer over real HTTP (requests / http.client / sseclient) and the network guard."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from typing import Any

import pytest
import requests
import sseclient

from agents_lite.testing.faults import Fault
from agents_lite.testing.netguard import NetworkBlockedError, block_network
from agents_lite.testing.replies import Reply, ScriptedResponse, sse_frame
from agents_lite.testing.scripted import (
    function_call,
    reasoning_item,
    refusal_message,
    text_message,
    usage_dict,
)
from agents_lite.testing.server import LocalOpenAIServer, RecordedRequest


@pytest.fixture
def server():
    with LocalOpenAIServer() as srv:
        yield srv


@pytest.fixture
def session():
    with requests.Session() as sess:
        yield sess


def post(session: requests.Session, server: LocalOpenAIServer, path: str, body: dict,
         **kwargs: Any) -> requests.Response:
    return session.post(server.base_url + path, json=body, timeout=10, **kwargs)


def responses_events(session, server, body) -> list[tuple[str, dict]]:
    """Stream a Responses request; (event name, parsed data) per frame."""
    resp = post(session, server, "/responses", {**body, "stream": True}, stream=True)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/event-stream")
    return [(e.event, json.loads(e.data)) for e in sseclient.SSEClient(resp).events()]


def chat_frames(session, server, body) -> list[str]:
    """Stream a Chat Completions request; the raw data of every frame."""
    resp = post(session, server, "/chat/completions", {**body, "stream": True}, stream=True)
    assert resp.status_code == 200
    return [e.data for e in sseclient.SSEClient(resp).events()]


# -- Responses API ---------------------------------------------------------------------------


def test_plain_response_echoes_last_user_message(server, session):
    resp = post(session, server, "/responses", {
        "model": "gpt-test", "instructions": "be brief",
        "input": [{"role": "user", "content": "first"},
                  {"role": "assistant", "content": "ignored"},
                  {"role": "user", "content": [{"type": "input_text", "text": "second"}]}],
    })
    assert resp.status_code == 200
    assert resp.headers["x-request-id"].startswith("req_")
    body = resp.json()
    assert body["id"].startswith("resp_")
    assert body["object"] == "response"
    assert body["status"] == "completed"
    assert body["model"] == "gpt-test"
    assert body["instructions"] == "be brief"
    [message] = body["output"]
    assert message["type"] == "message" and message["role"] == "assistant"
    assert message["content"][0]["text"] == "second"
    assert body["usage"]["total_tokens"] == (body["usage"]["input_tokens"]
                                             + body["usage"]["output_tokens"]) > 0


def test_default_reply_is_ok_without_user_text_and_can_be_fixed(session):
    with LocalOpenAIServer() as srv:
        body = post(session, srv, "/responses", {"input": []}).json()
        assert body["output"][0]["content"][0]["text"] == "ok"
    with LocalOpenAIServer(default_text="fixed") as srv:
        body = post(session, srv, "/responses", {"input": "hello"}).json()
        assert body["output"][0]["content"][0]["text"] == "fixed"
        assert body["model"] == "fake-model"


def test_request_ids_are_fresh_per_request(server, session):
    ids = {post(session, server, "/responses", {"input": "x"}).headers["x-request-id"]
           for _ in range(5)}
    assert len(ids) == 5


def test_streamed_text_turn_has_the_real_event_order(server, session):
    server.add_response(ScriptedResponse("hello big world", usage=usage_dict(7, 3)))
    events = responses_events(session, server, {"input": "hi"})
    names = [name for name, _ in events]
    assert names == [
        "response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added", "response.output_text.delta",
        "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
        "response.content_part.done", "response.output_item.done", "response.completed",
    ]
    assert all(data["type"] == name for name, data in events)
    assert [data["sequence_number"] for _, data in events] == list(range(len(events)))
    deltas = "".join(d["delta"] for n, d in events if n == "response.output_text.delta")
    assert deltas == "hello big world"
    completed = events[-1][1]["response"]
    assert completed["status"] == "completed"
    assert completed["output"][0]["content"][0]["text"] == "hello big world"
    assert completed["usage"] == usage_dict(7, 3)
    assert events[0][1]["response"]["id"] == completed["id"]


def test_streamed_tool_turn_has_the_real_event_order(server, session):
    call = function_call("get_weather", {"city": "Paris", "unit": "C"}, call_id="call_1")
    server.add_response([call])
    events = responses_events(session, server, {"input": "weather?"})
    names = [name for name, _ in events]
    n_deltas = names.count("response.function_call_arguments.delta")
    assert n_deltas >= 2
    assert names == (["response.created", "response.in_progress", "response.output_item.added"]
                     + ["response.function_call_arguments.delta"] * n_deltas
                     + ["response.function_call_arguments.done", "response.output_item.done",
                        "response.completed"])
    added = events[2][1]["item"]
    assert added["arguments"] == "" and added["name"] == "get_weather"
    args = "".join(d["delta"] for n, d in events if n == "response.function_call_arguments.delta")
    assert json.loads(args) == {"city": "Paris", "unit": "C"}
    final = events[-1][1]["response"]["output"]
    assert final == [call]
    assert [d["sequence_number"] for _, d in events] == list(range(len(events)))


def test_streamed_reasoning_and_refusal_items(server, session):
    server.add_response([reasoning_item("thinking hard"), refusal_message("no way")])
    names = [n for n, _ in responses_events(session, server, {"input": "x"})]
    assert "response.reasoning_summary_text.delta" in names
    assert "response.refusal.delta" in names and "response.refusal.done" in names
    assert names[-1] == "response.completed"


def test_streamed_responses_have_no_done_marker(server, session):
    resp = post(session, server, "/responses", {"input": "x", "stream": True}, stream=True)
    raw = resp.content.decode()
    assert "[DONE]" not in raw
    assert raw.rstrip().splitlines()[-2] == "event: response.completed"


def test_scripted_failed_and_incomplete_statuses(server, session):
    server.add_response(ScriptedResponse("partial", status="incomplete",
                                         incomplete_details={"reason": "max_output_tokens"}))
    body = post(session, server, "/responses", {"input": "x"}).json()
    assert body["status"] == "incomplete"
    assert body["incomplete_details"] == {"reason": "max_output_tokens"}
    server.add_response(ScriptedResponse([], status="failed",
                                         error={"code": "server_error", "message": "boom"}))
    name, data = responses_events(session, server, {"input": "x"})[-1]
    assert name == "response.failed"
    assert data["response"]["error"] == {"code": "server_error", "message": "boom"}


# -- Chat Completions --------------------------------------------------------------------------


def test_chat_plain_text_and_usage_mapping(server, session):
    server.add_response(ScriptedResponse(
        [text_message("line one"), text_message("line two")],
        usage=usage_dict(11, 5, cached_tokens=4, reasoning_tokens=2)))
    body = post(session, server, "/chat/completions",
                {"model": "m", "messages": [{"role": "user", "content": "q"}]}).json()
    assert body["id"].startswith("chatcmpl-")
    assert body["object"] == "chat.completion"
    [choice] = body["choices"]
    assert choice["finish_reason"] == "stop"
    assert choice["message"] == {"role": "assistant", "content": "line one\nline two",
                                 "refusal": None}
    assert body["usage"] == {
        "prompt_tokens": 11, "completion_tokens": 5, "total_tokens": 16,
        "prompt_tokens_details": {"cached_tokens": 4},
        "completion_tokens_details": {"reasoning_tokens": 2},
    }


def test_chat_plain_tool_calls_and_refusal(server, session):
    server.add_response([text_message("calling"), function_call("add", {"a": 1}, call_id="c1"),
                         function_call("mul", '{"b": 2}', call_id="c2")])
    message = post(session, server, "/chat/completions", {"messages": []}).json()["choices"][0]
    assert message["finish_reason"] == "tool_calls"
    assert message["message"]["content"] == "calling"
    assert message["message"]["tool_calls"] == [
        {"id": "c1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}},
        {"id": "c2", "type": "function", "function": {"name": "mul", "arguments": '{"b": 2}'}},
    ]
    server.add_response([refusal_message("I cannot")])
    message = post(session, server, "/chat/completions", {"messages": []}).json()["choices"][0]
    assert message["message"]["refusal"] == "I cannot"
    assert message["message"]["content"] is None
    assert "tool_calls" not in message["message"]


def test_chat_default_echo(server, session):
    body = post(session, server, "/chat/completions",
                {"messages": [{"role": "system", "content": "sys"},
                              {"role": "user", "content": [{"type": "text", "text": "echo me"}]}]})
    assert body.json()["choices"][0]["message"]["content"] == "echo me"


def test_chat_stream_tool_fragments_reassemble(server, session):
    args_a = {"query": "the weather in Paris today", "limit": 3}
    args_b = {"x": "y z"}
    server.add_response(ScriptedResponse(
        [text_message("let me look"), function_call("search", args_a, call_id="call_a"),
         function_call("other", args_b, call_id="call_b")],
        usage=usage_dict(20, 9)))
    frames = chat_frames(session, server, {"messages": [],
                                           "stream_options": {"include_usage": True}})
    assert frames[-1] == "[DONE]"
    chunks = [json.loads(f) for f in frames[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    content = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert content == "let me look"
    calls: dict[int, dict] = {}
    for c in chunks:
        for frag in (c["choices"][0]["delta"].get("tool_calls") or []) if c["choices"] else []:
            if frag["index"] not in calls:
                # The first fragment of a call carries id, type and name, with empty arguments.
                assert frag["id"] and frag["type"] == "function" and frag["function"]["name"]
                assert frag["function"]["arguments"] == ""
                calls[frag["index"]] = {"id": frag["id"], "name": frag["function"]["name"],
                                        "arguments": ""}
            else:
                assert "id" not in frag and "name" not in frag["function"]
                calls[frag["index"]]["arguments"] += frag["function"]["arguments"]
    assert calls[0]["id"] == "call_a" and calls[0]["name"] == "search"
    assert json.loads(calls[0]["arguments"]) == args_a
    assert calls[1]["id"] == "call_b" and json.loads(calls[1]["arguments"]) == args_b
    finish = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert [c["choices"][0]["finish_reason"] for c in finish] == ["tool_calls"]
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"]["prompt_tokens"] == 20
    assert usage_chunk["usage"]["completion_tokens"] == 9
    assert all(c["usage"] is None for c in chunks[:-1])


def test_chat_stream_without_include_usage(server, session):
    server.add_response("a b c")
    frames = chat_frames(session, server, {"messages": []})
    chunks = [json.loads(f) for f in frames[:-1]]
    assert frames[-1] == "[DONE]"
    assert all(c["choices"] for c in chunks)
    assert all("usage" not in c for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == "a b c"


def test_chat_stream_incomplete_maps_to_length(server, session):
    server.add_response(ScriptedResponse("cut", status="incomplete",
                                         incomplete_details={"reason": "max_output_tokens"}))
    chunks = [json.loads(f) for f in chat_frames(session, server, {"messages": []})[:-1]]
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"


# -- scripting ---------------------------------------------------------------------------------


def test_fifo_queue_serves_both_apis_in_order(server, session):
    server.add_responses("one", [text_message("two")], ScriptedResponse("three"))
    assert server.pending == 3
    first = post(session, server, "/responses", {"input": "x"}).json()
    second = post(session, server, "/chat/completions", {"messages": []}).json()
    third = responses_events(session, server, {"input": "x"})
    assert first["output"][0]["content"][0]["text"] == "one"
    assert second["choices"][0]["message"]["content"] == "two"
    assert third[-1][1]["response"]["output"][0]["content"][0]["text"] == "three"
    assert server.pending == 0
    fourth = post(session, server, "/responses", {"input": "default now"}).json()
    assert fourth["output"][0]["content"][0]["text"] == "default now"


def test_scripted_ids_model_and_headers(server, session):
    server.add_response(ScriptedResponse("x", response_id="resp_fixed", model="other-model",
                                         headers={"x-custom": "1"}))
    resp = post(session, server, "/responses", {"model": "m", "input": "x"})
    assert resp.headers["x-custom"] == "1"
    assert resp.json()["id"] == "resp_fixed" and resp.json()["model"] == "other-model"


def test_add_response_rejects_bad_replies_early(server):
    with pytest.raises(TypeError):
        server.add_response(42)
    with pytest.raises(TypeError):
        server.add_response(["not an item"])
    with pytest.raises(ValueError):
        Fault(terminal="exploded")


def test_responder_answers_when_queue_is_empty(server, session):
    seen: list[RecordedRequest] = []

    def responder(request: RecordedRequest):
        seen.append(request)
        if request.path.endswith("/chat/completions"):
            return None  # falls back to the default reply
        return [function_call("tool", {"n": len(seen)})]

    server.set_responder(responder)
    server.add_response("queued first")
    assert post(session, server, "/responses", {"input": "a"}).json()["output"][0][
        "content"][0]["text"] == "queued first"
    body = post(session, server, "/responses", {"input": "b"}).json()
    assert body["output"][0]["type"] == "function_call"
    assert json.loads(body["output"][0]["arguments"]) == {"n": 1}
    chat = post(session, server, "/chat/completions",
                {"messages": [{"role": "user", "content": "echo"}]}).json()
    assert chat["choices"][0]["message"]["content"] == "echo"
    assert [r.body.get("input", None) for r in seen] == ["b", None]
    server.set_responder(None)
    assert post(session, server, "/responses", {"input": "c"}).json()["output"][0][
        "content"][0]["text"] == "c"


def test_broken_responder_gives_500_and_is_recorded(server, session):
    server.set_responder(lambda request: 1 / 0)
    resp = post(session, server, "/responses", {"input": "x"})
    assert resp.status_code == 500
    assert "ZeroDivisionError" in resp.json()["error"]["message"]
    assert isinstance(server.errors[0], ZeroDivisionError)
    # The server keeps serving.
    server.set_responder(None)
    assert post(session, server, "/responses", {"input": "x"}).status_code == 200


def test_unencodable_route_reply_gives_500(server, session):
    server.add_route("GET", "/v1/weird", lambda request: {"value": object()})
    resp = session.get(server.base_url + "/weird")
    assert resp.status_code == 500
    assert "Unencodable" in resp.json()["error"]["message"]
    assert isinstance(server.errors[0], TypeError)
    assert session.get(server.base_url + "/models").status_code == 200


# -- recording ---------------------------------------------------------------------------------


def test_requests_are_recorded_with_body_headers_and_query(server, session):
    post(session, server, "/responses?api-version=2&x=1", {"model": "m", "input": "hi"},
         headers={"Authorization": "Bearer sk-test", "X-Custom-Thing": "v"})
    responses_events(session, server, {"input": "streamed"})
    chat_frames(session, server, {"messages": [{"role": "user", "content": "c"}]})
    session.post(server.base_url + "/traces/ingest", data=b"not json at all",
                 headers={"Content-Type": "text/plain"})
    recorded = server.requests
    assert [r.path for r in recorded] == ["/v1/responses", "/v1/responses",
                                          "/v1/chat/completions", "/v1/traces/ingest"]
    first = recorded[0]
    assert first.method == "POST"
    assert first.body == {"model": "m", "input": "hi"}
    assert first.query == {"api-version": "2", "x": "1"}
    assert first.headers["authorization"] == "Bearer sk-test"
    assert first.headers["AUTHORIZATION"] == "Bearer sk-test"
    assert first.headers.get("x-CUSTOM-thing") == "v"
    assert "Content-Type" in first.headers
    assert recorded[1].body["stream"] is True and recorded[1].stream
    assert recorded[3].body == b"not json at all"
    assert len(server.requests_to("/v1/responses")) == 2
    assert server.last_request is recorded[3]
    server.clear()
    assert server.requests == [] and server.last_request is None


def test_chunked_request_body_is_read(server, session):
    def gen():
        yield b'{"input": '
        yield b'"chunked hello"}'

    resp = session.post(server.base_url + "/responses", data=gen(),
                        headers={"Content-Type": "application/json"})
    assert resp.json()["output"][0]["content"][0]["text"] == "chunked hello"
    assert server.last_request.body == {"input": "chunked hello"}


def test_invalid_json_body_is_a_400(server, session):
    resp = session.post(server.base_url + "/responses", data=b"{broken",
                        headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["error"]["type"] == "invalid_request_error"
    assert server.last_request.body == b"{broken"


def test_trace_ingest_is_accepted_and_recorded(server, session):
    payload = {"data": [{"object": "trace", "id": "trace_1"},
                        {"object": "trace.span", "id": "span_1"}]}
    resp = session.post(server.base_url + "/traces/ingest", json=payload,
                        headers={"OpenAI-Beta": "traces=v1"})
    assert resp.status_code == 200 and resp.json() == {}
    assert [i["id"] for i in server.trace_ingest_items()] == ["trace_1", "span_1"]
    assert server.requests_to("/v1/traces/ingest")[0].headers["openai-beta"] == "traces=v1"


# -- faults ------------------------------------------------------------------------------------


def test_fault_http_error_with_retry_headers(server, session):
    server.add_response(Fault(status=429, retry_after=2, retry_after_ms=1500,
                              should_retry=True, headers={"x-ratelimit-remaining-requests": "0"}))
    server.add_response(Fault.http_error(500))
    server.add_response(Fault(status=400, message="bad field", code="invalid_value",
                              param="input", error_type="invalid_request_error",
                              should_retry=False))
    first = post(session, server, "/responses", {"input": "x"})
    assert first.status_code == 429
    assert first.headers["retry-after"] == "2"
    assert first.headers["retry-after-ms"] == "1500"
    assert first.headers["x-should-retry"] == "true"
    assert first.headers["x-ratelimit-remaining-requests"] == "0"
    assert first.headers["x-request-id"].startswith("req_")
    assert first.json()["error"]["code"] == "rate_limit_exceeded"
    assert set(first.json()["error"]) == {"message", "type", "param", "code"}
    second = post(session, server, "/chat/completions", {"messages": []})
    assert second.status_code == 500 and second.json()["error"]["type"] == "server_error"
    third = post(session, server, "/responses", {"input": "x", "stream": True})
    assert third.status_code == 400
    assert third.headers["x-should-retry"] == "false"
    assert third.json() == {"error": {"message": "bad field", "type": "invalid_request_error",
                                      "param": "input", "code": "invalid_value"}}
    # The queue moves on: the next request succeeds.
    assert post(session, server, "/responses", {"input": "x"}).status_code == 200


def test_fault_delay_triggers_client_read_timeout(server, session):
    server.add_response(Fault(delay=2.0, reply="slow"))
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.post(server.base_url + "/responses", json={"input": "x"}, timeout=0.2)


def test_server_latency_applies_to_model_requests(session):
    with LocalOpenAIServer(latency=2.0) as srv:
        with pytest.raises(requests.exceptions.ReadTimeout):
            session.post(srv.base_url + "/chat/completions", json={"messages": []}, timeout=0.2)
        srv.latency = 0.0
        with requests.Session() as fresh:
            assert fresh.post(srv.base_url + "/chat/completions", json={"messages": []},
                              timeout=5).status_code == 200


def test_fault_event_delay_stalls_between_frames(server, session):
    server.add_response(Fault(event_delay=2.0, reply="a b"))
    resp = session.post(server.base_url + "/responses", json={"input": "x", "stream": True},
                        stream=True, timeout=(5, 0.3))
    assert resp.status_code == 200  # headers arrive at once, frames wait
    with pytest.raises(requests.exceptions.ConnectionError):
        for _ in resp.iter_content(None):
            pass
    # Without the fault the same read timeout is plenty.
    resp = session.post(server.base_url + "/responses", json={"input": "x", "stream": True},
                        stream=True, timeout=(5, 0.3))
    assert b"response.completed" in resp.content


def _events_until_break(resp) -> tuple[list[Any], BaseException | None]:
    events: list[Any] = []
    try:
        for event in sseclient.SSEClient(resp).events():
            events.append(event)
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError) as exc:
        return events, exc
    return events, None


@pytest.mark.parametrize("reset", [False, True])
def test_fault_cut_stream_after_n_events(server, session, reset):
    server.add_response(Fault(cut_after_events=4, reset=reset, reply="one two three four five"))
    resp = post(session, server, "/responses", {"input": "x", "stream": True}, stream=True)
    events, error = _events_until_break(resp)
    assert error is not None
    assert [e.event for e in events] == ["response.created", "response.in_progress",
                                         "response.output_item.added",
                                         "response.content_part.added"]
    # A fresh connection works afterwards.
    assert post(session, server, "/responses", {"input": "after"}).json()["output"][0][
        "content"][0]["text"] == "after"


def test_fault_cut_chat_stream_has_no_done(server, session):
    server.add_response(Fault(cut_after_events=2, reply="a b c d"))
    resp = post(session, server, "/chat/completions", {"messages": [], "stream": True},
                stream=True)
    events, error = _events_until_break(resp)
    assert error is not None
    assert len(events) == 2 and all(e.data != "[DONE]" for e in events)


def test_fault_cut_plain_response_sends_half_a_body(server, session):
    server.add_response(Fault(cut_after_events=0))
    with pytest.raises(requests.exceptions.RequestException):
        post(session, server, "/responses", {"input": "x"}).json()


def test_fault_drop_connection_without_response(server, session):
    server.add_response(Fault(drop_connection=True))
    with pytest.raises(requests.exceptions.ConnectionError):
        post(session, server, "/responses", {"input": "x"})
    assert len(server.requests) == 1  # the request was read and recorded
    assert post(session, server, "/responses", {"input": "y"}).status_code == 200


def test_fault_malformed_json_mid_stream(server, session):
    server.add_response(Fault.malformed_json(after=3, reply="hello there"))
    events = list(sseclient.SSEClient(
        post(session, server, "/responses", {"input": "x", "stream": True}, stream=True)).events())
    bad = events[3]
    with pytest.raises(json.JSONDecodeError):
        json.loads(bad.data)
    assert [json.loads(e.data)["sequence_number"] for e in events if e is not bad] == list(
        range(len(events) - 1))
    assert events[-1].event == "response.completed"


def test_fault_bad_framing_merges_frames(server, session):
    server.add_response(Fault.bad_framing(after=2, reply="hello"))
    resp = post(session, server, "/responses", {"input": "x", "stream": True}, stream=True)
    raw = resp.content.decode()
    assert "this line is not server-sent events\n" in raw
    events = list(sseclient.SSEClient(
        post(session, server, "/responses", {"input": "x", "stream": True}, stream=True)).events())
    assert events  # the default reply streamed fine after the fault was used
    # Parse the faulty stream frame by frame: one frame holds two data lines -> invalid JSON.
    frames = [f for f in raw.split("\n\n") if f.strip()]
    merged = [f for f in frames if f.count("data:") > 1]
    assert len(merged) == 1
    data = "\n".join(line[5:].strip() for line in merged[0].splitlines()
                     if line.startswith("data:"))
    with pytest.raises(json.JSONDecodeError):
        json.loads(data)


def test_fault_unknown_event_type_is_well_formed(server, session):
    server.add_response(Fault.unknown_event(after=2, event_type="response.brand_new.delta",
                                            reply="hi"))
    events = responses_events(session, server, {"input": "x"})
    assert events[2][0] == "response.brand_new.delta"
    assert events[2][1]["type"] == "response.brand_new.delta"
    assert [d["sequence_number"] for _, d in events] == list(range(len(events)))
    assert events[-1][0] == "response.completed"


def test_fault_inject_into_chat_stream(server, session):
    server.add_response(Fault(inject=[(1, "data: {not json\n\n"), (99, {"odd": True})],
                              reply="x"))
    frames = chat_frames(session, server, {"messages": []})
    assert frames[1] == "{not json"
    assert json.loads(frames[-2]) == {"odd": True}
    assert frames[-1] == "[DONE]"


@pytest.mark.parametrize("terminal", ["failed", "incomplete", "error"])
def test_fault_responses_terminal_events(server, session, terminal):
    server.add_response(Fault(terminal=terminal, message="went wrong", code="server_error",
                              reply="some text"))
    events = responses_events(session, server, {"input": "x"})
    name, data = events[-1]
    assert "response.completed" not in [n for n, _ in events]
    assert [d["sequence_number"] for _, d in events] == list(range(len(events)))
    if terminal == "failed":
        assert name == "response.failed"
        assert data["response"]["status"] == "failed"
        assert data["response"]["error"] == {"code": "server_error", "message": "went wrong"}
    elif terminal == "incomplete":
        assert name == "response.incomplete"
        assert data["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    else:
        assert name == "error" and data["type"] == "error"
        assert data["message"] == "went wrong" and data["code"] == "server_error"


def test_fault_terminal_on_plain_requests(server, session):
    server.add_response(Fault(terminal="failed", reply="x"))
    assert post(session, server, "/responses", {"input": "x"}).json()["status"] == "failed"
    server.add_response(Fault(terminal="incomplete", incomplete_reason="content_filter"))
    body = post(session, server, "/responses", {"input": "x"}).json()
    assert body["incomplete_details"] == {"reason": "content_filter"}
    server.add_response(Fault(terminal="error"))
    assert post(session, server, "/responses", {"input": "x"}).status_code == 500
    server.add_response(Fault(terminal="incomplete"))
    chat = post(session, server, "/chat/completions", {"messages": []}).json()
    assert chat["choices"][0]["finish_reason"] == "length"


def test_fault_chat_stream_error_frame(server, session):
    server.add_response(Fault(terminal="error", message="overloaded", reply="a b"))
    frames = chat_frames(session, server, {"messages": []})
    assert "[DONE]" not in frames
    assert json.loads(frames[-1])["error"]["message"] == "overloaded"
    chunks = [json.loads(f) for f in frames[:-1]]
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks)


def test_fault_empty_choices(server, session):
    server.add_response(Fault(empty_choices=True))
    assert post(session, server, "/chat/completions", {"messages": []}).json()["choices"] == []
    server.add_response(Fault(empty_choices=True))
    frames = chat_frames(session, server, {"messages": []})
    assert frames[-1] == "[DONE]"
    assert all(json.loads(f)["choices"] == [] for f in frames[:-1])
    server.add_response(Fault(empty_choices=True))
    assert post(session, server, "/responses", {"input": "x"}).json()["output"] == []


def test_fault_for_a_non_model_path(server, session):
    server.add_response(Fault(status=503, retry_after=1), path="/v1/traces/ingest")
    server.add_response(Fault(drop_connection=True), path="/v1/traces/ingest")
    url = server.base_url + "/traces/ingest"
    assert session.post(url, json={"data": []}).status_code == 503
    with pytest.raises(requests.exceptions.ConnectionError):
        session.post(url, json={"data": []})
    assert session.post(url, json={"data": []}).status_code == 200
    # Model requests were not affected by the path queue.
    assert post(session, server, "/responses", {"input": "fine"}).status_code == 200


# -- connections and concurrency -----------------------------------------------------------


def test_keep_alive_reuses_one_connection(server, session):
    for i in range(30):
        post(session, server, "/responses", {"input": str(i)}).json()
        responses_events(session, server, {"input": str(i)})
        chat_frames(session, server, {"messages": []})
    assert server.connections_accepted == 1
    assert len(server.requests) == 90


def test_http_client_keep_alive_and_single_response(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    for i in range(20):
        conn.request("POST", "/v1/responses", body=json.dumps({"input": f"n{i}"}),
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        assert resp.status == 200
        assert json.loads(resp.read())["output"][0]["content"][0]["text"] == f"n{i}"
    conn.close()
    assert server.connections_accepted == 1


def test_connection_close_is_honoured(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("POST", "/v1/responses", body=b'{"input": "x"}',
                 headers={"Content-Type": "application/json", "Connection": "close"})
    resp = conn.getresponse()
    assert resp.getheader("connection") == "close"
    resp.read()
    conn.close()


def test_concurrent_requests_from_eight_threads(server):
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            with requests.Session() as sess:
                for i in range(15):
                    text = f"thread {n} request {i}"
                    if i % 3 == 0:
                        events = responses_events(sess, server, {"input": text})
                        got = events[-1][1]["response"]["output"][0]["content"][0]["text"]
                    elif i % 3 == 1:
                        got = post(sess, server, "/chat/completions", {
                            "messages": [{"role": "user", "content": text}]}).json()[
                            "choices"][0]["message"]["content"]
                    else:
                        got = post(sess, server, "/responses", {"input": text}).json()[
                            "output"][0]["content"][0]["text"]
                    assert got == text
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(server.requests) == 8 * 15


def test_concurrent_fifo_hands_each_reply_out_once(server):
    server.add_responses(*[f"reply {i}" for i in range(40)])
    got: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        with requests.Session() as sess:
            for _ in range(5):
                text = post(sess, server, "/responses", {"input": "x"}).json()["output"][0][
                    "content"][0]["text"]
                with lock:
                    got.append(text)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(got) == sorted(f"reply {i}" for i in range(40))


# -- routes, 404, lifecycle ----------------------------------------------------------------


def test_add_route_extension_point(server, session):
    def conversations(request: RecordedRequest):
        if request.method == "POST":
            return Reply(201, headers={"X-Thing": "yes"},
                         body={"id": "conv_1", "object": "conversation"})
        return {"path": request.path, "query": request.query}

    server.add_route("*", "/v1/conversations", conversations)
    created = session.post(server.base_url + "/conversations", json={})
    assert created.status_code == 201 and created.headers["x-thing"] == "yes"
    assert created.json()["id"] == "conv_1"
    listed = session.get(server.base_url + "/conversations/conv_1/items?limit=5").json()
    assert listed == {"path": "/v1/conversations/conv_1/items", "query": {"limit": "5"}}
    # A prefix only matches whole path segments.
    assert session.get(server.base_url + "/conversationsX").status_code == 404


def test_add_route_streams_frames_and_raw_bytes(server, session):
    def speech(request: RecordedRequest):
        return Reply(headers={"Content-Type": "audio/pcm"},
                     body=iter([b"\x00\x01" * 10, b"\x02\x03" * 10]))

    def events(request: RecordedRequest):
        return Reply(body=iter([sse_frame({"n": 1}, event="tick"), {"n": 2}]))

    server.add_route("POST", "/v1/audio/speech", speech)
    server.add_route("GET", "/v1/ticks", events)
    audio = session.post(server.base_url + "/audio/speech", json={"input": "hi"})
    assert audio.headers["content-type"] == "audio/pcm"
    assert audio.content == b"\x00\x01" * 10 + b"\x02\x03" * 10
    got = list(sseclient.SSEClient(session.get(server.base_url + "/ticks", stream=True)).events())
    assert [(e.event, json.loads(e.data)) for e in got] == [("tick", {"n": 1}),
                                                            ("message", {"n": 2})]


def test_route_wrong_method_is_405_and_replacing_a_route(server, session):
    assert session.get(server.base_url + "/responses").status_code == 405
    server.add_route("POST", "/v1/responses", lambda request: {"replaced": True})
    assert post(session, server, "/responses", {"input": "x"}).json() == {"replaced": True}


def test_models_endpoint(server, session):
    body = session.get(server.base_url + "/models").json()
    assert body["object"] == "list" and body["data"][0]["id"] == "fake-model"


def test_unknown_path_is_404_with_openai_error(server, session):
    resp = session.post(server.base_url + "/does/not/exist", json={})
    assert resp.status_code == 404
    error = resp.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert "/v1/does/not/exist" in error["message"]
    assert session.get(server.url + "/").status_code == 404


def test_http_1_0_stream_is_not_chunked_and_closes(server):
    body = b'{"input": "old client", "stream": true}'
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"POST /v1/responses HTTP/1.0\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%b" % (len(body), body))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    assert b"transfer-encoding" not in head.lower()
    assert b"connection: close" in head.lower()
    assert payload.startswith(b"event: response.created\n")
    assert payload.rstrip().split(b"\n")[-2] == b"event: response.completed"


def test_expect_100_continue(server):
    body = b'{"input": "patient"}'
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"POST /v1/responses HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                     b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                     % len(body))
        assert sock.recv(4096).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 200 OK")
    assert b'"text":"patient"' in reply


def test_garbage_request_gets_400(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"NOT-HTTP\r\n\r\n")
        data = sock.recv(4096)
    assert data.startswith(b"HTTP/1.1 400 ")


def test_stop_releases_the_port_and_start_rebinds_it(session):
    srv = LocalOpenAIServer().start()
    port = srv.port
    assert srv.base_url == f"http://127.0.0.1:{port}/v1"
    assert post(session, srv, "/responses", {"input": "x"}).status_code == 200
    srv.stop()
    srv.stop()  # idempotent
    assert not srv.running
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(srv.base_url + "/responses", json={"input": "x"}, timeout=5)
    probe = socket.socket()
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    probe.bind(("127.0.0.1", port))  # would raise EADDRINUSE if the server still held it
    probe.close()
    srv.start()
    try:
        assert srv.port == port
        with requests.Session() as fresh:
            assert post(fresh, srv, "/responses", {"input": "back"}).status_code == 200
    finally:
        srv.close()


def test_port_is_unknown_before_start():
    srv = LocalOpenAIServer()
    with pytest.raises(RuntimeError):
        srv.base_url  # noqa: B018


def test_run_as_a_process_with_script(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(json.dumps([
        "scripted first",
        {"output": [function_call("lookup", {"q": 1}, call_id="call_9")]},
        {"fault": {"status": 429, "retry_after": 1}},
    ]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "agents_lite.testing.server", "--port", "0", "--script",
         str(script), "--text", "from cli"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert "listening on http://127.0.0.1:" in line, proc.stderr.read()  # type: ignore[union-attr]
        base_url = line.split()[3]
        with requests.Session() as sess:
            def text_of(body: dict) -> str:
                return body["output"][0]["content"][0]["text"]

            assert text_of(sess.post(base_url + "/responses", json={"input": "a"}).json()) == \
                "scripted first"
            call = sess.post(base_url + "/responses", json={"input": "a"}).json()["output"][0]
            assert call["call_id"] == "call_9"
            assert sess.post(base_url + "/responses", json={"input": "a"}).status_code == 429
            assert text_of(sess.post(base_url + "/responses", json={"input": "a"}).json()) == \
                "from cli"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
    assert proc.returncode == 0


# -- network guard -----------------------------------------------------------------------------


@pytest.mark.allow_network  # tests the guard itself, from an unguarded start
def test_netguard_blocks_non_local_hosts(server):
    with block_network():
        with pytest.raises(NetworkBlockedError) as info:
            socket.create_connection(("203.0.113.1", 80), timeout=1)
        assert info.value.host == "203.0.113.1" and info.value.port == 80
        with pytest.raises(NetworkBlockedError):
            socket.socket().connect(("203.0.113.1", 443))
        with pytest.raises(NetworkBlockedError):
            socket.socket().connect_ex(("203.0.113.1", 443))
        with pytest.raises(NetworkBlockedError, match="api.openai.com"):
            requests.get("https://api.openai.com/v1/models", timeout=2)
        with pytest.raises(NetworkBlockedError):
            socket.getaddrinfo("api.openai.com", 443)
        # Local traffic still flows, by address and by name.
        assert requests.post(server.base_url + "/responses", json={"input": "x"},
                             timeout=5).status_code == 200
        assert requests.post(f"http://localhost:{server.port}/v1/responses",
                             json={"input": "x"}, timeout=5).status_code == 200
    assert not isinstance(NetworkBlockedError("h"), OSError)


@pytest.mark.allow_network  # tests the guard itself, from an unguarded start
def test_netguard_restores_socket_functions_and_nests():
    originals = (socket.getaddrinfo, socket.create_connection, socket.socket.connect,
                 socket.socket.connect_ex)
    outer = block_network(allow_hosts=("127.0.0.1", "localhost", "::1", "203.0.113.0/24"))
    with outer:
        assert outer.allows("203.0.113.7") and not outer.allows("198.51.100.1")
        with block_network():  # stricter inner guard wins while active
            with pytest.raises(NetworkBlockedError):
                socket.socket().connect_ex(("203.0.113.7", 9))
        assert socket.getaddrinfo is not originals[0]
    assert (socket.getaddrinfo, socket.create_connection, socket.socket.connect,
            socket.socket.connect_ex) == originals


@pytest.mark.allow_network  # tests the guard itself, from an unguarded start
def test_netguard_allows_unix_sockets(tmp_path):
    path = str(tmp_path / "s.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    try:
        with block_network(allow_hosts=()):
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.connect(path)
            client.close()
    finally:
        listener.close()


def test_network_guard_fixture_in_a_conftest(tmp_path):
    (tmp_path / "conftest.py").write_text(
        "from agents_lite.testing.netguard import network_guard_fixture\n"
        "network_guard = network_guard_fixture()\n"
    )
    (tmp_path / "test_guarded.py").write_text(
        "import socket, pytest\n"
        "from agents_lite.testing.netguard import NetworkBlockedError\n"
        "def test_blocked(network_guard):\n"
        "    assert network_guard is not None\n"
        "    with pytest.raises(NetworkBlockedError):\n"
        "        socket.create_connection(('203.0.113.1', 80), timeout=1)\n"
        "@pytest.mark.allow_network\n"
        "def test_opted_out(network_guard):\n"
        "    assert network_guard is None\n"
        "    assert 'guarded' not in socket.socket.connect.__qualname__\n"
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W",
         "ignore::pytest.PytestUnknownMarkWarning", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )
    assert "2 passed" in result.stdout, result.stdout + result.stderr
