"""Output guardrails that run while a response streams (over the local server): where the stream
stops, that it is not blocked by a running check, that the HTTP response is closed, and that
nothing of a tripped turn reaches the session."""

from __future__ import annotations

import threading
import time

import pytest

from agents_lite import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrailTripwireTriggered,
    OutputGuardrailTripwireTriggered,
    RunConfig,
    Runner,
    UserError,
    function_tool,
    input_guardrail,
    output_guardrail,
)
from agents_lite.memory import SQLiteSession
from agents_lite.models.http import HTTPClient
from agents_lite.models.openai_responses import OpenAIResponsesModel
from agents_lite.streaming_guardrails import DEFAULT_STREAM_CHECK_EVERY_CHARS
from agents_lite.testing.replies import Reply, sse_frame
from agents_lite.testing.scripted import (
    function_call,
    response_object,
    response_stream_events,
    split_deltas,
    text_message,
)
from agents_lite.testing.server import LocalOpenAIServer

BAD = "FORBIDDEN"


@pytest.fixture
def server():
    with LocalOpenAIServer() as srv:
        yield srv


@pytest.fixture
def model(server):
    responses_model = OpenAIResponsesModel(
        "fake-model", client=HTTPClient(base_url=server.base_url, max_retries=0))
    yield responses_model
    responses_model.close()


def no_bad_words(every: int | None = None, on_sentence: bool = False, seen: list | None = None,
                 delay: float = 0.0):
    @output_guardrail(run_during_stream=True, stream_check_every_chars=every,
                      stream_check_on_sentence=on_sentence)
    def guard(ctx, agent, text):
        if seen is not None:
            seen.append(text)
        if delay:
            time.sleep(delay)  # a slow checker (an LLM judge, say)
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=BAD in str(text))

    return guard


def collect_deltas(result) -> tuple[list[str], BaseException | None]:
    deltas: list[str] = []
    try:
        for event in result.stream_events():
            if event.type == "raw_response_event" and \
                    event.data.get("type") == "response.output_text.delta":
                deltas.append(event.data["delta"])
    except BaseException as exc:  # noqa: BLE001 - the test inspects it
        return deltas, exc
    return deltas, None


def chars_after_offense(deltas: list[str]) -> int:
    index = next(i for i, d in enumerate(deltas) if BAD in d)
    return sum(len(d) for d in deltas[index + 1:])


# --- where the stream stops ---------------------------------------------------------------------


@pytest.mark.parametrize("delay", [0.0, 0.05])
def test_stream_stops_within_one_check_interval_of_the_offending_text(server, model, delay):
    every = 50
    # The offending word crosses the first checkpoint, so the first check sees it.
    text = "aaaa " * 9 + f"{BAD} " + "bbbb " * 200
    server.add_response(text)
    agent = Agent(name="writer", output_guardrails=[no_bad_words(every, delay=delay)], model=model)
    deltas, error = collect_deltas(Runner.run_streamed(agent, "write"))
    assert isinstance(error, OutputGuardrailTripwireTriggered)
    longest = max(len(d) for d in split_deltas(text))
    assert chars_after_offense(deltas) <= every + longest
    assert sum(len(d) for d in deltas) < len(text)
    assert error.guardrail_result.agent_output.endswith(f"{BAD} ")


@pytest.mark.parametrize("position", [0, 7, 23, 49, 50, 51, 88, 131])
def test_the_stop_is_bounded_wherever_the_offending_text_is(server, model, position):
    every = 40
    words = [f"w{i:03d} " for i in range(300)]
    words.insert(position, f"{BAD} ")
    text = "".join(words)
    server.add_response(text)
    guard = no_bad_words(every, delay=0.02 if position % 2 else 0.0)
    agent = Agent(name="writer", output_guardrails=[guard], model=model)
    deltas, error = collect_deltas(Runner.run_streamed(agent, "write"))
    assert isinstance(error, OutputGuardrailTripwireTriggered)
    longest = max(len(w) for w in words)
    # Seen by the check at the next checkpoint, which must finish before the one after it.
    assert chars_after_offense(deltas) <= 2 * (every + longest)


def test_a_running_check_does_not_block_the_stream(server, model):
    release = threading.Event()
    waited: list[bool] = []

    @output_guardrail(run_during_stream=True, stream_check_every_chars=40)
    def slow(ctx, agent, text):
        if not waited:
            waited.append(release.wait(10))  # True only if the consumer released it in time
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    server.add_response("word " * 40)
    result = Runner.run_streamed(Agent(name="w", output_guardrails=[slow], model=model), "go")
    received = ""
    for event in result.stream_events():
        if event.type == "raw_response_event" and \
                event.data.get("type") == "response.output_text.delta":
            received += event.data["delta"]
            if 60 <= len(received) < 80:
                release.set()  # the first check (started at 40 chars) is still waiting here
    assert waited == [True]
    assert result.final_output == "word " * 40


def test_sentence_checkpoints(server, model):
    seen: list[str] = []
    text = "First sentence here. Second one! A third? And a tail without end"
    server.add_response(text)
    guard = no_bad_words(on_sentence=True, seen=seen)
    result = Runner.run_streamed(Agent(name="w", output_guardrails=[guard], model=model), "go")
    assert collect_deltas(result)[1] is None
    stream_checks = seen[:-1]  # the last call is the usual check of the final output
    assert stream_checks == ["First sentence here. ", "First sentence here. Second one! ",
                             "First sentence here. Second one! A third? ", text]
    assert seen[-1] == text and len(result.output_guardrail_results) == 1


def test_default_interval_and_bad_settings(server, model):
    seen: list[str] = []
    server.add_response("x" * 10 + " " + "y" * 500)
    guard = no_bad_words(seen=seen)
    assert guard.stream_check_every_chars is None
    result = Runner.run_streamed(Agent(name="w", output_guardrails=[guard], model=model), "go")
    assert collect_deltas(result)[1] is None
    assert [len(s) for s in seen] == [511, 511]  # one 511-char delta: one checkpoint, then final
    assert DEFAULT_STREAM_CHECK_EVERY_CHARS == 200
    server.add_response("hello")
    bad = no_bad_words(every=0)
    deltas, error = collect_deltas(
        Runner.run_streamed(Agent(name="w", output_guardrails=[bad], model=model), "go"))
    assert isinstance(error, UserError) and "stream_check_every_chars" in str(error)


# --- what a tripwire does -------------------------------------------------------------------------


def test_a_tripwire_closes_the_http_response(server, model):
    text = f"start {BAD} " + "more " * 400
    events = list(response_stream_events(response_object([text_message(text)])))
    produced: list[dict] = []
    finished = threading.Event()

    def slow_frames():
        try:
            for event in events:
                produced.append(event)
                time.sleep(0.002)
                yield sse_frame(event, event["type"])
        finally:
            finished.set()

    server.add_response(Reply(200, headers={"content-type": "text/event-stream"},
                              body=slow_frames()))
    agent = Agent(name="w", output_guardrails=[no_bad_words(every=20)], model=model)
    deltas, error = collect_deltas(Runner.run_streamed(agent, "go"))
    assert isinstance(error, OutputGuardrailTripwireTriggered)
    assert finished.wait(10), "the server kept streaming to a closed connection"
    assert len(produced) < len(events) // 2


def test_a_tripped_turn_writes_nothing_to_the_session(server, model, tmp_path):
    session = SQLiteSession("s1", str(tmp_path / "s.db"))
    calls: list[str] = []

    @function_tool
    def lookup(q: str) -> str:
        """Look something up."""
        calls.append(q)
        return f"found {q}"

    agent = Agent(name="w", tools=[lookup], output_guardrails=[no_bad_words(every=30)],
                  model=model)
    server.add_response([function_call("lookup", {"q": "x"}, call_id="f1")])
    server.add_response(f"The answer is {BAD} and then a lot more text follows here " * 5)
    deltas, error = collect_deltas(Runner.run_streamed(agent, "question", session=session))
    assert isinstance(error, OutputGuardrailTripwireTriggered)
    items = session.get_items()
    assert [i.get("type", "message") for i in items] == [
        "message", "function_call", "function_call_output"]
    assert BAD not in repr(items) and calls == ["x"]
    assert error.run_data is not None and len(error.run_data.raw_responses) == 1

    fresh = SQLiteSession("s2", str(tmp_path / "s.db"))
    server.add_response(f"{BAD} right away")
    _, error = collect_deltas(Runner.run_streamed(agent, "again", session=fresh))
    assert isinstance(error, OutputGuardrailTripwireTriggered)
    assert fresh.get_items() == []


def test_a_tripwire_in_the_middle_of_a_tool_call_turn_runs_no_tool(server, model):
    calls: list[str] = []

    @function_tool
    def dangerous(q: str) -> str:
        """Do something."""
        calls.append(q)
        return "done"

    agent = Agent(name="w", tools=[dangerous], output_guardrails=[no_bad_words(every=500)],
                  model=model)
    # Short text: only the end-of-response check sees it, still before any tool runs.
    server.add_response([text_message(f"Let me {BAD} this."), function_call("dangerous", {"q": "y"})])
    server.add_response("never requested")
    result = Runner.run_streamed(agent, "go")
    deltas, error = collect_deltas(result)
    assert isinstance(error, OutputGuardrailTripwireTriggered)
    assert calls == [] and len(server.requests_to("/v1/responses")) == 1
    assert result.new_items == [] and result.output_guardrail_results[0].output.tripwire_triggered


def test_a_guardrail_that_raises_stops_the_stream_with_user_error(server, model):
    @output_guardrail(run_during_stream=True, stream_check_every_chars=10)
    def broken(ctx, agent, text):
        raise RuntimeError("checker crashed")

    server.add_response("plenty of words to cross a checkpoint " * 10)
    deltas, error = collect_deltas(
        Runner.run_streamed(Agent(name="w", output_guardrails=[broken], model=model), "go"))
    assert isinstance(error, UserError)
    assert "broken" in str(error) and "checker crashed" in str(error)
    assert isinstance(error.__cause__, RuntimeError)
    assert sum(len(d) for d in deltas) < len("plenty of words to cross a checkpoint " * 10)


def test_run_config_streaming_guardrails_and_passing_runs(server, model):
    seen: list[str] = []
    server.add_response("all good here " * 20)
    result = Runner.run_streamed(
        Agent(name="w", model=model), "go",
        run_config=RunConfig(output_guardrails=[no_bad_words(every=50, seen=seen)]))
    assert collect_deltas(result)[1] is None
    assert result.final_output == "all good here " * 20
    assert len(seen) >= 6 and seen[-1] == result.final_output
    assert [r.output.tripwire_triggered for r in result.output_guardrail_results] == [False]


def test_non_streamed_runs_check_only_the_final_output(server, model):
    seen: list[str] = []
    server.add_response("fine text " * 30)
    agent = Agent(name="w", output_guardrails=[no_bad_words(every=20, seen=seen)], model=model)
    assert Runner.run_sync(agent, "go").final_output == "fine text " * 30
    assert seen == ["fine text " * 30]


def test_blocking_input_guardrail_trips_before_any_model_token(server, model):
    @input_guardrail(run_in_parallel=False)
    def no_homework(ctx, agent, input):
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered="homework" in input)

    server.add_response("this reply must never be streamed")
    result = Runner.run_streamed(Agent(name="w", input_guardrails=[no_homework], model=model),
                                 "do my homework")
    kinds = []
    with pytest.raises(InputGuardrailTripwireTriggered):
        for event in result.stream_events():
            kinds.append(event.type)
    assert kinds == ["agent_updated_stream_event"]
    assert server.requests_to("/v1/responses") == []
