"""Scripted models for recording the cassettes of examples/model_providers (see
../_record_cassettes.py).

litellm_provider.py only records where litellm is installed; elsewhere it says so and exits
without touching its cassette. Record it from a virtualenv that has litellm (and mcp, which
litellm imports): `<that venv>/bin/python examples/_record_cassettes.py model_providers/litellm`.
"""

from __future__ import annotations

from typing import Any

from _scripting import Recording, Turn


def custom_example_provider(turn: Turn) -> Any:
    if not turn.chat:
        return "Hi!"  # the second run, on the default provider (Responses API)
    if not turn.outputs("get_weather"):
        return [turn.call("get_weather", {"city": "Tokyo"})]
    return "It's sunny in Tokyo.\nBright sky over the city,\nshadows short and sharp."


def custom_example_global(turn: Turn) -> Any:
    assert turn.chat, "the global default API is Chat Completions here"
    return "Recursion: a function that solves a problem by calling itself on smaller pieces."


def openai_compatible_endpoint(turn: Turn) -> Any:
    assert turn.chat and turn.model == "gpt-4.1-mini", (turn.chat, turn.model)
    return "A haiku about ports:\nEighty waits for calls,\nfour-four-three keeps secrets safe,\nall knock on one door."


def custom_model(turn: Turn) -> Any:
    if turn.model == "gpt-4.1":
        return turn.fault(status=500, message="The server had an error processing your request.")
    return "Paris is the capital of France."


def litellm_provider(turn: Turn) -> Any:
    if not turn.outputs("get_weather"):
        return [turn.call("get_weather", {"city": "Tokyo"})]
    return "Sun over Tokyo,\nwarm light on the crowded streets,\nno umbrella today."


RECORDINGS = [
    Recording("custom_example_provider.py", custom_example_provider),
    Recording("custom_example_global.py", custom_example_global),
    Recording("openai_compatible_endpoint.py", openai_compatible_endpoint),
    Recording("custom_model.py", custom_model),
    Recording("litellm_provider.py", litellm_provider),
]
