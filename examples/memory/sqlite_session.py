"""SQLite session: the conversation history lives in a SQLite file, so each run only sends the new
message and the agent still remembers the earlier ones, across runs and processes."""

# expect: Turn 1: San Francisco
# expect: Turn 2: California
# expect: Turn 3: About 39 million people live in California.
# expect: 6 items stored

import os
import tempfile

from agents_lite import Agent, Runner, SQLiteSession
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

agent = Agent(name="Assistant", instructions="Reply very concisely.")


def text_of(item: dict) -> str:
    content = item["content"]
    return content if isinstance(content, str) else content[0]["text"]


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        db_path = os.path.join(directory, "conversations.db")
        session = SQLiteSession("user_123", db_path)

        result = Runner.run_sync(agent, "What city is the Golden Gate Bridge in?", session=session)
        print(f"Turn 1: {result.final_output}")
        result = Runner.run_sync(agent, "What state is it in?", session=session)
        print(f"Turn 2: {result.final_output}")

        # Another session object on the same file (as another process would open it) sees the
        # same history.
        later = SQLiteSession("user_123", db_path)
        result = Runner.run_sync(agent, "What's the population of that state?", session=later)
        print(f"Turn 3: {result.final_output}")

        items = later.get_items()
        print(f"{len(items)} items stored; the last two:")
        for item in later.get_items(limit=2):
            print(f"  {item['role']}: {text_of(item)}")
        session.close()
        later.close()


if __name__ == "__main__":
    main()
