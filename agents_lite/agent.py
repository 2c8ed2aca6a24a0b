"""`Agent`: instructions, a model, tools, handoffs, guardrails and an output type."""

from __future__ import annotations

import dataclasses
import inspect
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Generic, Literal, Optional, Union

from .exceptions import UserError
from .guardrail import InputGuardrail, OutputGuardrail
from .handoffs import Handoff
from .lifecycle import AgentHooks
from .model_settings import ModelSettings
from .run_context import RunContextWrapper, TContext
from .tool import FunctionTool, FunctionToolResult, _run_maybe_async, default_tool_error_function

if TYPE_CHECKING:
    from .models.interface import Model
    from .result import RunResult

logger = logging.getLogger("agents_lite")


@dataclass
class ToolsToFinalOutputResult:
    """What a custom `tool_use_behavior` function returns."""

    is_final_output: bool
    """True ends the run with `final_output`."""
    final_output: Any = None


class StopAtTools(dict):  # type: ignore[type-arg]
    """`tool_use_behavior=StopAtTools(stop_at_tool_names=[...])`: the first output of one of these
    tools becomes the final output."""

    def __init__(self, stop_at_tool_names: list[str]) -> None:
        super().__init__(stop_at_tool_names=list(stop_at_tool_names))

    @property
    def stop_at_tool_names(self) -> list[str]:
        return self["stop_at_tool_names"]


ToolsToFinalOutputFunction = Callable[
    [RunContextWrapper[Any], list[FunctionToolResult]], ToolsToFinalOutputResult
]

_ARITY_OK: dict[Any, bool] = {}


def _positional_arity(func: Callable[..., Any]) -> int:
    params = inspect.signature(func).parameters.values()
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return -1
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def _is_enabled(flag: Any, ctx: RunContextWrapper[Any], agent: Agent[Any]) -> bool:
    if flag is True or flag is False:
        return flag
    if callable(flag):
        return bool(_run_maybe_async(flag, ctx, agent))
    return bool(flag)


@dataclass
class Agent(Generic[TContext]):
    """An LLM configured with instructions, tools, handoffs, guardrails and an output type.

    >>> agent = Agent(name="Assistant", instructions="Reply in haiku.")
    >>> agent.clone(name="Poet").name
    'Poet'
    """

    name: str
    """The agent's name (used in handoff tool names and traces)."""
    handoff_description: Optional[str] = None
    """Shown to other agents in the handoff tool's description."""
    tools: list[Any] = field(default_factory=list)
    """Function tools, hosted tools and local-execution tools."""
    mcp_servers: list[Any] = field(default_factory=list)
    """Connected MCP servers whose tools join the agent's tools every turn."""
    mcp_config: dict[str, Any] = field(default_factory=dict)
    """`convert_schemas_to_strict` and `include_server_in_tool_names` (both default False)."""
    instructions: Union[str, Callable[[RunContextWrapper[TContext], Agent[TContext]], Any], None] = None
    """The system prompt, or a function `(context, agent) -> str` called every turn."""
    prompt: Union[dict[str, Any], Callable[..., Any], None] = None
    """A stored prompt template `{"id", "version"?, "variables"?}` (Responses API), or a function
    `(context, agent) -> dict`."""
    handoffs: list[Union[Agent[Any], Handoff]] = field(default_factory=list)
    """Agents (or `handoff()` objects) this agent may hand the conversation to."""
    model: Union[str, Model, None] = None
    """A model name (resolved by the run's model provider) or a `Model`; None: the run's default."""
    model_settings: ModelSettings = field(default_factory=ModelSettings)
    input_guardrails: list[InputGuardrail[TContext]] = field(default_factory=list)
    output_guardrails: list[OutputGuardrail[TContext]] = field(default_factory=list)
    output_type: Any = None
    """The type of the final output; None means plain text."""
    hooks: Optional[AgentHooks[TContext]] = None
    tool_use_behavior: Union[
        Literal["run_llm_again", "stop_on_first_tool"], StopAtTools, dict[str, Any],
        ToolsToFinalOutputFunction,
    ] = "run_llm_again"
    """What tool outputs mean: run the model again (default), stop at the first tool's output,
    stop at some tools (`StopAtTools`), or a function deciding."""
    reset_tool_choice: bool = True
    """Drop a forced `tool_choice` after a tool was used, so the model cannot loop on it."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"Agent name must be a string, got {type(self.name).__name__}")
        for attr in ("tools", "mcp_servers", "handoffs", "input_guardrails", "output_guardrails"):
            if not isinstance(getattr(self, attr), list):
                raise TypeError(f"Agent {attr} must be a list, got {type(getattr(self, attr)).__name__}")
        if self.instructions is not None and not (
            isinstance(self.instructions, str) or callable(self.instructions)
        ):
            raise TypeError("Agent instructions must be a string, a callable or None")
        if not isinstance(self.model_settings, ModelSettings):
            raise TypeError("Agent model_settings must be a ModelSettings")
        if self.hooks is not None and not isinstance(self.hooks, AgentHooks):
            raise TypeError("Agent hooks must be an AgentHooks instance")
        for guardrail in (*self.input_guardrails, *self.output_guardrails):
            if not callable(getattr(guardrail, "guardrail_function", None)):
                raise UserError(f"Agent {self.name!r}: guardrail {guardrail!r} has no callable function")

    def clone(self, **kwargs: Any) -> Agent[TContext]:
        """A shallow copy with some fields replaced (lists are shared unless replaced)."""
        return dataclasses.replace(self, **kwargs)

    # --- per-turn resolution -----------------------------------------------------------------

    def get_system_prompt(self, run_context: RunContextWrapper[TContext]) -> Optional[str]:
        """The instructions for this turn (calls the instructions function if there is one)."""
        instructions = self.instructions
        if instructions is None or isinstance(instructions, str):
            return instructions
        ok = _ARITY_OK.get(instructions)
        if ok is None:
            arity = _positional_arity(instructions)
            ok = _ARITY_OK[instructions] = arity in (2, -1)
        if not ok:
            raise TypeError(
                f"'instructions' callable must accept exactly 2 arguments (context, agent), "
                f"but got {_positional_arity(instructions)}"
            )
        result = _run_maybe_async(instructions, run_context, self)
        if result is not None and not isinstance(result, str):
            raise UserError(f"instructions function of agent {self.name!r} must return a string")
        return result

    def get_prompt(self, run_context: RunContextWrapper[TContext]) -> Optional[dict[str, Any]]:
        """The prompt template for this turn, if any."""
        if self.prompt is None or isinstance(self.prompt, dict):
            return self.prompt
        return _run_maybe_async(self.prompt, run_context, self)

    def get_mcp_tools(self, run_context: RunContextWrapper[TContext]) -> list[FunctionTool]:
        """The tools of this agent's MCP servers, as function tools."""
        if not self.mcp_servers:
            return []
        from .mcp.util import get_all_function_tools

        return get_all_function_tools(
            self.mcp_servers,
            convert_schemas_to_strict=bool(self.mcp_config.get("convert_schemas_to_strict", False)),
            include_server_in_tool_names=bool(
                self.mcp_config.get("include_server_in_tool_names", False)
            ),
            run_context=run_context,
            agent=self,
        )

    def get_all_tools(self, run_context: RunContextWrapper[TContext]) -> list[Any]:
        """Every tool offered this turn: MCP tools plus the enabled tools of `tools`.

        A local tool with the same name as an MCP tool wins (with a warning).
        """
        local = [
            tool
            for tool in self.tools
            if _is_enabled(getattr(tool, "is_enabled", True), run_context, self)
        ]
        if not self.mcp_servers:
            return local
        mcp_tools = self.get_mcp_tools(run_context)
        local_names = {getattr(t, "name", None) for t in local}
        kept = []
        for tool in mcp_tools:
            if tool.name in local_names:
                logger.warning(
                    "Agent %r: local tool %r shadows the MCP tool of the same name", self.name, tool.name
                )
                continue
            kept.append(tool)
        return kept + local

    # --- agents as tools ---------------------------------------------------------------------

    def as_tool(
        self,
        tool_name: Optional[str],
        tool_description: Optional[str],
        custom_output_extractor: Optional[Callable[[RunResult], Any]] = None,
        is_enabled: Union[bool, Callable[[RunContextWrapper[Any], Agent[Any]], Any]] = True,
        needs_approval: Union[bool, Callable[..., Any]] = False,
        run_config: Any = None,
        max_turns: Optional[int] = None,
        hooks: Any = None,
        session: Any = None,
        on_stream: Optional[Callable[[dict[str, Any]], Any]] = None,
        failure_error_function: Optional[Callable[..., str]] = default_tool_error_function,
    ) -> FunctionTool:
        """This agent as a tool another agent can call.

        The tool takes `{"input": string}`; the nested run receives that string as one user message
        and shares the caller's context object. The tool output is the nested run's final output
        (or `custom_output_extractor(result)`). With `on_stream`, the nested run is streamed and
        each event is passed to `on_stream({"event", "agent", "tool_call"})`.
        """
        import json

        from .exceptions import ModelBehaviorError
        from .handoffs import _function_style
        from .run import DEFAULT_MAX_TURNS, Runner

        name = tool_name or _function_style(self.name)
        schema = {
            "type": "object",
            "properties": {"input": {"type": "string"}},
            "required": ["input"],
            "additionalProperties": False,
        }

        def invoke(ctx: Any, arguments: str) -> Any:
            try:
                try:
                    data = json.loads(arguments or "{}")
                except json.JSONDecodeError as exc:
                    raise ModelBehaviorError(f"Invalid JSON input for tool {name}: {arguments}") from exc
                if not isinstance(data, dict) or not isinstance(data.get("input"), str):
                    raise ModelBehaviorError(f"Invalid arguments for tool {name}: 'input' must be a string")
                kwargs: dict[str, Any] = dict(
                    context=ctx.context,
                    max_turns=max_turns if max_turns is not None else DEFAULT_MAX_TURNS,
                    hooks=hooks,
                    run_config=run_config,
                    session=session,
                )
                if on_stream is None:
                    result: Any = Runner.run_sync(self, data["input"], **kwargs)
                else:
                    result = Runner.run_streamed(self, data["input"], **kwargs)
                    for event in result.stream_events():
                        on_stream({"event": event, "agent": self, "tool_call": ctx.tool_call})
            except Exception as exc:
                if failure_error_function is None:
                    raise
                from .tool import _mark_tool_error

                _mark_tool_error(name, exc)
                return failure_error_function(ctx, exc)
            if custom_output_extractor is not None:
                return _run_maybe_async(custom_output_extractor, result)
            return result.final_output

        return FunctionTool(
            name=name,
            description=tool_description or "",
            params_json_schema=schema,
            on_invoke_tool=invoke,
            strict_json_schema=True,
            is_enabled=is_enabled,
            needs_approval=needs_approval,
            failure_error_function=failure_error_function,
        )
