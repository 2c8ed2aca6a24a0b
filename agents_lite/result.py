"""Run results: `RunResult` (from `run_sync`) and `RunResultStreaming` (from `run_streamed`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal, Optional, TypeVar, Union

from .exceptions import UserError
from .items import ItemHelpers, ModelResponse, RunItem, ToolApprovalItem, TResponseInputItem
from .run_state import RunState, _items_to_input
from .usage import Usage

if TYPE_CHECKING:
    from .agent import Agent
    from .guardrail import InputGuardrailResult, OutputGuardrailResult
    from .run_context import RunContextWrapper
    from .stream_events import StreamEvent
    from .tool_guardrails import ToolInputGuardrailResult, ToolOutputGuardrailResult

T = TypeVar("T")


class RunResultBase:
    """What every run result offers. All fields read the run's `RunState`."""

    _state: RunState
    run_id: Optional[str] = None
    """The checkpoint id of the run (runs started with `checkpoint=`), else None."""

    @property
    def input(self) -> Union[str, list[TResponseInputItem]]:
        """The run's input (with session history prepended when a session was used)."""
        return self._state.original_input

    @property
    def new_items(self) -> list[RunItem]:
        """Items the run generated: messages, tool calls and outputs, handoffs, ..."""
        return self._state.generated_items

    @property
    def raw_responses(self) -> list[ModelResponse]:
        """Every model response of the run."""
        return self._state.model_responses

    @property
    def final_output(self) -> Any:
        """The last agent's final output (None if the run stopped before producing one)."""
        return self._state.final_output

    @property
    def input_guardrail_results(self) -> list[InputGuardrailResult]:
        return self._state.input_guardrail_results

    @property
    def output_guardrail_results(self) -> list[OutputGuardrailResult]:
        return self._state.output_guardrail_results

    @property
    def tool_input_guardrail_results(self) -> list[ToolInputGuardrailResult]:
        return self._state.tool_input_guardrail_results

    @property
    def tool_output_guardrail_results(self) -> list[ToolOutputGuardrailResult]:
        return self._state.tool_output_guardrail_results

    @property
    def context_wrapper(self) -> RunContextWrapper[Any]:
        """The run context (with usage and approvals)."""
        return self._state.context_wrapper

    @property
    def interruptions(self) -> list[ToolApprovalItem]:
        """Tool calls waiting for approval; empty when the run finished."""
        return self._state.interruptions

    @property
    def last_agent(self) -> Agent[Any]:
        """The agent that ran last."""
        return self._state.current_agent

    @property
    def last_response_id(self) -> Optional[str]:
        """The id of the last model response (for `previous_response_id`)."""
        responses = self._state.model_responses
        return responses[-1].response_id if responses else None

    @property
    def usage(self) -> Usage:
        """Token usage aggregated over the run, with one entry per model request."""
        return self._state.context_wrapper.usage

    def final_output_as(self, cls: type[T], raise_if_incorrect_type: bool = False) -> T:
        """The final output typed as `cls` (checked with isinstance when asked)."""
        output = self._state.final_output
        if raise_if_incorrect_type and not isinstance(output, cls):
            raise TypeError(f"Final output is not of type {cls.__name__}: {type(output).__name__}")
        return output  # type: ignore[no-any-return]

    def to_input_list(self) -> list[TResponseInputItem]:
        """The run's input followed by everything it generated: the next turn's input."""
        return ItemHelpers.input_to_new_input_list(self._state.original_input) + _items_to_input(
            self._state.generated_items
        )

    def to_state(self) -> RunState:
        """The run state, to approve/reject interruptions and continue the run."""
        return self._state

    def __str__(self) -> str:
        return (
            f"{type(self).__name__}(last_agent={self.last_agent.name!r}, "
            f"final_output={self.final_output!r}, new_items={len(self.new_items)}, "
            f"interruptions={len(self.interruptions)})"
        )

    __repr__ = __str__


class RunResult(RunResultBase):
    """The result of `Runner.run_sync`."""

    def __init__(self, state: RunState) -> None:
        self._state = state


class RunResultStreaming(RunResultBase):
    """The result of `Runner.run_streamed`. Iterate `stream_events()` to run the agent.

    The stream is pull-based: the run advances only while you iterate, in your thread. When the
    generator ends the result fields are final; an error of the run is raised from the generator.
    Breaking out of the loop (or `close()`, or garbage collection) ends the run cleanly.
    """

    def __init__(self, state: RunState, events: Iterator[StreamEvent]) -> None:
        self._state = state
        self._events: Optional[Iterator[StreamEvent]] = events
        self._cancel_mode: Optional[Literal["immediate", "after_turn"]] = None
        self._lock = threading.Lock()
        self.is_complete = False
        """True once the stream has ended (normally, by error or cancelled)."""
        self.error: Optional[BaseException] = None
        """The exception that ended the run, if one did."""

    @property
    def current_agent(self) -> Agent[Any]:
        """The agent running now."""
        return self._state.current_agent

    @property
    def current_turn(self) -> int:
        return self._state.current_turn

    @property
    def max_turns(self) -> Optional[int]:
        return self._state.max_turns

    def cancel(self, mode: Literal["immediate", "after_turn"] = "immediate") -> None:
        """Stop the run: at once ("immediate": the model stream is closed at the next event), or
        when the current turn is complete ("after_turn"). Safe to call from another thread."""
        if mode not in ("immediate", "after_turn"):
            raise UserError("cancel(mode) must be 'immediate' or 'after_turn'")
        self._cancel_mode = mode

    def stream_events(self) -> Iterator[StreamEvent]:
        """The run's events, in order. Can be iterated once."""
        with self._lock:
            events, self._events = self._events, None
        if events is None:
            if self.is_complete:
                return
            raise UserError("stream_events() is already being consumed")
        try:
            yield from events
        except BaseException as exc:
            if not isinstance(exc, GeneratorExit):
                self.error = exc
            raise
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()
            self.is_complete = True
