"""Guardrails, dynamic instructions and run hooks, all written as coroutines."""

import asyncio
from typing import Any

from agents import (
    Agent,
    GuardrailFunctionOutput,
    RunContextWrapper,
    RunHooks,
    Runner,
    input_guardrail,
)


class CountingHooks(RunHooks):
    """Counts what happens during a run."""

    def __init__(self) -> None:
        self.events = 0

    async def on_agent_start(self, context: RunContextWrapper, agent: Agent) -> None:
        self.events += 1
        print(f"#{self.events} start {agent.name}")

    async def on_agent_end(self, context: RunContextWrapper, agent: Agent, output: Any) -> None:
        self.events += 1
        print(f"#{self.events} end {agent.name}: {output}")


@input_guardrail
async def no_passwords(
    ctx: RunContextWrapper[None], agent: Agent, user_input: Any
) -> GuardrailFunctionOutput:
    # Nothing to await: this check is pure computation.
    flagged = "password" in str(user_input).lower()
    return GuardrailFunctionOutput(output_info={"flagged": flagged}, tripwire_triggered=flagged)


async def instructions_for(context: RunContextWrapper[dict], agent: Agent) -> str:
    return f"You help {context.context['user']}. Be brief."


async def main():
    agent = Agent(
        name="Helper",
        instructions=instructions_for,
        input_guardrails=[no_passwords],
    )
    hooks = CountingHooks()
    result = await Runner.run(agent, "What is a monad?", context={"user": "Ada"}, hooks=hooks)
    print("final:", result.final_output)
    print("guardrail:", result.input_guardrail_results[0].output.output_info)


if __name__ == "__main__":
    asyncio.run(main())
