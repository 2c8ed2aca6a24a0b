"""Handoff message filter: control what history the next agent sees. Here the Spanish agent gets
the conversation without tool calls and without the first two messages."""

# expect: The population of New York City is about 8.3 million.
# expect: the Spanish agent sees 3 items, no tool calls
# expect: Te llamas Sora y vives en Nueva York.

from typing import Any

from agents_lite import (
    Agent,
    HandoffInputData,
    RunContextWrapper,
    RunHooks,
    Runner,
    function_tool,
    handoff,
)
from agents_lite.extensions import handoff_filters
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


@function_tool
def get_population(city: str) -> str:
    """The population of a city.

    Args:
        city: The city name.
    """
    return {"New York City": "8.3 million"}.get(city, "unknown")


def spanish_handoff_message_filter(data: HandoffInputData) -> HandoffInputData:
    # First drop every tool call and output (including the handoff call itself).
    data = handoff_filters.remove_all_tools(data)
    # Then drop the first two messages of the history (the greeting and its answer).
    history: Any = data.input_history
    if not isinstance(history, str):
        history = history[2:]
    return data.clone(input_history=history)


class ShowSpanishInput(RunHooks[Any]):
    """Prints what the Spanish agent is given, to show the filter at work."""

    def on_llm_start(self, context: RunContextWrapper[Any], agent: Agent[Any],
                     system_prompt: Any, input_items: list[Any]) -> None:
        if agent is spanish_agent:
            tools = [i for i in input_items if i.get("type", "").startswith("function_call")]
            print(f"(the Spanish agent sees {len(input_items)} items, "
                  f"{'no tool calls' if not tools else f'{len(tools)} tool items'})")


first_agent = Agent(name="Assistant", instructions="Be extremely concise.",
                    tools=[get_population])
spanish_agent = Agent(name="Spanish Assistant",
                      instructions="You only speak Spanish and are extremely concise.",
                      handoff_description="A Spanish-speaking assistant.")
second_agent = Agent(
    name="Assistant",
    instructions="Be a helpful assistant. If the user speaks Spanish, handoff to the Spanish "
                 "assistant.",
    handoffs=[handoff(spanish_agent, input_filter=spanish_handoff_message_filter)],
)


def main() -> None:
    result = Runner.run_sync(first_agent, "Hi, my name is Sora.")
    print("Step 1:", result.final_output)

    conversation = result.to_input_list() + [
        {"role": "user", "content": "I live in New York City. What's its population?"}]
    result = Runner.run_sync(first_agent, conversation)
    print("Step 2:", result.final_output)

    conversation = result.to_input_list() + [
        {"role": "user", "content": "Por favor habla en español. ¿Cuál es mi nombre y dónde vivo?"}]
    result = Runner.run_sync(second_agent, conversation, hooks=ShowSpanishInput())
    print("Step 3:", result.final_output, f"({result.last_agent.name})")


if __name__ == "__main__":
    main()
