"""JSON encoding of `RunState`, versioned with `$schemaVersion`.

Agents are stored by name and found again in the starting agent's graph (its handoffs, and theirs).
Items keep their Responses-API dicts as they are. Tool outputs and the final output are stored as
JSON (dataclasses become dicts); the user's context object goes through an optional serializer.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, Callable, Optional

from .exceptions import UserError
from .items import (
    HandoffCallItem,
    HandoffOutputItem,
    MCPApprovalRequestItem,
    MCPApprovalResponseItem,
    MCPListToolsItem,
    MessageOutputItem,
    ModelResponse,
    ReasoningItem,
    RunItem,
    ToolApprovalItem,
    ToolCallItem,
    ToolCallOutputItem,
    to_jsonable,
)
from .run_context import RunContextWrapper
from .usage import Usage

if TYPE_CHECKING:
    from .agent import Agent
    from .run_state import RunState

logger = logging.getLogger("agents_lite")

SCHEMA_VERSION = "1"
"""The version written by `RunState.to_json()`; older readers refuse newer versions."""
SUPPORTED_VERSIONS = frozenset({"1"})

_ITEM_CLASSES: dict[str, type] = {
    "message_output_item": MessageOutputItem,
    "tool_call_item": ToolCallItem,
    "tool_call_output_item": ToolCallOutputItem,
    "handoff_call_item": HandoffCallItem,
    "handoff_output_item": HandoffOutputItem,
    "reasoning_item": ReasoningItem,
    "mcp_list_tools_item": MCPListToolsItem,
    "mcp_approval_request_item": MCPApprovalRequestItem,
    "mcp_approval_response_item": MCPApprovalResponseItem,
    "tool_approval_item": ToolApprovalItem,
}


def agent_graph(start: Agent[Any]) -> dict[str, Agent[Any]]:
    """Every agent reachable from `start` through handoffs, by name (first one wins)."""
    from .agent import Agent
    from .handoffs import Handoff

    found: dict[str, Agent[Any]] = {}
    pending = [start]
    while pending:
        agent = pending.pop()
        if agent.name in found:
            continue
        found[agent.name] = agent
        for entry in agent.handoffs:
            if isinstance(entry, Agent):
                pending.append(entry)
            elif isinstance(entry, Handoff) and entry._agent is not None:
                pending.append(entry._agent)
    return found


def _safe_json(value: Any) -> Any:
    converted = to_jsonable(value)
    try:
        json.dumps(converted)
        return converted
    except (TypeError, ValueError):
        return str(value)


def _encode_item(item: RunItem) -> dict[str, Any]:
    data: dict[str, Any] = {"type": item.type, "agent": item.agent.name, "raw_item": item.raw_item}
    if isinstance(item, ToolCallOutputItem):
        data["output"] = _safe_json(item.output)
    elif isinstance(item, HandoffOutputItem):
        data["source_agent"] = item.source_agent.name if item.source_agent else None
        data["target_agent"] = item.target_agent.name if item.target_agent else None
    elif isinstance(item, ToolApprovalItem):
        data["tool_name"] = item.tool_name
    return data


def _encode_response(response: ModelResponse) -> dict[str, Any]:
    return {
        "output": response.output,
        "usage": response.usage.to_json(),
        "response_id": response.response_id,
        "request_id": response.request_id,
    }


def encode_state(
    state: RunState, context_serializer: Optional[Callable[[Any], Any]] = None
) -> dict[str, Any]:
    """The state as a JSON-safe dict."""
    ctx = state.context_wrapper
    context_value: Any = None
    context_omitted = False
    if context_serializer is not None:
        context_value = context_serializer(ctx.context)
    elif ctx.context is not None:
        converted = to_jsonable(ctx.context)
        try:
            json.dumps(converted)
            context_value = converted
        except (TypeError, ValueError):
            context_omitted = True
            logger.warning(
                "RunState: the context (%s) is not JSON-serialisable and was left out; pass "
                "context_serializer= to keep it", type(ctx.context).__name__,
            )
    return {
        "$schemaVersion": SCHEMA_VERSION,
        "starting_agent": state.starting_agent.name,
        "current_agent": state.current_agent.name,
        "original_input": state.original_input,
        "max_turns": state.max_turns,
        "current_turn": state.current_turn,
        "generated_items": [_encode_item(item) for item in state.generated_items],
        "model_responses": [_encode_response(r) for r in state.model_responses],
        "final_output": _safe_json(state.final_output),
        "interruptions": [_encode_item(item) for item in state.interruptions],
        "context": {
            "value": context_value,
            "omitted": context_omitted,
            "usage": ctx.usage.to_json(),
            "approvals": ctx._approvals_to_json(),
        },
        "guardrails": {
            "input": [
                {"name": r.guardrail.get_name(), "tripwire_triggered": r.output.tripwire_triggered,
                 "output_info": _safe_json(r.output.output_info)}
                for r in state.input_guardrail_results
            ],
            "output": [
                {"name": r.guardrail.get_name(), "tripwire_triggered": r.output.tripwire_triggered,
                 "output_info": _safe_json(r.output.output_info)}
                for r in state.output_guardrail_results
            ],
        },
        "loop": {
            "phase": state._phase,
            "agent_started": state._agent_started,
            "new_input": state._new_input,
            "input_saved": state._input_saved,
            "saved_item_count": state._saved_item_count,
            "model_view": state._model_view,
            "model_view_from": state._model_view_from,
            "server_known_from": state._server_known_from,
            "previous_response_id": state._previous_response_id,
            "conversation_id": state._conversation_id,
            "auto_previous_response_id": state._auto_previous_response_id,
            "turn_items_start": state._turn_items_start,
            "checkpoint_step": state._checkpoint_step,
            "pending_outputs": {
                call_id: _encode_item(item) for call_id, item in state._pending_outputs.items()
            },
        },
    }


def _require(data: dict[str, Any], key: str, kind: type) -> Any:
    if key not in data:
        raise UserError(f"Corrupt RunState: missing {key!r}")
    value = data[key]
    if not isinstance(value, kind):
        raise UserError(f"Corrupt RunState: {key!r} should be a {kind.__name__}")
    return value


def decode_state(
    starting_agent: Agent[Any],
    data: Any,
    *,
    context_override: Any = None,
    context_deserializer: Optional[Callable[[Any], Any]] = None,
    strict_context: bool = False,
) -> RunState:
    """Rebuild a state; every problem is a `UserError` that says what is wrong."""
    from .guardrail import (
        GuardrailFunctionOutput,
        InputGuardrail,
        InputGuardrailResult,
        OutputGuardrail,
        OutputGuardrailResult,
    )
    from .run_state import RunState

    if not isinstance(data, dict):
        raise UserError("Corrupt RunState: expected a JSON object")
    version = data.get("$schemaVersion")
    if version is None:
        raise UserError("Corrupt RunState: no $schemaVersion")
    if version not in SUPPORTED_VERSIONS:
        raise UserError(
            f"RunState schema version {version!r} is not supported by this agents_lite "
            f"(supported: {sorted(SUPPORTED_VERSIONS)}); upgrade agents_lite to read it"
        )
    agents = agent_graph(starting_agent)

    def find(name: Any) -> Agent[Any]:
        if not isinstance(name, str):
            raise UserError("Corrupt RunState: agent names must be strings")
        if name not in agents:
            raise UserError(
                f"RunState refers to agent {name!r}, which is not reachable from the starting "
                f"agent {starting_agent.name!r} (known: {sorted(agents)})"
            )
        return agents[name]

    def item(raw: Any) -> RunItem:
        if not isinstance(raw, dict) or not isinstance(raw.get("raw_item"), dict):
            raise UserError("Corrupt RunState: an item is not an object with a raw_item")
        cls = _ITEM_CLASSES.get(raw.get("type", ""))
        if cls is None:
            raise UserError(f"Corrupt RunState: unknown item type {raw.get('type')!r}")
        agent = find(raw.get("agent"))
        if cls is ToolCallOutputItem:
            return ToolCallOutputItem(agent=agent, raw_item=raw["raw_item"], output=raw.get("output"))
        if cls is HandoffOutputItem:
            source, target = raw.get("source_agent"), raw.get("target_agent")
            return HandoffOutputItem(
                agent=agent, raw_item=raw["raw_item"],
                source_agent=find(source) if source else None,
                target_agent=find(target) if target else None,
            )
        if cls is ToolApprovalItem:
            return ToolApprovalItem(agent=agent, raw_item=raw["raw_item"], tool_name=raw.get("tool_name", ""))
        return cls(agent=agent, raw_item=raw["raw_item"])  # type: ignore[no-any-return]

    try:
        context_data = _require(data, "context", dict)
        loop = _require(data, "loop", dict)
        if context_override is not None:
            context = context_override
        elif context_data.get("omitted") and strict_context:
            raise UserError("RunState: the context was not serialised; pass context_override=")
        elif context_deserializer is not None:
            context = context_deserializer(context_data.get("value"))
        else:
            context = context_data.get("value")
        wrapper = RunContextWrapper(context=context, usage=Usage.from_json(context_data.get("usage") or {}))
        wrapper._approvals_from_json(context_data.get("approvals") or {})
        responses = [
            ModelResponse(
                output=_require(r, "output", list),
                usage=Usage.from_json(r.get("usage") or {}),
                response_id=r.get("response_id"),
                request_id=r.get("request_id"),
            )
            for r in _require(data, "model_responses", list)
        ]
        original_input = data.get("original_input")
        if not isinstance(original_input, (str, list)):
            raise UserError("Corrupt RunState: original_input must be a string or a list")
        state = RunState(
            starting_agent=find(data.get("starting_agent")),
            current_agent=find(data.get("current_agent")),
            original_input=original_input,
            context_wrapper=wrapper,
            max_turns=data.get("max_turns"),
            current_turn=int(data.get("current_turn", 0)),
            generated_items=[item(raw) for raw in _require(data, "generated_items", list)],
            model_responses=responses,
            final_output=data.get("final_output"),
            interruptions=[item(raw) for raw in data.get("interruptions", [])],  # type: ignore[misc]
        )
        guardrails = data.get("guardrails") or {}
        state.input_guardrail_results = [
            InputGuardrailResult(
                guardrail=InputGuardrail(guardrail_function=_restored, name=g.get("name")),
                output=GuardrailFunctionOutput(g.get("output_info"), bool(g.get("tripwire_triggered"))),
            )
            for g in guardrails.get("input", [])
        ]
        state.output_guardrail_results = [
            OutputGuardrailResult(
                guardrail=OutputGuardrail(guardrail_function=_restored, name=g.get("name")),
                agent_output=state.final_output,
                agent=state.current_agent,
                output=GuardrailFunctionOutput(g.get("output_info"), bool(g.get("tripwire_triggered"))),
            )
            for g in guardrails.get("output", [])
        ]
        phase = loop.get("phase", "call_model")
        if phase not in ("call_model", "resolve_turn", "interrupted", "done"):
            raise UserError(f"Corrupt RunState: unknown phase {phase!r}")
        state._phase = phase
        state._agent_started = bool(loop.get("agent_started"))
        state._new_input = list(loop.get("new_input") or [])
        state._input_saved = bool(loop.get("input_saved"))
        state._saved_item_count = int(loop.get("saved_item_count", 0))
        state._model_view = loop.get("model_view")
        state._model_view_from = int(loop.get("model_view_from", 0))
        state._server_known_from = int(loop.get("server_known_from", 0))
        state._previous_response_id = loop.get("previous_response_id")
        state._conversation_id = loop.get("conversation_id")
        state._auto_previous_response_id = bool(loop.get("auto_previous_response_id"))
        state._turn_items_start = int(loop.get("turn_items_start", 0))
        state._checkpoint_step = int(loop.get("checkpoint_step", 0))
        state._pending_outputs = {
            str(call_id): item(raw) for call_id, raw in (loop.get("pending_outputs") or {}).items()
        }
    except UserError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise UserError(f"Corrupt RunState: {exc}") from exc
    if state._phase in ("resolve_turn", "interrupted") and not state.model_responses:
        raise UserError("Corrupt RunState: a turn is in progress but there is no model response")
    return state


def _restored(*args: Any) -> Any:
    """Stands in for a guardrail function that is not part of a restored state."""
    raise UserError("This guardrail result was restored from a RunState; its function is not available")
