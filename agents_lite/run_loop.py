"""The run loop: ONE generator of stream events. `run_streamed` hands it to the caller and
`run_sync` drains it.

A turn: prepare (instructions, tools, handoffs, settings, input) → input guardrails on the first
turn → call the model → record its items → run tools → hand off, finish, interrupt for approvals,
or go round again. Whole turns are written to the session; a failed turn writes nothing.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections.abc import Generator
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Optional

from .exceptions import (
    AgentsException,
    BudgetExceeded,
    InputGuardrailTripwireTriggered,
    MaxTurnsExceeded,
    ModelBehaviorError,
    ModelRefusalError,
    OutputGuardrailTripwireTriggered,
    RunErrorDetails,
    UserError,
)
from .guardrail import InputGuardrailResult, OutputGuardrailResult
from .handoff_execution import execute_handoff
from .handoffs import Handoff, handoff
from .items import (
    ItemHelpers,
    MessageOutputItem,
    ModelResponse,
    ToolApprovalItem,
    ToolCallOutputItem,
    to_jsonable,
)
from .lifecycle import RunHooks
from .local_tool import local_action_jobs
from .model_settings import ModelSettings
from .models.interface import Model, ModelTracing
from .run_config import (
    CallModelData,
    ModelInputData,
    RunConfig,
    RunErrorData,
    RunErrorHandlerInput,
    RunErrorHandlerResult,
)
from .run_state import RunState, _items_to_input
from .stream_events import (
    AgentUpdatedStreamEvent,
    RawResponsesStreamEvent,
    StreamEvent,
    item_events,
)
from .streaming_guardrails import start_stream_guardrails
from .tool import FunctionToolResult, _run_maybe_async
from .tool_execution import (
    answer_mcp_approval,
    missing_tool_output,
    run_all,
    run_function_call,
    submit,
)
from .turn_processing import ProcessedResponse, process_model_response
from .usage import Usage

if TYPE_CHECKING:
    from .agent import Agent

logger = logging.getLogger("agents_lite")

class _Cancelled(Exception):
    """Raised inside the loop when the consumer cancelled the stream immediately."""


@dataclass
class RunSetup:
    """Per-run settings the loop reads (never mutated by it, except the model cache)."""

    hooks: RunHooks[Any]
    run_config: RunConfig
    error_handlers: dict[str, Callable[..., Any]]
    streaming: bool
    session: Any = None
    cancel_mode: Callable[[], Optional[str]] = lambda: None
    on_checkpoint: Optional[Callable[[RunState, str], None]] = None
    """Called with the state after every model response and tool batch (crash-resumable runs)."""
    tracer: Any = None
    """The run's `RunTracer` while the run is traced (set by `tracing.run_tracing.traced_run`)."""
    _models: dict[int, Model] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)


# --- helpers ------------------------------------------------------------------------------------


def _fire(hooks: RunHooks[Any], agent: Agent[Any], run_method: str, agent_method: str, *args: Any) -> None:
    if type(hooks) is not RunHooks:  # the default hooks do nothing: skip the calls
        _run_maybe_async(getattr(hooks, run_method), *args)
    if agent.hooks is not None:
        _run_maybe_async(getattr(agent.hooks, agent_method), *args)


_GET_OUTPUT_SCHEMA: Optional[Callable[[Any], Any]] = None


def _output_schema(output_type: Any) -> Any:
    """The agent's output schema; None for plain text (without loading the schema modules)."""
    global _GET_OUTPUT_SCHEMA
    if output_type is None:
        return None
    if _GET_OUTPUT_SCHEMA is None:
        from .agent_output import get_output_schema

        _GET_OUTPUT_SCHEMA = get_output_schema
    return _GET_OUTPUT_SCHEMA(output_type)


_DEFAULT_PROVIDER: Any = None


def default_model_provider() -> Any:
    """The shared default provider (a `MultiProvider`), created on first use."""
    global _DEFAULT_PROVIDER
    if _DEFAULT_PROVIDER is None:
        from .models.multi_provider import MultiProvider

        _DEFAULT_PROVIDER = MultiProvider()
    return _DEFAULT_PROVIDER


def _resolve_model(setup: RunSetup, agent: Agent[Any]) -> Model:
    cached = setup._models.get(id(agent))
    if cached is not None:
        return cached
    chosen = setup.run_config.model if setup.run_config.model is not None else agent.model
    if isinstance(chosen, Model):
        model = chosen
    else:
        provider = setup.run_config.model_provider or default_model_provider()
        model = provider.get_model(chosen)
    setup._models[id(agent)] = model
    return model


def _enabled_handoffs(agent: Agent[Any], ctx: Any) -> list[Handoff]:
    if not agent.handoffs:
        return []
    from .agent import Agent as AgentClass
    from .agent import _is_enabled

    result = []
    for entry in agent.handoffs:
        if isinstance(entry, AgentClass):
            cached = entry.__dict__.get("_default_handoff")
            if cached is None or cached.agent_name != entry.name:
                cached = entry.__dict__["_default_handoff"] = handoff(entry)
            entry = cached
        elif not isinstance(entry, Handoff):
            raise UserError(f"Agent {agent.name!r}: handoffs must be Agents or Handoffs, got {entry!r}")
        if _is_enabled(entry.is_enabled, ctx, agent):
            result.append(entry)
    return result


def _synthetic_message(agent: Agent[Any], text: str) -> MessageOutputItem:
    raw = {
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }
    return MessageOutputItem(agent=agent, raw_item=raw)


def _output_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(to_jsonable(value))


# --- the loop -----------------------------------------------------------------------------------


def run_events(setup: RunSetup, state: RunState) -> Generator[StreamEvent, None, None]:
    """Run until a final output, an interruption, an error or cancellation, yielding events.

    Errors from the `AgentsException` tree get `run_data` describing what the run produced.
    """
    try:
        yield from _run(setup, state)
    except _Cancelled:
        return
    except AgentsException as exc:
        if exc.run_data is None:
            exc.run_data = RunErrorDetails(
                input=state.original_input,
                new_items=list(state.generated_items),
                raw_responses=list(state.model_responses),
                last_agent=state.current_agent,
                context_wrapper=state.context_wrapper,
                input_guardrail_results=list(state.input_guardrail_results),
                output_guardrail_results=list(state.output_guardrail_results),
            )
        raise


def _run(setup: RunSetup, state: RunState) -> Generator[StreamEvent, None, None]:
    streaming = setup.streaming
    if state._phase == "interrupted":
        state._phase = "resolve_turn"
        state.interruptions = []
    elif state._phase == "done":
        return
    if streaming:
        yield AgentUpdatedStreamEvent(new_agent=state.current_agent)

    while True:
        agent = state.current_agent
        ctx = state.context_wrapper
        if not state._agent_started:
            state._agent_started = True
            _fire(setup.hooks, agent, "on_agent_start", "on_start", ctx, agent)

        all_tools = agent.get_all_tools(ctx)
        handoffs = _enabled_handoffs(agent, ctx)
        if setup.tracer is not None:
            setup.tracer.enter_agent(agent, all_tools, handoffs)

        if state._phase == "call_model":
            if setup.cancel_mode() is not None:
                return
            state.current_turn += 1
            if state.max_turns is not None and state.current_turn > state.max_turns:
                error = MaxTurnsExceeded(f"Max turns ({state.max_turns}) exceeded")
                state._turn_items_start = len(state.generated_items)
                if not _finish_from_handler(setup, state, agent, "max_turns", error):
                    raise error
                _save_session(setup, state)
                if streaming:
                    yield from item_events(state.generated_items[state._turn_items_start :])
                return
            if setup.tracer is not None:
                setup.tracer.start_turn(state.current_turn, agent)
            response = yield from _call_model(setup, state, agent, all_tools, handoffs)
            processed = process_model_response(
                agent, all_tools, handoffs, response, setup.run_config.tool_not_found_behavior
            )
            state._turn_items_start = len(state.generated_items)
            state.generated_items.extend(processed.new_items)
            state._server_known_from = len(state.generated_items)
            state._phase = "resolve_turn"
            if setup.on_checkpoint is not None:
                setup.on_checkpoint(state, "model_response")
            if streaming:
                yield from item_events(processed.new_items)
        else:
            # Resuming the turn of the last response (after approvals or a crash).
            if setup.tracer is not None:
                setup.tracer.start_turn(state.current_turn, agent)
            processed = process_model_response(
                agent, all_tools, handoffs, state.model_responses[-1],
                setup.run_config.tool_not_found_behavior,
            )

        outcome = yield from _resolve_turn(setup, state, agent, processed)
        if setup.tracer is not None:
            setup.tracer.end_turn()
        if outcome == "interrupted":
            return
        _save_session(setup, state)
        if outcome == "final" or setup.cancel_mode() == "after_turn":
            return


# --- calling the model --------------------------------------------------------------------------


def _build_input(setup: RunSetup, state: RunState) -> list[Any]:
    if state._previous_response_id or state._conversation_id or state._auto_previous_response_id:
        new = _items_to_input(state.generated_items[state._server_known_from :])
        if not state.model_responses:
            return ItemHelpers.input_to_new_input_list(state.original_input) + new
        return new
    return state.input_items()


def _model_settings(setup: RunSetup, state: RunState, agent: Agent[Any]) -> ModelSettings:
    settings = agent.model_settings.resolve(setup.run_config.model_settings)
    if agent.reset_tool_choice and settings.tool_choice is not None and _agent_used_tools(state, agent):
        # A forced tool choice would make the model call the tool forever.
        settings = dataclasses.replace(settings, tool_choice=None)
    return settings


def _agent_used_tools(state: RunState, agent: Agent[Any]) -> bool:
    for item in state.generated_items:
        if item.type == "tool_call_item" and item.agent is agent:
            return True
    return False


def _start_input_guardrails(
    setup: RunSetup, state: RunState, agent: Agent[Any]
) -> list[Future[InputGuardrailResult]]:
    """Run blocking guardrails now (raising on a tripwire); start the parallel ones."""
    guardrails = [*(setup.run_config.input_guardrails or ()), *agent.input_guardrails]
    if not guardrails:
        return []
    for guardrail in guardrails:
        if not callable(getattr(guardrail, "guardrail_function", None)):
            raise UserError(f"Input guardrail {guardrail!r} has no callable function")
    ctx, original = state.context_wrapper, state.original_input
    from .tracing.run_tracing import traced_guardrail

    blocking = [g for g in guardrails if not g.run_in_parallel]
    if blocking:
        results = run_all([partial(traced_guardrail, g, agent, original, ctx) for g in blocking])
        state.input_guardrail_results.extend(results)
        for result in results:
            if result.output.tripwire_triggered:
                raise InputGuardrailTripwireTriggered(result)
    return [
        submit(partial(traced_guardrail, g, agent, original, ctx))
        for g in guardrails
        if g.run_in_parallel
    ]


def _collect_input_guardrails(state: RunState, futures: list[Future[InputGuardrailResult]]) -> None:
    results = [future.result() for future in futures]
    state.input_guardrail_results.extend(results)
    for result in results:
        if result.output.tripwire_triggered:
            raise InputGuardrailTripwireTriggered(result)


def _tripped_early(futures: list[Future[InputGuardrailResult]]) -> bool:
    for future in futures:
        if future.done() and future.exception() is None and future.result().output.tripwire_triggered:
            return True
    return False


def _call_model(
    setup: RunSetup,
    state: RunState,
    agent: Agent[Any],
    all_tools: list[Any],
    handoffs: list[Handoff],
) -> Generator[StreamEvent, None, ModelResponse]:
    ctx = state.context_wrapper
    model = _resolve_model(setup, agent)
    output_schema = _output_schema(agent.output_type)
    system_prompt = agent.get_system_prompt(ctx)
    prompt = agent.get_prompt(ctx)
    settings = _model_settings(setup, state, agent)
    input_items = _build_input(setup, state)
    input_filter = setup.run_config.call_model_input_filter
    if input_filter is not None:
        if not callable(input_filter):
            raise UserError("RunConfig.call_model_input_filter must be callable")
        filtered = _run_maybe_async(
            input_filter,
            CallModelData(ModelInputData(input_items, system_prompt), agent, ctx.context),
        )
        if not isinstance(filtered, ModelInputData):
            raise UserError("call_model_input_filter must return a ModelInputData")
        input_items, system_prompt = filtered.input, filtered.instructions
    ctx.turn_input = input_items

    guardrail_futures = _start_input_guardrails(setup, state, agent) if state.current_turn == 1 else []
    _fire(setup.hooks, agent, "on_llm_start", "on_llm_start", ctx, agent, system_prompt, input_items)
    kwargs: dict[str, Any] = {
        "previous_response_id": state._previous_response_id,
        "conversation_id": state._conversation_id,
        "prompt": prompt,
    }
    tracing = (
        setup.tracer.start_generation(model, settings, system_prompt, input_items)
        if setup.tracer is not None
        else ModelTracing.DISABLED
    )
    args = (system_prompt, input_items, settings, all_tools, output_schema, handoffs, tracing)
    if setup.streaming:
        final: Optional[dict[str, Any]] = None
        stream = model.stream_response(*args, **kwargs)
        watch = start_stream_guardrails(setup.run_config, agent, ctx, state.output_guardrail_results)
        try:
            for event in stream:
                yield RawResponsesStreamEvent(data=event)
                if setup.cancel_mode() == "immediate":
                    raise _Cancelled()
                if guardrail_futures and _tripped_early(guardrail_futures):
                    break
                if watch is not None:
                    watch.on_event(event)  # raises on a tripwire; the finally closes the stream
                if event.get("type") == "response.completed":
                    final = event.get("response") or {}
        finally:
            if watch is not None:
                watch.close()
            close = getattr(stream, "close", None)
            if close is not None:
                close()
        if guardrail_futures:
            _collect_input_guardrails(state, guardrail_futures)
        if final is None:
            raise ModelBehaviorError("Model stream ended before response.completed")
        usage_model = final.get("model") or getattr(model, "model", None)
        response_id = final.get("id")
        response = ModelResponse(
            output=list(final.get("output") or []),
            usage=Usage.from_responses_usage(final.get("usage"), usage_model),
            # APIs without response ids (Chat Completions) stream a placeholder id.
            response_id=None if response_id == "__fake_id__" else response_id,
        )
    else:
        try:
            response = model.get_response(*args, **kwargs)
        finally:
            if guardrail_futures:
                _collect_input_guardrails(state, guardrail_futures)

    if setup.tracer is not None:
        setup.tracer.end_generation(response)
    ctx.usage.add(response.usage)
    state.model_responses.append(response)
    if state._auto_previous_response_id or state._previous_response_id:
        state._previous_response_id = response.response_id
    _fire(setup.hooks, agent, "on_llm_end", "on_llm_end", ctx, agent, response)
    _check_budget(setup, state, agent)
    return response


def _check_budget(setup: RunSetup, state: RunState, agent: Agent[Any]) -> None:
    config, usage = setup.run_config, state.context_wrapper.usage
    error: Optional[BudgetExceeded] = None
    if config.max_total_tokens is not None and usage.total_tokens > config.max_total_tokens:
        error = BudgetExceeded(
            f"Token budget exceeded: {usage.total_tokens} > {config.max_total_tokens}",
            kind="tokens", limit=config.max_total_tokens, spent=usage.total_tokens,
        )
    elif config.max_cost_usd is not None:
        cost = usage.cost_usd
        if cost is None:
            raise UserError(
                "RunConfig.max_cost_usd is set but the model's price is unknown; "
                "add it with agents_lite.usage.set_model_price()"
            )
        if cost > config.max_cost_usd:
            error = BudgetExceeded(
                f"Cost budget exceeded: ${cost:.6f} > ${config.max_cost_usd:.6f}",
                kind="cost_usd", limit=config.max_cost_usd, spent=cost,
            )
    if error is None:
        return
    state._turn_items_start = len(state.generated_items)
    if not _finish_from_handler(setup, state, agent, "budget_exceeded", error):
        raise error
    _save_session(setup, state)
    raise _Cancelled()


# --- resolving a turn ---------------------------------------------------------------------------


def _resolve_turn(
    setup: RunSetup, state: RunState, agent: Agent[Any], processed: ProcessedResponse
) -> Generator[StreamEvent, None, str]:
    """Run the turn's tools, then hand off, finish or go again. Returns "final", "handoff",
    "again" or "interrupted"."""
    ctx = state.context_wrapper
    done = state.completed_call_ids()
    finished_early = state._pending_outputs
    hooks = setup.hooks
    calls: list[tuple[str, Callable[[], Any]]] = []
    for tool, call in processed.functions:
        calls.append((call.get("call_id", ""),
                      partial(run_function_call, agent, tool, call, ctx, hooks, state)))
    calls.extend(local_action_jobs(agent, processed.local_actions, ctx, hooks, state))

    # Calls finished before an interruption or crash are not run again.
    slots: list[Any] = [finished_early.get(call_id) for call_id, _ in calls]
    jobs = [
        _journaled(setup, state, call_id, job)
        for (call_id, job), slot in zip(calls, slots)
        if slot is None and call_id not in done
    ]
    outcomes = iter(run_all(jobs) if jobs else [])
    new_items: list[Any] = []
    interruptions: list[ToolApprovalItem] = []
    for (call_id, _), slot in zip(calls, slots):
        if slot is not None:
            new_items.append(slot)
        elif call_id not in done:
            outcome = next(outcomes)
            if outcome.approval_item is not None:
                interruptions.append(outcome.approval_item)
            else:
                new_items.append(outcome.output_item)
    for call in processed.missing_tools:
        if call.get("call_id") not in done:
            new_items.append(missing_tool_output(agent, call))
    for mcp_tool, request in processed.mcp_approvals:
        if request.get("id") not in done:
            answer, asked = answer_mcp_approval(agent, mcp_tool, request, ctx)
            if answer is not None:
                new_items.append(answer)
            elif asked is not None:
                interruptions.append(asked)

    state.generated_items.extend(new_items)
    state._pending_outputs = {}
    if setup.streaming:
        yield from item_events(new_items)
    if new_items and setup.on_checkpoint is not None:
        setup.on_checkpoint(state, "tools")
    if interruptions:
        state.interruptions = interruptions
        state._phase = "interrupted"
        if setup.on_checkpoint is not None:
            setup.on_checkpoint(state, "interrupted")
        if setup.streaming:
            yield from item_events(interruptions)
        return "interrupted"

    if processed.handoffs:
        yield from execute_handoff(setup, state, agent, processed)
        return "handoff"

    turn_items = state.generated_items[state._turn_items_start :]
    results = _function_results(processed, turn_items)
    if results:
        final = _tool_use_final_output(agent, ctx, results)
        if final is not None:
            value = final.final_output
            if agent.output_type is None or agent.output_type is str:
                value = str(value)
            _finish(setup, state, agent, value)
            return "final"

    messages = [item for item in turn_items if isinstance(item, MessageOutputItem)]
    state._phase = "call_model"
    if processed.has_tools_or_approvals_to_run():
        return "again"
    if not messages and processed.tools_used:
        return "again"  # hosted tools ran without a message: let the model continue

    last = messages[-1].raw_item if messages else None
    refusal = ItemHelpers.extract_refusal(last) if last else None
    if refusal:
        if not _finish_from_handler(setup, state, agent, "model_refusal", ModelRefusalError(refusal)):
            raise ModelRefusalError(refusal)
        return "final"
    schema = _output_schema(agent.output_type)
    text = ItemHelpers.extract_text(last) if last else None
    if schema is not None and not schema.is_plain_text():
        if not text:
            return "again"
        try:
            value = schema.validate_json(text)
        except ModelBehaviorError as exc:
            if not _finish_from_handler(setup, state, agent, "invalid_final_output", exc):
                raise
            return "final"
        _finish(setup, state, agent, value)
        return "final"
    _finish(setup, state, agent, text or "")
    return "final"


def _journaled(
    setup: RunSetup, state: RunState, call_id: str, job: Callable[[], Any]
) -> Callable[[], Any]:
    """With checkpoints on, record each finished call at once, so a crash later in the batch
    does not run it again."""
    if setup.on_checkpoint is None:
        return job
    checkpoint = setup.on_checkpoint

    def run() -> Any:
        outcome = job()
        if outcome.output_item is not None:
            with setup._lock:
                state._pending_outputs[call_id] = outcome.output_item
                checkpoint(state, "tool_call")
        return outcome

    return run


def _function_results(processed: ProcessedResponse, turn_items: list[Any]) -> list[FunctionToolResult]:
    outputs = {
        item.raw_item.get("call_id"): item
        for item in turn_items
        if isinstance(item, ToolCallOutputItem)
    }
    results = []
    for tool, call in processed.functions:
        item = outputs.get(call.get("call_id"))
        if item is not None:
            results.append(FunctionToolResult(tool=tool, output=item.output, run_item=item))
    return results


def _tool_use_final_output(agent: Agent[Any], ctx: Any, results: list[FunctionToolResult]) -> Any:
    from .agent import ToolsToFinalOutputResult

    behavior = agent.tool_use_behavior
    if behavior == "run_llm_again":
        return None
    if behavior == "stop_on_first_tool":
        return ToolsToFinalOutputResult(is_final_output=True, final_output=results[0].output)
    if isinstance(behavior, dict):
        names = behavior.get("stop_at_tool_names") or []
        for result in results:
            if result.tool.name in names:
                return ToolsToFinalOutputResult(is_final_output=True, final_output=result.output)
        return None
    if callable(behavior):
        decision = _run_maybe_async(behavior, ctx, results)
        if not isinstance(decision, ToolsToFinalOutputResult):
            raise UserError("A tool_use_behavior function must return a ToolsToFinalOutputResult")
        return decision if decision.is_final_output else None
    raise UserError(f"Invalid tool_use_behavior: {behavior!r}")


# --- finishing ----------------------------------------------------------------------------------


def _finish(setup: RunSetup, state: RunState, agent: Agent[Any], final_output: Any) -> None:
    """Run output guardrails, then end the run with `final_output`."""
    guardrails = [*(setup.run_config.output_guardrails or ()), *agent.output_guardrails]
    if guardrails:
        ctx = state.context_wrapper
        for guardrail in guardrails:
            if not callable(getattr(guardrail, "guardrail_function", None)):
                raise UserError(f"Output guardrail {guardrail!r} has no callable function")
        from .tracing.run_tracing import traced_guardrail

        results: list[OutputGuardrailResult] = run_all(
            [partial(traced_guardrail, g, ctx, agent, final_output) for g in guardrails]
        )
        state.output_guardrail_results.extend(results)
        for result in results:
            if result.output.tripwire_triggered:
                raise OutputGuardrailTripwireTriggered(result)
    state.final_output = final_output
    state._phase = "done"
    _fire(setup.hooks, agent, "on_agent_end", "on_end", state.context_wrapper, agent, final_output)


def _finish_from_handler(
    setup: RunSetup, state: RunState, agent: Agent[Any], kind: str, error: Exception
) -> bool:
    """Let `error_handlers[kind]` supply the final output. False when there is none."""
    handler = setup.error_handlers.get(kind)
    if handler is None:
        return False
    ctx = state.context_wrapper
    data = RunErrorData(
        input=state.original_input,
        new_items=list(state.generated_items),
        history=state.input_items(),
        output=None,
        raw_responses=list(state.model_responses),
        last_agent=agent,
    )
    answer = _run_maybe_async(handler, RunErrorHandlerInput(error=error, context=ctx, run_data=data))
    if answer is None:
        return False
    if isinstance(answer, RunErrorHandlerResult):
        value, include = answer.final_output, answer.include_in_history
    elif isinstance(answer, dict) and "final_output" in answer:
        value, include = answer["final_output"], bool(answer.get("include_in_history", True))
    else:
        value, include = answer, True
    schema = _output_schema(agent.output_type)
    if schema is not None and not schema.is_plain_text() and isinstance(value, str):
        value = schema.validate_json(value)
    if include:
        state.generated_items.append(_synthetic_message(agent, _output_text(value)))
    state.final_output = value
    state._phase = "done"
    _fire(setup.hooks, agent, "on_agent_end", "on_end", ctx, agent, value)
    return True


def _save_session(setup: RunSetup, state: RunState) -> None:
    """Write what the session does not have yet: the new input once, then whole turns."""
    session = setup.session
    if session is None:
        return
    items = [] if state._input_saved else list(state._new_input)
    items += _items_to_input(state.generated_items[state._saved_item_count :])
    if items:
        session.add_items(items)
    state._input_saved = True
    state._saved_item_count = len(state.generated_items)
    if items and setup.on_checkpoint is not None:
        # Right after the write, so a resumed run does not write the same turn again.
        setup.on_checkpoint(state, "session")
