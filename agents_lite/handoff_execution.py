"""Executing a handoff inside a run: the handoff's output items, hooks, the input filter
that shapes what the next agent's model sees, and the switch of the current agent."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from .exceptions import UserError
from .handoffs import HandoffInputData
from .items import HandoffOutputItem, ItemHelpers, ToolCallOutputItem
from .run_state import RunState, _items_to_input
from .stream_events import AgentUpdatedStreamEvent, StreamEvent, item_events
from .tool import _run_maybe_async
from .turn_processing import ProcessedResponse

if TYPE_CHECKING:
    from .agent import Agent
    from .run_loop import RunSetup

_MULTIPLE_HANDOFFS = "Multiple handoffs detected, ignoring this one."


def execute_handoff(
    setup: RunSetup, state: RunState, agent: Agent[Any], processed: ProcessedResponse
) -> Generator[StreamEvent, None, None]:
    """Hand the run over to the first handoff the model chose (later ones are answered with an
    error output), run the handoff hooks and input filter, and switch the current agent."""
    ctx = state.context_wrapper
    chosen, call = processed.handoffs[0]
    new_items: list[Any] = []
    for _ignored, extra in processed.handoffs[1:]:
        new_items.append(
            ToolCallOutputItem(
                agent=agent,
                raw_item=ItemHelpers.tool_call_output_item(extra, _MULTIPLE_HANDOFFS),
                output=_MULTIPLE_HANDOFFS,
            )
        )
    if setup.tracer is not None:
        setup.tracer.start_handoff(agent, chosen.agent_name)
    new_agent = chosen.on_invoke_handoff(ctx, call.get("arguments") or "")
    if setup.tracer is not None:
        setup.tracer.end_handoff(new_agent)
    new_items.append(
        HandoffOutputItem(
            agent=agent,
            raw_item=ItemHelpers.tool_call_output_item(call, chosen.get_transfer_message(new_agent)),
            source_agent=agent,
            target_agent=new_agent,
        )
    )
    state.generated_items.extend(new_items)
    _run_maybe_async(setup.hooks.on_handoff, context=ctx, from_agent=agent, to_agent=new_agent)
    if new_agent.hooks is not None:
        _run_maybe_async(new_agent.hooks.on_handoff, ctx, new_agent, agent)

    input_filter = chosen.input_filter or setup.run_config.handoff_input_filter
    if input_filter is not None:
        if not callable(input_filter):
            raise UserError("The handoff input filter must be callable")
        if state._model_view is not None:
            history: Any = tuple(state._model_view)
        else:
            history = (
                state.original_input
                if isinstance(state.original_input, str)
                else tuple(state.original_input)
            )
        data = HandoffInputData(
            input_history=history,
            pre_handoff_items=tuple(
                state.generated_items[state._model_view_from : state._turn_items_start]
            ),
            new_items=tuple(state.generated_items[state._turn_items_start :]),
            run_context=ctx,
        )
        filtered = _run_maybe_async(input_filter, data)
        if not isinstance(filtered, HandoffInputData):
            raise UserError("A handoff input filter must return a HandoffInputData")
        view = ItemHelpers.input_to_new_input_list(
            filtered.input_history
            if isinstance(filtered.input_history, str)
            else list(filtered.input_history)
        )
        state._model_view = (
            view
            + _items_to_input(list(filtered.pre_handoff_items))
            + _items_to_input(list(filtered.new_items))
        )
        state._model_view_from = len(state.generated_items)

    state.current_agent = new_agent
    state._agent_started = False
    state._phase = "call_model"
    if setup.streaming:
        yield from item_events(new_items)
        yield AgentUpdatedStreamEvent(new_agent=new_agent)
