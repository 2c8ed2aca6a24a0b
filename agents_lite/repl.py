"""`run_demo_loop`: chat with an agent in the terminal, keeping the conversation's history."""

from __future__ import annotations

import sys
from typing import IO, Any, Callable, Optional

from .agent import Agent
from .exceptions import AgentsException
from .items import ItemHelpers
from .run import DEFAULT_MAX_TURNS, Runner

EXIT_WORDS = frozenset({"exit", "quit", ":q"})


def _describe_item(event: Any) -> Optional[str]:
    """A one-line note for tool calls, tool outputs and handoffs."""
    item = event.item
    if event.name == "tool_called":
        raw = item.raw_item
        return f"[tool call] {raw.get('name', raw.get('type'))}({raw.get('arguments', '')})"
    if event.name == "tool_output":
        text = str(item.output)
        return f"[tool output] {text if len(text) <= 200 else text[:200] + '...'}"
    if event.name == "handoff_occured":
        return f"[handoff] {item.source_agent.name} -> {item.target_agent.name}"
    if event.name == "tool_approval_requested":
        return f"[approval needed] {item.tool_name}({item.arguments or ''})"
    return None


def run_demo_loop(
    agent: Agent[Any],
    *,
    stream: bool = True,
    context: Any = None,
    max_turns: Optional[int] = DEFAULT_MAX_TURNS,
    input_fn: Callable[[str], str] = input,
    output: IO[str] = sys.stdout,
    prompt: str = " > ",
) -> None:
    """Read user messages from the terminal and answer them with `agent`, until EOF, Ctrl-C or
    "exit". With `stream=True` text appears as it is generated; tool calls, tool outputs and
    handoffs are shown as they happen. A tool call that needs approval is asked about (y/N) and
    the run resumes with the answer. The whole history is sent each turn, and the agent that
    answered last answers next."""
    history: list[Any] = []
    current = agent

    def say(text: str = "", end: str = "\n") -> None:
        output.write(text + end)
        output.flush()

    while True:
        try:
            line = input_fn(prompt)
        except (EOFError, KeyboardInterrupt):
            say()
            return
        if not line.strip():
            continue
        if line.strip().lower() in EXIT_WORDS:
            return
        run_input: Any = history + [{"role": "user", "content": line}]
        try:
            while True:
                result = _run_once(current, run_input, stream, context, max_turns, say)
                if not result.interruptions:
                    break
                # Ask about each pending call, then resume the same run.
                state = result.to_state()
                for item in result.interruptions:
                    answer = input_fn(f"[approve {item.tool_name}({item.arguments or ''})? y/N] ")
                    if answer.strip().lower() in ("y", "yes"):
                        state.approve(item)
                    else:
                        state.reject(item)
                run_input = state
        except KeyboardInterrupt:
            say("\n[interrupted]")
            continue
        except EOFError:
            say()
            return
        except AgentsException as exc:
            say(f"[error] {type(exc).__name__}: {exc}")
            continue
        history = result.to_input_list()
        current = result.last_agent


def _run_once(
    agent: Agent[Any],
    run_input: Any,
    stream: bool,
    context: Any,
    max_turns: Optional[int],
    say: Callable[..., None],
) -> Any:
    """One run (or resumed run), printing text, tool calls and handoffs as they happen."""
    if not stream:
        result = Runner.run_sync(agent, run_input, context=context, max_turns=max_turns)
        for item in result.new_items:
            note = _describe_item(_ItemEvent(item))
            if note:
                say(note)
        if not result.interruptions:
            say(str(result.final_output) if result.final_output is not None
                else ItemHelpers.text_message_outputs(result.new_items))
        return result
    streamed = Runner.run_streamed(agent, run_input, context=context, max_turns=max_turns)
    wrote_text = False
    for event in streamed.stream_events():
        if event.type == "raw_response_event":
            if event.data.get("type") == "response.output_text.delta":
                say(event.data["delta"], end="")
                wrote_text = True
        elif event.type == "run_item_stream_event":
            note = _describe_item(event)
            if note:
                say(("\n" if wrote_text else "") + note)
                wrote_text = False
    if wrote_text:
        say()
    return streamed


class _ItemEvent:
    """Adapts a run item to the shape `_describe_item` reads for non-streamed runs."""

    _NAMES = {
        "tool_call_item": "tool_called",
        "tool_call_output_item": "tool_output",
        "handoff_output_item": "handoff_occured",
        "tool_approval_item": "tool_approval_requested",
    }

    def __init__(self, item: Any) -> None:
        self.item = item
        self.name = self._NAMES.get(item.type, "")
