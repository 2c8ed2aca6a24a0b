"""Stream an answer token by token, then list the items of the run."""

import asyncio

from agents import Agent, ItemHelpers, Runner
from openai.types.responses import ResponseTextDeltaEvent


async def main():
    agent = Agent(name="Joker", instructions="You tell short jokes.")

    result = Runner.run_streamed(agent, input="One joke about compilers, please.")
    async for event in result.stream_events():
        if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
            print(event.data.delta, end="", flush=True)
    print()

    # Items, once the stream is over.
    for item in result.new_items:
        if item.type == "message_output_item":
            print("message:", ItemHelpers.text_message_output(item))
        elif item.type == "tool_call_item":
            print("tool:", item.raw_item.name)


if __name__ == "__main__":
    asyncio.run(main())
