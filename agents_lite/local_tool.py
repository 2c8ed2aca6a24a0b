"""What the client-executed tools (computer, shell, local shell, apply_patch) share.

The run loop finds such a tool by the output item type it executes (`call_item_type`), asks for
approval with its `needs_approval` / `on_approval`, then calls `execute_call`. `LocalTool` runs
the tool's input guardrails, the tool itself (`run_call`, in subclasses), and its output
guardrails, and answers rejections with `rejection_output`.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from .exceptions import (
    ToolInputGuardrailTripwireTriggered,
    ToolOutputGuardrailTripwireTriggered,
    UserError,
)
from .items import to_jsonable

if TYPE_CHECKING:
    from .agent import Agent
    from .items import ToolApprovalItem
    from .lifecycle import RunHooks
    from .run_context import RunContextWrapper, ToolContext
    from .run_state import RunState
    from .tool_guardrails import ToolInputGuardrail, ToolOutputGuardrail

__all__ = ["LocalTool", "call_id_of", "local_action_jobs", "ApprovalSetting", "OnApprovalFunction"]

ApprovalSetting = Union[bool, Callable[..., Any]]
"""`needs_approval`: a bool, or `(run_context, params, call_id) -> bool` (sync or async), where
`params` is what the tool's `approval_params` gives for the call."""

OnApprovalFunction = Callable[["RunContextWrapper[Any]", "ToolApprovalItem"], Any]
"""`on_approval(run_context, approval_item)`: decides at once instead of a human; returns
`{"approve": bool, "reason": str}` (or a bool), or None to leave the decision to a human."""


def call_id_of(call: dict[str, Any]) -> str:
    """The id that pairs a call item with its output item."""
    return str(call.get("call_id") or call.get("id") or "")


def local_action_jobs(
    agent: Agent[Any],
    actions: list[tuple[Any, dict[str, Any]]],
    context: RunContextWrapper[Any],
    hooks: RunHooks[Any],
    state: RunState,
) -> list[tuple[str, Callable[[], Any]]]:
    """(call id, job) for each client-executed call of a turn. Calls of different tools may run
    at the same time; calls of the same tool run one after another, in the order the model sent
    them (one screen, one set of files: a second edit may depend on the first)."""
    from .tool_execution import run_local_action

    skipped = state.completed_call_ids()  # not run again after an interruption or a crash
    previous: dict[int, threading.Event] = {}
    jobs: list[tuple[str, Callable[[], Any]]] = []
    for tool, call in actions:
        call_id = call_id_of(call)
        before: Optional[threading.Event] = None
        finished = threading.Event()
        if call_id not in skipped:
            before = previous.get(id(tool))
            previous[id(tool)] = finished

        def job(tool: Any = tool, call: dict[str, Any] = call,
                before: Optional[threading.Event] = before,
                finished: threading.Event = finished) -> Any:
            try:
                if before is not None:
                    before.wait()
                return run_local_action(agent, tool, call, context, hooks)
            finally:
                finished.set()

        jobs.append((call_id, job))
    return jobs


class LocalTool:
    """Base class of tools whose calls the client executes. Not used directly."""

    name: str = ""
    call_item_type: str = ""
    """The Responses output item type this tool executes (e.g. "shell_call")."""
    needs_approval: ApprovalSetting = False
    on_approval: Optional[OnApprovalFunction] = None
    tool_input_guardrails: Optional[list[ToolInputGuardrail[Any]]] = None
    tool_output_guardrails: Optional[list[ToolOutputGuardrail[Any]]] = None

    def _init_common(
        self,
        name: str,
        needs_approval: ApprovalSetting,
        on_approval: Optional[OnApprovalFunction],
        tool_input_guardrails: Optional[list[Any]],
        tool_output_guardrails: Optional[list[Any]],
    ) -> None:
        if not isinstance(name, str) or not name:
            raise UserError(f"{type(self).__name__}: name must be a non-empty string")
        if not isinstance(needs_approval, bool) and not callable(needs_approval):
            raise UserError(f"{type(self).__name__}: needs_approval must be a bool or a callable")
        if on_approval is not None and not callable(on_approval):
            raise UserError(f"{type(self).__name__}: on_approval must be callable")
        self.name = name
        self.needs_approval = needs_approval
        self.on_approval = on_approval
        self.tool_input_guardrails = list(tool_input_guardrails) if tool_input_guardrails else None
        self.tool_output_guardrails = (
            list(tool_output_guardrails) if tool_output_guardrails else None
        )

    # --- to be provided by subclasses ---------------------------------------------------------

    def to_wire(self) -> dict[str, Any]:
        """The Responses API tool definition."""
        raise NotImplementedError

    def approval_params(self, call: dict[str, Any]) -> Any:
        """What a `needs_approval` callable and the guardrails see for a call."""
        return call

    def rejection_output(self, call: dict[str, Any], message: str) -> dict[str, Any]:
        """The output item that tells the model a call was not run."""
        raise NotImplementedError

    def run_call(
        self, tool_context: ToolContext[Any], agent: Agent[Any], call: dict[str, Any]
    ) -> tuple[dict[str, Any], Any]:
        """Execute one call: (output item, value for hooks and `ToolCallOutputItem.output`)."""
        raise NotImplementedError

    # --- the seam the run loop calls ----------------------------------------------------------

    def execute_call(
        self, tool_context: ToolContext[Any], agent: Agent[Any], call: dict[str, Any]
    ) -> tuple[dict[str, Any], Any]:
        """Input guardrails, the call, output guardrails. A guardrail's `reject_content` sends its
        message back as the call's (failed) output; `raise_exception` stops the run."""
        from .tool_guardrails import ToolInputGuardrailData, ToolOutputGuardrailData

        tool_context.tool_arguments = self._arguments_json(call)
        for guardrail in self.tool_input_guardrails or ():
            verdict = guardrail.run(ToolInputGuardrailData(context=tool_context, agent=agent))
            kind = verdict.behavior.get("type")
            if kind == "raise_exception":
                raise ToolInputGuardrailTripwireTriggered(guardrail, verdict)
            if kind == "reject_content":
                message = str(verdict.behavior.get("message", ""))
                return self.rejection_output(call, message), message
        raw_item, output = self.run_call(tool_context, agent, call)
        for out_guardrail in self.tool_output_guardrails or ():
            data = ToolOutputGuardrailData(context=tool_context, agent=agent, output=output)
            verdict = out_guardrail.run(data)
            kind = verdict.behavior.get("type")
            if kind == "raise_exception":
                raise ToolOutputGuardrailTripwireTriggered(out_guardrail, verdict)
            if kind == "reject_content":
                message = str(verdict.behavior.get("message", ""))
                return self.rejection_output(call, message), message
        return raw_item, output

    def _arguments_json(self, call: dict[str, Any]) -> str:
        params = self.approval_params(call)
        if dataclasses.is_dataclass(params) and not isinstance(params, type):
            params = {
                f.name: getattr(params, f.name)
                for f in dataclasses.fields(params)
                if f.name != "ctx_wrapper"
            }
        return json.dumps(to_jsonable(params), default=str)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"
