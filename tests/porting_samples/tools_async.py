"""Async function tools, one of which sleeps, and a tool that awaits nothing."""

import asyncio
import json

from agents import Agent, Runner, function_tool


@function_tool
async def lookup_station(city: str) -> str:
    """Find the weather station for a city.

    Args:
        city: The city to look up.
    """
    await asyncio.sleep(0.01)  # pretend this is a slow registry
    return f"{city.upper()}-01"


@function_tool
async def read_station(station: str) -> str:
    """Read the latest measurement of a station."""
    reading = {"station": station, "celsius": 21}
    return json.dumps(reading)


async def main() -> None:
    forecaster = Agent(
        name="Forecaster",
        instructions="Use the tools, then answer in one sentence.",
        tools=[lookup_station, read_station],
    )
    result = await   Runner.run(
        forecaster,
        input="How warm is it in Oslo?",
        max_turns=5,
    )
    print(result.final_output)
    print("tools used:", len([i for i in result.new_items if i.type == "tool_call_item"]))


if __name__ == "__main__":
    asyncio.run(main())
