"""Input guardrails: a check on the user's input that can stop the run before the agent answers.

This guardrail asks a small agent whether the user wants their math homework done. It runs before
the main agent's model call (`run_in_parallel=False`), so a tripped request costs no tokens of the
main model; with the default (`True`) both start together and the main call is abandoned.
"""

# expect: Answer: The capital of California is Sacramento.
# expect: Guardrail tripped: the user asked for math homework help

from dataclasses import dataclass
from typing import Any, Union

from agents_lite import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrailTripwireTriggered,
    RunContextWrapper,
    Runner,
    input_guardrail,
)
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


@dataclass
class MathHomeworkOutput:
    reasoning: str
    is_math_homework: bool


guardrail_agent = Agent(
    name="Guardrail check",
    instructions="Check if the user is asking you to do their math homework.",
    output_type=MathHomeworkOutput,
)


@input_guardrail(run_in_parallel=False)
def math_guardrail(
    context: RunContextWrapper[Any], agent: Agent[Any], input: Union[str, list[Any]]
) -> GuardrailFunctionOutput:
    result = Runner.run_sync(guardrail_agent, input, context=context.context)
    verdict = result.final_output_as(MathHomeworkOutput)
    return GuardrailFunctionOutput(output_info=verdict,
                                   tripwire_triggered=verdict.is_math_homework)


agent = Agent(
    name="Customer support agent",
    instructions="You are a customer support agent. You help customers with their questions.",
    input_guardrails=[math_guardrail],
)


def main() -> None:
    for question in ("What's the capital of California?",
                     "Can you help me solve for x: 2x + 5 = 11?"):
        print(f"User: {question}")
        try:
            result = Runner.run_sync(agent, question)
            print(f"Answer: {result.final_output}\n")
        except InputGuardrailTripwireTriggered as exc:
            verdict = exc.guardrail_result.output.output_info
            print(f"Guardrail tripped: the user asked for math homework help "
                  f"({verdict.reasoning})\n")


if __name__ == "__main__":
    main()
