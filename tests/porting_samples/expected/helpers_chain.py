"""Helpers that call helpers: each becomes plain once what it awaits does."""

import asyncio
from dataclasses import dataclass

from agents_lite import Agent, AgentHooks, Runner


class LoggingHooks(AgentHooks):
    def on_start(self, context, agent) -> None:
        self.log(f"start {agent.name}")

    def log(self, text: str) -> None:
        print("[hooks]", text)


class Store:
    """Not part of the SDK: its coroutine methods are kept."""

    async def save(self, text: str) -> None:
        self.last = text


@dataclass
class Plan:
    steps: list


def make_plan(topic: str) -> Plan:
    return Plan(steps=[f"read about {topic}", f"write about {topic}"])


def do_step(agent: Agent, step: str) -> str:
    result = Runner.run_sync(agent, step)
    return result.final_output


def research(agent: Agent, topic: str):
    plan = make_plan(topic)
    for step in plan.steps:
        yield do_step(agent, step)


async def main():
    agent = Agent(name="Researcher", instructions="Do the step.", hooks=LoggingHooks())
    for line in research(agent, "tides"):
        print(line)
    store = Store()
    await store.save("done")


if __name__ == "__main__":
    asyncio.run(main())
