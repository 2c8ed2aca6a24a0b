"""The basic run: text output, inputs, results, turns, instructions, settings, models."""

from __future__ import annotations

import asyncio
import threading

import pytest

from agents_lite import (
    Agent,
    MaxTurnsExceeded,
    ModelSettings,
    RunConfig,
    RunContextWrapper,
    Runner,
    UserError,
    function_tool,
    run_sync,
)
from agents_lite.models.interface import ModelProvider
from agents_lite.testing.fake_model import FakeModel
from agents_lite.testing.scripted import function_call, text_message


@function_tool
def echo(text: str) -> str:
    """Echo the text back."""
    return f"echo:{text}"


def test_plain_text_run(backend):
    backend.add("Hello there")
    agent = Agent(name="greeter", instructions="Be kind.", model=backend.model)
    result = Runner.run_sync(agent, "hi")
    assert result.final_output == "Hello there"
    assert result.last_agent is agent
    assert [item.type for item in result.new_items] == ["message_output_item"]
    assert backend.sent_instructions(0) == "Be kind."
    assert backend.sent_user_texts(0) == ["hi"]
    assert result.usage.requests == 1
    assert len(result.raw_responses) == 1
    assert result.last_response_id == result.raw_responses[0].response_id


def test_to_input_list_continues_the_conversation(backend):
    backend.add("first answer", "second answer")
    agent = Agent(name="a", model=backend.model)
    first = Runner.run_sync(agent, "one")
    history = first.to_input_list()
    assert history[0] == {"role": "user", "content": "one"}
    assert history[1]["type"] == "message"
    second = Runner.run_sync(agent, history + [{"role": "user", "content": "two"}])
    assert second.final_output == "second answer"
    assert backend.sent_user_texts(1) == ["one", "two"]


def test_tool_round_trip_and_usage(backend):
    backend.add([function_call("echo", {"text": "x"}, call_id="c1")], "done")
    agent = Agent(name="a", tools=[echo], model=backend.model)
    result = Runner.run_sync(agent, "go")
    assert result.final_output == "done"
    assert [i.type for i in result.new_items] == [
        "tool_call_item", "tool_call_output_item", "message_output_item"
    ]
    assert result.new_items[1].output == "echo:x"
    assert backend.sent_tool_outputs(1) == ["echo:x"]
    assert backend.sent_tool_names(0) == ["echo"]
    assert result.usage.requests == 2
    assert len(result.usage.request_usage_entries) == 2


def test_max_turns_exceeded_carries_run_data(fake):
    fake.add(*[[function_call("echo", {"text": str(i)})] for i in range(5)])
    agent = Agent(name="a", tools=[echo], model=fake.model)
    with pytest.raises(MaxTurnsExceeded) as info:
        Runner.run_sync(agent, "loop", max_turns=3)
    assert fake.request_count() == 3
    data = info.value.run_data
    assert data is not None and data.last_agent is agent
    assert len(data.raw_responses) == 3
    assert sum(1 for i in data.new_items if i.type == "tool_call_output_item") == 3


def test_max_turns_none_is_unlimited(fake):
    fake.add(*[[function_call("echo", {"text": str(i)})] for i in range(15)], "finally")
    agent = Agent(name="a", tools=[echo], model=fake.model)
    assert Runner.run_sync(agent, "loop", max_turns=None).final_output == "finally"
    assert fake.request_count() == 16


def test_dynamic_instructions_receive_context_and_agent(backend):
    backend.add("ok")
    seen = {}

    def instructions(ctx: RunContextWrapper, agent: Agent) -> str:
        seen["ctx"], seen["agent"] = ctx.context, agent
        return f"You help {ctx.context['user']}."

    agent = Agent(name="a", instructions=instructions, model=backend.model)
    Runner.run_sync(agent, "hi", context={"user": "Ada"})
    assert backend.sent_instructions(0) == "You help Ada."
    assert seen == {"ctx": {"user": "Ada"}, "agent": agent}


def test_async_instructions_are_awaited(fake):
    fake.add("ok")

    async def instructions(ctx, agent):
        return "async prompt"

    Runner.run_sync(Agent(name="a", instructions=instructions, model=fake.model), "hi")
    assert fake.sent_instructions(0) == "async prompt"


@pytest.mark.parametrize("func", [lambda: "x", lambda ctx: "x", lambda a, b, c: "x"])
def test_instructions_with_wrong_arity_raise_type_error(fake, func):
    fake.add("never")
    with pytest.raises(TypeError, match="exactly 2"):
        Runner.run_sync(Agent(name="a", instructions=func, model=fake.model), "hi")
    assert fake.request_count() == 0


def test_run_config_model_settings_overlay(fake):
    fake.add("ok")
    agent = Agent(
        name="a", model=fake.model, model_settings=ModelSettings(temperature=0.1, top_p=0.5)
    )
    Runner.run_sync(agent, "hi", run_config=RunConfig(model_settings=ModelSettings(temperature=0.9)))
    sent = fake.model.calls[0].model_settings
    assert (sent.temperature, sent.top_p) == (0.9, 0.5)


def test_run_config_model_overrides_agent_model():
    agent_model, run_model = FakeModel(["from agent"]), FakeModel(["from run config"])
    agent = Agent(name="a", model=agent_model)
    result = Runner.run_sync(agent, "hi", run_config=RunConfig(model=run_model))
    assert result.final_output == "from run config"
    assert agent_model.calls == []


def test_model_names_resolve_through_the_provider():
    model = FakeModel(["provided"])
    asked = []

    class Provider(ModelProvider):
        def get_model(self, model_name):
            asked.append(model_name)
            return model

    agent = Agent(name="a", model="my-model")
    result = Runner.run_sync(agent, "hi", run_config=RunConfig(model_provider=Provider()))
    assert result.final_output == "provided" and asked == ["my-model"]


def test_bad_arguments_are_user_errors(fake):
    agent = Agent(name="a", model=fake.model)
    with pytest.raises(UserError):
        Runner.run_sync("not an agent", "hi")  # type: ignore[arg-type]
    with pytest.raises(UserError):
        Runner.run_sync(agent, 42)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="Unknown error handler"):
        Runner.run_sync(agent, "hi", error_handlers={"nope": lambda data: None})
    assert fake.request_count() == 0


def test_run_sync_works_inside_a_running_event_loop(fake):
    fake.add("from inside a loop")
    agent = Agent(name="a", model=fake.model)

    async def main():
        return Runner.run_sync(agent, "hi").final_output

    assert asyncio.run(main()) == "from inside a loop"


def test_awaitable_run_and_functional_facade(fake):
    fake.add("awaited", "facade")
    agent = Agent(name="a", model=fake.model)
    assert asyncio.run(Runner.run(agent, "hi")).final_output == "awaited"
    assert run_sync(agent, "hi").final_output == "facade"


def test_many_threads_share_one_agent(fake):
    fake.model.default_output = [text_message("shared")]
    agent = Agent(name="a", tools=[echo], model=fake.model)
    outputs, errors = [], []

    def worker():
        try:
            for _ in range(20):
                outputs.append(Runner.run_sync(agent, "hi").final_output)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and outputs == ["shared"] * 160


def test_final_output_as_and_str(fake):
    fake.add("text")
    result = Runner.run_sync(Agent(name="a", model=fake.model), "hi")
    assert result.final_output_as(str) == "text"
    with pytest.raises(TypeError):
        result.final_output_as(int, raise_if_incorrect_type=True)
    assert "final_output='text'" in str(result)


def test_reasoning_items_are_kept(fake):
    from agents_lite.testing.scripted import reasoning_item

    fake.add([reasoning_item("thinking"), text_message("answer")])
    result = Runner.run_sync(Agent(name="a", model=fake.model), "hi")
    assert [i.type for i in result.new_items] == ["reasoning_item", "message_output_item"]
    assert result.final_output == "answer"
