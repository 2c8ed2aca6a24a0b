"""A custom model provider: every agent of a run gets its model from your provider, here Chat
Completions models on any OpenAI-compatible server.

    EXAMPLE_BASE_URL=http://localhost:11434/v1 EXAMPLE_MODEL_NAME=llama3.2 \\
        python custom_example_provider.py

Without those variables it uses OpenAI (OPENAI_BASE_URL / OPENAI_API_KEY).
"""

# expect: [tool] get_weather('Tokyo')
# expect: It's sunny in Tokyo.
# expect: a run without the provider: default provider

import os
from typing import Optional

from agents_lite import (
    Agent,
    Model,
    ModelProvider,
    OpenAIChatCompletionsModel,
    OpenAIClient,
    RunConfig,
    Runner,
    function_tool,
)
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

BASE_URL = os.getenv("EXAMPLE_BASE_URL") or os.getenv("OPENAI_BASE_URL")
API_KEY = os.getenv("EXAMPLE_API_KEY") or os.getenv("OPENAI_API_KEY")
MODEL_NAME = os.getenv("EXAMPLE_MODEL_NAME") or "gpt-4.1-mini"

client = OpenAIClient(base_url=BASE_URL, api_key=API_KEY)


class CustomModelProvider(ModelProvider):
    def get_model(self, model_name: Optional[str]) -> Model:
        return OpenAIChatCompletionsModel(model=model_name or MODEL_NAME, openai_client=client)


CUSTOM_MODEL_PROVIDER = CustomModelProvider()


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city.

    Args:
        city: The city name.
    """
    print(f"[tool] get_weather({city!r})")
    return f"The weather in {city} is sunny."


def main() -> None:
    agent = Agent(name="Assistant", instructions="You only respond in haikus.",
                  tools=[get_weather])
    result = Runner.run_sync(agent, "What's the weather in Tokyo?",
                             run_config=RunConfig(model_provider=CUSTOM_MODEL_PROVIDER))
    print(result.final_output)

    # The provider is per run: this run uses the default provider (Responses API).
    result = Runner.run_sync(Agent(name="Assistant", instructions="Be brief."), "Say hi.")
    print(f"a run without the provider: default provider says {result.final_output!r}")


if __name__ == "__main__":
    main()
