"""Non-strict output types: some types (here a dict with arbitrary keys) cannot be expressed in
strict JSON schema mode. `AgentOutputSchema(T, strict_json_schema=False)` sends them anyway."""

# expect: Strict mode refused
# expect: {1: 'Why did the
# expect: 3 jokes

from dataclasses import dataclass

from agents_lite import Agent, AgentOutputSchema, Runner, UserError
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


@dataclass
class Jokes:
    jokes: dict[int, str]
    """A list of jokes, indexed by joke number."""


def main() -> None:
    agent = Agent(name="Assistant", instructions="You are a helpful assistant.",
                  output_type=Jokes)
    try:
        Runner.run_sync(agent, "Tell me 3 short jokes.")
    except UserError as exc:
        print(f"Strict mode refused the type: {str(exc)[:90]}...")

    agent = agent.clone(output_type=AgentOutputSchema(Jokes, strict_json_schema=False))
    result = Runner.run_sync(agent, "Tell me 3 short jokes.")
    jokes: Jokes = result.final_output
    print(jokes.jokes)
    print(f"{len(jokes.jokes)} jokes")


if __name__ == "__main__":
    main()
