"""Function tools: the JSON schema comes from type hints and the docstring."""

# expect: "city"
# expect: The weather in Tokyo is sunny

import json
from dataclasses import dataclass

from agents_lite import Agent, Runner, function_tool
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
    print(f"[tool] get_weather({city!r})")
    return Weather(city=city, temperature_range="14-20C", conditions="Sunny with wind.")


agent = Agent(
    name="Hello world",
    instructions="You are a helpful agent.",
    tools=[get_weather],
)


def main() -> None:
    print("The schema the model sees:")
    print(json.dumps(get_weather.params_json_schema, indent=2))
    result = Runner.run_sync(agent, "What's the weather in Tokyo?")
    print(result.final_output)


if __name__ == "__main__":
    main()
