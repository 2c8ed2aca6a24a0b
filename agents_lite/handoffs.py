"""Handoffs: one agent passes the conversation to another through a `transfer_to_<name>` tool."""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from .exceptions import ModelBehaviorError, UserError
from .run_context import RunContextWrapper
from .tool import _run_maybe_async

if TYPE_CHECKING:
    from .agent import Agent
    from .items import RunItem, TResponseInputItem


@dataclass(frozen=True)
class HandoffInputData:
    """What the next agent will see; an input filter returns a changed copy."""

    input_history: Union[str, tuple[TResponseInputItem, ...]]
    """The run's input before it started (string or items)."""
    pre_handoff_items: tuple[RunItem, ...]
    """Items generated before the turn in which the handoff happened."""
    new_items: tuple[RunItem, ...]
    """Items of the handoff turn, including the handoff call and its output."""
    run_context: Optional[RunContextWrapper[Any]] = None

    def clone(self, **changes: Any) -> HandoffInputData:
        """A copy with some fields replaced."""
        return replace(self, **changes)


HandoffInputFilter = Callable[[HandoffInputData], HandoffInputData]
"""Rewrites what the next agent sees."""

_NON_WORD = re.compile(r"[^a-zA-Z0-9_]")


def _function_style(name: str) -> str:
    return _NON_WORD.sub("", name.replace(" ", "_")).lower()


@dataclass
class Handoff:
    """A handoff the model can call as a tool. Usually built with `handoff()` or by listing an
    `Agent` in `Agent.handoffs`."""

    tool_name: str
    tool_description: str
    input_json_schema: dict[str, Any]
    on_invoke_handoff: Callable[[RunContextWrapper[Any], str], Agent[Any]]
    """Called with the context and the raw JSON arguments; returns the agent to hand off to."""
    agent_name: str
    input_filter: Optional[HandoffInputFilter] = None
    strict_json_schema: bool = True
    is_enabled: Union[bool, Callable[[RunContextWrapper[Any], Agent[Any]], Any]] = True
    _agent: Optional[Agent[Any]] = field(default=None, repr=False)

    def get_transfer_message(self, agent: Agent[Any]) -> str:
        """The tool output recorded for the handoff call."""
        return json.dumps({"assistant": agent.name})

    @classmethod
    def default_tool_name(cls, agent: Agent[Any]) -> str:
        """`transfer_to_<agent name in snake case>`."""
        return _function_style(f"transfer_to_{agent.name}")

    @classmethod
    def default_tool_description(cls, agent: Agent[Any]) -> str:
        """The description the model sees for the default handoff tool."""
        return (
            f"Handoff to the {agent.name} agent to handle the request. "
            f"{agent.handoff_description or ''}"
        )

    def to_wire(self) -> dict[str, Any]:
        """The Responses API function-tool definition of this handoff."""
        return {
            "type": "function",
            "name": self.tool_name,
            "description": self.tool_description,
            "parameters": self.input_json_schema,
            "strict": self.strict_json_schema,
        }


_EMPTY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": False,
}


def _param_count(func: Callable[..., Any]) -> int:
    params = inspect.signature(func).parameters.values()
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def handoff(
    agent: Agent[Any],
    tool_name_override: Optional[str] = None,
    tool_description_override: Optional[str] = None,
    on_handoff: Optional[Callable[..., Any]] = None,
    input_type: Optional[type] = None,
    input_filter: Optional[HandoffInputFilter] = None,
    is_enabled: Union[bool, Callable[[RunContextWrapper[Any], Agent[Any]], Any]] = True,
) -> Handoff:
    """Build a handoff to `agent`.

    `on_handoff(ctx)` runs when the handoff happens; with `input_type`, the model must send
    arguments of that type and `on_handoff(ctx, value)` receives them, validated and converted.
    `input_filter` rewrites the history the next agent sees.
    """
    if input_type is not None and on_handoff is None:
        raise UserError("handoff(): input_type needs an on_handoff function that receives the input")
    if on_handoff is not None:
        if not callable(on_handoff):
            raise UserError("handoff(): on_handoff must be callable")
        wanted = 2 if input_type is not None else 1
        if _param_count(on_handoff) != wanted:
            raise UserError(
                f"handoff(): on_handoff must take {wanted} positional argument(s) "
                f"({'context, input' if wanted == 2 else 'context'})"
            )
    if input_filter is not None and not callable(input_filter):
        raise UserError("handoff(): input_filter must be callable")

    tool_name = tool_name_override or Handoff.default_tool_name(agent)
    schema = _EMPTY_SCHEMA
    convert: Optional[Callable[[Any], Any]] = None
    check: Optional[Callable[[Any], Optional[str]]] = None
    if input_type is not None:
        from .schema import json_to_python, type_to_json_schema
        from .strict_schema import ensure_strict_json_schema

        schema = type_to_json_schema(input_type)
        if schema.get("type") != "object":
            schema = {
                "type": "object",
                "properties": {"input": schema},
                "required": ["input"],
                "additionalProperties": False,
            }
            wrapped = True
        else:
            wrapped = False
        schema = ensure_strict_json_schema(schema)

        def convert(value: Any) -> Any:
            return json_to_python(input_type, value["input"] if wrapped else value)

    def invoke(ctx: RunContextWrapper[Any], arguments: str) -> Agent[Any]:
        nonlocal check
        if on_handoff is not None:
            if convert is not None:
                try:
                    data = json.loads(arguments) if arguments else None
                except json.JSONDecodeError as exc:
                    raise ModelBehaviorError(
                        f"Invalid JSON input for handoff {tool_name}: {arguments}"
                    ) from exc
                if check is None:
                    from .schema_validation import compile_validator

                    check = compile_validator(schema)
                problem = check(data)
                if problem is not None:
                    raise ModelBehaviorError(
                        f"Invalid input for handoff {tool_name}: {problem}"
                    )
                _run_maybe_async(on_handoff, ctx, convert(data))
            else:
                _run_maybe_async(on_handoff, ctx)
        return agent

    return Handoff(
        tool_name=tool_name,
        tool_description=tool_description_override or Handoff.default_tool_description(agent),
        input_json_schema=schema,
        on_invoke_handoff=invoke,
        agent_name=agent.name,
        input_filter=input_filter,
        is_enabled=is_enabled,
        _agent=agent,
    )
