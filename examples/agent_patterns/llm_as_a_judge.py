"""LLM as a judge: one agent writes, another grades, and the writer revises until the judge is
satisfied (or a round limit is reached). The judge answers with a structured verdict.
"""

# expect: offline: scripted replies
# expect: Evaluator score: needs_improvement
# expect: Evaluator score: pass
# expect: Final story outline: A lighthouse keeper

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Any, Literal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from _offline import items_of, serve_offline  # noqa: E402

from agents_lite import Agent, ItemHelpers, Runner  # noqa: E402

story_outline_generator = Agent(
    name="story_outline_generator",
    instructions=(
        "You generate a very short story outline based on the user's input. If there is any "
        "feedback provided, use it to improve the outline."
    ),
)


@dataclass
class EvaluationFeedback:
    feedback: str
    """What to improve, concretely."""
    score: Literal["pass", "needs_improvement", "fail"]
    """The verdict. Never give "pass" on the first try."""


evaluator = Agent(
    name="evaluator",
    instructions=(
        "You evaluate a story outline and decide if it's good enough. If it's not, you provide "
        "feedback on what needs to be improved. Never give it a pass on the first try."
    ),
    output_type=EvaluationFeedback,
)

FIRST = "A lighthouse keeper on a far moon guides ships home."
SECOND = ("A lighthouse keeper on a far moon guides ships home, until the ship she saves in a "
          "storm carries the brother she never forgave: the twist is that he came to relieve her.")


def respond(body: dict[str, Any]) -> Any:
    """What the models would say offline (see ../tools/_offline.py)."""
    items = items_of(body)
    if "evaluate a story outline" in (body.get("instructions") or ""):
        outline = ""
        for item in items:
            if item.get("role") == "assistant" or item.get("type") == "message":
                outline = "".join(p.get("text", "") for p in item.get("content") or []
                                  if isinstance(p, dict))
        if "twist" in outline:
            return json.dumps({"feedback": "Clear stakes and a good twist.", "score": "pass"})
        return json.dumps({"feedback": "Add a conflict and a twist.", "score": "needs_improvement"})
    feedback_given = any("Feedback:" in str(i.get("content")) for i in items if i.get("role") == "user")
    return SECOND if feedback_given else FIRST


def main() -> None:
    serve_offline(respond)
    msg = "What kind of story would you like to hear? A science-fiction story about a lighthouse."
    input_items: list[Any] = [{"content": msg, "role": "user"}]
    latest_outline = None
    for _round in range(5):
        story_outline_result = Runner.run_sync(story_outline_generator, input_items)
        input_items = story_outline_result.to_input_list()
        latest_outline = ItemHelpers.text_message_outputs(story_outline_result.new_items)
        print("Story outline generated")

        evaluator_result = Runner.run_sync(evaluator, input_items)
        result = evaluator_result.final_output_as(EvaluationFeedback)
        print(f"Evaluator score: {result.score}")
        if result.score == "pass":
            print("Story outline is good enough, exiting.")
            break
        print("Re-running with feedback")
        input_items.append({"content": f"Feedback: {result.feedback}", "role": "user"})
    print(f"Final story outline: {latest_outline}")


if __name__ == "__main__":
    main()
