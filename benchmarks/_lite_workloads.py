"""The benchmark workloads written for agents_lite, and the raw transport floors.

Used in process by `wire.py`, and as a worker by `compare.py` (`python _lite_workloads.py
--worker`, protocol in `_common.py`). `_ref_workloads.py` holds the same workloads for the
reference SDK; keep the two in step: same prompts, same replies, same tool, same checks.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

# This folder holds a `mcp.py` that would shadow the `mcp` package: search it last (it is only
# needed for `_common`). The checkout's agents_lite comes first.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE] + [_HERE]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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

from agents_lite import (  # noqa: E402
    Agent,
    ModelResponse,
    ModelSettings,
    OpenAIProvider,
    RunConfig,
    Runner,
    Usage,
    function_tool,
)
from agents_lite.models.interface import Model  # noqa: E402
from agents_lite.testing.scripted import (  # noqa: E402
    function_call,
    response_object,
    response_stream_events,
    text_message,
    usage_dict,
)
from agents_lite.tracing import set_trace_processors, set_tracing_disabled  # noqa: E402


@function_tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


# --- an in-process scripted model --------------------------------------------------------------

_USAGE = usage_dict(20, 12)


class ScriptedModel(Model):
    """Answers the tool prompt with a call to `add`, then (or otherwise) with a fixed text."""

    def __init__(self) -> None:
        self._text = [text_message(REPLY_TEXT, id="msg_1")]
        self._answer = [text_message(TOOL_ANSWER, id="msg_1")]
        self._call = [function_call("add", {"a": 1, "b": 2}, call_id="call_1", id="fc_1")]
        self._stream = list(response_stream_events(
            response_object(self._text, response_id="resp_1", model=MODEL_NAME, usage=_USAGE)
        ))

    def _output(self, input: Any, tools: list[Any]) -> list[dict[str, Any]]:
        if isinstance(input, list) and input and tools:
            last = input[-1]
            if last.get("type") == "function_call_output":
                return list(self._answer)
            if last.get("content") == TOOL_PROMPT:
                return list(self._call)
        return list(self._text)

    def get_response(self, system_instructions: Any, input: Any, model_settings: Any,
                     tools: Any, output_schema: Any, handoffs: Any, tracing: Any,
                     **kwargs: Any) -> ModelResponse:
        return ModelResponse(
            output=self._output(input, tools),
            usage=Usage.from_responses_usage(_USAGE),
            response_id="resp_1",
        )

    def stream_response(self, system_instructions: Any, input: Any, model_settings: Any,
                        tools: Any, output_schema: Any, handoffs: Any, tracing: Any,
                        **kwargs: Any) -> Iterator[dict[str, Any]]:
        return iter(self._stream)


# --- workloads -------------------------------------------------------------------------------


def _streamed(agent: Agent[Any], prompt: str) -> Callable[[], Any]:
    def run() -> Any:
        result = Runner.run_streamed(agent, prompt)
        for _event in result.stream_events():
            pass
        assert result.final_output, "empty final output"
        return result.final_output

    return run


def _checked(agent: Agent[Any], prompt: str, expect: str, **kwargs: Any) -> Callable[[], Any]:
    def run() -> Any:
        output = Runner.run_sync(agent, prompt, **kwargs).final_output
        if output != expect:
            raise AssertionError(f"unexpected final output {output!r}")
        return output

    return run


def fake_plain(params: dict[str, Any]) -> Callable[[], Any]:
    agent: Agent[Any] = Agent(name="plain", instructions=INSTRUCTIONS, model=ScriptedModel(),
                              tools=[add])
    run = _checked(agent, "hello", REPLY_TEXT)
    if params.get("tracing"):
        _traced(run, params)
    return run


def fake_tool(params: dict[str, Any]) -> Callable[[], Any]:
    agent: Agent[Any] = Agent(name="tool", instructions=INSTRUCTIONS, model=ScriptedModel(),
                              tools=[add])
    return _checked(agent, TOOL_PROMPT, TOOL_ANSWER)


def fake_streamed(params: dict[str, Any]) -> Callable[[], Any]:
    agent: Agent[Any] = Agent(name="plain", instructions=INSTRUCTIONS, model=ScriptedModel(),
                              tools=[add])
    return _streamed(agent, "hello")


def _http_agent(tools: bool = False) -> Agent[Any]:
    # The default provider, configured from OPENAI_BASE_URL / OPENAI_API_KEY.
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

    def run() -> float:
        start = time.perf_counter()
        first = None
        result = Runner.run_streamed(agent, "hello")
        for event in result.stream_events():
            if (first is None and event.type == "raw_response_event"
                    and event.data["type"] == "response.output_text.delta"):
                first = time.perf_counter() - start
        assert first is not None, "no text delta"
        return first

    return run


def session_sqlite(params: dict[str, Any]) -> Callable[[], Any]:
    """A new SQLiteSession (file database) per run: add 100 items in one call, read them back."""
    from agents_lite.memory import SQLiteSession

    path = os.path.join(params.get("dir") or tempfile.mkdtemp(), "lite_sessions.db")
    items = [dict(item) for item in params["items"]]

    def run() -> int:
        session = SQLiteSession(uuid.uuid4().hex, path)
        session.add_items(items)
        count = len(session.get_items())
        session.close()
        assert count == len(items), count
        return count

    return run


def _traced(run: Any, params: dict[str, Any]) -> None:
    """Tracing on for this workload's batches: a batch processor exporting to the local ingest."""
    from agents_lite.tracing.processors import BackendSpanExporter, BatchTraceProcessor

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
    agent: Agent[Any] = Agent(name="threads", instructions=INSTRUCTIONS, model=MODEL_NAME,
                              model_settings=ModelSettings())
    warm = RunConfig(model_provider=OpenAIProvider(api_key=API_KEY, base_url=params["base_url"]))
    warm_errors = run_threads(_checked(agent, "hello", REPLY_TEXT, run_config=warm), 1, 3)
    provider = OpenAIProvider(api_key=API_KEY, base_url=params["base_url"])
    config = RunConfig(model_provider=provider)
    run = _checked(agent, "hello", REPLY_TEXT, run_config=config)
    result = run_threads(run, int(params["threads"]), int(params["runs_each"]))
    result["warmup_errors"] = warm_errors["errors"]
    return result


# --- transport floors (no SDK) -----------------------------------------------------------------


def _request_body(stream: bool = False) -> dict[str, Any]:
    """What a plain run sends (the same fields both SDKs send for it)."""
    body: dict[str, Any] = {"model": MODEL_NAME, "instructions": INSTRUCTIONS,
                            "input": [{"role": "user", "content": "hello"}]}
    if stream:
        body["stream"] = True
    return body


def floor_requests(params: dict[str, Any]) -> Callable[[], Any]:
    """`requests.Session().post(...).json()`: the floor for a plain run."""
    import requests

    session = requests.Session()
    url = os.environ["OPENAI_BASE_URL"] + "/responses"
    headers = {"Authorization": f"Bearer {API_KEY}"}
    body = _request_body()

    def run() -> Any:
        data = session.post(url, json=body, headers=headers).json()
        assert data["output"][0]["content"][0]["text"] == REPLY_TEXT
        return data

    return run


def floor_sse(params: dict[str, Any]) -> Callable[[], Any]:
    """A streamed request read with `requests` + sseclient-py, each event decoded: the floor for
    a streamed run."""
    import requests
    import sseclient

    session = requests.Session()
    url = os.environ["OPENAI_BASE_URL"] + "/responses"
    headers = {"Authorization": f"Bearer {API_KEY}", "Accept": "text/event-stream"}
    body = _request_body(stream=True)

    def run() -> Any:
        with session.post(url, json=body, headers=headers, stream=True) as response:
            last = None
            for event in sseclient.SSEClient(response.iter_content(None)).events():
                last = json.loads(event.data)
        assert last is not None and last["type"] == "response.completed"
        return last

    return run


def floor_first_text(params: dict[str, Any]) -> Callable[[], Any]:
    """Seconds from the POST to the first text delta with `requests` + sseclient-py."""
    import requests
    import sseclient

    session = requests.Session()
    url = os.environ["OPENAI_BASE_URL"] + "/responses"
    headers = {"Authorization": f"Bearer {API_KEY}", "Accept": "text/event-stream"}
    body = _request_body(stream=True)

    def run() -> float:
        start = time.perf_counter()
        first = None
        with session.post(url, json=body, headers=headers, stream=True) as response:
            for event in sseclient.SSEClient(response.iter_content(None)).events():
                data = json.loads(event.data)
                if first is None and data["type"] == "response.output_text.delta":
                    first = time.perf_counter() - start
        assert first is not None
        return first

    return run


def info() -> dict[str, Any]:
    from agents_lite import __version__

    return {"sdk": "agents_lite", "version": __version__, "python": sys.version.split()[0]}


FACTORIES = {
    "fake_plain": fake_plain,
    "fake_tool": fake_tool,
    "fake_streamed": fake_streamed,
    "http_plain": http_plain,
    "http_tool": http_tool,
    "http_streamed": http_streamed,
    "http_first_text": http_first_text,
    "session_sqlite": session_sqlite,
    "floor_requests": floor_requests,
    "floor_sse": floor_sse,
    "floor_first_text": floor_first_text,
}
MEASURES = {"threads": threads}


if __name__ == "__main__":
    if "--worker" not in sys.argv:
        raise SystemExit("started by compare.py: python _lite_workloads.py --worker")
    set_tracing_disabled(True)
    worker_main(info, FACTORIES, MEASURES)
