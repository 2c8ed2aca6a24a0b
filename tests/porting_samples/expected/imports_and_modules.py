"""Imports in every shape the reference package allows."""

# ruff: noqa: I001  (agents is third-party here, agents_lite first-party once ported)

import agents_lite as agents
import agents_lite.extensions.handoff_filters
from agents_lite import (  # the core
    Agent,
    NotARealAgentsName,
    function_tool,
)
from agents_lite.extensions.handoff_prompt import prompt_with_handoff_instructions
from agents_lite.extensions.visualization import draw_graph
from agents_lite.run_context import ToolContext
from openai import AsyncOpenAI


@function_tool
def where_am_i(ctx: ToolContext) -> str:
    """Report the tool call id."""
    return ctx.tool_call_id


client = AsyncOpenAI()
agent = Agent(
    name="Guide",
    instructions=prompt_with_handoff_instructions("Guide the user."),
    tools=[where_am_i],
    handoffs=[
        agents.handoff(
            Agent(name="Other"),
            input_filter=agents_lite.extensions.handoff_filters.remove_all_tools,
        )
    ],
)
print(type(NotARealAgentsName))
print(draw_graph(agent))
print(agents.Runner.run_sync(agent, "hi").final_output)
