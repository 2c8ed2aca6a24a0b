"""Structured output in runs, refusals, error handlers, budgets and run_data."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import pytest

from agents_lite import (
    Agent,
    AgentOutputSchema,
    BudgetExceeded,
    MaxTurnsExceeded,
    ModelBehaviorError,
    ModelRefusalError,
    RunConfig,
    RunErrorHandlerInput,
    RunErrorHandlerResult,
    Runner,
    UserError,
    function_tool,
    set_model_price,
)
from agents_lite.testing.fake_model import FakeModel
from agents_lite.testing.scripted import function_call, refusal_message


@dataclass
class Weather:
    city: str
    celsius: int


class Mood(enum.Enum):
    HAPPY = "happy"
    SAD = "sad"


@function_tool
def ping() -> str:
    """Ping."""
    return "pong"


def test_dataclass_output(backend):
    backend.add('{"city": "Oslo", "celsius": -3}')
    result = Runner.run_sync(Agent(name="a", output_type=Weather, model=backend.model), "x")
    assert result.final_output == Weather("Oslo", -3)
    assert result.final_output_as(Weather, raise_if_incorrect_type=True).city == "Oslo"


@pytest.mark.parametrize(
    "output_type, text, expected",
    [(list[int], '{"response": [1, 2, 3]}', [1, 2, 3]), (Mood, '{"response": "sad"}', Mood.SAD),
     (int, '{"response": 7}', 7)],
)
def test_wrapped_outputs(fake, output_type, text, expected):
    fake.add(text)
    assert Runner.run_sync(Agent(name="a", output_type=output_type, model=fake.model), "x").final_output == expected


def test_output_schema_is_sent(fake):
    fake.add('{"city": "Rome", "celsius": 30}')
    Runner.run_sync(Agent(name="a", output_type=Weather, model=fake.model), "x")
    schema = fake.model.calls[0].output_schema
    assert schema.json_schema()["required"] == ["city", "celsius"]
    assert schema.is_strict_json_schema()


@pytest.mark.parametrize("text", ["not json at all", '{"city": "Oslo"}', '{"city": "Oslo", "celsius": "cold"}'])
def test_invalid_structured_output_raises(backend, text):
    backend.add(text)
    with pytest.raises(ModelBehaviorError) as info:
        Runner.run_sync(Agent(name="a", output_type=Weather, model=backend.model), "x")
    assert info.value.run_data is not None and len(info.value.run_data.raw_responses) == 1


def test_non_strict_output_schema(fake):
    fake.add('{"response": {"anything": [1, {"nested": true}]}}')
    agent = Agent(name="a", output_type=AgentOutputSchema(dict, strict_json_schema=False), model=fake.model)
    assert Runner.run_sync(agent, "x").final_output == {"anything": [1, {"nested": True}]}


def test_invalid_final_output_handler(fake):
    fake.add("garbage")
    seen = []

    def handler(data: RunErrorHandlerInput):
        seen.append(type(data.error).__name__)
        return RunErrorHandlerResult(final_output=Weather("Nowhere", 0))

    result = Runner.run_sync(
        Agent(name="a", output_type=Weather, model=fake.model), "x",
        error_handlers={"invalid_final_output": handler},
    )
    assert result.final_output == Weather("Nowhere", 0)
    assert seen == ["ModelBehaviorError"]
    assert result.new_items[-1].raw_item["content"][0]["text"] == '{"city": "Nowhere", "celsius": 0}'


def test_refusal_raises_or_is_handled(backend):
    backend.add([refusal_message("I can't help with that")])
    with pytest.raises(ModelRefusalError) as info:
        Runner.run_sync(Agent(name="a", model=backend.model), "x")
    assert info.value.refusal == "I can't help with that"
    backend.add([refusal_message("no")])
    result = Runner.run_sync(
        Agent(name="a", model=backend.model), "x",
        error_handlers={"model_refusal": lambda data: {"final_output": "refused politely"}},
    )
    assert result.final_output == "refused politely"


def test_max_turns_handler_forms(fake):
    agent = Agent(name="a", tools=[ping], model=fake.model)
    fake.model.default_output = [function_call("ping", {})]
    raw = Runner.run_sync(agent, "x", max_turns=1, error_handlers={"max_turns": lambda d: "raw value"})
    assert raw.final_output == "raw value"
    assert raw.new_items[-1].type == "message_output_item"
    hidden = Runner.run_sync(
        agent, "x", max_turns=1,
        error_handlers={"max_turns": lambda d: RunErrorHandlerResult("quiet", include_in_history=False)},
    )
    assert hidden.final_output == "quiet"
    assert hidden.new_items[-1].type == "tool_call_output_item"
    with pytest.raises(MaxTurnsExceeded):
        Runner.run_sync(agent, "x", max_turns=1, error_handlers={"max_turns": lambda d: None})


def test_handler_receives_run_data(fake):
    fake.model.default_output = [function_call("ping", {})]
    captured = {}

    def handler(data):
        captured["items"] = len(data.run_data.new_items)
        captured["responses"] = len(data.run_data.raw_responses)
        captured["agent"] = data.run_data.last_agent.name
        return "stop"

    Runner.run_sync(Agent(name="a", tools=[ping], model=fake.model), "x", max_turns=2,
                    error_handlers={"max_turns": handler})
    assert captured == {"items": 4, "responses": 2, "agent": "a"}


def test_token_budget_stops_the_run():
    model = FakeModel(usage={"input_tokens": 60, "output_tokens": 20})
    model.default_output = [function_call("ping", {})]
    agent = Agent(name="a", tools=[ping], model=model)
    with pytest.raises(BudgetExceeded) as info:
        Runner.run_sync(agent, "x", run_config=RunConfig(max_total_tokens=200))
    assert info.value.kind == "tokens" and info.value.spent == 240
    assert len(model.calls) == 3  # stopped right after the response that crossed 200
    result = Runner.run_sync(
        agent, "x", run_config=RunConfig(max_total_tokens=100),
        error_handlers={"budget_exceeded": lambda d: "over budget"},
    )
    assert result.final_output == "over budget"


def test_cost_budget_uses_the_price_table():
    set_model_price("priced-fake", input=1_000_000.0, output=0.0)  # $1 per input token
    model = FakeModel(model="priced-fake", usage={"input_tokens": 3, "output_tokens": 1})
    model.default_output = [function_call("ping", {})]
    with pytest.raises(BudgetExceeded) as info:
        Runner.run_sync(Agent(name="a", tools=[ping], model=model), "x",
                        run_config=RunConfig(max_cost_usd=5.0))
    assert info.value.kind == "cost_usd" and info.value.spent == pytest.approx(6.0)
    unknown = FakeModel(model="no-price-known", default_output="hi")
    with pytest.raises(UserError, match="price"):
        Runner.run_sync(Agent(name="a", model=unknown), "x", run_config=RunConfig(max_cost_usd=1.0))


def test_usage_aggregates_details():
    model = FakeModel([[function_call("ping", {})], "done"],
                      usage={"input_tokens": 10, "output_tokens": 5, "cached_tokens": 4,
                             "reasoning_tokens": 2})
    result = Runner.run_sync(Agent(name="a", tools=[ping], model=model), "x")
    usage = result.usage
    assert (usage.requests, usage.input_tokens, usage.output_tokens, usage.total_tokens) == (2, 20, 10, 30)
    assert usage.input_tokens_details.cached_tokens == 8
    assert usage.output_tokens_details.reasoning_tokens == 4
    assert [e.input_tokens for e in usage.request_usage_entries] == [10, 10]


def test_model_exception_carries_run_data(fake):
    from agents_lite import APIConnectionError

    fake.add([function_call("ping", {})], APIConnectionError("network down"))
    with pytest.raises(APIConnectionError) as info:
        Runner.run_sync(Agent(name="a", tools=[ping], model=fake.model), "x")
    data = info.value.run_data
    assert [i.type for i in data.new_items] == ["tool_call_item", "tool_call_output_item"]
