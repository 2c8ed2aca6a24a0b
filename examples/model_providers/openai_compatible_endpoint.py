"""An OpenAI-compatible endpoint by base URL: register a prefix once, then name models with it
(`local/llama3.2`). Works with Ollama, vLLM, LM Studio, llama.cpp servers and gateways.

    LOCAL_LLM_BASE_URL=http://localhost:11434/v1 LOCAL_LLM_MODEL=llama3.2 \\
        python openai_compatible_endpoint.py

Without those variables it talks to OpenAI's own (compatible) Chat Completions endpoint.
"""

# expect: model local/gpt-4.1-mini
# expect: A haiku about ports:

import os

from agents_lite import Agent, MultiProvider, RunConfig, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

BASE_URL = (os.getenv("LOCAL_LLM_BASE_URL") or os.getenv("OPENAI_BASE_URL")
            or "https://api.openai.com/v1")
API_KEY = os.getenv("LOCAL_LLM_API_KEY") or os.getenv("OPENAI_API_KEY")  # None: no auth header
MODEL = os.getenv("LOCAL_LLM_MODEL") or "gpt-4.1-mini"

provider = MultiProvider()
provider.register_openai_compatible("local", BASE_URL, api_key=API_KEY)


def main() -> None:
    agent = Agent(name="Poet", instructions="Answer with a haiku.", model=f"local/{MODEL}")
    print(f"Using model local/{MODEL} at {BASE_URL.split('//')[0]}//...")
    result = Runner.run_sync(agent, "Write a haiku about network ports.",
                             run_config=RunConfig(model_provider=provider))
    print(result.final_output)


if __name__ == "__main__":
    main()
