"""Lifecycle hooks: subclass and override the methods you need. All are plain methods.

`RunHooks` (passed to the runner) see every agent of the run; `AgentHooks` (set on an agent) see
only that agent. A hook that returns an awaitable has it run to completion, for ported code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Optional

from .run_context import RunContextWrapper, TContext

if TYPE_CHECKING:
    from .agent import Agent
    from .items import ModelResponse, TResponseInputItem


class RunHooks(Generic[TContext]):
    """Callbacks for the whole run."""

    def on_llm_start(
        self,
        context: RunContextWrapper[TContext],
        agent: Agent[TContext],
        system_prompt: Optional[str],
        input_items: list[TResponseInputItem],
    ) -> None:
        """Before each model call."""

    def on_llm_end(
        self, context: RunContextWrapper[TContext], agent: Agent[TContext], response: ModelResponse
    ) -> None:
        """After each model call."""

    def on_agent_start(self, context: RunContextWrapper[TContext], agent: Agent[TContext]) -> None:
        """When an agent becomes the current agent (at the start of the run and after handoffs)."""

    def on_agent_end(
        self, context: RunContextWrapper[TContext], agent: Agent[TContext], output: Any
    ) -> None:
        """When an agent produces the final output."""

    def on_handoff(
        self,
        context: RunContextWrapper[TContext],
        from_agent: Agent[TContext],
        to_agent: Agent[TContext],
    ) -> None:
        """When a handoff happens."""

    def on_tool_start(
        self, context: RunContextWrapper[TContext], agent: Agent[TContext], tool: Any
    ) -> None:
        """Before a local tool runs."""

    def on_tool_end(
        self, context: RunContextWrapper[TContext], agent: Agent[TContext], tool: Any, result: Any
    ) -> None:
        """After a local tool ran, with its (string) result."""


class AgentHooks(Generic[TContext]):
    """Callbacks for one agent (set `Agent(hooks=...)`)."""

    def on_start(self, context: RunContextWrapper[TContext], agent: Agent[TContext]) -> None:
        """When this agent becomes the current agent."""

    def on_end(
        self, context: RunContextWrapper[TContext], agent: Agent[TContext], output: Any
    ) -> None:
        """When this agent produces the final output."""

    def on_handoff(
        self, context: RunContextWrapper[TContext], agent: Agent[TContext], source: Agent[TContext]
    ) -> None:
        """When control is handed to this agent; `source` handed off."""

    def on_tool_start(
        self, context: RunContextWrapper[TContext], agent: Agent[TContext], tool: Any
    ) -> None:
        """Before one of this agent's tools runs."""

    def on_tool_end(
        self, context: RunContextWrapper[TContext], agent: Agent[TContext], tool: Any, result: Any
    ) -> None:
        """After one of this agent's tools ran."""

    def on_llm_start(
        self,
        context: RunContextWrapper[TContext],
        agent: Agent[TContext],
        system_prompt: Optional[str],
        input_items: list[TResponseInputItem],
    ) -> None:
        """Before this agent calls the model."""

    def on_llm_end(
        self, context: RunContextWrapper[TContext], agent: Agent[TContext], response: ModelResponse
    ) -> None:
        """After this agent called the model."""
