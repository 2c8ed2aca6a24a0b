"""Agents as tools: an orchestrator calls translator agents as tools and keeps control of the
conversation (unlike a handoff, where the next agent takes over)."""

# expect: [tool] translate_to_spanish
# expect: [tool] translate_to_french
# expect: Final answer: In Spanish: 'Hola
# expect: Bonjour

from agents_lite import Agent, ItemHelpers, MessageOutputItem, Runner, ToolCallItem
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

spanish_agent = Agent(
    name="spanish_agent",
    instructions="You translate the user's message to Spanish.",
    handoff_description="An English to Spanish translator",
)
french_agent = Agent(
    name="french_agent",
    instructions="You translate the user's message to French.",
    handoff_description="An English to French translator",
)
italian_agent = Agent(
    name="italian_agent",
    instructions="You translate the user's message to Italian.",
    handoff_description="An English to Italian translator",
)

orchestrator = Agent(
    name="orchestrator_agent",
    instructions=(
        "You are a translation agent. You use the tools given to you to translate. If asked for "
        "multiple translations, you call the relevant tools in order. You never translate on "
        "your own, you always use the provided tools."
    ),
    tools=[
        spanish_agent.as_tool(tool_name="translate_to_spanish",
                              tool_description="Translate the user's message to Spanish"),
        french_agent.as_tool(tool_name="translate_to_french",
                             tool_description="Translate the user's message to French"),
        italian_agent.as_tool(tool_name="translate_to_italian",
                              tool_description="Translate the user's message to Italian"),
    ],
)

synthesizer = Agent(
    name="synthesizer_agent",
    instructions="You inspect translations, correct them if needed, and produce a final "
                 "concatenated response.",
)


def main() -> None:
    message = "Say 'Hello, how are you?' in Spanish and French."
    print(f"User: {message}")
    result = Runner.run_sync(orchestrator, message)
    for item in result.new_items:
        if isinstance(item, ToolCallItem):
            print(f"[tool] {item.raw_item['name']}({item.raw_item['arguments']})")
        elif isinstance(item, MessageOutputItem):
            print(f"  Orchestrator: {ItemHelpers.text_message_output(item)}")

    final = Runner.run_sync(synthesizer, result.to_input_list())
    print(f"\nFinal answer: {final.final_output}")


if __name__ == "__main__":
    main()
