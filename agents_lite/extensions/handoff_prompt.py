"""A system-prompt preamble that explains handoffs to the model."""

RECOMMENDED_PROMPT_PREFIX = (
    "# System context\n"
    "You are one agent in a team of cooperating agents. Each agent has its own instructions and "
    "tools. When another agent is better placed to help, you pass the conversation to it by "
    "calling a handoff function; their names start with `transfer_to_`. Hand off without "
    "commenting on it or drawing the user's attention to it: the user should experience one "
    "continuous conversation.\n"
)
"""Put this at the start of the instructions of agents that use handoffs."""


def prompt_with_handoff_instructions(prompt: str) -> str:
    """`prompt` preceded by `RECOMMENDED_PROMPT_PREFIX`."""
    return f"{RECOMMENDED_PROMPT_PREFIX}\n\n{prompt}"
