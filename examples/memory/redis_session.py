"""Redis session: conversation history in Redis, shared by every worker that can reach it, with
an optional time to live. Set REDIS_URL (default redis://127.0.0.1:6379/0)."""

# example-test: requires=redis
# expect: Turn 1: San Francisco
# expect: Turn 2: California
# expect: expires in
# expect: cleared: 0 items left

import os
import uuid

from agents_lite import Agent, RedisSession, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

agent = Agent(name="Assistant", instructions="Reply very concisely.")


def main() -> None:
    # A key prefix of our own keeps this example's keys apart from anything else in the database.
    prefix = f"agents-lite-example:{uuid.uuid4().hex[:8]}"
    session = RedisSession.from_url("user_123", url=REDIS_URL, key_prefix=prefix, ttl=3600)
    try:
        result = Runner.run_sync(agent, "What city is the Golden Gate Bridge in?", session=session)
        print(f"Turn 1: {result.final_output}")
        result = Runner.run_sync(agent, "What state is it in?", session=session)
        print(f"Turn 2: {result.final_output}")

        import redis

        client = redis.Redis.from_url(REDIS_URL)
        print(f"{len(session.get_items())} items under {session.messages_key}, "
              f"expires in {client.ttl(session.messages_key)} s")
        client.close()
    finally:
        session.clear_session()
        print(f"cleared: {len(session.get_items())} items left")
        session.close()


if __name__ == "__main__":
    main()
