"""Computer use with an in-memory screen: the model clicks and types, and sees a screenshot after
every action.

`MemoryComputer` (from `agents_lite.testing`) draws what happens into a pixel buffer and encodes
PNG screenshots with the standard library, so this runs anywhere, no browser needed. Swap in your
own `Computer` (a Playwright or VNC driver, say) for real work. Pending safety checks are shown to
`on_safety_check`, which acknowledges them here after printing them.
"""

# expect: offline: scripted replies
# expect: safety check: irrelevant_domain
# expect: click at (40, 30) with the left button
# expect: typed: 'hello from the model'
# expect: screenshot: 200x120 PNG
# expect: Answer: I clicked the search box and typed the text.

from __future__ import annotations

import base64
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _offline import computer_call, serve_offline, since_last_user  # noqa: E402

from agents_lite import Agent, ModelSettings, Runner  # noqa: E402
from agents_lite.computer import ComputerTool, ComputerToolSafetyCheckData  # noqa: E402
from agents_lite.testing.memory_computer import MemoryComputer, decode_png  # noqa: E402

CHECK = {"id": "sc_1", "code": "irrelevant_domain", "message": "The page is not the one asked for."}


def respond(body: dict[str, Any]) -> Any:
    """What the model would do offline (see _offline.py)."""
    shots = since_last_user(body, "computer_call_output")
    if not shots:
        return [computer_call({"type": "click", "x": 40, "y": 30, "button": "left"}, [CHECK])]
    if len(shots) == 1:
        return [computer_call({"type": "type", "text": "hello from the model"})]
    if len(shots) == 2:
        return [computer_call({"type": "keypress", "keys": ["ENTER"]})]
    return "I clicked the search box and typed the text."


def review(data: ComputerToolSafetyCheckData) -> bool:
    check = data.safety_check
    print(f"safety check: {check.get('code')}: {check.get('message')} -> acknowledged")
    return True


def main() -> None:
    serve_offline(respond)
    computer = MemoryComputer(200, 120)
    agent = Agent(
        name="Operator",
        instructions="You operate a browser. Click the search box and type the user's text.",
        model="computer-use-preview",
        model_settings=ModelSettings(truncation="auto"),
        tools=[ComputerTool(computer, on_safety_check=review)],
    )
    result = Runner.run_sync(agent, "Type 'hello from the model' into the search box.")
    for action in computer.actions:
        if action[0] == "click":
            print(f"click at ({action[1]}, {action[2]}) with the {action[3]} button")
        elif action[0] == "type":
            print(f"typed: {action[1]!r}")
        elif action[0] == "keypress":
            print(f"keys: {'+'.join(action[1])}")
    last = [i for i in result.new_items if i.type == "tool_call_output_item"][-1].output
    width, height, _ = decode_png(base64.b64decode(last.split(",", 1)[1]))
    print(f"screenshot: {width}x{height} PNG, pixel under the click: {computer.pixel(40, 30)}")
    print("Answer:", result.final_output)


if __name__ == "__main__":
    main()
