"""Running the tool calls of one turn: approvals, tool guardrails, hooks, timeouts, concurrency.

Calls of one turn run concurrently: the first in the calling thread, the others in a shared,
bounded thread pool (with the caller's contextvars copied). Outputs keep the call order.
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar

from .exceptions import (
    AgentsException,
    ToolInputGuardrailTripwireTriggered,
    ToolOutputGuardrailTripwireTriggered,
    ToolTimeoutError,
    UserError,
)
from .items import (
    ItemHelpers,
    MCPApprovalResponseItem,
    ToolApprovalItem,
    ToolCallOutputItem,
)
from .lifecycle import RunHooks
from .run_context import RunContextWrapper, ToolContext
from .tool import FunctionTool, HostedMCPTool, _run_maybe_async, tool_output_to_wire
from .tool_guardrails import (
    ToolInputGuardrailData,
    ToolInputGuardrailResult,
    ToolOutputGuardrailData,
    ToolOutputGuardrailResult,
)

if TYPE_CHECKING:
    from .agent import Agent
    from .run_state import RunState

logger = logging.getLogger("agents_lite")

DEFAULT_APPROVAL_REJECTION_MESSAGE = "Tool execution was not approved."
"""What the model is told when a human rejects a tool call without a message."""

T = TypeVar("T")

_POOL: Optional[ThreadPoolExecutor] = None
_POOL_LOCK = threading.Lock()
_WORKER = threading.local()
POOL_MAX_WORKERS = 32


def _mark_worker() -> None:
    _WORKER.active = True


def in_worker_thread() -> bool:
    """Whether this thread belongs to the shared pool (nested runs then avoid re-entering it)."""
    return getattr(_WORKER, "active", False)


def shared_pool() -> ThreadPoolExecutor:
    """The process-wide worker pool for tools and guardrails (created on first use)."""
    global _POOL
    if _POOL is None:
        with _POOL_LOCK:
            if _POOL is None:
                _POOL = ThreadPoolExecutor(
                    max_workers=POOL_MAX_WORKERS,
                    thread_name_prefix="agents-lite-worker",
                    initializer=_mark_worker,
                )
    return _POOL


def submit(fn: Callable[[], T]) -> Future[T]:
    """Run `fn` in the shared pool with a copy of the caller's contextvars (tracing follows)."""
    ctx = contextvars.copy_context()
    return shared_pool().submit(ctx.run, fn)


def run_all(jobs: list[Callable[[], T]]) -> list[T]:
    """Run jobs concurrently, the first in this thread; results in order; the first error (in job
    order) is raised after every job finished."""
    if len(jobs) == 1 or in_worker_thread():
        return [job() for job in jobs]
    futures = [submit(job) for job in jobs[1:]]
    results: list[Any] = []
    errors: list[BaseException] = []
    try:
        results.append(jobs[0]())
    except BaseException as exc:  # keep going: the others are already running
        errors.append(exc)
        results.append(None)
    for future in futures:
        try:
            results.append(future.result())
        except BaseException as exc:
            errors.append(exc)
            results.append(None)
    if errors:
        raise errors[0]
    return results


def _fire(hooks: RunHooks[Any], agent: Agent[Any], method: str, *args: Any) -> None:
    """Call a run hook and the agent's own hook of the same event."""
    if type(hooks) is not RunHooks:  # the default hooks do nothing: skip the calls
        _run_maybe_async(getattr(hooks, method), *args)
    if agent.hooks is not None:
        _run_maybe_async(getattr(agent.hooks, method), *args)


@dataclass
class CallOutcome:
    """What one call produced: an output item, or an approval request."""

    output_item: Optional[ToolCallOutputItem] = None
    approval_item: Optional[ToolApprovalItem] = None
    raw_output: Any = None
    tool: Any = None


def _approval_needed(tool: Any, ctx: RunContextWrapper[Any], call: dict[str, Any]) -> bool:
    setting = getattr(tool, "needs_approval", False)
    if setting is True or setting is False:
        return setting
    if not callable(setting):
        return bool(setting)
    params_of = getattr(tool, "approval_params", None)  # local tools: the action / operation
    try:
        params = params_of(call) if params_of else json.loads(call.get("arguments") or "{}")
    except json.JSONDecodeError:
        params = {}
    call_id = call.get("call_id") or call.get("id") or ""
    return bool(_run_maybe_async(setting, ctx, params, call_id))


def _approval_decision(
    tool: Any, tool_name: str, ctx: RunContextWrapper[Any], call: dict[str, Any], agent: Agent[Any]
) -> tuple[Optional[bool], Optional[ToolApprovalItem]]:
    """(None, item) when a human must decide; (True, None) to run; (False, item) if rejected."""
    if not _approval_needed(tool, ctx, call):
        return True, None
    item = ToolApprovalItem(agent=agent, raw_item=call, tool_name=tool_name)
    decision = ctx.is_tool_approved(tool_name, item.call_id)
    return decision, item


def _rejection_text(ctx: RunContextWrapper[Any], tool_name: str, call_id: str) -> str:
    return ctx.rejection_message(tool_name, call_id) or DEFAULT_APPROVAL_REJECTION_MESSAGE


def _output_item(agent: Agent[Any], call: dict[str, Any], output: Any) -> ToolCallOutputItem:
    raw = {
        "type": "function_call_output",
        "call_id": call.get("call_id", ""),
        "output": tool_output_to_wire(output),
    }
    return ToolCallOutputItem(agent=agent, raw_item=raw, output=output)


def _invoke_with_timeout(tool: FunctionTool, tool_ctx: ToolContext[Any], arguments: str) -> Any:
    if tool.timeout is None:
        return _run_maybe_async(tool.on_invoke_tool, tool_ctx, arguments)
    future = submit(lambda: _run_maybe_async(tool.on_invoke_tool, tool_ctx, arguments))
    try:
        return future.result(timeout=tool.timeout)
    except FutureTimeout:
        # The worker cannot be killed: it finishes in the background and its result is dropped.
        error = ToolTimeoutError(tool.name, tool.timeout)
        from .tracing.run_tracing import attach_error_to_current_span

        attach_error_to_current_span(error)
        if tool.timeout_behavior == "raise_exception":
            raise error from None
        if tool.timeout_error_function is not None:
            return tool.timeout_error_function(tool_ctx, error)
        return str(error)


def run_function_call(
    agent: Agent[Any],
    tool: FunctionTool,
    call: dict[str, Any],
    ctx: RunContextWrapper[Any],
    hooks: RunHooks[Any],
    state: RunState,
) -> CallOutcome:
    """Run one function call through approval, input guardrails, the tool, output guardrails."""
    call_id = call.get("call_id", "")
    decision, approval = _approval_decision(tool, tool.name, ctx, call, agent)
    if decision is None:
        return CallOutcome(approval_item=approval, tool=tool)
    if decision is False:
        text = _rejection_text(ctx, tool.name, call_id)
        return CallOutcome(output_item=_output_item(agent, call, text), raw_output=text, tool=tool)

    arguments = call.get("arguments") or ""
    tool_ctx = ToolContext.from_agent_context(
        ctx, call_id, call, tool_name=tool.name, tool_arguments=arguments, agent=agent
    )
    for guardrail in tool.tool_input_guardrails or ():
        verdict = guardrail.run(ToolInputGuardrailData(context=tool_ctx, agent=agent))
        state.tool_input_guardrail_results.append(ToolInputGuardrailResult(guardrail, verdict))
        kind = verdict.behavior.get("type")
        if kind == "raise_exception":
            raise ToolInputGuardrailTripwireTriggered(guardrail, verdict)
        if kind == "reject_content":
            text = verdict.behavior.get("message", "")
            return CallOutcome(output_item=_output_item(agent, call, text), raw_output=text, tool=tool)

    _fire(hooks, agent, "on_tool_start", tool_ctx, agent, tool)
    from .tracing.run_tracing import traced_tool_call

    try:
        result = traced_tool_call(tool.name, arguments, _invoke_with_timeout, tool, tool_ctx, arguments)
    except AgentsException:
        raise
    except Exception as exc:
        raise UserError(f"Error running tool {tool.name}: {exc}") from exc

    for out_guardrail in tool.tool_output_guardrails or ():
        verdict = out_guardrail.run(ToolOutputGuardrailData(context=tool_ctx, agent=agent, output=result))
        state.tool_output_guardrail_results.append(ToolOutputGuardrailResult(out_guardrail, verdict))
        kind = verdict.behavior.get("type")
        if kind == "raise_exception":
            raise ToolOutputGuardrailTripwireTriggered(out_guardrail, verdict)
        if kind == "reject_content":
            result = verdict.behavior.get("message", "")
            break

    _fire(hooks, agent, "on_tool_end", tool_ctx, agent, tool, result)
    return CallOutcome(output_item=_output_item(agent, call, result), raw_output=result, tool=tool)


def _decide_with_on_approval(
    tool: Any, ctx: RunContextWrapper[Any], item: ToolApprovalItem
) -> Optional[bool]:
    """A local tool's `on_approval(ctx, item)` decides instead of a human; its answer is recorded
    like a human's (None leaves the decision to a human)."""
    verdict = _run_maybe_async(tool.on_approval, ctx, item)
    if verdict is None:
        return None
    approve = bool(verdict.get("approve")) if isinstance(verdict, dict) else bool(verdict)
    if approve:
        ctx.approve_tool(item)
    else:
        reason = verdict.get("reason") if isinstance(verdict, dict) else None
        ctx.reject_tool(item, rejection_message=reason)
    return approve


def run_local_action(
    agent: Agent[Any],
    tool: Any,
    call: dict[str, Any],
    ctx: RunContextWrapper[Any],
    hooks: RunHooks[Any],
) -> CallOutcome:
    """Run a client-executed call (computer, shell, apply_patch) through approval and hooks.

    The tool implements `execute_call(tool_context, agent, call) -> (output_item, raw_output)` and,
    for rejections, `rejection_output(call, message) -> output_item`.
    """
    name = getattr(tool, "name", call.get("type", ""))
    call_id = call.get("call_id") or call.get("id") or ""
    decision, approval = _approval_decision(tool, name, ctx, call, agent)
    if decision is None and approval is not None and getattr(tool, "on_approval", None):
        decision = _decide_with_on_approval(tool, ctx, approval)
    if decision is None:
        return CallOutcome(approval_item=approval, tool=tool)
    if decision is False:
        text = _rejection_text(ctx, name, call_id)
        raw = tool.rejection_output(call, text)
        return CallOutcome(
            output_item=ToolCallOutputItem(agent=agent, raw_item=raw, output=text),
            raw_output=text,
            tool=tool,
        )
    tool_ctx = ToolContext.from_agent_context(ctx, call_id, call, tool_name=name, agent=agent)
    _fire(hooks, agent, "on_tool_start", tool_ctx, agent, tool)
    from .tracing.run_tracing import traced_tool_call

    try:
        raw_item, output = traced_tool_call(
            name, call.get("arguments") or call.get("action") or call.get("operation"), tool.execute_call, tool_ctx, agent, call
        )
    except AgentsException:
        raise
    except Exception as exc:
        raise UserError(f"Error running tool {name}: {exc}") from exc
    _fire(hooks, agent, "on_tool_end", tool_ctx, agent, tool, output)
    return CallOutcome(
        output_item=ToolCallOutputItem(agent=agent, raw_item=raw_item, output=output),
        raw_output=output,
        tool=tool,
    )


def answer_mcp_approval(
    agent: Agent[Any], tool: HostedMCPTool, request: dict[str, Any], ctx: RunContextWrapper[Any]
) -> tuple[Optional[MCPApprovalResponseItem], Optional[ToolApprovalItem]]:
    """Answer a hosted MCP approval request with the tool's callback, or ask a human."""
    request_id = request.get("id", "")
    if tool.on_approval_request is not None:
        verdict = _run_maybe_async(tool.on_approval_request, request) or {}
        approve, reason = bool(verdict.get("approve")), verdict.get("reason")
    else:
        pending = ToolApprovalItem(agent=agent, raw_item=request, tool_name=request.get("name", ""))
        decision = ctx.is_tool_approved(pending.tool_name, request_id)
        if decision is None:
            return None, pending
        approve = decision
        reason = None if decision else ctx.rejection_message(pending.tool_name, request_id)
    raw: dict[str, Any] = {
        "type": "mcp_approval_response",
        "approval_request_id": request_id,
        "approve": approve,
    }
    if reason:
        raw["reason"] = reason
    return MCPApprovalResponseItem(agent=agent, raw_item=raw), None


def missing_tool_output(agent: Agent[Any], call: dict[str, Any]) -> ToolCallOutputItem:
    """The error output for a call naming a tool the agent does not have."""
    text = f"Tool '{call.get('name', '')}' not found."
    return ToolCallOutputItem(
        agent=agent, raw_item=ItemHelpers.tool_call_output_item(call, text), output=text
    )
