"""A run's own spans travel as records when a lone batch processor is listening, and are
written to JSON straight from their fields: what reaches processors and exporters must be the
same as on the general path (same spans, once each, same text)."""

from __future__ import annotations

import contextlib
import json
import math
import threading
import time
from collections.abc import Iterator
from typing import Any

from test_tracing_support import Keep, recording, span_type, tree

from agents_lite import Agent, RunConfig, Runner, function_tool, handoff
from agents_lite.testing.fake_model import FakeModel
from agents_lite.testing.scripted import function_call
from agents_lite.tracing import (
    BatchTraceProcessor,
    FileSpanExporter,
    Span,
    Trace,
    get_current_span,
    get_trace_provider,
    trace,
)
from agents_lite.tracing.item_json import dumps_json, item_json


@contextlib.contextmanager
def lone(processor: BatchTraceProcessor) -> Iterator[BatchTraceProcessor]:
    """`processor` as the only processor (tracing on); the previous set-up comes back."""
    with recording():
        get_trace_provider().set_processors([processor])
        yield processor


def spans_of(exporter: Keep) -> list[Span[Any]]:
    return [item for item in exporter.items if isinstance(item, Span)]


def test_a_lone_batch_processor_queues_records_and_exports_finished_spans() -> None:
    exporter = Keep()
    with lone(BatchTraceProcessor(exporter, schedule_delay=60)) as processor:
        assert get_trace_provider()._multi._record_sink is processor
        agent: Agent[Any] = Agent(name="A", instructions="Be brief.", model=FakeModel(["hi"]))
        Runner.run_sync(agent, "hello")
        queued = list(processor._queue)
        assert isinstance(queued[0], Trace) and [type(item) for item in queued[1:]] == [list] * 4
        processor.force_flush()
    spans = spans_of(exporter)
    assert tree(spans) == [["task", [["agent A", [["turn 1", ["generation"]]]]]]]
    by_type = {span_type(span): span for span in spans}
    generation = by_type["generation"]
    assert generation.span_data.output[0]["content"][0]["text"] == "hi"  # type: ignore[attr-defined]
    assert generation.span_data.input[0] == {"role": "system", "content": "Be brief."}  # type: ignore[attr-defined]
    assert by_type["task"].export()["span_data"]["data"]["usage"] == {  # type: ignore[index]
        "input_tokens": 0, "output_tokens": 0,
    }
    trace_id = exporter.items[0].trace_id
    for span in spans:
        assert span.trace_id == trace_id and span.end_time is not None
        assert span.start_time is not None and span.start_time <= span.end_time
        span.finish()  # exported spans are finished: ending them again delivers nothing
    assert len(exporter.items) == 5


def test_a_span_asked_for_during_the_run_is_the_one_exported() -> None:
    seen: list[Any] = []

    class Watching(FakeModel):
        def get_response(self, *args: Any, **kwargs: Any) -> Any:
            seen.append(get_current_span())
            return super().get_response(*args, **kwargs)

    exporter = Keep()
    with lone(BatchTraceProcessor(exporter, schedule_delay=60)) as processor:
        agent: Agent[Any] = Agent(name="A", model=Watching(["hi"]))
        Runner.run_sync(agent, "hello")
        # The generation was made a span while open, so it is queued as that span.
        assert [type(item).__name__ for item in processor._queue] == [
            "Trace", "Span", "list", "list", "list",
        ]
        processor.force_flush()
    (generation,) = [s for s in spans_of(exporter) if span_type(s) == "generation"]
    assert generation is seen[0]
    assert generation.span_data.usage == {"input_tokens": 0, "output_tokens": 0}  # type: ignore[attr-defined]
    assert generation.span_data.output[0]["type"] == "message"  # type: ignore[attr-defined]
    assert len({s.span_id for s in spans_of(exporter)}) == len(spans_of(exporter)) == 4


def test_span_ids_drawn_at_export_match_the_spans_made_later_in_the_run() -> None:
    """IDs are drawn when first needed: a tool exports turn 1's generation while the turn is
    still open (drawing the generation's ID and its turn's), then the tool's own span is made
    under that turn; every span and parent link agrees on the IDs."""
    asked: list[Any] = []
    exporter = Keep()
    processor = BatchTraceProcessor(exporter, schedule_delay=60)

    @function_tool
    def export_then_look() -> str:
        """Export what has ended, then look at the current span."""
        processor.force_flush()  # turn 1's generation is exported while its parents are open
        asked.append(get_current_span())
        return "ok"

    with lone(processor):
        agent: Agent[Any] = Agent(
            name="A", model=FakeModel([[function_call("export_then_look", {})], "done"]),
            tools=[export_then_look],
        )
        assert Runner.run_sync(agent, "go").final_output == "done"
        processor.force_flush()
    spans = spans_of(exporter)
    assert tree(spans) == [["task", [["agent A", [
        ["turn 1", ["generation", "function export_then_look"]], ["turn 2", ["generation"]],
    ]]]]]
    by_id = {span.span_id: span for span in spans}
    assert len(by_id) == len(spans) == 7  # unique IDs, each span once
    for span in spans:
        assert span.span_id.startswith("span_") and len(span.span_id) == 29
        assert span.parent_id is None or span.parent_id in by_id
    (function,) = [s for s in spans if span_type(s) == "function"]
    assert asked == [function]
    (first_generation, _) = [s for s in spans if span_type(s) == "generation"]
    assert first_generation.parent_id == function.parent_id  # turn 1, drawn once


def test_tools_in_parallel_threads_share_one_turn_span_as_parent() -> None:
    inside: list[Any] = []
    start = threading.Barrier(4)

    @function_tool
    def probe(n: int) -> str:
        """Look at the current span."""
        start.wait(5)  # all four ask for their parent at the same moment
        inside.append(get_current_span())
        time.sleep(0.01)
        return str(n)

    calls = [function_call("probe", {"n": n}, call_id=f"c{n}") for n in range(4)]
    exporter = Keep()
    with lone(BatchTraceProcessor(exporter, schedule_delay=60)) as processor:
        agent: Agent[Any] = Agent(
            name="A", model=FakeModel([calls, "done"]), tools=[probe],
        )
        assert Runner.run_sync(agent, "go").final_output == "done"
        processor.force_flush()
    spans = spans_of(exporter)
    turns = [s for s in spans if span_type(s) == "turn"]
    functions = [s for s in spans if span_type(s) == "function"]
    assert len(turns) == 2 and len(functions) == 4
    assert {f.parent_id for f in functions} == {turns[0].span_id}
    assert {id(s) for s in inside} == {id(f) for f in functions}
    assert len({s.span_id for s in spans}) == len(spans)  # nothing delivered twice


def test_a_processor_that_overrides_span_ends_gets_spans_not_records() -> None:
    received: list[Any] = []

    class Counting(BatchTraceProcessor):
        def on_span_end(self, span: Span[Any]) -> None:
            received.append(span)
            super().on_span_end(span)

    exporter = Keep()
    with lone(Counting(exporter, schedule_delay=60)) as processor:
        assert get_trace_provider()._multi._record_sink is None
        agent: Agent[Any] = Agent(name="A", model=FakeModel(["hi"]))
        Runner.run_sync(agent, "hello")
        processor.force_flush()
    assert [type(item) for item in received] == [Span] * 4
    assert spans_of(exporter) == received


def test_item_json_writes_the_text_of_the_export_dict() -> None:
    exporter = Keep()

    @function_tool
    def lookup(city: str) -> str:
        """Find a city."""
        raise ValueError("nope")

    specialist: Agent[Any] = Agent(name="Spécialiste", model=FakeModel(default_output="fini"))
    to_specialist = handoff(specialist)
    main: Agent[Any] = Agent(
        name="Accueil \"1\"",
        model=FakeModel([[function_call("lookup", {"city": "Zürich"})],
                         [function_call(to_specialist.tool_name, {})]]),
        tools=[lookup],
        handoffs=[to_specialist],
    )
    with lone(BatchTraceProcessor(exporter, schedule_delay=60)) as processor:
        with trace("Flux ☃", trace_id="trace_" + "ab" * 16, group_id="g-1",
                   metadata={"k": ["v", 1]}):
            Runner.run_sync(main, "bonjour")
        Runner.run_sync(
            specialist, "x", run_config=RunConfig(trace_include_sensitive_data=False)
        )
        processor.force_flush()
    kinds = set()
    for item in exporter.items:
        text = item_json(item)
        if isinstance(item, Span) and span_type(item) == "function":
            assert text is None  # not one of the run's own span kinds
            continue
        assert text is not None, item
        assert text == dumps_json(item.export())
        kinds.add("trace" if isinstance(item, Trace) else span_type(item))
    assert kinds == {"trace", "task", "agent", "turn", "generation", "handoff"}


def test_values_the_direct_writer_cannot_encode_take_the_general_way(tmp_path: Any) -> None:
    exporter = FileSpanExporter(tmp_path / "t.jsonl")
    with lone(BatchTraceProcessor(exporter, schedule_delay=60)) as processor:
        with trace("odd", metadata={"ratio": math.nan}) as odd:
            assert item_json(odd) is None
            agent: Agent[Any] = Agent(name="A", model=FakeModel(["hi"]))
            Runner.run_sync(agent, "hello")
        processor.force_flush()
    lines = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    assert lines[0]["object"] == "trace" and lines[0]["metadata"] == {"ratio": "nan"}
    assert [line["span_data"]["type"] for line in lines[1:]] == [
        "generation", "custom", "agent", "custom",
    ]
