"""A conversation kept in SQLite, and a tool that needs a human's approval."""

import os
import sys
import tempfile

from agents_lite import Agent, Runner, RunState, SQLiteSession, function_tool


@function_tool(needs_approval=True)
def delete_file(path: str) -> str:
    """Delete a file (asks first)."""
    return f"deleted {path}"


def main() -> None:
    db = os.path.join(tempfile.mkdtemp(), "chat.db")
    session = SQLiteSession("user-42", db)
    agent = Agent(name="Janitor", instructions="Clean up.", tools=[delete_file])

    result = Runner.run_sync(agent, "Please remove old.log", session=session)
    for interruption in result.interruptions:
        print("needs approval:", interruption.raw_item["name"])

    # Save the paused run as text, load it again later, approve, and continue.
    saved = result.to_state().to_string()
    state = RunState.from_string(agent, saved)
    for interruption in state.get_interruptions():
        state.approve(interruption)
    result = Runner.run_sync(agent, state, session=session)
    print("final:", result.final_output)

    items = session.get_items()
    print("stored items:", len(items))
    last = session.pop_item()
    print("popped:", last["type"] if "type" in last else last["role"])
    session.clear_session()
    print("after clear:", len(session.get_items()))


if __name__ == "__main__":
    main()
    sys.exit(0)
