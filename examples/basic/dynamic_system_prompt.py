"""Dynamic instructions: a function builds the system prompt from the run's context every turn."""

# expect: [pirate] Arr
# expect: [robot] BEEP

from dataclasses import dataclass
from typing import Literal

from agents_lite import Agent, RunContextWrapper, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


@dataclass
class UserProfile:
    name: str
    style: Literal["haiku", "pirate", "robot"]


def instructions(context: RunContextWrapper[UserProfile], agent: Agent[UserProfile]) -> str:
    profile = context.context
    if profile.style == "haiku":
        return f"The user is {profile.name}. Only respond in haikus."
    if profile.style == "pirate":
        return f"The user is {profile.name}. Respond as a pirate."
    return f"The user is {profile.name}. Respond as a robot and say 'beep boop' a lot."


agent: Agent[UserProfile] = Agent(name="Chat agent", instructions=instructions)


def main() -> None:
    for profile in (UserProfile("Ada", "haiku"), UserProfile("Grace", "pirate"),
                    UserProfile("Linus", "robot")):
        result = Runner.run_sync(agent, "Tell me a joke.", context=profile)
        print(f"[{profile.style}] {result.final_output}\n")


if __name__ == "__main__":
    main()
