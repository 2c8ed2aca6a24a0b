"""Running the tool calls of a realtime session: function tools (with approvals and timeouts)
and handoffs. Calls run in the shared worker pool, never in the websocket reader thread."""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from ..exceptions import UserError
from ..handoffs import Handoff
from ..items import ToolApprovalItem
from ..run_context import ToolContext
from ..tool import FunctionTool, _run_maybe_async, default_tool_error_function
from .events import (
    RealtimeHandoffEvent,
    RealtimeToolApprovalRequired,
    RealtimeToolEnd,
    RealtimeToolStart,
)

if TYPE_CHECKING:
    from .agent import RealtimeAgent
    from .session import RealtimeSession

__all__ = ["REJECTION_MESSAGE", "ToolCall", "ToolRunner", "serialize_output"]

logger = logging.getLogger("agents_lite")

REJECTION_MESSAGE = "Tool execution was not approved."


@dataclass
class ToolCall:
    """A function call item the model produced."""

    call_id: str
    name: str
    arguments: str
    item_id: Optional[str] = None


@dataclass
class _Pending:
    call: ToolCall
    agent: RealtimeAgent[Any]
    tool: FunctionTool
    approval_item: ToolApprovalItem


def serialize_output(output: Any) -> str:
    """A tool's return value as the string the realtime API takes."""
    if isinstance(output, str):
        return output
    if dataclasses.is_dataclass(output) and not isinstance(output, type):
        output = dataclasses.asdict(output)
    if isinstance(output, (dict, list, tuple, int, float, bool)) or output is None:
        try:
            return json.dumps(output, ensure_ascii=False)
        except (TypeError, ValueError):
            pass
    return str(output)


class ToolRunner:
    """Dispatches the session's tool calls and sends their outputs back."""

    def __init__(self, session: RealtimeSession) -> None:
        self._session = session
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._outstanding: set[str] = set()
        self._pending: dict[str, _Pending] = {}

    @property
    def outstanding(self) -> int:
        """Calls started whose output has not been sent yet (including awaiting approval)."""
        with self._lock:
            return len(self._outstanding)

    def schedule(self, call: ToolCall) -> None:
        """Run `call` in a worker thread (once per call id)."""
        from ..tool_execution import submit

        with self._lock:
            if call.call_id in self._seen:
                return
            self._seen.add(call.call_id)
            self._outstanding.add(call.call_id)
        agent = self._session.current_agent
        submit(lambda: self._run_guarded(call, agent))

    def _run_guarded(self, call: ToolCall, agent: RealtimeAgent[Any]) -> None:
        try:
            self._run(call, agent)
        except Exception as exc:  # never lose a call: answer the model and report it
            logger.exception("realtime: tool call %s failed unexpectedly", call.name)
            self._session._report_error(f"Tool call {call.name} failed: {exc}", "tool_error")
            self._finish(call, default_tool_error_function(self._session.context_wrapper, exc))

    def _run(self, call: ToolCall, agent: RealtimeAgent[Any]) -> None:
        session = self._session
        ctx = session.context_wrapper
        tools = {t.name: t for t in agent.function_tools(ctx)}
        handoffs = {h.tool_name: h for h in agent.get_handoffs(ctx)}
        if call.name in tools:
            tool = tools[call.name]
            approval = self._approval_status(tool, call, agent)
            if approval is None:
                return  # parked until approve_tool_call / reject_tool_call
            if approval is False:
                self._reject(call, agent, tool)
                return
            self._invoke(call, agent, tool)
        elif call.name in handoffs:
            self._handoff(call, agent, handoffs[call.name])
        else:
            message = f"Tool {call.name} not found"
            session._report_error(message, "tool_error")
            self._finish(call, message, start_response=False)

    # --- function tools --------------------------------------------------------------------

    def _approval_status(self, tool: FunctionTool, call: ToolCall,
                         agent: RealtimeAgent[Any]) -> Optional[bool]:
        ctx = self._session.context_wrapper
        item = ToolApprovalItem(
            agent=agent,  # type: ignore[arg-type]
            raw_item={"type": "function_call", "name": tool.name, "call_id": call.call_id,
                      "arguments": call.arguments},
            tool_name=tool.name,
        )
        decided = ctx.is_tool_approved(tool.name, call.call_id)
        if decided is not None:
            return decided
        needs = tool.needs_approval
        if callable(needs):
            try:
                params = json.loads(call.arguments or "{}")
            except ValueError:
                params = {}
            needs = _run_maybe_async(needs, ctx, params if isinstance(params, dict) else {},
                                     call.call_id)
        if not needs:
            return True
        with self._lock:
            self._pending[call.call_id] = _Pending(call, agent, tool, item)
        self._session._emit(RealtimeToolApprovalRequired(
            agent=agent, tool=tool, call_id=call.call_id, arguments=call.arguments,
            info=self._session.info))
        return None

    def decide(self, call_id: str, approve: bool, *, always: bool = False,
               rejection_message: Optional[str] = None) -> bool:
        """Resolve a parked call; returns False when no call with that id is waiting."""
        from ..tool_execution import submit

        with self._lock:
            pending = self._pending.pop(call_id, None)
        if pending is None:
            return False
        ctx = self._session.context_wrapper
        if approve:
            ctx.approve_tool(pending.approval_item, always_approve=always)
            submit(lambda: self._guard(lambda: self._invoke(pending.call, pending.agent,
                                                            pending.tool), pending.call))
        else:
            ctx.reject_tool(pending.approval_item, always_reject=always,
                            rejection_message=rejection_message)
            self._reject(pending.call, pending.agent, pending.tool)
        return True

    def _guard(self, job: Any, call: ToolCall) -> None:
        try:
            job()
        except Exception as exc:
            self._session._report_error(f"Tool call {call.name} failed: {exc}", "tool_error")
            self._finish(call, default_tool_error_function(self._session.context_wrapper, exc))

    def _reject(self, call: ToolCall, agent: RealtimeAgent[Any], tool: FunctionTool) -> None:
        ctx = self._session.context_wrapper
        message = ctx.rejection_message(tool.name, call.call_id) or REJECTION_MESSAGE
        self._finish(call, message, report=RealtimeToolEnd(
            agent=agent, tool=tool, output=message, arguments=call.arguments,
            info=self._session.info))

    def _invoke(self, call: ToolCall, agent: RealtimeAgent[Any], tool: FunctionTool) -> None:
        session = self._session
        session._emit(RealtimeToolStart(agent=agent, tool=tool, arguments=call.arguments,
                                        info=session.info))
        ctx = ToolContext.from_agent_context(
            session.context_wrapper, call.call_id,
            {"type": "function_call", "name": call.name, "call_id": call.call_id,
             "arguments": call.arguments},
            agent=agent,  # type: ignore[arg-type]
        )
        try:
            output = self._call_with_timeout(tool, ctx, call.arguments)
        except Exception as exc:
            # The session lives on: the model hears what went wrong, the user gets an event.
            text = _error_text(tool, ctx, exc)
            session._report_error(f"Tool {tool.name} raised {type(exc).__name__}: {exc}",
                                  "tool_error")
            self._finish(call, text, report=RealtimeToolEnd(
                agent=agent, tool=tool, output=text, arguments=call.arguments, info=session.info))
            return
        self._finish(call, serialize_output(output), report=RealtimeToolEnd(
            agent=agent, tool=tool, output=output, arguments=call.arguments, info=session.info))

    @staticmethod
    def _call_with_timeout(tool: FunctionTool, ctx: ToolContext[Any], arguments: str) -> Any:
        if tool.timeout is None:
            return _run_maybe_async(tool.on_invoke_tool, ctx, arguments)
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = _run_maybe_async(tool.on_invoke_tool, ctx, arguments)
            except BaseException as exc:  # handed to the waiting thread
                box["error"] = exc

        worker = threading.Thread(target=target, name=f"tool-{tool.name}", daemon=True)
        worker.start()
        worker.join(tool.timeout)
        if worker.is_alive():  # abandoned, not killed: Python threads cannot be stopped
            raise TimeoutError(f"Tool '{tool.name}' timed out after {tool.timeout:g} seconds.")
        if "error" in box:
            raise box["error"]
        return box.get("value")

    # --- handoffs --------------------------------------------------------------------------

    def _handoff(self, call: ToolCall, agent: RealtimeAgent[Any], entry: Handoff) -> None:
        from .agent import RealtimeAgent

        session = self._session
        try:
            target = _run_maybe_async(entry.on_invoke_handoff, session.context_wrapper,
                                      call.arguments)
            if not isinstance(target, RealtimeAgent):
                raise UserError(f"Handoff {entry.tool_name} returned {type(target).__name__}, "
                                "not a RealtimeAgent")
        except Exception as exc:
            session._report_error(f"Handoff {entry.tool_name} failed: {exc}", "tool_error")
            self._finish(call, default_tool_error_function(session.context_wrapper, exc))
            return
        # The new agent's instructions and tools go out before the output that triggers the
        # next response, so that response already comes from the new agent.
        session._switch_agent(target, internal=True)
        session._emit(RealtimeHandoffEvent(from_agent=agent, to_agent=target, info=session.info))
        self._finish(call, entry.get_transfer_message(target))  # type: ignore[arg-type]

    # --- output ----------------------------------------------------------------------------

    def _finish(self, call: ToolCall, output: str, *, start_response: bool = True,
                report: Optional[RealtimeToolEnd] = None) -> None:
        """Send the call's output (and, once every call is answered, ask for the next answer),
        emitting `report` as part of the same step: see `RealtimeSession._ordered`."""
        session = self._session
        with self._lock:
            self._outstanding.discard(call.call_id)
            last = not self._outstanding
        with session._ordered:
            session._send_internal({"type": "conversation.item.create", "item": {
                "type": "function_call_output", "call_id": call.call_id, "output": output}})
            if report is not None:
                session._emit(report)
            # With several calls in one answer, the model speaks again once all are answered.
            if start_response and last:
                session._request_response(internal=True)

    def cancel_pending(self) -> None:
        """Forget parked calls (the session is closing)."""
        with self._lock:
            self._pending.clear()


def _error_text(tool: FunctionTool, ctx: ToolContext[Any], exc: Exception) -> str:
    if isinstance(exc, TimeoutError) and str(exc).startswith("Tool '"):
        return str(exc)
    handler = tool.failure_error_function or default_tool_error_function
    try:
        return str(handler(ctx, exc))
    except Exception:  # a broken error formatter must not lose the call
        return default_tool_error_function(ctx, exc)

