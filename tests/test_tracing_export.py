"""Exporters and the batch processor against real HTTP endpoints on 127.0.0.1: the local
OpenAI server's trace ingest and an OTLP collector route; plus every bad input of the issue."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import logging
import math
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from test_tracing_support import recording

from agents_lite import Agent, RunConfig, Runner, function_tool
from agents_lite.testing.fake_model import FakeModel
from agents_lite.testing.faults import Fault
from agents_lite.testing.scripted import function_call
from agents_lite.testing.server import LocalOpenAIServer, RecordedRequest, Reply
from agents_lite.tracing import (
    BackendSpanExporter,
    BatchTraceProcessor,
    ConsoleSpanExporter,
    FileSpanExporter,
    OTLPSpanExporter,
    TracingExporter,
    custom_span,
    flush_traces,
    function_span,
    generation_span,
    get_trace_provider,
    trace,
)

from conftest import free_port, require

INGEST = "/v1/traces/ingest"


@pytest.fixture
def server() -> Iterator[LocalOpenAIServer]:
    with LocalOpenAIServer() as local:
        yield local


def backend(server: LocalOpenAIServer, **kwargs: Any) -> BackendSpanExporter:
    kwargs.setdefault("api_key", "sk-trace-test")
    kwargs.setdefault("base_delay", 0.01)
    return BackendSpanExporter(endpoint=server.base_url + "/traces/ingest", **kwargs)


def run_once(name: str = "A", output: Any = "done", **kwargs: Any) -> Any:
    return Runner.run_sync(Agent(name=name, model=FakeModel([output])), "hello", **kwargs)


def ingest_bodies(server: LocalOpenAIServer) -> list[dict[str, Any]]:
    return [r.body for r in server.requests_to(INGEST)]


# --- the OpenAI ingest ------------------------------------------------------------------------


def test_backend_exporter_posts_the_ingest_payload_with_headers(server: LocalOpenAIServer) -> None:
    exporter = backend(server, organization="org-1", project="proj-1")
    processor = BatchTraceProcessor(exporter, schedule_delay=60)
    with recording(processor) as collector:
        run_once()
        processor.force_flush()
    (request,) = server.requests_to(INGEST)
    assert request.headers["authorization"] == "Bearer sk-trace-test"
    assert request.headers["openai-beta"] == "traces=v1"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["openai-organization"] == "org-1"
    assert request.headers["openai-project"] == "proj-1"
    data = request.body["data"]
    (run_trace,) = collector.traces
    assert data[0] == run_trace.export()
    spans = data[1:]
    assert [s["object"] for s in spans] == ["trace.span"] * 4
    assert {s["id"] for s in spans} == {s.span_id for s in collector.spans}
    assert {s["trace_id"] for s in spans} == {run_trace.trace_id}
    generation = next(s for s in spans if s["span_data"]["type"] == "generation")
    assert generation["span_data"]["usage"] is not None
    assert generation["span_data"]["input"] == [{"role": "user", "content": "hello"}]
    assert all("usage" not in s["span_data"] for s in spans if s["span_data"]["type"] != "generation")
    assert exporter.requests_sent == 1 and processor.exported == 5


def test_items_are_posted_once_per_api_key(server: LocalOpenAIServer) -> None:
    exporter = backend(server)
    processor = BatchTraceProcessor(exporter, schedule_delay=60)
    with recording(processor):
        run_once(run_config=RunConfig(tracing={"api_key": "sk-team-a"}))
        run_once(run_config=RunConfig(tracing={"api_key": "sk-team-b"}))
        run_once()
        processor.force_flush()
    by_key = {r.headers["authorization"]: r.body["data"] for r in server.requests_to(INGEST)}
    assert sorted(by_key) == ["Bearer sk-team-a", "Bearer sk-team-b", "Bearer sk-trace-test"]
    assert all(len(items) == 5 for items in by_key.values())
    assert len({items[0]["id"] for items in by_key.values()}) == 3


def test_server_errors_are_retried_with_backoff_until_accepted(server: LocalOpenAIServer) -> None:
    server.add_response(Fault(status=500), path=INGEST)
    server.add_response(Fault(status=503), path=INGEST)
    exporter = backend(server)
    processor = BatchTraceProcessor(exporter, schedule_delay=60)
    with recording(processor):
        result = run_once()
        processor.force_flush()
    assert result.final_output == "done"
    bodies = ingest_bodies(server)
    assert len(bodies) == 3 and bodies[0] == bodies[2]  # the same batch, sent again
    assert exporter.requests_sent == 1 and exporter.batches_dropped == 0


def test_server_errors_give_up_after_max_retries(server: LocalOpenAIServer) -> None:
    for _ in range(3):
        server.add_response(Fault(status=500), path=INGEST)
    exporter = backend(server, max_retries=3)
    processor = BatchTraceProcessor(exporter, schedule_delay=60)
    with recording(processor):
        assert run_once().final_output == "done"
        processor.force_flush()
    assert len(server.requests_to(INGEST)) == 3
    assert exporter.batches_dropped == 1 and exporter.requests_sent == 0
    assert processor.export_errors == 0  # a dropped batch is not an exporter crash


def test_client_errors_drop_the_batch_without_retry_and_warn_once(
    server: LocalOpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.add_response(Fault(status=400, message="bad span"), path=INGEST)
    server.add_response(Fault(status=400, message="bad span"), path=INGEST)
    exporter = backend(server)
    processor = BatchTraceProcessor(exporter, schedule_delay=60)
    with caplog.at_level(logging.DEBUG, logger="agents_lite.tracing"), recording(processor):
        run_once()
        processor.force_flush()
        run_once()
        processor.force_flush()
    assert len(server.requests_to(INGEST)) == 2  # one each, no retries
    assert exporter.batches_dropped == 2
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and "HTTP 400" in r.getMessage()]
    assert len(warnings) == 1 and "bad span" in warnings[0].getMessage()
    assert "sk-trace-test" not in caplog.text


def test_an_unreachable_ingest_never_reaches_the_run() -> None:
    port = free_port()  # nothing listens there
    exporter = BackendSpanExporter(api_key="sk-x", endpoint=f"http://127.0.0.1:{port}/v1/traces/ingest",
                                   base_delay=0.01, max_retries=2)
    processor = BatchTraceProcessor(exporter, schedule_delay=0.01)
    with recording(processor):
        for _ in range(3):
            assert run_once().final_output == "done"
        processor.force_flush()
    assert exporter.requests_sent == 0 and exporter.batches_dropped >= 1
    assert processor.export_errors == 0


def test_a_slow_ingest_never_makes_a_run_wait(server: LocalOpenAIServer) -> None:
    entered, release = threading.Event(), threading.Event()

    def stuck_ingest(request: RecordedRequest) -> Reply:
        entered.set()
        release.wait(30)
        return Reply(200, body={})

    server.add_route("POST", "/slow/traces/ingest", stuck_ingest)
    exporter = BackendSpanExporter(api_key="sk-x", endpoint=server.url + "/slow/traces/ingest")
    processor = BatchTraceProcessor(exporter, schedule_delay=0.01)
    try:
        with recording(processor):
            run_once()
            assert entered.wait(10), "the exporter never reached the ingest"
            # The exporter thread is now blocked inside an HTTP request: runs go on regardless.
            results = [run_once(name=f"R{i}").final_output for i in range(5)]
            assert results == ["done"] * 5
            assert not release.is_set() and processor.queued > 0
    finally:
        release.set()
    processor.force_flush()
    delivered = [item for r in server.requests_to("/slow/traces/ingest") for item in r.body["data"]]
    assert len(delivered) == 6 * 5 and processor.queued == 0


def test_exporter_exceptions_are_counted_and_the_worker_keeps_going() -> None:
    class Flaky(TracingExporter):
        def __init__(self) -> None:
            self.calls = 0
            self.items: list[Any] = []

        def export(self, items: list[Any]) -> None:
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError("exporter bug")
            self.items.extend(items)

    exporter = Flaky()
    processor = BatchTraceProcessor(exporter, schedule_delay=0.01)
    with recording(processor):
        run_once()
        deadline = time.monotonic() + 10
        while processor.export_errors == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        run_once()
        processor.force_flush()
    assert processor.export_errors == 1
    assert len(exporter.items) == 5 and processor.exported == 5


def test_big_inputs_and_outputs_are_truncated_for_the_ingest(server: LocalOpenAIServer) -> None:
    exporter = backend(server)
    processor = BatchTraceProcessor(exporter, schedule_delay=60)
    huge = "x" * 150_000
    with recording(processor):
        with trace("big"):
            with function_span("dump", input='{"q": 1}') as span:
                span.span_data.output = huge
            with generation_span(input=[{"role": "user", "content": huge}], model="m"):
                pass
            with function_span("small", input="{}") as small:
                small.span_data.output = "fine"
        processor.force_flush()
    (body,) = ingest_bodies(server)
    spans = {s["span_data"].get("name", s["span_data"]["type"]): s["span_data"] for s in body["data"][1:]}
    output = spans["dump"]["output"]
    assert output.endswith("... [truncated]") and len(output) <= 100_000 + len("... [truncated]")
    assert spans["dump"]["input"] == '{"q": 1}'
    generation_input = spans["generation"]["input"]
    assert isinstance(generation_input, str) and generation_input.endswith("... [truncated]")
    assert spans["small"]["output"] == "fine"


def test_a_runs_own_spans_reach_the_ingest_whole_and_truncated_when_huge(
    server: LocalOpenAIServer,
) -> None:
    processor = BatchTraceProcessor(backend(server), schedule_delay=60)
    huge = "y" * 150_000
    with recording():
        get_trace_provider().set_processors([processor])  # alone: the runs queue records
        Runner.run_sync(Agent(name="A", model=FakeModel(["short"])), huge)
        processor.force_flush()
    (body,) = ingest_bodies(server)
    trace_item, *spans = body["data"]
    assert trace_item["object"] == "trace" and trace_item["workflow_name"] == "Agent workflow"
    by_type = {
        s["span_data"]["name" if s["span_data"]["type"] == "custom" else "type"]: s for s in spans
    }
    assert set(by_type) == {"generation", "turn", "agent", "task"}
    generation = by_type["generation"]["span_data"]
    assert isinstance(generation["input"], str) and generation["input"].endswith("... [truncated]")
    assert generation["output"][0]["content"][0]["text"] == "short"
    assert generation["usage"] == {"input_tokens": 0, "output_tokens": 0}
    assert by_type["turn"]["parent_id"] == by_type["agent"]["id"]
    assert by_type["generation"]["parent_id"] == by_type["turn"]["id"]
    assert all(s["trace_id"] == trace_item["id"] and s["ended_at"] for s in spans)


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Opaque:
    def __repr__(self) -> str:
        return "<Opaque thing>"


def test_span_data_that_is_not_json_is_still_delivered(server: LocalOpenAIServer) -> None:
    exporter = backend(server)
    processor = BatchTraceProcessor(exporter, schedule_delay=60)
    cyclic: dict[str, Any] = {"name": "loop"}
    cyclic["self"] = cyclic
    with recording(processor):
        with trace("odd data"):
            with custom_span("convertible", {"set": {3, 1, 2}, "bytes": b"\x00\xff", "point": Point(1, 2),
                                             "object": Opaque(), "tuple": (1, "a")}):
                pass
            with custom_span("hard", {"cycle": cyclic, "nan": math.nan, 7: "int key",
                                      (1, 2): "tuple key"}):
                pass
            with custom_span("plain", {"ok": True}):
                pass
        processor.force_flush()
    (body,) = ingest_bodies(server)
    data = {s["span_data"]["name"]: s["span_data"]["data"] for s in body["data"][1:]}
    assert data["plain"] == {"ok": True}
    convertible = data["convertible"]
    assert sorted(convertible["set"]) == [1, 2, 3]
    assert base64.b64decode(convertible["bytes"]) == b"\x00\xff"
    assert convertible["point"] == {"x": 1, "y": 2}
    assert convertible["object"] == "<Opaque thing>" and convertible["tuple"] == [1, "a"]
    hard = data["hard"]
    assert hard["cycle"] == {"name": "loop", "self": "<cycle>"}
    assert hard["nan"] == "nan" and hard["7"] == "int key" and hard["(1, 2)"] == "tuple key"
    assert processor.export_errors == 0


def test_a_burst_of_spans_is_bounded_and_drops_are_counted() -> None:
    release = threading.Event()

    class Stuck(TracingExporter):
        def __init__(self) -> None:
            self.received = 0

        def export(self, items: list[Any]) -> None:
            release.wait(30)
            self.received += len(items)

    exporter = Stuck()
    processor = BatchTraceProcessor(exporter, max_queue_size=1000, max_batch_size=100,
                                    schedule_delay=0.01)
    try:
        with recording(processor):
            with trace("burst"):
                for index in range(10_000):
                    with custom_span("s", {"i": index}):
                        pass
                    assert processor.queued <= 1000
            assert processor.dropped >= 10_000 + 1 - 1000 - 100  # at most one batch in flight
    finally:
        release.set()
    processor.force_flush()
    assert processor.queued == 0
    assert exporter.received + processor.dropped == 10_001  # the trace and its 10,000 spans
    assert processor.exported == exporter.received


def test_shutdown_delivers_the_queue_and_stops_the_thread(server: LocalOpenAIServer) -> None:
    exporter = backend(server)
    processor = BatchTraceProcessor(exporter, schedule_delay=60)
    with recording(processor):
        run_once()
    thread = processor._thread
    assert thread is not None and thread.is_alive()
    processor.shutdown(timeout=10)
    assert not thread.is_alive()
    assert len(ingest_bodies(server)[0]["data"]) == 5


# --- the default export: only with an OpenAI key ---------------------------------------------


@pytest.fixture
def fresh_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from agents_lite.models import defaults
    from agents_lite.tracing import setup

    provider = get_trace_provider()
    saved = (provider.processors, provider._default, provider._manual_disabled, provider._disabled)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_AGENTS_DISABLE_TRACING"):
        monkeypatch.delenv(name, raising=False)
    setup._reset_for_tests()
    try:
        yield
    finally:
        gate = provider._default
        if gate._real is not None:
            gate._real.shutdown(timeout=5)
        defaults._reset_for_tests()
        setup._reset_for_tests()
        provider.set_processors(list(saved[0]))
        provider._default = saved[1]
        provider._manual_disabled, provider._disabled = saved[2], saved[3]


def _export_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "agents-lite-trace-export" and t.is_alive()]


def test_without_an_openai_key_nothing_is_queued_or_started(
    fresh_default: None, caplog: pytest.LogCaptureFixture
) -> None:
    before = _export_threads()
    with caplog.at_level(logging.DEBUG, logger="agents_lite.tracing"):
        for _ in range(3):
            run_once()
        flush_traces()
    assert _export_threads() == before
    assert get_trace_provider()._default._real is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_with_an_openai_key_the_default_export_posts_to_the_openai_base_url(
    fresh_default: None, server: LocalOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    run_once()
    flush_traces()
    (request,) = server.requests_to(INGEST)
    assert request.headers["authorization"] == "Bearer sk-env-key"
    assert len(request.body["data"]) == 5


def test_set_default_openai_key_feeds_the_trace_export(
    fresh_default: None, server: LocalOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agents_lite.models.defaults import set_default_openai_key
    from agents_lite.tracing import set_tracing_export_api_key

    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    set_default_openai_key("sk-not-for-traces", use_for_tracing=False)
    run_once()
    flush_traces()
    assert server.requests_to(INGEST) == []
    set_default_openai_key("sk-default-key")
    run_once()
    flush_traces()
    set_tracing_export_api_key("sk-explicit")
    run_once()
    flush_traces()
    keys = [r.headers["authorization"] for r in server.requests_to(INGEST)]
    assert keys == ["Bearer sk-default-key", "Bearer sk-explicit"]


def test_a_per_run_key_switches_the_default_export_on(
    fresh_default: None, server: LocalOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    run_once(run_config=RunConfig(tracing={"api_key": "sk-per-run"}))
    flush_traces()
    (request,) = server.requests_to(INGEST)
    assert request.headers["authorization"] == "Bearer sk-per-run"


# --- file and console -------------------------------------------------------------------------


def test_file_exporter_writes_json_lines_safely_from_many_threads(tmp_path: Any) -> None:
    exporter = FileSpanExporter(directory=tmp_path)
    assert exporter.path == os.path.join(str(tmp_path), f"agents_lite_traces_{os.getpid()}.jsonl")
    with recording() as collector:
        with trace("threads"):
            spans = []
            for index in range(200):
                with custom_span("s", {"i": index, "text": "é" * 50}) as span:
                    spans.append(span)
    barrier = threading.Barrier(4)

    def write(chunk: list[Any]) -> None:
        barrier.wait()
        for start in range(0, len(chunk), 10):
            exporter.export(chunk[start:start + 10])

    threads = [threading.Thread(target=write, args=(spans[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    exporter.export([collector.traces[0]])
    lines = open(exporter.path, encoding="utf-8").read().splitlines()
    assert len(lines) == 201
    parsed = [json.loads(line) for line in lines]
    assert sorted(p["span_data"]["data"]["i"] for p in parsed[:-1]) == list(range(200))
    assert parsed[-1]["object"] == "trace" and exporter.lines_written == 201


def test_file_exporter_gives_each_forked_process_its_own_file(tmp_path: Any) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    exporter = FileSpanExporter(str(tmp_path / "spans-{pid}.jsonl"))
    with recording():
        with trace("fork") as t:
            pass
    pid = os.fork()
    if pid == 0:
        try:
            exporter.export([t])
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    exporter.export([t])
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == sorted([f"spans-{pid}.jsonl", f"spans-{os.getpid()}.jsonl"])


def test_console_exporter_prints_a_line_per_item() -> None:
    out = io.StringIO()
    with recording() as collector:
        with trace("console", group_id="g1"):
            with custom_span("step", {"n": 1}):
                pass
    ConsoleSpanExporter(file=out).export([*collector.traces, *collector.spans])
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[trace] trace_") and "'console'" in lines[0] and "group=g1" in lines[0]
    assert lines[1].startswith("[span] ") and json.loads(lines[1][7:])["span_data"]["name"] == "step"


# --- OTLP -------------------------------------------------------------------------------------


def _decode_otlp(body: dict[str, Any]) -> Any:
    """Parse OTLP/JSON with the protobuf schema. OTLP/JSON writes trace and span ids as hex
    where proto3 JSON expects base64; convert those fields, then parse strictly."""
    try:
        from google.protobuf import json_format
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
        )
    except ImportError:
        require(False, "opentelemetry-proto is not installed")
    body = json.loads(json.dumps(body))
    for resource in body["resourceSpans"]:
        for scope in resource["scopeSpans"]:
            for span in scope["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
    return json_format.Parse(json.dumps(body), ExportTraceServiceRequest())


def _attributes(span: Any) -> dict[str, Any]:
    out = {}
    for attribute in span.attributes:
        value = attribute.value
        out[attribute.key] = getattr(value, value.WhichOneof("value"))
    return out


def test_otlp_exporter_sends_valid_otlp_json_to_a_collector(server: LocalOpenAIServer) -> None:
    server.add_route("POST", "/v1/traces", lambda request: {"partialSuccess": {}})

    @function_tool(failure_error_function=None)
    def lookup(city: str) -> str:
        """Look up."""
        return f"sunny in {city}"

    exporter = OTLPSpanExporter(endpoint=server.url + "/v1/traces", headers={"x-token": "abc"},
                                service_name="weather-bot", base_delay=0.01)
    processor = BatchTraceProcessor(exporter, schedule_delay=60)
    model = FakeModel([[function_call("lookup", {"city": "Oslo"})], "It is sunny."],
                      usage={"input_tokens": 11, "output_tokens": 5})
    with recording(processor) as collector:
        Runner.run_sync(Agent(name="Weather", model=model, tools=[lookup]), "weather?",
                        run_config=RunConfig(workflow_name="weather", group_id="chat-1"))
        with trace("failing"):
            with pytest.raises(ValueError):
                with custom_span("broken"):
                    raise ValueError("no data")
        processor.force_flush()
    (request,) = server.requests_to("/v1/traces")
    assert request.headers["x-token"] == "abc"
    assert request.headers["content-type"] == "application/json"
    decoded = _decode_otlp(request.body)
    (resource_spans,) = decoded.resource_spans
    resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert resource["service.name"] == "weather-bot"
    spans = list(resource_spans.scope_spans[0].spans)
    assert len(spans) == len(collector.spans) == 8
    run_trace = collector.traces[0]
    by_name = {s.name: s for s in spans}
    agent = by_name["agent Weather"]
    assert agent.trace_id == bytes.fromhex(run_trace.trace_id[len("trace_"):])
    assert len(agent.span_id) == 8 and agent.end_time_unix_nano >= agent.start_time_unix_nano > 0
    ids = {s.span_id for s in spans}
    assert all(not s.parent_span_id or s.parent_span_id in ids for s in spans)
    function = by_name["function lookup"]
    attributes = _attributes(function)
    assert attributes["gen_ai.tool.name"] == "lookup"
    assert attributes["agents.function.output"] == "sunny in Oslo"
    assert attributes["agents.workflow.name"] == "weather"
    assert attributes["agents.group_id"] == "chat-1"
    generation = next(s for s in spans if s.name.startswith("generation"))
    generation_attributes = _attributes(generation)
    assert generation_attributes["gen_ai.request.model"] == "fake-model"
    assert generation_attributes["gen_ai.usage.input_tokens"] == 11
    assert generation.kind == 3  # SPAN_KIND_CLIENT
    broken = by_name["broken"]
    assert broken.status.code == 2 and broken.status.message == "no data"
    assert agent.status.code == 0


def test_otlp_exporter_retries_unavailable_and_drops_rejected(server: LocalOpenAIServer) -> None:
    server.add_route("POST", "/v1/traces", lambda request: {})
    server.add_response(Fault(status=503), path="/v1/traces")
    exporter = OTLPSpanExporter(endpoint=server.url + "/v1/traces", base_delay=0.01)
    processor = BatchTraceProcessor(exporter, schedule_delay=60)
    with recording(processor):
        run_once()
        processor.force_flush()
        assert len(server.requests_to("/v1/traces")) == 2 and exporter.requests_sent == 1
        server.add_response(Fault(status=400), path="/v1/traces")
        run_once()
        processor.force_flush()
    assert len(server.requests_to("/v1/traces")) == 3 and exporter.batches_dropped == 1


def test_otlp_endpoint_and_headers_come_from_the_standard_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "api-key=abc%3D,team=x")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "svc")
    exporter = OTLPSpanExporter()
    assert exporter.endpoint == "http://collector:4318/v1/traces"
    assert exporter.headers == {"api-key": "abc=", "team": "x"}
    assert exporter.service_name == "svc"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://other/v1/traces")
    assert OTLPSpanExporter().endpoint == "http://other/v1/traces"


def test_a_forked_child_posts_on_its_own_connection(server: LocalOpenAIServer) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    exporter = backend(server)
    with recording() as collector:
        with trace("parent"):
            pass
    exporter.export(collector.traces)  # the parent now holds a kept-alive connection
    assert server.connections_accepted == 1
    pid = os.fork()
    if pid == 0:
        try:
            exporter.export(collector.traces)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    exporter.export(collector.traces)  # and the parent's connection still works
    assert server.connections_accepted == 2
    assert len(server.requests_to(INGEST)) == 3
    assert all(r.body["data"][0]["workflow_name"] == "parent" for r in server.requests_to(INGEST))


def test_queued_spans_do_not_keep_the_run_alive() -> None:
    import gc
    import weakref

    class Context:
        pass

    processor = BatchTraceProcessor(ConsoleSpanExporter(file=io.StringIO()), schedule_delay=3600)
    with recording(processor):
        context = Context()
        alive = weakref.ref(context)
        result = Runner.run_sync(Agent(name="A", model=FakeModel(["done"])), "hi", context=context)
        assert result.final_output == "done"
        del context, result
        gc.collect()
        assert processor.queued == 5  # the trace and its spans wait for export...
        assert alive() is None  # ...without holding on to the run's context or state
    processor.shutdown(timeout=5)
