"""Traces, spans and the current-span context: the public API without a run."""

from __future__ import annotations

import contextvars
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from test_tracing_support import Collector, recording, tree

from agents_lite.tracing import (
    NoOpSpan,
    NoOpTrace,
    Span,
    Trace,
    TracingProcessor,
    add_trace_processor,
    agent_span,
    custom_span,
    function_span,
    gen_group_id,
    gen_span_id,
    gen_trace_id,
    generation_span,
    get_current_span,
    get_current_trace,
    get_trace_provider,
    guardrail_span,
    handoff_span,
    mcp_tools_span,
    response_span,
    set_tracing_disabled,
    speech_group_span,
    speech_span,
    task_span,
    trace,
    transcription_span,
    turn_span,
)


@pytest.fixture
def collector() -> Iterator[Collector]:
    """Tracing on, recorded by a `Collector` (the previous setup comes back afterwards)."""
    with recording() as recorder:
        yield recorder


ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")


def test_ids_have_the_documented_shape_and_do_not_repeat() -> None:
    trace_ids = {gen_trace_id() for _ in range(2000)}
    span_ids = {gen_span_id() for _ in range(2000)}
    assert len(trace_ids) == 2000 and len(span_ids) == 2000
    assert all(re.fullmatch(r"trace_[0-9a-f]{32}", t) for t in trace_ids)
    assert all(re.fullmatch(r"span_[0-9a-f]{24}", s) for s in span_ids)
    assert re.fullmatch(r"group_[0-9a-f]{24}", gen_group_id())


def test_ids_ignore_random_seed_and_differ_in_forked_children() -> None:
    import random

    random.seed(1)
    first = gen_trace_id()
    random.seed(1)
    assert gen_trace_id() != first
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report one id and leave at once
        os.write(write, gen_span_id().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child_id = os.read(read, 100).decode()
    assert child_id != gen_span_id() and re.fullmatch(r"span_[0-9a-f]{24}", child_id)


def test_trace_context_manager_sets_and_restores_the_current_trace(collector: Collector) -> None:
    assert get_current_trace() is None
    with trace("Workflow", group_id="g-1", metadata={"user": "u1"}) as t:
        assert get_current_trace() is t
        assert re.fullmatch(r"trace_[0-9a-f]{32}", t.trace_id)
    assert get_current_trace() is None
    assert collector.traces == [t] and collector.ended_traces == [t]
    assert t.export() == {
        "object": "trace",
        "id": t.trace_id,
        "workflow_name": "Workflow",
        "group_id": "g-1",
        "metadata": {"user": "u1"},
    }
    assert t.start_time is not None and t.end_time is not None and t.end_time >= t.start_time


def test_spans_nest_under_the_current_span_and_export_the_ingest_shape(collector: Collector) -> None:
    with trace("wf", trace_id="trace_" + "ab" * 16) as t:
        with agent_span("Assistant", handoffs=["Other"], tools=["lookup"], output_type="str") as a:
            assert get_current_span() is a
            with function_span("lookup", input='{"q": 1}') as f:
                assert get_current_span() is f
                f.span_data.output = {"rows": 2}
            assert get_current_span() is a
        assert get_current_span() is None
    assert t.trace_id == "trace_" + "ab" * 16
    assert tree(collector.spans) == [["agent Assistant", ["function lookup"]]]
    exported = {s["span_data"]["type"]: s for s in collector.exported()}
    agent, function = exported["agent"], exported["function"]
    assert agent["object"] == "trace.span" and agent["parent_id"] is None
    assert function["parent_id"] == agent["id"] and function["trace_id"] == t.trace_id
    assert re.fullmatch(r"span_[0-9a-f]{24}", function["id"])
    assert ISO.match(function["started_at"]) and ISO.match(function["ended_at"])
    assert function["started_at"] <= function["ended_at"]
    assert agent["span_data"] == {
        "type": "agent", "name": "Assistant", "handoffs": ["Other"], "tools": ["lookup"],
        "output_type": "str",
    }
    assert function["span_data"] == {
        "type": "function", "name": "lookup", "input": '{"q": 1}', "output": "{'rows': 2}",
        "mcp_data": None,
    }
    assert function["error"] is None


def test_every_span_constructor_exports_its_type(collector: Collector) -> None:
    with trace("wf"):
        spans = [
            agent_span("a"), task_span("wf"), turn_span(2, "a"), function_span("f"),
            generation_span(input=[{"role": "user", "content": "hi"}], model="m",
                            model_config={"temperature": 0.1},
                            usage={"input_tokens": 3, "output_tokens": 4}),
            response_span({"id": "resp_1", "usage": {"input_tokens": 1, "output_tokens": 2}}),
            handoff_span("a", "b"), guardrail_span("g", triggered=True), custom_span("c", {"k": 1}),
            mcp_tools_span("srv", ["t1"]), speech_span("tts", "hello", "AAAA"),
            speech_group_span("hello"), transcription_span("stt", "AAAA", output="hi"),
        ]
        for span in spans:
            with span:
                pass
    data = [s.export()["span_data"] for s in spans]  # type: ignore[index]
    assert [d["type"] for d in data] == [
        "agent", "custom", "custom", "function", "generation", "response", "handoff",
        "guardrail", "custom", "mcp_tools", "speech", "speech_group", "transcription",
    ]
    assert data[1] == {"type": "custom", "name": "task", "data": {"sdk_span_type": "task", "name": "wf"}}
    assert data[2]["data"] == {"sdk_span_type": "turn", "turn": 2, "agent_name": "a"}
    assert data[4]["usage"] == {"input_tokens": 3, "output_tokens": 4}
    assert data[4]["model_config"] == {"temperature": 0.1}
    assert data[5] == {"type": "response", "response_id": "resp_1",
                       "usage": {"input_tokens": 1, "output_tokens": 2}}
    assert data[7] == {"type": "guardrail", "name": "g", "triggered": True}
    assert data[9] == {"type": "mcp_tools", "server": "srv", "result": ["t1"]}
    assert data[10]["output"] == {"data": "AAAA", "format": "pcm"}
    assert data[12]["input"] == {"data": "AAAA", "format": "pcm"}
    assert len(collector.spans) == 13


def test_model_config_redacts_headers_and_query_values(collector: Collector) -> None:
    from agents_lite import ModelSettings

    settings = ModelSettings(temperature=0.5, extra_headers={"api-key": "sk-secret"},
                             extra_query={"key": "sk-secret2"})
    with trace("wf"):
        with generation_span(model="m", model_config=settings) as span:  # type: ignore[arg-type]
            pass
    config = span.export()["span_data"]["model_config"]  # type: ignore[index]
    assert config["temperature"] == 0.5
    assert "sk-secret" not in json.dumps(config, default=str)
    assert config["extra_headers"] == {"api-key": "[redacted]"}


def test_an_exception_leaving_a_span_is_recorded_as_its_error(collector: Collector) -> None:
    with trace("wf"):
        with pytest.raises(ValueError):
            with custom_span("risky"):
                raise ValueError("broken pipe")
        with custom_span("manual") as manual:
            manual.set_error({"message": "bad", "data": {"why": 1}})
    risky, manual_export = collector.exported()
    assert risky["error"] == {"message": "broken pipe", "data": {"type": "ValueError", "error": "broken pipe"}}
    assert manual_export["error"] == {"message": "bad", "data": {"why": 1}}


def test_a_span_ended_twice_is_delivered_once(collector: Collector) -> None:
    with trace("wf"):
        span = custom_span("twice")
        span.start()
        span.finish()
        ended_at = span.end_time
        span.finish()
        with span:  # entering and leaving again changes nothing either
            pass
    assert collector.spans == [span]
    assert span.end_time == ended_at
    assert [kind for kind, item in collector.events if item is span] == ["span_start", "span_end"]


def test_a_span_ended_concurrently_from_many_threads_is_delivered_once(collector: Collector) -> None:
    with trace("wf"):
        span = custom_span("raced")
        span.start()
        barrier = threading.Barrier(8)

        def end() -> None:
            barrier.wait()
            span.finish()

        threads = [threading.Thread(target=end) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert collector.spans == [span]


def test_a_span_ended_in_another_thread_is_delivered_and_leaves_this_context_alone(
    collector: Collector,
) -> None:
    with trace("wf") as t:
        with custom_span("parent") as parent:
            span = custom_span("handed over")
            span.start(mark_as_current=True)
            assert get_current_span() is span
            errors: list[BaseException] = []

            def end_elsewhere() -> None:
                try:
                    span.finish(reset_current=True)  # its token belongs to the main thread
                except BaseException as exc:  # pragma: no cover - the assertion shows it
                    errors.append(exc)

            worker = threading.Thread(target=end_elsewhere)
            worker.start()
            worker.join()
            assert errors == []
            # Still current here: only this context can restore its previous span.
            assert get_current_span() is span
            span.finish(reset_current=True)
            assert get_current_span() is parent
    exported = {s["span_data"]["name"]: s for s in collector.exported()}
    handed = exported["handed over"]
    assert handed["parent_id"] == parent.span_id and handed["trace_id"] == t.trace_id
    assert handed["ended_at"] is not None
    assert len(collector.spans) == 2


def test_current_span_follows_copied_contexts_into_threads(collector: Collector) -> None:
    seen: dict[str, Any] = {}
    with trace("wf"):
        with custom_span("outer") as outer:
            ctx = contextvars.copy_context()

            def work() -> None:
                seen["span"] = get_current_span()
                with custom_span("inner") as inner:
                    seen["inner"] = inner

            thread = threading.Thread(target=ctx.run, args=(work,))
            thread.start()
            thread.join()
            other = threading.Thread(target=lambda: seen.setdefault("bare", get_current_span()))
            other.start()
            other.join()
    assert seen["span"] is outer
    assert seen["inner"].parent_id == outer.span_id
    assert seen["bare"] is None  # a thread without the copied context sees nothing


def test_no_trace_means_no_op_spans(collector: Collector) -> None:
    with custom_span("orphan") as span:
        assert isinstance(span, NoOpSpan)
        assert get_current_span() is span
    assert get_current_span() is None
    assert collector.events == [] and span.export() is None


def test_disabled_tracing_records_nothing_but_keeps_the_context(collector: Collector) -> None:
    set_tracing_disabled(True)
    with trace("off") as t:
        assert isinstance(t, NoOpTrace) and get_current_trace() is t
        with agent_span("a") as span:
            assert isinstance(span, NoOpSpan)
    set_tracing_disabled(False)
    with trace("explicitly off", disabled=True) as t2:
        with custom_span("x") as span2:
            assert isinstance(t2, NoOpTrace) and isinstance(span2, NoOpSpan)
        with custom_span("y", disabled=True) as span3:
            assert isinstance(span3, NoOpSpan)
    assert collector.events == []
    with trace("on"):
        with custom_span("z", disabled=True) as off:
            with custom_span("inner") as inner:
                pass
    assert isinstance(off, NoOpSpan)
    assert collector.spans == [inner] and inner.parent_id is None


def test_env_switch_disables_and_set_tracing_disabled_false_overrides_it() -> None:
    code = (
        "import json\n"
        "from agents_lite.tracing import trace, set_tracing_disabled, NoOpTrace\n"
        "first = isinstance(trace('a'), NoOpTrace)\n"
        "set_tracing_disabled(False)\n"
        "second = isinstance(trace('b'), NoOpTrace)\n"
        "print(json.dumps([first, second]))\n"
    )
    env = dict(os.environ, OPENAI_AGENTS_DISABLE_TRACING="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout) == [True, False]


def test_explicit_parent_wins_over_the_current_span(collector: Collector) -> None:
    with trace("wf") as t:
        with custom_span("a") as a:
            with custom_span("b"):
                child = custom_span("under a", parent=a)
                top = custom_span("under trace", parent=t)
                for span in (child, top):
                    span.start()
                    span.finish()
    assert child.parent_id == a.span_id
    assert top.parent_id is None and top.trace_id == t.trace_id


def test_a_failing_processor_never_breaks_tracing_or_other_processors(collector: Collector) -> None:
    class Broken(TracingProcessor):
        calls = 0

        def on_trace_start(self, trace: Trace) -> None:
            Broken.calls += 1
            raise RuntimeError("processor bug")

        def on_trace_end(self, trace: Trace) -> None:
            raise RuntimeError("processor bug")

        def on_span_start(self, span: Span[Any]) -> None:
            raise RuntimeError("processor bug")

        def on_span_end(self, span: Span[Any]) -> None:
            raise RuntimeError("processor bug")

    provider = get_trace_provider()
    provider.set_processors([Broken(), collector])
    with trace("wf"):
        with custom_span("fine"):
            pass
    assert Broken.calls == 1
    assert [kind for kind, _ in collector.events] == ["trace_start", "span_start", "span_end", "trace_end"]


def test_add_trace_processor_keeps_the_existing_ones() -> None:
    extra = Collector()
    with recording() as first:
        add_trace_processor(extra)
        with trace("wf"):
            pass
    assert len(first.traces) == 1 and len(extra.traces) == 1
    from agents_lite.exceptions import UserError

    with pytest.raises(UserError):
        add_trace_processor("not a processor")  # type: ignore[arg-type]


def test_flush_traces_and_shutdown_reach_every_processor(collector: Collector) -> None:
    from agents_lite.tracing import flush_traces

    flush_traces()
    assert collector.flushed == 1
    get_trace_provider().shutdown(timeout=1.0)
    assert collector.shut_down == 1


def test_importing_tracing_loads_no_exporter_and_no_requests() -> None:
    code = (
        "import sys, json\n"
        "import agents_lite.tracing as t\n"
        "from agents_lite.tracing import trace, custom_span\n"
        "with trace('x'):\n"
        "    with custom_span('y'): pass\n"
        "heavy = ['requests', 'agents_lite.tracing.processors', 'agents_lite.tracing.exporters',"
        " 'agents_lite.tracing.otlp']\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=env)
    assert json.loads(out.stdout) == []


def test_lazy_names_resolve() -> None:
    import agents_lite.tracing as tracing
    import agents_lite.tracing.processors as processors

    assert tracing.BatchTraceProcessor is processors.BatchTraceProcessor
    assert processors.BackendSpanExporter is tracing.BackendSpanExporter
    assert processors.OTLPSpanExporter is tracing.OTLPSpanExporter
    assert callable(tracing.print_trace_tree)
    with pytest.raises(AttributeError):
        tracing.NotAThing  # noqa: B018
