"""LiteLLM: models of any provider LiteLLM supports (Anthropic, Gemini, Bedrock, Mistral, ...)
through the optional `litellm` package. Needs `pip install litellm` (this example says so and
exits when it is missing).

    ANTHROPIC_API_KEY=... LITELLM_MODEL=anthropic/claude-3-5-sonnet-latest python litellm_provider.py

Names with the `litellm/` prefix work through the default provider too:
`Agent(model="litellm/anthropic/claude-3-5-sonnet-latest")`.
"""

# expect: litellm

import os

from agents_lite import Agent, Runner, function_tool
from agents_lite.extensions.litellm_model import LitellmModel
from agents_lite.testing.example_support import setup_example

example = setup_example(__file__, requires=["litellm"])

MODEL = os.getenv("LITELLM_MODEL") or "openai/gpt-4.1-mini"
# Use the price list bundled with litellm rather than downloading one when it is imported.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city.

    Args:
        city: The city name.
    """
    return f"The weather in {city} is sunny."


def main() -> None:
    # Offline, LiteLLM's OpenAI route goes to the local replay server, which needs no real key.
    model = LitellmModel(MODEL, base_url=example.base_url,
                         api_key="offline-replay" if example.offline else None)
    agent = Agent(name="Assistant", instructions="You only respond in haikus.",
                  tools=[get_weather], model=model)
    result = Runner.run_sync(agent, "What's the weather in Tokyo?")
    print(f"{MODEL} via litellm: {result.final_output}")


if __name__ == "__main__":
    main()
