"""A conversation kept in SQLite, and a tool that needs a human's approval."""

import asyncio
import os
import sys
import tempfile

from agents import Agent, Runner, RunState, SQLiteSession, function_tool


@function_tool(needs_approval=True)
async def delete_file(path: str) -> str:
    """Delete a file (asks first)."""
    return f"deleted {path}"


async def main() -> None:
    db = os.path.join(tempfile.mkdtemp(), "chat.db")
    session = SQLiteSession("user-42", db)
    agent = Agent(name="Janitor", instructions="Clean up.", tools=[delete_file])

    result = await Runner.run(agent, "Please remove old.log", session=session)
    for interruption in result.interruptions:
        print("needs approval:", interruption.raw_item.name)

    # Save the paused run as text, load it again later, approve, and continue.
    saved = result.to_state().to_string()
    state = await RunState.from_string(agent, saved)
    for interruption in state.get_interruptions():
        state.approve(interruption)
    result = await Runner.run(agent, state, session=session)
    print("final:", result.final_output)

    items = await session.get_items()
    print("stored items:", len(items))
    last = await session.pop_item()
    print("popped:", last["type"] if "type" in last else last["role"])
    await session.clear_session()
    print("after clear:", len(await session.get_items()))


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
