"""Forcing tool use: `tool_choice="required"` makes the model call a tool; `tool_use_behavior`
then decides what the tool's output means.

- "default": the output goes back to the model, which writes the answer (the forced choice is
  reset after the call, so the model cannot loop on the tool).
- "first_tool": the first tool's output is the final output; no second model call.
- "custom": a function looks at the tool results and decides.
"""

# expect: default: The weather in Tokyo is sunny
# expect: first_tool: Weather(city='Tokyo'
# expect: custom: Tokyo: 14-20C, Sunny with wind.

import sys
from dataclasses import dataclass
from typing import Any

from agents_lite import (
    Agent,
    FunctionToolResult,
    ModelSettings,
    RunContextWrapper,
    Runner,
    ToolsToFinalOutputResult,
    function_tool,
)
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


@dataclass
class Weather:
    city: str
    temperature_range: str
    conditions: str


@function_tool
def get_weather(city: str) -> Weather:
    """Get the current weather for a city.

    Args:
        city: The city to look up.
    """
    return Weather(city=city, temperature_range="14-20C", conditions="Sunny with wind.")


def custom_tool_use_behavior(
    context: RunContextWrapper[Any], results: list[FunctionToolResult]
) -> ToolsToFinalOutputResult:
    weather: Weather = results[0].output
    return ToolsToFinalOutputResult(
        is_final_output=True,
        final_output=f"{weather.city}: {weather.temperature_range}, {weather.conditions}",
    )


def build_agent(behavior: str) -> Agent[Any]:
    tool_use_behavior: Any = {
        "default": "run_llm_again",
        "first_tool": "stop_on_first_tool",
        "custom": custom_tool_use_behavior,
    }[behavior]
    return Agent(
        name="Weather agent",
        instructions="You are a helpful agent.",
        tools=[get_weather],
        tool_use_behavior=tool_use_behavior,
        model_settings=ModelSettings(tool_choice="required"),
    )


def main(behaviors: list[str]) -> None:
    for behavior in behaviors:
        result = Runner.run_sync(build_agent(behavior), "What's the weather in Tokyo?")
        print(f"{behavior}: {result.final_output}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["default", "first_tool", "custom"])
