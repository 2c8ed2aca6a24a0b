"""Stream items: react to whole items (tool calls, tool outputs, messages) as the run makes them."""

# expect: -- Tool was called: how_many_jokes
# expect: -- Tool output: 3
# expect: -- Message output:
# expect: === Run complete ===

from agents_lite import Agent, ItemHelpers, Runner, function_tool
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


@function_tool
def how_many_jokes() -> int:
    """Decide how many jokes to tell."""
    return 3


def main() -> None:
    agent = Agent(
        name="Joker",
        instructions="First call the how_many_jokes tool, then tell that many jokes.",
        tools=[how_many_jokes],
    )
    result = Runner.run_streamed(agent, "Hello")
    print("=== Run starting ===")
    for event in result.stream_events():
        if event.type == "raw_response_event":
            continue  # token deltas: see stream_text.py
        if event.type == "agent_updated_stream_event":
            print(f"Agent updated: {event.new_agent.name}")
        elif event.type == "run_item_stream_event":
            if event.item.type == "tool_call_item":
                print(f"-- Tool was called: {event.item.raw_item['name']}")
            elif event.item.type == "tool_call_output_item":
                print(f"-- Tool output: {event.item.output}")
            elif event.item.type == "message_output_item":
                print(f"-- Message output:\n {ItemHelpers.text_message_output(event.item)}")
    print("=== Run complete ===")


if __name__ == "__main__":
    main()
