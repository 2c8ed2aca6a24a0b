"""Structured output: the agent answers with a dataclass, validated against its JSON schema."""

# expect: CalendarEvent(name='Science fair'
# expect: Participants: Alice, Bob

from dataclasses import dataclass

from agents_lite import Agent, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


@dataclass
class CalendarEvent:
    name: str
    date: str
    """ISO date, YYYY-MM-DD."""
    participants: list[str]


agent = Agent(
    name="Calendar extractor",
    instructions="Extract the calendar event from the text.",
    output_type=CalendarEvent,
)


def main() -> None:
    result = Runner.run_sync(agent, "Alice and Bob are going to a science fair on Friday, "
                                    "March 6th 2026.")
    event = result.final_output_as(CalendarEvent, raise_if_incorrect_type=True)
    print(repr(event))
    print(f"Participants: {', '.join(event.participants)}")


if __name__ == "__main__":
    main()
