"""Scripted models for recording the cassettes of examples/handoffs (see
../_record_cassettes.py)."""

from __future__ import annotations

from typing import Any

from _scripting import Recording, Turn


def message_filter(turn: Turn) -> Any:
    if "only speak Spanish" in turn.instructions:
        # The filter removed tool calls and the first two messages.
        assert not turn.calls() and len(turn.items) == 3, turn.items
        return "Te llamas Sora y vives en Nueva York."
    if turn.offers("transfer_to_spanish_assistant"):
        return [turn.call("transfer_to_spanish_assistant")]
    if "population" in turn.user_text:
        if not turn.outputs("get_population"):
            return [turn.call("get_population", {"city": "New York City"})]
        return f"The population of New York City is about {turn.outputs('get_population')[0]}."
    return "Nice to meet you, Sora!"


RECORDINGS = [
    Recording("message_filter.py", message_filter),
    Recording("message_filter_streaming.py", message_filter),
]
