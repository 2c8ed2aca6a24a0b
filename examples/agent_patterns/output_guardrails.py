"""Output guardrails: a check on the agent's final output. Here, answers must not contain a
phone number; the check is plain Python, no model call needed."""

# expect: Answer: The first run is fine
# expect: Guardrail tripped: the answer contains a phone number

import re
from dataclasses import dataclass
from typing import Any

from agents_lite import (
    Agent,
    GuardrailFunctionOutput,
    OutputGuardrailTripwireTriggered,
    RunContextWrapper,
    Runner,
    output_guardrail,
)
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

PHONE = re.compile(r"\b\d{3}[-. ]\d{3}[-. ]\d{4}\b")


@dataclass
class MessageOutput:
    reasoning: str
    """Thoughts on how to respond to the user's message."""
    response: str
    """The response to the user's message."""
    user_name: str
    """The user's name, or "unknown"."""


@output_guardrail
def no_phone_numbers(
    context: RunContextWrapper[Any], agent: Agent[Any], output: MessageOutput
) -> GuardrailFunctionOutput:
    found = PHONE.search(output.response) or PHONE.search(output.reasoning)
    return GuardrailFunctionOutput(output_info={"phone_number_found": bool(found)},
                                   tripwire_triggered=bool(found))


agent = Agent(
    name="Assistant",
    instructions="You are a helpful assistant.",
    output_type=MessageOutput,
    output_guardrails=[no_phone_numbers],
)


def main() -> None:
    result = Runner.run_sync(agent, "What's the capital of California?")
    print(f"Answer: The first run is fine: {result.final_output.response}")
    try:
        Runner.run_sync(agent, "My phone number is 650-123-4567. Where do you think I live?")
        print("Unexpected: the guardrail did not trip")
    except OutputGuardrailTripwireTriggered as exc:
        info = exc.guardrail_result.output.output_info
        print(f"Guardrail tripped: the answer contains a phone number ({info})")


if __name__ == "__main__":
    main()
