"""Agents for the RQ and Celery job tests. Workers import them by path, e.g.
"jobs_fixtures.agents:travel". The model is "fake-model" at OPENAI_BASE_URL (the test's local
server). Tools append a line to the file named by JOBS_SIDE_EFFECTS, so a test can count how
many times each side effect really happened, whichever process ran it."""

from __future__ import annotations

import os
from typing import Any

from agents_lite import Agent, RunContextWrapper, function_tool


def record(line: str) -> None:
    """Append one side effect to the shared log (O_APPEND: lines from processes don't mix)."""
    with open(os.environ["JOBS_SIDE_EFFECTS"], "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _where() -> str:
    return os.environ.get("RQ_WORKER_ID") or f"pid{os.getpid()}"


@function_tool
def book(ctx: RunContextWrapper[Any], destination: str) -> str:
    """Book a trip to a destination (not idempotent: it must run once per call)."""
    order = (ctx.context or {}).get("order", "-") if isinstance(ctx.context, dict) else "-"
    record(f"book {destination} {order} {_where()}")
    return f"booked {destination}"


@function_tool(needs_approval=True)
def refund(order_id: str) -> str:
    """Refund an order (a human must approve it)."""
    record(f"refund {order_id} {_where()}")
    return f"refunded {order_id}"


travel = Agent(name="travel", instructions="Book trips.", tools=[book], model="fake-model")
"""Calls `book` when asked to "book <place>", then confirms."""

support = Agent(name="support", instructions="Handle refunds.", tools=[refund], model="fake-model")
"""Calls `refund`, which needs approval."""


def make_writer() -> Agent[Any]:
    """A factory: workers call it to get the agent."""
    return Agent(name="writer", instructions="Write.", model="fake-model")


not_an_agent = 42
