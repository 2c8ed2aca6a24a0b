"""The apply_patch tool: the model edits files with diffs, `WorkspaceEditor` applies them.

The editor works in a scratch directory and refuses anything outside it. A diff that does not
match the file fails that call (the file is left as it was) and the model sees why, so it can
send a corrected diff. Deleting files needs approval; here `on_approval` refuses it.
"""

# expect: offline: scripted replies
# expect: completed: Created greet.py
# expect: failed: Cannot update greet.py: hunk 1 does not apply
# expect: completed: Updated greet.py
# expect: failed: Cannot create '../outside.py'
# expect: failed: deleting files is turned off in this example
# expect: def greet(name: str) -> str:

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _offline import apply_patch_call, serve_offline, since_last_user  # noqa: E402

from agents_lite import Agent, Runner  # noqa: E402
from agents_lite.apply_patch import ApplyPatchTool, WorkspaceEditor  # noqa: E402

NEW_FILE = "+def greet(name):\n+    return 'Hello ' + name\n"
WRONG_DIFF = " def greet(person):\n-    return 'Hi ' + person\n+    return f'Hello, {person}!'\n"
RIGHT_DIFF = (
    "-def greet(name):\n"
    "-    return 'Hello ' + name\n"
    "+def greet(name: str) -> str:\n"
    "+    return f'Hello, {name}!'\n"
)


def respond(body: dict[str, Any]) -> Any:
    """What the model would do offline (see _offline.py): create, a wrong diff, the fix, then
    two calls that are refused."""
    done = since_last_user(body, "apply_patch_call_output")
    if not done:
        return [apply_patch_call("create_file", "greet.py", NEW_FILE)]
    if len(done) == 1:
        return [apply_patch_call("update_file", "greet.py", WRONG_DIFF)]
    if len(done) == 2:
        return [apply_patch_call("update_file", "greet.py", RIGHT_DIFF)]
    if len(done) == 3:
        return [apply_patch_call("create_file", "../outside.py", "+print('escaped')\n"),
                apply_patch_call("delete_file", "greet.py")]
    return "greet.py now has type hints and an f-string."


def no_deletes(ctx: Any, item: Any) -> dict[str, Any]:
    return {"approve": False, "reason": "deleting files is turned off in this example"}


def main() -> None:
    serve_offline(respond)
    workdir = tempfile.mkdtemp(prefix="apply-patch-example-")
    tool = ApplyPatchTool(
        WorkspaceEditor(workdir),
        needs_approval=lambda ctx, operation, call_id: operation.type == "delete_file",
        on_approval=no_deletes,
    )
    agent = Agent(
        name="Editor",
        instructions="Edit files in the project with the apply_patch tool.",
        model="gpt-5.1",
        tools=[tool],
    )
    try:
        result = Runner.run_sync(agent, "Create greet.py with a greet(name) function, then "
                                        "modernise it.", max_turns=8)
        for item in result.new_items:
            if item.type == "tool_call_output_item":
                print(f"{item.raw_item['status']}: {item.output}".splitlines()[0])
        print("Answer:", result.final_output)
        with open(os.path.join(workdir, "greet.py")) as handle:
            print("--- greet.py ---\n" + handle.read(), end="")
        print("outside.py was written:", os.path.exists(os.path.join(workdir, "..", "outside.py")))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
