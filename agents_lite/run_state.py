"""`RunState`: everything a run has done so far, enough to continue it later.

The run loop reads and writes one `RunState`. A run that stops for approvals returns it through
`result.to_state()`; `Runner.run_sync(agent, state)` continues it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, Union

from .items import (
    HandoffOutputItem,
    ItemHelpers,
    MCPApprovalResponseItem,
    ModelResponse,
    RunItem,
    ToolApprovalItem,
    ToolCallOutputItem,
    TResponseInputItem,
)
from .run_context import RunContextWrapper

if TYPE_CHECKING:
    from .agent import Agent
    from .guardrail import InputGuardrailResult, OutputGuardrailResult
    from .tool_guardrails import ToolInputGuardrailResult, ToolOutputGuardrailResult

Phase = Literal["call_model", "resolve_turn", "interrupted", "done"]


@dataclass
class RunState:
    """The state of one run. Fields starting with `_` are the loop's bookkeeping."""

    starting_agent: Agent[Any]
    current_agent: Agent[Any]
    original_input: Union[str, list[TResponseInputItem]]
    """The run's input (with session history prepended when a session is used)."""
    context_wrapper: RunContextWrapper[Any]
    max_turns: Optional[int] = 10
    current_turn: int = 0
    generated_items: list[RunItem] = field(default_factory=list)
    model_responses: list[ModelResponse] = field(default_factory=list)
    input_guardrail_results: list[InputGuardrailResult] = field(default_factory=list)
    output_guardrail_results: list[OutputGuardrailResult] = field(default_factory=list)
    tool_input_guardrail_results: list[ToolInputGuardrailResult] = field(default_factory=list)
    tool_output_guardrail_results: list[ToolOutputGuardrailResult] = field(default_factory=list)
    final_output: Any = None
    interruptions: list[ToolApprovalItem] = field(default_factory=list)

    _phase: Phase = "call_model"
    """What the loop does next: call the model, or finish the turn of the last response."""
    _agent_started: bool = False
    """Whether the start hooks of `current_agent` have fired."""
    _new_input: list[TResponseInputItem] = field(default_factory=list)
    """The input items this run added (written to a session once)."""
    _input_saved: bool = False
    _saved_item_count: int = 0
    """How many `generated_items` are already in the session."""
    _model_view: Optional[list[TResponseInputItem]] = None
    """Set by a handoff input filter: what the model sees instead of input + items so far."""
    _model_view_from: int = 0
    """Items from this index on are appended to `_model_view` when building the next input."""
    _server_known_from: int = 0
    """With server-managed conversations: items from this index on are new to the server."""
    _previous_response_id: Optional[str] = None
    _conversation_id: Optional[str] = None
    _auto_previous_response_id: bool = False
    _turn_items_start: int = 0
    """Index in `generated_items` where the turn being resolved began."""
    _checkpoint_step: int = 0
    """How many checkpoints were written (steps only grow, so a stale worker cannot overwrite)."""
    _pending_outputs: dict[str, RunItem] = field(default_factory=dict)
    """Outputs of this turn's calls that finished while others still run (checkpointed runs)."""

    # --- views --------------------------------------------------------------------------------

    def input_items(self) -> list[TResponseInputItem]:
        """Everything the model has seen or produced, as input items (filtered view if set)."""
        if self._model_view is not None:
            return self._model_view + _items_to_input(self.generated_items[self._model_view_from :])
        return ItemHelpers.input_to_new_input_list(self.original_input) + _items_to_input(
            self.generated_items
        )

    def get_interruptions(self) -> list[ToolApprovalItem]:
        """The tool calls waiting for approval."""
        return list(self.interruptions)

    # --- human in the loop --------------------------------------------------------------------

    def approve(self, approval_item: ToolApprovalItem, always_approve: bool = False) -> None:
        """Approve a pending call; `always_approve` approves every later call of the tool too."""
        self.context_wrapper.approve_tool(approval_item, always_approve=always_approve)

    def reject(
        self,
        approval_item: ToolApprovalItem,
        always_reject: bool = False,
        *,
        rejection_message: Optional[str] = None,
    ) -> None:
        """Reject a pending call; the model is told (with `rejection_message` when given)."""
        self.context_wrapper.reject_tool(
            approval_item, always_reject=always_reject, rejection_message=rejection_message
        )

    # --- serialisation ------------------------------------------------------------------------

    def to_json(self, *, context_serializer: Optional[Callable[[Any], Any]] = None) -> dict[str, Any]:
        """The state as a JSON-safe dict with a `$schemaVersion`.

        The context object is kept when it is JSON-serialisable (dataclasses too) or when a
        `context_serializer` turns it into something that is.
        """
        from .run_state_codec import encode_state

        return encode_state(self, context_serializer)

    def to_string(self, *, context_serializer: Optional[Callable[[Any], Any]] = None) -> str:
        """`to_json()` as a JSON string."""
        import json

        return json.dumps(self.to_json(context_serializer=context_serializer))

    @classmethod
    def from_json(
        cls,
        initial_agent: Agent[Any],
        data: dict[str, Any],
        *,
        context_override: Any = None,
        context_deserializer: Optional[Callable[[Any], Any]] = None,
        strict_context: bool = False,
    ) -> RunState:
        """Rebuild a state saved with `to_json()`. Agents are found by name among
        `initial_agent` and the agents reachable through its handoffs. Unknown versions, missing
        agents and corrupt data raise `UserError`."""
        from .run_state_codec import decode_state

        return decode_state(
            initial_agent, data, context_override=context_override,
            context_deserializer=context_deserializer, strict_context=strict_context,
        )

    @classmethod
    def from_string(
        cls,
        initial_agent: Agent[Any],
        text: str,
        *,
        context_override: Any = None,
        context_deserializer: Optional[Callable[[Any], Any]] = None,
        strict_context: bool = False,
    ) -> RunState:
        """Rebuild a state saved with `to_string()`."""
        import json

        from .exceptions import UserError

        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise UserError(f"Corrupt RunState: not valid JSON ({exc})") from exc
        return cls.from_json(
            initial_agent, data, context_override=context_override,
            context_deserializer=context_deserializer, strict_context=strict_context,
        )

    # --- bookkeeping --------------------------------------------------------------------------

    def completed_call_ids(self) -> set[str]:
        """Call ids of this turn that already have an output (so a resume skips them)."""
        done: set[str] = set()
        for item in self.generated_items[self._turn_items_start :]:
            if isinstance(item, (ToolCallOutputItem, HandoffOutputItem)):
                call_id = item.raw_item.get("call_id")
                if call_id:
                    done.add(call_id)
            elif isinstance(item, MCPApprovalResponseItem):
                done.add(item.raw_item.get("approval_request_id", ""))
        done.update(self._pending_outputs)
        return done


def _items_to_input(items: list[RunItem]) -> list[TResponseInputItem]:
    return [item.to_input_item() for item in items if not isinstance(item, ToolApprovalItem)]
