"""The benchmark workloads written for the reference SDK (`openai-agents`, import name `agents`).

Runs inside the reference's virtualenv (`benchmarks/.ref-venv`), started by `compare.py` as a
worker (`python _ref_workloads.py --worker`, protocol in `_common.py`). Only the reference's
public API is used, the way its users call it from synchronous code: `Runner.run_sync`, and for
streaming and sessions (which are async-only) the thread's default event loop, exactly as
`run_sync` itself drives its coroutine. `_lite_workloads.py` holds the same workloads for
agents_lite; keep the two in step.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, Callable

# This folder holds a `mcp.py` that would shadow the `mcp` package the reference imports: search
# it last (it is only needed for `_common`).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE] + [_HERE]

import agents  # noqa: E402
from _common import (  # noqa: E402
    API_KEY,
    INSTRUCTIONS,
    MODEL_NAME,
    REPLY_TEXT,
    TOOL_ANSWER,
    TOOL_PROMPT,
    run_threads,
    worker_main,
)
from agents import (  # noqa: E402
    Agent,
    Model,
    ModelResponse,
    ModelSettings,
    OpenAIProvider,
    RunConfig,
    Runner,
    SQLiteSession,
    Usage,
    function_tool,
    set_trace_processors,
    set_tracing_disabled,
)
from agents.tracing.processors import BackendSpanExporter, BatchTraceProcessor  # noqa: E402
from openai.types.responses import (  # noqa: E402
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseStreamEvent,
)
from pydantic import TypeAdapter  # noqa: E402


@function_tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def _loop() -> asyncio.AbstractEventLoop:
    """The thread's default event loop (what `Runner.run_sync` uses too)."""
    policy = asyncio.get_event_loop_policy()
    try:
        loop = policy.get_event_loop()
    except RuntimeError:
        loop = policy.new_event_loop()
        policy.set_event_loop(loop)
    if loop.is_closed():
        loop = policy.new_event_loop()
        policy.set_event_loop(loop)
    return loop


# --- an in-process scripted model (like the reference's own tests' FakeModel) -----------------

_EVENTS = TypeAdapter(ResponseStreamEvent)


def _message(text: str) -> ResponseOutputMessage:
    return ResponseOutputMessage(
        id="msg_1", type="message", role="assistant", status="completed",
        content=[ResponseOutputText(type="output_text", text=text, annotations=[])],
    )


_TOOL_CALL = ResponseFunctionToolCall(
    id="fc_1", call_id="call_1", type="function_call", name="add",
    arguments='{"a": 1, "b": 2}', status="completed",
)
_USAGE = {"input_tokens": 20, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
          "output_tokens": 12,
          "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 32}


def _response_dict(output: list[dict[str, Any]], status: str) -> dict[str, Any]:
    return {
        "id": "resp_1", "object": "response", "created_at": 0, "status": status,
        "model": MODEL_NAME, "output": output, "error": None, "incomplete_details": None,
        "instructions": INSTRUCTIONS, "parallel_tool_calls": True, "tool_choice": "auto",
        "tools": [], "usage": _USAGE if status == "completed" else None,
    }


def _text_stream(text: str) -> list[Any]:
    """The Responses events of one text message, as the API streams it (word deltas)."""
    words = [w + " " for w in text.split(" ")]
    words[-1] = words[-1].rstrip()
    part = {"type": "output_text", "text": text, "annotations": []}
    item = {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
            "content": [part]}
    where = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    raw: list[dict[str, Any]] = [
        {"type": "response.created", "response": _response_dict([], "in_progress")},
        {"type": "response.in_progress", "response": _response_dict([], "in_progress")},
        {"type": "response.output_item.added", "output_index": 0,
         "item": {**item, "status": "in_progress", "content": []}},
        {"type": "response.content_part.added", **where,
         "part": {"type": "output_text", "text": "", "annotations": []}},
        *({"type": "response.output_text.delta", **where, "delta": w, "logprobs": []}
          for w in words),
        {"type": "response.output_text.done", **where, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **where, "part": part},
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": _response_dict([item], "completed")},
    ]
    return [_EVENTS.validate_python({**event, "sequence_number": i})
            for i, event in enumerate(raw)]


class ScriptedModel(Model):
    """Answers the tool prompt with a call to `add`, then (or otherwise) with a fixed text."""

    def __init__(self) -> None:
        self._text = [_message(REPLY_TEXT)]
        self._answer = [_message(TOOL_ANSWER)]
        self._stream = _text_stream(REPLY_TEXT)

    def _output(self, input: Any, tools: list[Any]) -> list[Any]:
        if isinstance(input, list) and input and tools:
            last = input[-1]
            kind = last.get("type") if isinstance(last, dict) else getattr(last, "type", None)
            if kind == "function_call_output":
                return list(self._answer)
            content = last.get("content") if isinstance(last, dict) else None
            if content == TOOL_PROMPT:
                return [_TOOL_CALL]
        return list(self._text)

    async def get_response(self, system_instructions: Any, input: Any, model_settings: Any,
                           tools: Any, output_schema: Any, handoffs: Any, tracing: Any,
                           **kwargs: Any) -> ModelResponse:
        return ModelResponse(
            output=self._output(input, tools),
            usage=Usage(requests=1, input_tokens=20, output_tokens=12, total_tokens=32),
            response_id="resp_1",
        )

    async def stream_response(self, system_instructions: Any, input: Any, model_settings: Any,
                              tools: Any, output_schema: Any, handoffs: Any, tracing: Any,
                              **kwargs: Any) -> AsyncIterator[Any]:
        for event in self._stream:
            yield event


# --- workloads -------------------------------------------------------------------------------


def _streamed(agent: Agent[Any], prompt: str, run_config: Any = None) -> Callable[[], Any]:
    loop = _loop()

    async def consume() -> Any:
        result = Runner.run_streamed(agent, prompt, run_config=run_config)
        async for _event in result.stream_events():
            pass
        return result.final_output

    def run() -> Any:
        output = loop.run_until_complete(consume())
        assert output, "empty final output"
        return output

    return run


def _checked(agent: Agent[Any], prompt: str, expect: str, **kwargs: Any) -> Callable[[], Any]:
    def run() -> Any:
        output = Runner.run_sync(agent, prompt, **kwargs).final_output
        if output != expect:
            raise AssertionError(f"unexpected final output {output!r}")
        return output

    return run


def fake_plain(params: dict[str, Any]) -> Callable[[], Any]:
    agent = Agent(name="plain", instructions=INSTRUCTIONS, model=ScriptedModel(), tools=[add])
    run = _checked(agent, "hello", REPLY_TEXT)
    if params.get("tracing"):
        _traced(run, params)
    return run


def fake_tool(params: dict[str, Any]) -> Callable[[], Any]:
    agent = Agent(name="tool", instructions=INSTRUCTIONS, model=ScriptedModel(), tools=[add])
    return _checked(agent, TOOL_PROMPT, TOOL_ANSWER)


def fake_streamed(params: dict[str, Any]) -> Callable[[], Any]:
    agent = Agent(name="plain", instructions=INSTRUCTIONS, model=ScriptedModel(), tools=[add])
    return _streamed(agent, "hello")


def _http_agent(tools: bool = False) -> Agent[Any]:
    # The default provider, configured from OPENAI_BASE_URL / OPENAI_API_KEY (set by compare.py).
    return Agent(name="http", instructions=INSTRUCTIONS, model=MODEL_NAME,
                 tools=[add] if tools else [])


def http_plain(params: dict[str, Any]) -> Callable[[], Any]:
    run = _checked(_http_agent(), "hello", REPLY_TEXT)
    if params.get("tracing"):
        _traced(run, params)
    return run


def http_tool(params: dict[str, Any]) -> Callable[[], Any]:
    return _checked(_http_agent(tools=True), TOOL_PROMPT, TOOL_ANSWER)


def http_streamed(params: dict[str, Any]) -> Callable[[], Any]:
    return _streamed(_http_agent(), "hello")


def http_first_text(params: dict[str, Any]) -> Callable[[], Any]:
    """Seconds from `run_streamed` to the first text delta (the rest is drained)."""
    agent = _http_agent()
    loop = _loop()

    async def consume() -> float:
        start = time.perf_counter()
        first = None
        result = Runner.run_streamed(agent, "hello")
        async for event in result.stream_events():
            if (first is None and event.type == "raw_response_event"
                    and event.data.type == "response.output_text.delta"):
                first = time.perf_counter() - start
        assert first is not None, "no text delta"
        return first

    return lambda: loop.run_until_complete(consume())


def session_sqlite(params: dict[str, Any]) -> Callable[[], Any]:
    """A new SQLiteSession (file database) per run: add 100 items in one call, read them back."""
    path = os.path.join(params.get("dir") or tempfile.mkdtemp(), "ref_sessions.db")
    items = [dict(item) for item in params["items"]]
    loop = _loop()

    async def once() -> int:
        session = SQLiteSession(uuid.uuid4().hex, path)
        await session.add_items(items)
        got = await session.get_items()
        session.close()
        return len(got)

    def run() -> int:
        count = loop.run_until_complete(once())
        assert count == len(items), count
        return count

    return run


def _traced(run: Any, params: dict[str, Any]) -> None:
    """Tracing on for this workload's batches: a batch processor exporting to the local ingest."""
    exporter = BackendSpanExporter(api_key=API_KEY, endpoint=params["ingest_url"])
    processor = BatchTraceProcessor(exporter)

    def before() -> None:
        set_trace_processors([processor])
        set_tracing_disabled(False)

    def after() -> None:
        processor.force_flush()  # what this batch queued is exported before the next batch
        set_tracing_disabled(True)

    run.before, run.after = before, after


def threads(params: dict[str, Any]) -> dict[str, Any]:
    """`threads` threads x `runs_each` `Runner.run_sync` calls against the latency server.

    A throwaway provider warms the code path up first, in a thread of its own (its errors are
    reported apart); the measured one starts unused (its client is created by the first run
    that needs it, in whichever thread that is)."""
    agent = Agent(name="threads", instructions=INSTRUCTIONS, model=MODEL_NAME,
                  model_settings=ModelSettings())
    warm = RunConfig(model_provider=OpenAIProvider(api_key=API_KEY, base_url=params["base_url"]))
    warm_errors = run_threads(_checked(agent, "hello", REPLY_TEXT, run_config=warm), 1, 3)
    provider = OpenAIProvider(api_key=API_KEY, base_url=params["base_url"])
    config = RunConfig(model_provider=provider)
    run = _checked(agent, "hello", REPLY_TEXT, run_config=config)
    result = run_threads(run, int(params["threads"]), int(params["runs_each"]))
    result["warmup_errors"] = warm_errors["errors"]
    return result


def info() -> dict[str, Any]:
    from importlib.metadata import version

    return {"sdk": "openai-agents", "version": version("openai-agents"),
            "openai": version("openai"), "python": sys.version.split()[0],
            "module": agents.__name__}


FACTORIES = {
    "fake_plain": fake_plain,
    "fake_tool": fake_tool,
    "fake_streamed": fake_streamed,
    "http_plain": http_plain,
    "http_tool": http_tool,
    "http_streamed": http_streamed,
    "http_first_text": http_first_text,
    "session_sqlite": session_sqlite,
}
MEASURES = {"threads": threads}


if __name__ == "__main__":
    if "--worker" not in sys.argv:
        raise SystemExit("started by compare.py: python _ref_workloads.py --worker")
    set_tracing_disabled(True)
    worker_main(info, FACTORIES, MEASURES)
