"""Hello world: one agent, one question, one answer."""

# expect: Code calls itself

from agents_lite import Agent, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


def main() -> None:
    agent = Agent(name="Assistant", instructions="You only respond in haikus.")
    result = Runner.run_sync(agent, "Tell me about recursion in programming.")
    print(result.final_output)


if __name__ == "__main__":
    main()
