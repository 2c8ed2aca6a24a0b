"""Stream text: print the answer token by token as the model writes it."""

# expect: Why did the scarecrow
# expect: (streamed in

from agents_lite import Agent, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


def main() -> None:
    agent = Agent(name="Joker", instructions="You are a helpful assistant.")
    result = Runner.run_streamed(agent, "Please tell me 3 short jokes.")
    deltas = 0
    for event in result.stream_events():
        if event.type == "raw_response_event" and event.data["type"] == "response.output_text.delta":
            print(event.data["delta"], end="", flush=True)
            deltas += 1
    print(f"\n(streamed in {deltas} pieces; final output has {len(result.final_output)} characters)")


if __name__ == "__main__":
    main()
