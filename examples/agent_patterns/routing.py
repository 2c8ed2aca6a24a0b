"""Routing: a triage agent hands the conversation to the agent that speaks the user's language.
The answer is streamed, and the conversation continues with the agent that took over."""

# expect: [handoff to french_agent]
# expect: Bonjour ! Je vais bien
# expect: Agent now in charge: french_agent

from typing import Any

from agents_lite import Agent, Runner
from agents_lite.extensions.handoff_prompt import RECOMMENDED_PROMPT_PREFIX
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

french_agent = Agent(name="french_agent", instructions="You only speak French.")
spanish_agent = Agent(name="spanish_agent", instructions="You only speak Spanish.")
english_agent = Agent(name="english_agent", instructions="You only speak English.")

triage_agent = Agent(
    name="triage_agent",
    instructions=f"{RECOMMENDED_PROMPT_PREFIX}\nHandoff to the appropriate agent based on the "
                 "language of the request.",
    handoffs=[french_agent, spanish_agent, english_agent],
)


def stream_turn(agent: Agent[Any], conversation: Any) -> Any:
    result = Runner.run_streamed(agent, conversation)
    for event in result.stream_events():
        if event.type == "raw_response_event" and event.data["type"] == "response.output_text.delta":
            print(event.data["delta"], end="", flush=True)
        elif event.type == "run_item_stream_event" and event.name == "handoff_occured":
            print(f"[handoff to {event.item.target_agent.name}]")
    print()
    return result


def main() -> None:
    print("User: Bonjour ! Comment ça va ?")
    result = stream_turn(triage_agent, "Bonjour ! Comment ça va ?")
    print(f"Agent now in charge: {result.last_agent.name}\n")

    # The next message goes straight to the agent that took over, with the history so far.
    conversation = result.to_input_list() + [
        {"role": "user", "content": "Peux-tu me conseiller un livre ?"}
    ]
    print("User: Peux-tu me conseiller un livre ?")
    stream_turn(result.last_agent, conversation)


if __name__ == "__main__":
    main()
