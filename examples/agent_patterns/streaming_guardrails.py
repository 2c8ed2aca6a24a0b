"""Guardrails that run while the answer streams: an output guardrail marked `run_during_stream`
checks the text every 300 characters in a worker thread, so a bad answer is cut off early instead
of being judged only once it is complete.

Here the check is itself an agent (a judge asked "could a ten-year-old follow this?"). The stream
goes on while it thinks; when it says no, the model's stream is closed and
`OutputGuardrailTripwireTriggered` comes out of the loop.
"""

# expect: offline: scripted replies
# expect: A black hole is a place in space
# expect: Guardrail triggered
# expect: the stream stopped after

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from _offline import last_user_text, serve_offline  # noqa: E402

from agents_lite import (  # noqa: E402
    Agent,
    GuardrailFunctionOutput,
    OutputGuardrailTripwireTriggered,
    Runner,
    output_guardrail,
)


@dataclass
class GuardrailOutput:
    reasoning: str
    """Reasoning about whether a ten-year-old could understand the response."""
    is_readable_by_ten_year_old: bool
    """Whether a ten-year-old could understand the response."""


guardrail_agent = Agent(
    name="Checker",
    instructions=(
        "You will be given a response. Judge whether it is simple enough to be understood by a "
        "ten year old."
    ),
    output_type=GuardrailOutput,
    model="gpt-4o-mini",
)


@output_guardrail(run_during_stream=True, stream_check_every_chars=300)
def readable_by_a_ten_year_old(ctx: Any, agent: Any, text: Any) -> GuardrailFunctionOutput:
    verdict = Runner.run_sync(guardrail_agent, str(text)).final_output_as(GuardrailOutput)
    return GuardrailFunctionOutput(output_info=verdict,
                                   tripwire_triggered=not verdict.is_readable_by_ten_year_old)


agent = Agent(
    name="Assistant",
    instructions="You are a helpful assistant. You ALWAYS write long, verbose, detailed answers.",
    output_guardrails=[readable_by_a_ten_year_old],
)

ANSWER = (
    "A black hole is a place in space where gravity pulls so hard that nothing can get out, not "
    "even light. It forms when a very big star runs out of fuel and squeezes itself into a tiny "
    "space. Think of it like a drain in a bathtub that swallows everything nearby. "
    "More precisely, the Schwarzschild radius r_s = 2GM/c^2 defines the event horizon, a null "
    "hypersurface beyond which all future-directed timelike worldlines terminate at the "
    "singularity, while frame dragging in the Kerr metric produces an ergosphere from which "
    "rotational energy can be extracted by the Penrose process. " * 3
)


def respond(body: dict[str, Any]) -> Any:
    """What the models would say offline (see ../tools/_offline.py)."""
    if "ten year old" in (body.get("instructions") or ""):
        text = last_user_text(body)
        jargon = "Schwarzschild" in text
        return json.dumps({
            "reasoning": "It uses terms like 'event horizon' and 'Schwarzschild radius'."
            if jargon else "Short words and a bathtub comparison.",
            "is_readable_by_ten_year_old": not jargon,
        })
    return ANSWER


def main() -> None:
    serve_offline(respond)
    result = Runner.run_streamed(agent, "What is a black hole, and how does it behave?")
    streamed = ""
    try:
        for event in result.stream_events():
            if event.type == "raw_response_event" and \
                    event.data.get("type") == "response.output_text.delta":
                streamed += event.data["delta"]
                print(event.data["delta"], end="", flush=True)
        print("\n\nThe guardrail let the whole answer through.")
    except OutputGuardrailTripwireTriggered as exc:
        verdict = exc.guardrail_result.output.output_info
        print("\n\n=== Guardrail triggered ===")
        print(f"Reasoning: {verdict.reasoning}")
        print(f"the stream stopped after {len(streamed)} characters; nothing was kept "
              f"(new items: {len(result.new_items)})")


if __name__ == "__main__":
    main()
