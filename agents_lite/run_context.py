"""The run context handed to instructions, tools, guardrails and hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Optional, TypeVar

from .usage import Usage

if TYPE_CHECKING:
    from .agent import Agent
    from .items import ToolApprovalItem

TContext = TypeVar("TContext")


@dataclass
class _ApprovalRecord:
    """Decisions taken for one tool: per call id, or for every call (`always`)."""

    approved_ids: set[str] = field(default_factory=set)
    rejected_ids: set[str] = field(default_factory=set)
    always: Optional[bool] = None
    rejection_messages: dict[str, str] = field(default_factory=dict)


@dataclass
class RunContextWrapper(Generic[TContext]):
    """Wraps the user's context object for one run. The SDK never reads `context` itself.

    Also holds the run's aggregated `usage` and the approval decisions of human-in-the-loop tools.
    """

    context: TContext
    """The object passed as `context=` to the runner (any type; None by default)."""
    usage: Usage = field(default_factory=Usage)
    """Usage of the run so far, updated after every model response."""
    turn_input: list[Any] = field(default_factory=list)
    """The input items sent to the model in the current turn."""
    _approvals: dict[str, _ApprovalRecord] = field(default_factory=dict, repr=False)

    # --- human in the loop -------------------------------------------------------------------

    def is_tool_approved(self, tool_name: str, call_id: str) -> Optional[bool]:
        """True if approved, False if rejected, None if no decision was taken yet."""
        record = self._approvals.get(tool_name)
        if record is None:
            return None
        if call_id in record.approved_ids:
            return True
        if call_id in record.rejected_ids:
            return False
        return record.always

    def rejection_message(self, tool_name: str, call_id: str) -> Optional[str]:
        """The custom rejection text given for a call, if any."""
        record = self._approvals.get(tool_name)
        if record is None:
            return None
        return record.rejection_messages.get(call_id, record.rejection_messages.get("*"))

    def approve_tool(self, approval_item: ToolApprovalItem, always_approve: bool = False) -> None:
        """Approve one pending call (or every call of that tool with `always_approve`)."""
        record = self._approvals.setdefault(approval_item.tool_name, _ApprovalRecord())
        call_id = approval_item.call_id
        record.rejected_ids.discard(call_id)
        record.approved_ids.add(call_id)
        if always_approve:
            record.always = True

    def reject_tool(
        self,
        approval_item: ToolApprovalItem,
        always_reject: bool = False,
        rejection_message: Optional[str] = None,
    ) -> None:
        """Reject one pending call (or every call of that tool with `always_reject`)."""
        record = self._approvals.setdefault(approval_item.tool_name, _ApprovalRecord())
        call_id = approval_item.call_id
        record.approved_ids.discard(call_id)
        record.rejected_ids.add(call_id)
        if rejection_message is not None:
            record.rejection_messages["*" if always_reject else call_id] = rejection_message
        if always_reject:
            record.always = False

    def _approvals_to_json(self) -> dict[str, Any]:
        return {
            name: {
                "approved": sorted(r.approved_ids),
                "rejected": sorted(r.rejected_ids),
                "always": r.always,
                "rejection_messages": dict(r.rejection_messages),
            }
            for name, r in self._approvals.items()
        }

    def _approvals_from_json(self, data: dict[str, Any]) -> None:
        self._approvals = {
            name: _ApprovalRecord(
                approved_ids=set(r.get("approved", [])),
                rejected_ids=set(r.get("rejected", [])),
                always=r.get("always"),
                rejection_messages=dict(r.get("rejection_messages", {})),
            )
            for name, r in data.items()
        }


@dataclass
class ToolContext(RunContextWrapper[TContext]):
    """The context a function tool receives: the run context plus the call being executed."""

    tool_name: str = ""
    """Name of the tool being invoked."""
    tool_call_id: str = ""
    """The `call_id` of the model's tool call."""
    tool_arguments: str = ""
    """The raw JSON arguments string the model sent."""
    tool_call: Optional[dict[str, Any]] = None
    """The raw tool call item."""
    agent: Optional[Agent[Any]] = None
    """The agent whose tool is running."""

    @classmethod
    def from_agent_context(
        cls,
        context: RunContextWrapper[TContext],
        tool_call_id: str,
        tool_call: Optional[dict[str, Any]] = None,
        *,
        tool_name: Optional[str] = None,
        tool_arguments: Optional[str] = None,
        agent: Optional[Agent[Any]] = None,
    ) -> ToolContext[TContext]:
        """A tool context sharing the run's context object, usage and approvals."""
        call = tool_call or {}
        return cls(
            context=context.context,
            usage=context.usage,
            turn_input=context.turn_input,
            _approvals=context._approvals,
            tool_name=tool_name if tool_name is not None else call.get("name", ""),
            tool_call_id=tool_call_id,
            tool_arguments=(
                tool_arguments if tool_arguments is not None else call.get("arguments", "")
            ),
            tool_call=tool_call,
            agent=agent,
        )
