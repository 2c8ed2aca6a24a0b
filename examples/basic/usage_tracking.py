"""Usage and cost: tokens per request and in total, and what the run cost from the price table."""

# expect: Requests: 2
# expect: Total cost: $0.00
# expect: my-finetune

from agents_lite import Agent, Runner, function_tool, set_model_price
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


@function_tool
def get_weather(city: str) -> str:
    """The current weather in a city.

    Args:
        city: The city name.
    """
    return f"The weather in {city} is sunny and 21 C."


def main() -> None:
    agent = Agent(name="Weather", instructions="Answer with the weather tool.",
                  tools=[get_weather], model="gpt-4.1-mini")
    result = Runner.run_sync(agent, "What's the weather in Tokyo?")
    print(f"Answer: {result.final_output}\n")

    usage = result.usage
    print(f"Requests: {usage.requests}")
    print(f"Input tokens: {usage.input_tokens} ({usage.input_tokens_details.cached_tokens} cached)")
    print(f"Output tokens: {usage.output_tokens} "
          f"({usage.output_tokens_details.reasoning_tokens} reasoning)")
    print(f"Total tokens: {usage.total_tokens}")
    for number, entry in enumerate(usage.request_usage_entries, 1):
        print(f"  request {number}: {entry.input_tokens} in, {entry.output_tokens} out, "
              f"model {entry.model}, ${entry.cost_usd:.6f}")
    print(f"Total cost: ${usage.cost_usd:.6f}")

    # Models missing from the price table (fine-tunes, local models) can be priced too.
    set_model_price("my-finetune", input=3.0, output=12.0)  # USD per million tokens
    tuned = agent.clone(model="my-finetune")
    result = Runner.run_sync(tuned, "And in Osaka?")
    print(f"\nmy-finetune: {result.usage.total_tokens} tokens, ${result.usage.cost_usd:.6f}")


if __name__ == "__main__":
    main()
