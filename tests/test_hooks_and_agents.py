"""Lifecycle hooks order, Agent behaviour (clone, validation, as_tool), and lazy imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from agents_lite import Agent, AgentHooks, RunHooks, Runner, function_tool
from agents_lite.testing.fake_model import FakeModel
from agents_lite.testing.scripted import function_call


@function_tool
def ping() -> str:
    """Ping."""
    return "pong"


class Recorder(RunHooks):
    def __init__(self):
        self.events = []

    def on_agent_start(self, context, agent):
        self.events.append(f"agent_start:{agent.name}")

    def on_agent_end(self, context, agent, output):
        self.events.append(f"agent_end:{agent.name}:{output}")

    def on_llm_start(self, context, agent, system_prompt, input_items):
        self.events.append(f"llm_start:{agent.name}:{len(input_items)}")

    def on_llm_end(self, context, agent, response):
        self.events.append(f"llm_end:{agent.name}")

    def on_tool_start(self, context, agent, tool):
        self.events.append(f"tool_start:{tool.name}")

    def on_tool_end(self, context, agent, tool, result):
        self.events.append(f"tool_end:{tool.name}:{result}")

    def on_handoff(self, context, from_agent, to_agent):
        self.events.append(f"handoff:{from_agent.name}->{to_agent.name}")


class AgentRecorder(AgentHooks):
    def __init__(self):
        self.events = []

    def on_start(self, context, agent):
        self.events.append("start")

    def on_end(self, context, agent, output):
        self.events.append("end")

    def on_tool_start(self, context, agent, tool):
        self.events.append("tool_start")

    def on_tool_end(self, context, agent, tool, result):
        self.events.append("tool_end")

    def on_llm_start(self, context, agent, system_prompt, input_items):
        self.events.append(f"llm_start:{system_prompt}")

    def on_llm_end(self, context, agent, response):
        self.events.append("llm_end")

    def on_handoff(self, context, agent, source):
        self.events.append(f"handoff_from:{source.name}")


@pytest.mark.parametrize("streamed", [False, True])
def test_hook_order_with_tool_and_handoff(fake, streamed):
    run_hooks, b_hooks = Recorder(), AgentRecorder()
    b = Agent(name="b", instructions="B", model=fake.model, hooks=b_hooks)
    a = Agent(name="a", tools=[ping], handoffs=[b], model=fake.model)
    fake.add([function_call("ping", {})], [function_call("transfer_to_b", {})], "bye")
    if streamed:
        result = Runner.run_streamed(a, "x", hooks=run_hooks)
        list(result.stream_events())
    else:
        Runner.run_sync(a, "x", hooks=run_hooks)
    assert run_hooks.events == [
        "agent_start:a", "llm_start:a:1", "llm_end:a", "tool_start:ping", "tool_end:ping:pong",
        "llm_start:a:3", "llm_end:a", "handoff:a->b", "agent_start:b", "llm_start:b:5", "llm_end:b",
        "agent_end:b:bye",
    ]
    assert b_hooks.events == ["handoff_from:a", "start", "llm_start:B", "llm_end", "end"]


def test_agent_hooks_see_their_tools(fake):
    hooks = AgentRecorder()
    fake.add([function_call("ping", {})], "done")
    Runner.run_sync(Agent(name="a", tools=[ping], model=fake.model, hooks=hooks), "x")
    assert hooks.events == ["start", "llm_start:None", "llm_end", "tool_start", "tool_end",
                            "llm_start:None", "llm_end", "end"]


def test_clone_and_validation():
    base = Agent(name="base", instructions="x", tools=[ping])
    copy = base.clone(name="copy")
    assert copy.name == "copy" and copy.tools is base.tools and copy.instructions == "x"
    with pytest.raises(TypeError):
        Agent(name=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Agent(name="a", tools="ping")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Agent(name="a", instructions=5)  # type: ignore[arg-type]


def test_agent_as_tool(backend):
    translator = Agent(name="Translator", instructions="Translate to French.", model=backend.model)
    orchestrator = Agent(
        name="Orchestrator",
        tools=[translator.as_tool(tool_name="translate", tool_description="Translate text")],
        model=backend.model,
    )
    backend.add([function_call("translate", {"input": "hello"})], "bonjour", "It is: bonjour")
    result = Runner.run_sync(orchestrator, "translate hello")
    assert result.final_output == "It is: bonjour"
    assert backend.sent_user_texts(1) == ["hello"]  # the nested run got the string as a message
    assert backend.sent_instructions(1) == "Translate to French."
    assert backend.sent_tool_outputs(2) == ["bonjour"]


def test_as_tool_custom_output_extractor_and_shared_context(fake):
    seen = []

    def extractor(result):
        seen.append(result.context_wrapper.context)
        return f"{len(result.new_items)} items"

    inner = Agent(name="Inner", model=fake.model)
    outer = Agent(
        name="Outer", model=fake.model,
        tools=[inner.as_tool(tool_name="inner", tool_description="d", custom_output_extractor=extractor)],
    )
    fake.add([function_call("inner", {"input": "q"})], "inner answer", "outer answer")
    Runner.run_sync(outer, "x", context={"shared": True})
    assert seen == [{"shared": True}]
    assert fake.sent_tool_outputs(2) == ["1 items"]


def test_as_tool_streams_nested_events(fake):
    events = []
    inner = Agent(name="Inner", model=fake.model)
    outer = Agent(
        name="Outer", model=fake.model,
        tools=[inner.as_tool(tool_name="inner", tool_description="d", on_stream=events.append)],
    )
    fake.add([function_call("inner", {"input": "q"})], "nested words", "done")
    Runner.run_sync(outer, "x")
    assert events and all(e["agent"] is inner for e in events)
    deltas = "".join(e["event"].data["delta"] for e in events if e["event"].type == "raw_response_event"
                     and e["event"].data["type"] == "response.output_text.delta")
    assert deltas == "nested words"


def test_as_tool_bad_arguments_go_to_the_model(fake):
    inner = Agent(name="Inner", model=fake.model)
    outer = Agent(name="Outer", model=fake.model,
                  tools=[inner.as_tool(tool_name="inner", tool_description="d")])
    fake.add([function_call("inner", {"input": 5})], "ok")
    Runner.run_sync(outer, "x")
    assert "'input' must be a string" in fake.sent_tool_outputs(1)[0]


def test_import_is_light_and_lazy():
    code = (
        "import sys, json, agents_lite\n"
        "heavy = ['asyncio', 'sqlite3', 'redis', 'websocket', 'pyaudio', 'jsonschema', 'requests',"
        " 'agents_lite.mcp', 'agents_lite.voice', 'agents_lite.realtime', 'agents_lite.tracing.processors',"
        " 'agents_lite.models.openai_responses']\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_jsonschema_loads_at_first_validation():
    code = (
        "import sys, json\n"
        "from agents_lite import Agent, Runner, function_tool\n"
        "from agents_lite.testing.fake_model import FakeModel\n"
        "from agents_lite.testing.scripted import function_call\n"
        "@function_tool\n"
        "def f(x: int) -> int:\n"
        "    return x\n"
        "before = 'jsonschema' in sys.modules\n"
        "m = FakeModel([[function_call('f', {'x': 1})], 'ok'])\n"
        "Runner.run_sync(Agent(name='a', tools=[f], model=m), 'hi')\n"
        "print(json.dumps([before, 'jsonschema' in sys.modules, 'asyncio' in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [False, True, False]


def test_fake_model_records_and_reports_exhaustion():
    from agents_lite import UserError

    model = FakeModel(["only one"])
    agent = Agent(name="a", instructions="i", model=model)
    Runner.run_sync(agent, "x")
    assert model.last_turn_args["system_instructions"] == "i"
    with pytest.raises(UserError, match="no scripted output left"):
        Runner.run_sync(agent, "x")
