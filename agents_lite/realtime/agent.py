"""`RealtimeAgent`: an agent for realtime (speech-to-speech) sessions, and its handoffs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Optional, Union

from ..exceptions import UserError
from ..guardrail import OutputGuardrail
from ..handoffs import Handoff, handoff
from ..run_context import RunContextWrapper, TContext
from ..tool import FunctionTool, _run_maybe_async

__all__ = ["RealtimeAgent", "realtime_handoff"]


def _enabled(flag: Any, ctx: RunContextWrapper[Any], agent: Any) -> bool:
    if flag is True or flag is False:
        return flag
    if callable(flag):
        return bool(_run_maybe_async(flag, ctx, agent))
    return bool(flag)


@dataclass
class RealtimeAgent(Generic[TContext]):
    """An agent in a realtime session: instructions, tools, handoffs and output guardrails.

    The model and its settings (voice, audio formats, turn detection) belong to the session
    (`RealtimeRunner` / `RealtimeRunConfig`), not to the agent, since one session talks to one
    realtime model throughout; a handoff changes the instructions and tools of that session.
    Output guardrails check the transcript of what the agent says.
    """

    name: str
    handoff_description: Optional[str] = None
    """Shown to other agents in the handoff tool's description."""
    instructions: Union[str, Callable[[RunContextWrapper[TContext], Any], Any], None] = None
    """The system prompt, or a function `(context, agent) -> str`."""
    prompt: Optional[dict[str, Any]] = None
    """A stored prompt `{"id", "version"?, "variables"?}`."""
    tools: list[Any] = field(default_factory=list)
    """Function tools the model may call (run locally, in a worker thread)."""
    handoffs: list[Union[RealtimeAgent[Any], Handoff]] = field(default_factory=list)
    """Realtime agents (or `realtime_handoff()` objects) this agent may hand over to."""
    output_guardrails: list[OutputGuardrail[Any]] = field(default_factory=list)
    """Checks run on the transcript of the agent's speech (see `RealtimeRunConfig`)."""
    mcp_servers: list[Any] = field(default_factory=list)
    """Connected MCP servers whose tools join the agent's tools."""
    mcp_config: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"RealtimeAgent name must be a string, got {type(self.name).__name__}")
        for attr in ("tools", "handoffs", "output_guardrails", "mcp_servers"):
            if not isinstance(getattr(self, attr), list):
                raise TypeError(f"RealtimeAgent {attr} must be a list")
        for item in self.handoffs:
            if not isinstance(item, (RealtimeAgent, Handoff)):
                raise UserError(
                    f"RealtimeAgent {self.name!r}: handoffs must be RealtimeAgents or "
                    f"realtime_handoff() objects, got {type(item).__name__}"
                )

    def clone(self, **kwargs: Any) -> RealtimeAgent[TContext]:
        """A shallow copy with some fields replaced."""
        return dataclasses.replace(self, **kwargs)

    def get_system_prompt(self, run_context: RunContextWrapper[TContext]) -> Optional[str]:
        """The instructions (calls the instructions function if there is one)."""
        instructions = self.instructions
        if instructions is None or isinstance(instructions, str):
            return instructions
        if not callable(instructions):
            raise UserError(f"RealtimeAgent {self.name!r}: instructions must be a str or callable")
        value = _run_maybe_async(instructions, run_context, self)
        if value is not None and not isinstance(value, str):
            raise UserError(f"instructions function of {self.name!r} must return a string")
        return value

    def get_all_tools(self, run_context: RunContextWrapper[TContext]) -> list[Any]:
        """The enabled tools (MCP tools first; a local tool shadows an MCP tool of its name)."""
        local = [t for t in self.tools if _enabled(getattr(t, "is_enabled", True), run_context,
                                                   self)]
        if not self.mcp_servers:
            return local
        from ..mcp.util import get_all_function_tools

        names = {getattr(t, "name", None) for t in local}
        remote = get_all_function_tools(
            self.mcp_servers,
            convert_schemas_to_strict=bool(self.mcp_config.get("convert_schemas_to_strict")),
            include_server_in_tool_names=bool(
                self.mcp_config.get("include_server_in_tool_names")),
            run_context=run_context,
            agent=self,
        )
        return [t for t in remote if t.name not in names] + local

    def get_handoffs(self, run_context: RunContextWrapper[TContext]) -> list[Handoff]:
        """The enabled handoffs, as `Handoff` objects."""
        result = []
        for item in self.handoffs:
            entry = item if isinstance(item, Handoff) else realtime_handoff(item)
            if _enabled(entry.is_enabled, run_context, self):
                result.append(entry)
        return result

    def function_tools(self, run_context: RunContextWrapper[TContext]) -> list[FunctionTool]:
        """The enabled tools that run locally (hosted tools do not exist in realtime)."""
        return [t for t in self.get_all_tools(run_context) if isinstance(t, FunctionTool)]


def realtime_handoff(
    agent: RealtimeAgent[Any],
    *,
    tool_name_override: Optional[str] = None,
    tool_description_override: Optional[str] = None,
    on_handoff: Optional[Callable[..., Any]] = None,
    input_type: Optional[type] = None,
    is_enabled: Union[bool, Callable[[RunContextWrapper[Any], Any], Any]] = True,
) -> Handoff:
    """A handoff to a `RealtimeAgent` (same options as `handoff()`, without input filters:
    a realtime session keeps one conversation on the server)."""
    if not isinstance(agent, RealtimeAgent):
        raise UserError(f"realtime_handoff needs a RealtimeAgent, got {type(agent).__name__}")
    return handoff(
        agent,  # type: ignore[arg-type]
        tool_name_override=tool_name_override,
        tool_description_override=tool_description_override,
        on_handoff=on_handoff,
        input_type=input_type,
        is_enabled=is_enabled,
    )
