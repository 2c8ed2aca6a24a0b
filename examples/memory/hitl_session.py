"""Human in the loop with a session: a run paused for approval is continued with the same
session, and the finished exchange (tool call and output included) lands in the history."""

# example-test: stdin=y\n
# expect: Approve book_table({"restaurant": "Luigi's", "time": "19:30", "people": 4})?
# expect: Booked: Your table for 4 at Luigi's is booked for 19:30.
# expect: Follow-up: Your booking is at 19:30
# expect: history: message, function_call, function_call_output, message

from typing import Any

from agents_lite import Agent, Runner, SQLiteSession, function_tool
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


@function_tool(needs_approval=True)
def book_table(restaurant: str, time: str, people: int) -> str:
    """Book a restaurant table (needs the user's approval).

    Args:
        restaurant: The restaurant's name.
        time: The time, HH:MM.
        people: How many people.
    """
    return f"Booked {restaurant} at {time} for {people}."


agent = Agent(name="Concierge", instructions="Book tables when asked.", tools=[book_table])


def main() -> None:
    session = SQLiteSession("guest_42")  # in memory; pass a file path to keep it
    result: Any = Runner.run_sync(agent, "Book Luigi's for 4 people at 19:30.", session=session)
    while result.interruptions:
        state = result.to_state()
        for item in result.interruptions:
            answer = input(f"Approve {item.tool_name}({item.arguments})? [y/n] ").strip()
            print(answer)
            if answer.lower().startswith("y"):
                state.approve(item)
            else:
                state.reject(item)
        result = Runner.run_sync(agent, state, session=session)
    print(f"Booked: {result.final_output}")

    result = Runner.run_sync(agent, "What time was that again?", session=session)
    print(f"Follow-up: {result.final_output}")
    kinds = [item.get("type", "message") for item in session.get_items()]
    print("history: " + ", ".join(kinds[:4]) + f", ... ({len(kinds)} items)")


if __name__ == "__main__":
    main()
