"""A text-only realtime session in the terminal: type a message, read the answer as it streams.

The agent has a weather tool; tool calls run in a worker thread and the model continues once
their output is back. One line per message; an empty line or end of input quits.
"""

# example-test: stdin=What is the weather in Oslo?\nThanks!\n
# expect: offline: local realtime server
# expect: You: What is the weather in Oslo?
# expect: [tool] get_weather(Oslo) -> sunny, 21 degrees
# expect: Assistant: It is sunny and 21 degrees in Oslo.
# expect: You: Thanks!
# expect: Assistant: You are welcome!
# expect: tokens used:

from __future__ import annotations

import json
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _offline import function_call, last_user_text, serve_offline  # noqa: E402

from agents_lite import function_tool  # noqa: E402
from agents_lite.realtime import RealtimeAgent, RealtimeRunner, RealtimeSession  # noqa: E402


@function_tool
def get_weather(city: str) -> str:
    """Today's weather in a city.

    Args:
        city: The city name.
    """
    return "sunny, 21 degrees"


def respond(items: list[dict[str, Any]]) -> Any:
    """What the model says offline."""
    last = items[-1] if items else {}
    if last.get("type") == "function_call_output":
        return f"It is {last['output']} in Oslo.".replace(", ", " and ")
    if "weather" in last_user_text(items).lower():
        return [function_call("get_weather", {"city": "Oslo"})]
    return "You are welcome!"


def answer(session: RealtimeSession, text: str) -> None:
    """Send one message and print the answer as it streams (tool calls included)."""
    session.send_message(text)
    wrote_text = False
    for event in session:
        if event.type == "raw_model_event" and event.data.type == "output_text_delta":
            if not wrote_text:
                print("Assistant: ", end="")
                wrote_text = True
            print(event.data.delta, end="", flush=True)
        elif event.type == "tool_end":
            city = json.loads(event.arguments).get("city", "?")
            print(f"[tool] {event.tool.name}({city}) -> {event.output}")
        elif event.type == "error":
            print(f"[error] {event.error.message}")
        elif event.type == "agent_end" and wrote_text:
            print()
            return  # a response with text ends the answer; one with only a tool call does not


def main() -> None:
    serve_offline(respond)
    agent = RealtimeAgent(name="Assistant", instructions="Answer in one short sentence.",
                          tools=[get_weather])
    runner = RealtimeRunner(agent, config={"model_settings": {"modalities": ["text"]}})
    with runner.run() as session:
        for line in sys.stdin:
            text = line.strip()
            if not text:
                break
            print(f"You: {text}")
            answer(session, text)
    usage = session.usage
    print(f"tokens used: {usage.input_tokens} in, {usage.output_tokens} out")


if __name__ == "__main__":
    main()
