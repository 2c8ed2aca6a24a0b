"""The shell tool with human approval: the model asks to run commands, a person says yes or no.

The commands run in a scratch directory through `LocalShellExecutor`: no shell syntax, a hard
timeout, capped output, nothing outside the directory. Every call needs approval; answer y/n on
stdin, or (when stdin is closed) read-only commands are approved and the rest rejected.
"""

# expect: offline: scripted replies
# expect: approve? $ ls -> yes
# expect: approve? $ wc -l fruit.csv -> yes
# expect: Answer: fruit.csv has 4 lines
# expect: approve? $ rm fruit.csv -> no
# expect: Answer: I did not delete fruit.csv
# expect: fruit.csv still exists: True

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _offline import last_user_text, serve_offline, shell_call, since_last_user  # noqa: E402

from agents_lite import Agent, Runner, ToolApprovalItem  # noqa: E402
from agents_lite.shell import LocalShellExecutor, ShellTool  # noqa: E402

READ_ONLY = ("ls", "cat", "wc", "head", "tail", "pwd")


def respond(body: dict[str, Any]) -> Any:
    """What the model would say offline (see _offline.py)."""
    outputs = since_last_user(body, "shell_call_output")
    if "delete" in last_user_text(body):
        if not outputs:
            return [shell_call("rm fruit.csv")]
        return "I did not delete fruit.csv: the command was not approved."
    if not outputs:
        return [shell_call("ls"), shell_call("wc -l fruit.csv")]
    counted = [o for o in outputs if "fruit.csv" in o["output"][0]["stdout"] and
               o["output"][0]["stdout"].split()[0].isdigit()]
    lines = counted[0]["output"][0]["stdout"].split()[0] if counted else "an unknown number of"
    return f"fruit.csv has {lines} lines."


def ask(item: ToolApprovalItem) -> bool:
    """Ask the person at the terminal; with no one there, allow only read-only commands."""
    commands = item.raw_item["action"]["commands"]
    question = "approve? " + "; ".join(f"$ {c}" for c in commands)
    if sys.stdin.isatty():
        answer = input(question + " [y/n] ").strip().lower().startswith("y")
    else:
        answer = all(c.split()[0] in READ_ONLY for c in commands)
        print(f"{question} -> {'yes' if answer else 'no'}")
    return answer


def run(agent: Agent[Any], request: str) -> str:
    result = Runner.run_sync(agent, request)
    while result.interruptions:
        state = result.to_state()
        for item in result.interruptions:
            if ask(item):
                state.approve(item)
            else:
                state.reject(item, rejection_message="The user did not approve this command.")
        result = Runner.run_sync(agent, state)
    return str(result.final_output)


def main() -> None:
    serve_offline(respond)
    workdir = tempfile.mkdtemp(prefix="shell-example-")
    with open(os.path.join(workdir, "fruit.csv"), "w") as handle:
        handle.write("name,color\napple,red\nbanana,yellow\nplum,purple\n")
    executor = LocalShellExecutor(workdir, timeout=10, max_output_bytes=20_000)
    agent = Agent(
        name="Shell assistant",
        instructions="You can run shell commands in the user's project directory. "
                     "Use plain commands, one program each.",
        model="gpt-5.1",
        tools=[ShellTool(executor, needs_approval=True)],
    )
    try:
        print("Answer:", run(agent, "How many lines does fruit.csv have?"))
        print("Answer:", run(agent, "Now delete fruit.csv."))
        print("fruit.csv still exists:", os.path.exists(os.path.join(workdir, "fruit.csv")))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
