"""Global defaults: point every agent at one OpenAI-compatible server and API for the whole
process, with `set_default_openai_client` and `set_default_openai_api`.

    EXAMPLE_BASE_URL=http://localhost:8000/v1 EXAMPLE_MODEL_NAME=my-model \\
        python custom_example_global.py
"""

# expect: Recursion: a function
# expect: (Chat Completions, model gpt-4.1-mini)

import os

from agents_lite import (
    Agent,
    OpenAIClient,
    Runner,
    set_default_openai_api,
    set_default_openai_client,
)
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

BASE_URL = os.getenv("EXAMPLE_BASE_URL") or os.getenv("OPENAI_BASE_URL")
API_KEY = os.getenv("EXAMPLE_API_KEY") or os.getenv("OPENAI_API_KEY")
MODEL_NAME = os.getenv("EXAMPLE_MODEL_NAME") or "gpt-4.1-mini"

# Most OpenAI-compatible servers speak Chat Completions, not the Responses API.
set_default_openai_client(OpenAIClient(base_url=BASE_URL, api_key=API_KEY), use_for_tracing=False)
set_default_openai_api("chat_completions")


def main() -> None:
    agent = Agent(name="Assistant", instructions="Explain in one sentence.", model=MODEL_NAME)
    result = Runner.run_sync(agent, "What is recursion?")
    print(result.final_output)
    print(f"(Chat Completions, model {MODEL_NAME})")


if __name__ == "__main__":
    main()
