"""Input and output guardrails in runs."""

from __future__ import annotations

import threading

import pytest

from agents_lite import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrail,
    InputGuardrailTripwireTriggered,
    OutputGuardrail,
    OutputGuardrailTripwireTriggered,
    RunConfig,
    Runner,
    UserError,
    input_guardrail,
    output_guardrail,
)
from agents_lite.testing.scripted import function_call


@input_guardrail
def no_homework(ctx, agent, input):
    text = input if isinstance(input, str) else str(input)
    return GuardrailFunctionOutput(output_info={"checked": True}, tripwire_triggered="homework" in text)


@output_guardrail
def no_secrets(ctx, agent, output):
    return GuardrailFunctionOutput(output_info=None, tripwire_triggered="SECRET" in str(output))


def test_input_guardrail_passes_and_is_recorded(backend):
    backend.add("answer")
    agent = Agent(name="a", input_guardrails=[no_homework], model=backend.model)
    result = Runner.run_sync(agent, "hello")
    assert result.final_output == "answer"
    assert [r.output.output_info for r in result.input_guardrail_results] == [{"checked": True}]


def test_input_guardrail_tripwire_in_parallel_mode(backend):
    backend.add("should not be returned")
    agent = Agent(name="a", input_guardrails=[no_homework], model=backend.model)
    with pytest.raises(InputGuardrailTripwireTriggered) as info:
        Runner.run_sync(agent, "do my homework")
    assert info.value.guardrail_result.guardrail.get_name() == "no_homework"
    assert info.value.run_data is not None and info.value.run_data.new_items == []


def test_blocking_input_guardrail_prevents_the_model_call(fake):
    @input_guardrail(run_in_parallel=False)
    def blocker(ctx, agent, input):
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=True)

    fake.add("never")
    with pytest.raises(InputGuardrailTripwireTriggered):
        Runner.run_sync(Agent(name="a", input_guardrails=[blocker], model=fake.model), "x")
    assert fake.request_count() == 0


def test_parallel_guardrail_runs_beside_the_model_call(fake):
    model_called = threading.Event()
    release = threading.Event()

    @input_guardrail
    def waits_for_model(ctx, agent, input):
        # Only finishes once the model was called: proves the two ran at the same time.
        assert model_called.wait(10)
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    class Spy(type(fake.model)):
        def get_response(self, *args, **kwargs):
            model_called.set()
            return super().get_response(*args, **kwargs)

    model = Spy(["ok"])
    result = Runner.run_sync(Agent(name="a", input_guardrails=[waits_for_model], model=model), "x")
    release.set()
    assert result.final_output == "ok"


def test_input_guardrails_only_for_the_first_agent(fake):
    calls = []

    @input_guardrail
    def counting(ctx, agent, input):
        calls.append(agent.name)
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    second = Agent(name="second", input_guardrails=[counting], model=fake.model)
    first = Agent(name="first", input_guardrails=[counting], handoffs=[second], model=fake.model)
    fake.add([function_call("transfer_to_second", {})], "done")
    Runner.run_sync(first, "x")
    assert calls == ["first"]


def test_output_guardrail_tripwire(backend):
    backend.add("the SECRET is 42")
    agent = Agent(name="a", output_guardrails=[no_secrets], model=backend.model)
    with pytest.raises(OutputGuardrailTripwireTriggered) as info:
        Runner.run_sync(agent, "x")
    assert info.value.guardrail_result.agent_output == "the SECRET is 42"
    assert info.value.guardrail_result.agent is agent


def test_output_guardrail_passes(fake):
    fake.add("fine")
    result = Runner.run_sync(Agent(name="a", output_guardrails=[no_secrets], model=fake.model), "x")
    assert result.final_output == "fine"
    assert len(result.output_guardrail_results) == 1


def test_run_config_guardrails_apply(fake):
    fake.add("SECRET")
    with pytest.raises(OutputGuardrailTripwireTriggered):
        Runner.run_sync(
            Agent(name="a", model=fake.model), "x",
            run_config=RunConfig(output_guardrails=[no_secrets]),
        )
    fake.add("x")
    with pytest.raises(InputGuardrailTripwireTriggered):
        Runner.run_sync(
            Agent(name="a", model=fake.model), "homework",
            run_config=RunConfig(input_guardrails=[no_homework]),
        )


def test_async_guardrail_functions(fake):
    @input_guardrail
    async def async_check(ctx, agent, input):
        return GuardrailFunctionOutput(output_info="async", tripwire_triggered=False)

    fake.add("ok")
    result = Runner.run_sync(Agent(name="a", input_guardrails=[async_check], model=fake.model), "x")
    assert result.input_guardrail_results[0].output.output_info == "async"


def test_broken_guardrails_are_user_errors(fake):
    with pytest.raises(UserError):
        Agent(name="a", input_guardrails=[InputGuardrail(guardrail_function="nope")])  # type: ignore[arg-type]
    with pytest.raises(UserError):
        input_guardrail("not callable")  # type: ignore[arg-type]

    @output_guardrail
    def wrong_type(ctx, agent, output):
        return True

    fake.add("x")
    with pytest.raises(UserError, match="must return a GuardrailFunctionOutput"):
        Runner.run_sync(Agent(name="a", output_guardrails=[wrong_type], model=fake.model), "x")
    fake.add("x")
    with pytest.raises(UserError):
        Runner.run_sync(
            Agent(name="a", model=fake.model), "x",
            run_config=RunConfig(output_guardrails=[OutputGuardrail(guardrail_function=None)]),  # type: ignore[arg-type]
        )
