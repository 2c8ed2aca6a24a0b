"""Prompt templates: use a prompt stored on the OpenAI platform, with variables, instead of
instructions (Responses API only). The prompt can also come from a function of the context."""

# expect: limerick
# expect: sonnet

from dataclasses import dataclass
from typing import Any

from agents_lite import Agent, RunContextWrapper, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

PROMPT_ID = "pmpt_6850729e8ba481939fd439e058c69ee004afaa19c520b78b"  # a prompt in your project


@dataclass
class PoemRequest:
    style: str


def prompt_for(context: RunContextWrapper[PoemRequest], agent: Agent[PoemRequest]) -> dict[str, Any]:
    return {"id": PROMPT_ID, "version": "1", "variables": {"poem_style": context.context.style}}


def main() -> None:
    static = Agent(name="Poet", prompt={"id": PROMPT_ID, "version": "1",
                                        "variables": {"poem_style": "limerick"}})
    print(Runner.run_sync(static, "Write about the sea.").final_output, "\n")

    dynamic: Agent[PoemRequest] = Agent(name="Poet", prompt=prompt_for)
    result = Runner.run_sync(dynamic, "Write about the sea.", context=PoemRequest("sonnet"))
    print(result.final_output)


if __name__ == "__main__":
    main()
