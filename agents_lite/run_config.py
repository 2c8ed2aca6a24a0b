"""`RunConfig` (settings for a whole run) and the error-handler and input-filter types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, Union

from .model_settings import ModelSettings

if TYPE_CHECKING:
    from .agent import Agent
    from .guardrail import InputGuardrail, OutputGuardrail
    from .handoffs import HandoffInputFilter
    from .items import ModelResponse, RunItem, TResponseInputItem
    from .models.interface import Model, ModelProvider
    from .run_context import RunContextWrapper


@dataclass
class ModelInputData:
    """What is about to be sent to the model; a `call_model_input_filter` may return a new one."""

    input: list[TResponseInputItem]
    instructions: Optional[str]


@dataclass
class CallModelData:
    """Given to `RunConfig.call_model_input_filter` before each model call."""

    model_data: ModelInputData
    agent: Agent[Any]
    context: Any


CallModelInputFilter = Callable[[CallModelData], ModelInputData]
SessionInputCallback = Callable[
    [list["TResponseInputItem"], list["TResponseInputItem"]], list["TResponseInputItem"]
]
"""`(history, new_input) -> the input for the run` when a session is used."""


@dataclass
class RunConfig:
    """Settings for one run, applying to every agent in it."""

    model: Union[str, Model, None] = None
    """Overrides every agent's model for this run."""
    model_provider: Optional[ModelProvider] = None
    """Resolves model names; default: a shared `MultiProvider` (OpenAI and registered prefixes)."""
    model_settings: Optional[ModelSettings] = None
    """Overlaid on each agent's settings (non-None fields win)."""
    handoff_input_filter: Optional[HandoffInputFilter] = None
    """Applied to handoffs that have no filter of their own."""
    input_guardrails: Optional[list[InputGuardrail[Any]]] = None
    output_guardrails: Optional[list[OutputGuardrail[Any]]] = None
    tracing_disabled: bool = False
    trace_include_sensitive_data: Optional[bool] = None
    """None: from env OPENAI_AGENTS_TRACE_INCLUDE_SENSITIVE_DATA (default true)."""
    workflow_name: str = "Agent workflow"
    trace_id: Optional[str] = None
    group_id: Optional[str] = None
    trace_metadata: Optional[dict[str, Any]] = None
    tracing: Optional[dict[str, Any]] = None
    """Tracing options, e.g. `{"include_task_and_turn_spans": False}` or `{"api_key": ...}`."""
    call_model_input_filter: Optional[CallModelInputFilter] = None
    """Edits the input (and instructions) right before each model call."""
    session_input_callback: Optional[SessionInputCallback] = None
    """How session history and the new input combine; default: history + new input."""
    session_settings: Any = None
    """`SessionSettings` overriding the session's own (e.g. `limit`)."""
    tool_not_found_behavior: Literal["raise_error", "return_error_to_model"] = "raise_error"
    """A call of an unknown tool raises `ModelBehaviorError`, or tells the model."""
    max_total_tokens: Optional[int] = None
    """Budget: the run stops with `BudgetExceeded` after the response that crosses it."""
    max_cost_usd: Optional[float] = None
    """Budget in USD (from the price table); the run stops after the response that crosses it."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Free-form settings read by extensions."""


@dataclass
class RunErrorData:
    """What an error handler knows about the run."""

    input: Union[str, list[TResponseInputItem]]
    new_items: list[RunItem]
    history: list[TResponseInputItem]
    output: Any
    raw_responses: list[ModelResponse]
    last_agent: Agent[Any]


@dataclass
class RunErrorHandlerInput:
    """Given to an error handler."""

    error: Exception
    context: RunContextWrapper[Any]
    run_data: RunErrorData


@dataclass
class RunErrorHandlerResult:
    """An error handler's answer: end the run with this final output."""

    final_output: Any
    include_in_history: bool = True
    """Also add an assistant message with the output to the run's items (and session)."""


RunErrorHandler = Callable[[RunErrorHandlerInput], Any]
"""Returns a `RunErrorHandlerResult`, a dict with `final_output`, a raw value, or None to raise."""

ERROR_HANDLER_KINDS = ("max_turns", "model_refusal", "invalid_final_output", "budget_exceeded")
"""The keys accepted in `error_handlers=`."""
