"""previous_response_id: the server keeps the conversation, so each turn sends only what is new.

Responses API only. The first run answers; the second passes `previous_response_id` and sends
just the follow-up question. `auto_previous_response_id=True` chains the turns of one run too.
"""

# expect: The largest country in South America is Brazil.
# expect: The capital of Brazil is Brasilia.
# expect: sent only the new question

from agents_lite import Agent, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


def main() -> None:
    agent = Agent(name="Assistant", instructions="Be very concise.")

    first = Runner.run_sync(agent, "What is the largest country in South America?")
    print(first.final_output)
    print(f"(response id {first.last_response_id})")

    second = Runner.run_sync(agent, "What is the capital of that country?",
                             previous_response_id=first.last_response_id)
    print(second.final_output)
    print("(the follow-up sent only the new question; the server remembered the rest)")

    # The same with streaming.
    third = Runner.run_streamed(agent, "And its population, roughly?",
                                previous_response_id=second.last_response_id)
    for event in third.stream_events():
        if event.type == "raw_response_event" and event.data["type"] == "response.output_text.delta":
            print(event.data["delta"], end="", flush=True)
    print()


if __name__ == "__main__":
    main()
