"""The scripted model of the job tests: a `LocalOpenAIServer` responder that answers from the
request alone, so any number of runs can interleave across workers."""

from __future__ import annotations

from typing import Any

from agents_lite.testing.replies import last_user_text
from agents_lite.testing.scripted import function_call


def responder(request: Any) -> Any:
    """"book X" → a `book` call; "refund X" → a `refund` call; after a tool output → a
    confirmation quoting it; anything else → the default echo."""
    items = request.body.get("input") or []
    last = items[-1] if items else {}
    if isinstance(last, dict) and last.get("type") == "function_call_output":
        return f"Done: {last.get('output')}."
    text = last_user_text(request.body) or ""
    words = text.split()
    if len(words) >= 2 and words[0] in ("book", "refund"):
        arguments = {"destination": words[1]} if words[0] == "book" else {"order_id": words[1]}
        return [function_call(words[0], arguments)]
    return None
