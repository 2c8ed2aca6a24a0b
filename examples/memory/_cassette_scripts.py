"""Scripted models for recording the cassettes of examples/memory (see ../_record_cassettes.py)."""

from __future__ import annotations

from typing import Any

from _scripting import Recording, Turn


def golden_gate(turn: Turn) -> Any:
    """The conversation of the session examples; each answer needs the history before it."""
    history = " ".join(turn.user_messages[:-1])
    question = turn.user_text
    if "Golden Gate" in question:
        return "San Francisco."
    if "What state" in question:
        assert "Golden Gate" in history, "the session should have sent the first question"
        return "California."
    if "population" in question:
        assert "What state" in history
        return "About 39 million people live in California."
    if "northern end" in question:
        assert "What state" not in history, "the undone exchange should be gone"
        return "Marin County, on the north side."
    raise AssertionError(question)


def hitl_session(turn: Turn) -> Any:
    if "What time" in turn.user_text:
        assert turn.outputs("book_table"), "the session should hold the booking"
        return "Your booking is at 19:30 at Luigi's, for 4 people."
    if not turn.calls():
        return [turn.call("book_table", {"restaurant": "Luigi's", "time": "19:30", "people": 4})]
    return "Your table for 4 at Luigi's is booked for 19:30."


def crash_resume_cron(turn: Turn) -> Any:
    if not turn.outputs("collect_sales_figures"):
        return [turn.call("collect_sales_figures", {"week": "2026-W02"})]
    if not turn.outputs("send_email"):
        figures = turn.outputs("collect_sales_figures")[0]
        return [turn.call("send_email", {"to": "team@example.com",
                                         "subject": "Sales report 2026-W02",
                                         "body": f"This week: {figures}."})]
    return ("Weekly report sent to team@example.com: revenue 48,200 EUR from 312 orders; the "
            "lighthouse lamp sold best.")


RECORDINGS = [
    Recording("sqlite_session.py", golden_gate),
    Recording("redis_session.py", golden_gate),
    Recording("in_memory_session.py", golden_gate),
    Recording("hitl_session.py", hitl_session, stdin="y\n"),
    Recording("crash_resume_cron.py", crash_resume_cron),
]
