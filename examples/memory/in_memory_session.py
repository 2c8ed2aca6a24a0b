"""In-memory session: history kept in this process only, handy for tests and short scripts.
`pop_item()` removes the latest item, to correct or undo the last exchange."""

# expect: Turn 1: San Francisco
# expect: Turn 2: California
# expect: Undid the last exchange
# expect: Turn 2 again: Marin County, on the north side.

from agents_lite import Agent, InMemorySession, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

agent = Agent(name="Assistant", instructions="Reply very concisely.")


def main() -> None:
    session = InMemorySession("user_123")
    result = Runner.run_sync(agent, "What city is the Golden Gate Bridge in?", session=session)
    print(f"Turn 1: {result.final_output}")
    result = Runner.run_sync(agent, "What state is it in?", session=session)
    print(f"Turn 2: {result.final_output}")

    answer = session.pop_item()
    question = session.pop_item()
    print(f"Undid the last exchange ({question['content']!r} and its answer); "
          f"{len(session.get_items())} items left")

    result = Runner.run_sync(agent, "Which county is at its northern end?", session=session)
    print(f"Turn 2 again: {result.final_output}")
    assert answer is not None


if __name__ == "__main__":
    main()
