"""Scripted model for recording the cassette of examples/customer_service (see
../_record_cassettes.py)."""

from __future__ import annotations

from typing import Any

from _scripting import Recording, Turn


def airline(turn: Turn) -> Any:
    question = turn.user_text
    if turn.instructions.find("triaging agent") >= 0:
        if "seat" in question:
            return [turn.call("transfer_to_seat_booking_agent")]
        return [turn.call("transfer_to_faq_agent")]
    if "FAQ agent" in turn.instructions:
        if "seat" in question:
            return [turn.call("transfer_to_triage_agent")]
        answers = turn.outputs_this_turn("faq_lookup_tool")
        if not answers:
            return [turn.call("faq_lookup_tool", {"question": "Can I bring my dog (pet) on board?"})]
        return ("Yes: small pets can travel in the cabin in a carrier under the seat for a 50 EUR "
                "fee. Larger dogs travel in the hold.")
    # The seat booking agent.
    if "confirmation number is" not in question:
        return "Sure! What is your confirmation number, and which seat would you like?"
    results = turn.outputs_this_turn("update_seat")
    if not results:
        return [turn.call("update_seat", {"confirmation_number": "LX7Q2P", "new_seat": "14C"})]
    return "Done! Seat 14C on flight LX1234 is yours. Anything else I can help with?"


RECORDINGS = [
    Recording("main.py", airline,
              stdin="Can I bring my dog on board?\nI'd like to change my seat, please.\n"
                    "My confirmation number is LX7Q2P, I want seat 14C.\n"),
]
