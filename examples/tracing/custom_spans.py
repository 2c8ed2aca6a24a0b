"""Group two runs and a step of your own into one trace with `trace()` and `custom_span()`, and
watch spans end with a small `TracingProcessor` of your own.

Runs trace themselves; inside `with trace(...)` they join that trace instead of starting their
own. Your processor sees every trace and span; the default OpenAI export stays in place (it only
sends anything when an OpenAI key is configured).
"""

# expect: Joke: Why did the trace break up with the log?
# expect: Rating: 7/10
# expect: ended: fetch_topic {'source': 'hard-coded', 'topic': 'tracing'}
# expect: ended: turn 1
# expect: ended: agent Joker
# expect: trace 'Joke workflow' (group demo-thread) ended

from typing import Any

from agents_lite import Agent, Runner
from agents_lite.testing.example_support import setup_example
from agents_lite.tracing import (
    Span,
    Trace,
    TracingProcessor,
    add_trace_processor,
    custom_span,
    set_tracing_disabled,
    trace,
)

setup_example(__file__)
# Tracing is on by default; this also overrides OPENAI_AGENTS_DISABLE_TRACING=1 where it is set.
set_tracing_disabled(False)


class PrintingProcessor(TracingProcessor):
    """Prints a line whenever a span or trace ends. Processors run in the thread that ends the
    span: keep them quick (hand real work to a thread, as `BatchTraceProcessor` does)."""

    def on_trace_start(self, trace: Trace) -> None:
        pass

    def on_trace_end(self, trace: Trace) -> None:
        print(f"trace {trace.name!r} (group {trace.group_id}) ended")

    def on_span_start(self, span: Span[Any]) -> None:
        pass

    def on_span_end(self, span: Span[Any]) -> None:
        data = span.span_data.export()
        if data["type"] == "custom":
            details = data["data"]
            kind = details.get("sdk_span_type")  # the run's own task and turn spans
            label = f"{kind} {details.get('turn', '')}".strip() if kind else f"{data['name']} {details}"
        else:
            label = f"{data['type']} {data.get('name') or data.get('model') or ''}"
        print(f"  ended: {label}")


def main() -> None:
    add_trace_processor(PrintingProcessor())
    joker = Agent(name="Joker", instructions="Tell one short joke about the topic.")
    critic = Agent(name="Critic", instructions="Rate the joke from 1 to 10 in one sentence.")

    with trace("Joke workflow", group_id="demo-thread", metadata={"example": "custom_spans"}):
        with custom_span("fetch_topic", {"source": "hard-coded"}) as span:
            topic = "tracing"
            span.span_data.data["topic"] = topic
        joke = Runner.run_sync(joker, f"A joke about {topic}, please.")
        print("Joke:", joke.final_output)
        rating = Runner.run_sync(critic, str(joke.final_output))
        print("Rating:", rating.final_output)


if __name__ == "__main__":
    main()
