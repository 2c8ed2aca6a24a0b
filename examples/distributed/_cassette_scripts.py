"""Scripted models for recording the cassettes of examples/distributed (see
../_record_cassettes.py)."""

from __future__ import annotations

import re
from typing import Any

from _scripting import Recording, Turn


def desk(turn: Turn) -> Any:
    """The support desk: look the order up (or ask for a refund), then answer."""
    question = turn.user_text
    order = re.search(r"\d{4}", question)
    order_id = order.group(0) if order else "1001"
    if "refund" in question.lower():
        if not turn.outputs("refund"):
            return [turn.call("refund", {"order_id": order_id, "amount_eur": 40})]
        return f"Done: {turn.outputs('refund')[0]}."
    if not turn.outputs("order_status"):
        return [turn.call("order_status", {"order_id": order_id})]
    return f"Order {order_id} is {turn.outputs('order_status')[0]}."


RECORDINGS = [
    Recording("rq_desk.py", desk),
    Recording("celery_desk.py", desk),
]
