"""A first agent: one question, one answer (written for openai-agents)."""

import asyncio

from agents import Agent, Runner


async def main():
    agent = Agent(
        name="Poet",
        instructions="You answer in haiku only.",  # keep it short
    )

    # The runner drives the model until there is a final output.
    result = await Runner.run(agent, "Tell me about recursion.")
    print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
