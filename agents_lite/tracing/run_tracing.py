"""The spans a run records about itself, kept out of the run loop's way.

`traced_run()` wraps the run's event generator: it runs every step of the run inside a private
copy of the caller's context (so the run's spans are current for its own code, its hooks and its
tool threads, and never leak into the caller between streamed events), starts a trace unless one
is already active, and finishes every open span when the run ends, fails, is cancelled or its
generator is closed. The run loop reports progress through the `RunTracer` found with
`current_run_tracer()`; tool and guardrail code wraps its work with `traced_tool_call()` and
`traced_guardrail()`.

The tree of one run (task and turn spans can be switched off with
`RunConfig(tracing={"include_task_and_turn_spans": False})`):

    task
      agent                 one per agent; a handoff ends it, the next agent's is a sibling
        guardrail           input guardrails (first agent) and output guardrails
        turn                one per model round trip
          generation        the model call
          function          one per tool call (nested runs of agents-as-tools go under it)
          handoff
"""

from __future__ import annotations

import contextvars
import logging
import os
from collections.abc import Generator
from typing import Any, Callable, Optional, TypeVar

from ..models.interface import ModelTracing
from .context import SpanCursor, _current_span, _current_trace, get_current_span
from .run_spans import AGENT, GENERATION, TASK, TURN
from .setup import TraceProvider, get_trace_provider
from .span_data import (
    AgentSpanData,
    FunctionSpanData,
    GenerationSpanData,
    GuardrailSpanData,
    HandoffSpanData,
    TaskSpanData,
    TurnSpanData,
    usage_to_dict,
)
from .spans import Span, SpanError, error_from_exception, open_span
from .traces import Trace, started_trace

__all__ = [
    "RunTracer",
    "traced_run",
    "current_run_tracer",
    "traced_tool_call",
    "traced_guardrail",
    "attach_error_to_current_span",
    "include_sensitive_data_default",
]

logger = logging.getLogger("agents_lite.tracing")

T = TypeVar("T")

_run_tracer: contextvars.ContextVar[Optional[RunTracer]] = contextvars.ContextVar(
    "agents_lite_run_tracer", default=None
)


def current_run_tracer() -> Optional[RunTracer]:
    """The tracer of the run executing in this context (None when the run is not traced)."""
    return _run_tracer.get()


_WITH_DATA = ModelTracing.ENABLED
_WITHOUT_DATA = ModelTracing.ENABLED_WITHOUT_DATA

_SENSITIVE_ENV = "OPENAI_AGENTS_TRACE_INCLUDE_SENSITIVE_DATA"
try:  # CPython: read the mapping behind os.environ directly (os.environ.get costs ~1 µs a run)
    _raw_environ: Any = os.environ._data  # type: ignore[attr-defined]
    _raw_key: Any = os.environ.encodekey(_SENSITIVE_ENV)  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - other interpreters
    _raw_environ = None


def include_sensitive_data_default() -> bool:
    """`OPENAI_AGENTS_TRACE_INCLUDE_SENSITIVE_DATA` (default true)."""
    value: Optional[str]
    if _raw_environ is not None:
        raw = _raw_environ.get(_raw_key)
        value = None if raw is None else os.environ.decodevalue(raw)  # type: ignore[attr-defined]
    else:  # pragma: no cover
        value = os.environ.get(_SENSITIVE_ENV)
    if value is None:
        return True
    value = value.strip().lower()
    return not value or value in ("1", "true", "yes", "on")


def _mask() -> None:
    # An untraced run nested in a traced one must not add spans to the outer trace.
    _run_tracer.set(None)
    _current_trace.set(None)
    _current_span.set(None)


def traced_run(
    setup: Any, state: Any, events: Callable[[Any, Any], Generator[T, None, None]]
) -> Generator[T, None, None]:
    """Yield the events of `events(setup, state)`, traced as one run (see the module doc)."""
    config = setup.run_config
    provider = get_trace_provider()
    outer = _current_trace.get()
    options = config.tracing
    if outer is None and _run_tracer.get() is None and not provider.has_consumers(
        options.get("api_key") if options else None
    ):
        # Nobody would receive the spans (no processor, no export key): do not build them.
        yield from events(setup, state)
        return
    disabled = provider._disabled if type(provider) is TraceProvider else provider.disabled
    if config.tracing_disabled or disabled or (
        outer is not None and outer.trace_id == "no-op"
    ):
        if _run_tracer.get() is None and (outer is None or outer.trace_id == "no-op"):
            yield from events(setup, state)
            return
        ctx = contextvars.copy_context()
        ctx.run(_mask)
        tracer: Optional[RunTracer] = None
    else:
        ctx = contextvars.copy_context()
        tracer = ctx.run(RunTracer, provider, config, state)
    setup.tracer = tracer
    steps = events(setup, state)  # creating the generator runs none of its code
    error: Optional[BaseException] = None
    try:
        while True:
            try:
                event = ctx.run(next, steps)
            except StopIteration:
                return
            except BaseException as exc:
                error = exc
                raise
            try:
                yield event
            except BaseException:
                ctx.run(steps.close)  # the consumer stopped early (break, cancel, GC)
                raise
    finally:
        if tracer is not None:
            ctx.run(tracer.end, error)


class RunTracer(SpanCursor):
    """The open spans of one run. Used only by the thread driving the run's generator (tool
    and guardrail threads read it, never change it). In the run's context it is the current
    span's stand-in: `get_current_span()` there gives its innermost open span.

    A run's spans nest in a fixed order (task > agent > turn > generation or handoff), so each
    has its own field instead of a stack: closing one closes what is open inside it."""

    __slots__ = (
        "provider",
        "include_data",
        "model_tracing",
        "trace",
        "_owns_trace",
        "_state",
        "_task",
        "_agent",
        "_agent_obj",
        "_turn",
        "_turn_spans",
        "_generation",
        "_handoff",
        "_outer",
        "_outer_id",
        "_fast",
        "_trace_id",
        "_key",
        "_processor",
        "_last_usage",
    )

    def __init__(self, provider: TraceProvider, config: Any, state: Any) -> None:
        """Start the run's trace (unless one is active) and its task span. Must be called in
        the run's private context."""
        self.provider = provider
        include = config.trace_include_sensitive_data
        if include is None:  # the environment decides; unset (the usual case) means True
            include = _raw_environ is not None and _raw_key not in _raw_environ or (
                include_sensitive_data_default()
            )
        self.include_data: bool = bool(include)
        self.model_tracing = _WITH_DATA if include else _WITHOUT_DATA
        options = config.tracing
        self._turn_spans = True if not options else bool(
            options.get("include_task_and_turn_spans", True)
        )
        self._state = state
        self._task: Optional[Span[Any]] = None
        self._agent: Optional[Span[Any]] = None
        self._agent_obj: Any = None
        self._turn: Optional[Span[Any]] = None
        self._generation: Optional[Span[Any]] = None
        self._handoff: Optional[Span[Any]] = None
        self._last_usage: Optional[dict[str, Any]] = None
        trace = _current_trace.get()
        outer = None
        if trace is not None:
            # The span that was current when this run started inside an active trace (e.g.
            # the function span of an agent used as a tool) is the parent of this run's spans.
            outer = get_current_span()
            if outer is not None and outer.trace_id != trace.trace_id:
                outer = None
        self._outer = outer
        self._outer_id = None if outer is None else outer.span_id
        self._owns_trace = trace is None
        if trace is None:
            key = options.get("api_key") if options else None
            if provider._own_factories:
                trace = started_trace(
                    config.workflow_name, config.trace_id, config.group_id,
                    config.trace_metadata, provider._multi, key,
                )
            else:  # a provider subclass that makes its own traces
                trace = provider.create_trace(
                    config.workflow_name,
                    trace_id=config.trace_id,
                    group_id=config.group_id,
                    metadata=config.trace_metadata,
                    tracing_api_key=key,
                )
                trace.start()
            # Set directly, with no token kept: the context is this run's own and is dropped
            # with it, and a token on the trace would keep that context (and the run) alive.
            _current_trace.set(trace)
        self.trace: Trace = trace
        self._trace_id = trace_id = trace._trace_id
        self._key = trace._tracing_api_key
        self._processor = provider._multi
        # The provider's own span factory can be bypassed (one call per span instead of
        # three); a provider subclass that makes its own spans gets its `create_span` called.
        self._fast = provider._own_factories and trace_id != "no-op"
        if self._turn_spans:
            if self._fast:
                self._task = open_span(
                    trace_id, self._outer_id, self._processor, self._key, None, TASK,
                    config.workflow_name,
                )
            else:
                self._task = self._open_slow(TaskSpanData(config.workflow_name), None)
        _run_tracer.set(self)
        _current_span.set(self)  # see current_span()

    def current_span(self) -> Optional[Span[Any]]:
        """The run's innermost open span (the span that was current when the run started,
        once they are all closed)."""
        return (
            self._generation or self._handoff or self._turn or self._agent or self._task
            or self._outer
        )

    # --- opening and closing -----------------------------------------------------------------

    def _open_slow(self, data: Any, parent: Optional[Span[Any]]) -> Span[Any]:
        # Through the provider's span factory (a TraceProvider subclass that makes its own).
        span = self.provider.create_span(data, None, parent or self._outer or self.trace)
        span.start()
        return span

    def _close_inner(self) -> None:
        # What is open inside the turn (normally nothing: an error path).
        generation, self._generation = self._generation, None
        if generation is not None:
            generation.finish()
        handoff, self._handoff = self._handoff, None
        if handoff is not None:
            handoff.finish()

    def _close_turn(self) -> None:
        self._close_inner()
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.finish()

    # --- what the run loop reports -------------------------------------------------------------

    @property
    def agent_span(self) -> Optional[Span[Any]]:
        """The current agent's span."""
        return self._agent

    def enter_agent(self, agent: Any, tools: list[Any], handoffs: list[Any]) -> None:
        """The run loop is about to work with `agent` (a new agent after a handoff, or the
        first one): end the previous agent's span and open this one's."""
        if agent is self._agent_obj:
            return
        previous = self._agent
        if previous is not None:
            self._close_turn()
            self._agent = None
            previous.finish()
        output_type = agent.output_type
        handoff_names = [
            str(getattr(h, "agent_name", None) or getattr(h, "tool_name", "")) for h in handoffs
        ] if handoffs else None
        tool_names = [getattr(t, "name", type(t).__name__) for t in tools] if tools else None
        output_name = (
            "str" if output_type is None else getattr(output_type, "__name__", str(output_type))
        )
        task = self._task
        if self._fast:
            self._agent = open_span(
                self._trace_id, self._outer_id if task is None else task._span_id,
                self._processor, self._key, None, AGENT,
                agent.name, handoff_names, tool_names, output_name,
            )
        else:
            self._agent = self._open_slow(
                AgentSpanData(agent.name, handoff_names or [], tool_names or [], output_name),
                task,
            )
        self._agent_obj = agent

    def start_turn(self, turn: int, agent: Any) -> None:
        """A turn begins (before its model call, or when resuming its tool calls)."""
        if self._turn_spans:
            if self._turn is not None:
                self._close_turn()
            if self._fast:
                agent_span = self._agent
                self._turn = open_span(
                    self._trace_id,
                    self._outer_id if agent_span is None else agent_span._span_id,
                    self._processor, self._key, None, TURN, turn, agent.name,
                )
            else:
                self._turn = self._open_slow(TurnSpanData(turn, agent.name), self._agent)

    def end_turn(self) -> None:
        """The turn is resolved."""
        turn = self._turn
        if turn is not None:
            if self._generation is not None or self._handoff is not None:
                self._close_inner()
            self._turn = None
            turn.finish()

    def start_generation(
        self, model: Any, settings: Any, system_prompt: Optional[str], input_items: Any
    ) -> ModelTracing:
        """A model call begins; returns the `ModelTracing` to pass to the model."""
        name = getattr(model, "model", None)
        if self.include_data:
            if not isinstance(input_items, list):
                input_items = [input_items]
            recorded: Optional[list[Any]] = (
                [{"role": "system", "content": system_prompt}, *input_items] if system_prompt
                else list(input_items)
            )
        else:
            recorded = None
        model_name = name if isinstance(name, str) else type(model).__name__
        parent = self._turn or self._agent
        if self._fast:
            self._generation = open_span(
                self._trace_id, self._outer_id if parent is None else parent._span_id,
                self._processor, self._key, None, GENERATION,
                recorded, None, model_name, settings,
            )
        else:
            self._generation = self._open_slow(
                GenerationSpanData(recorded, None, model_name, settings), parent
            )
        return self.model_tracing

    def end_generation(self, response: Any) -> None:
        """The model call returned `response` (a `ModelResponse`)."""
        span = self._generation
        if span is None:
            return
        # A small dict instead of the Usage object graph: queued spans then keep fewer objects
        # alive for the garbage collector to walk until they are exported.
        self._last_usage = usage = usage_to_dict(response.usage)
        span._set_usage(usage)
        if self.include_data:
            span._set_output(response.output)
        if self._turn is not None:
            self._turn._set_usage(usage)
        self._generation = None
        span.finish()

    def start_handoff(self, from_agent: Any, to_agent_name: Optional[str]) -> None:
        """A handoff begins."""
        data = HandoffSpanData(from_agent.name, to_agent_name)
        parent = self._turn or self._agent
        if self._fast:
            self._handoff = open_span(
                self._trace_id, self._outer_id if parent is None else parent._span_id,
                self._processor, self._key, data, None,
            )
        else:
            self._handoff = self._open_slow(data, parent)

    def end_handoff(self, to_agent: Any) -> None:
        """The handoff chose `to_agent`."""
        span = self._handoff
        if span is not None:
            span.span_data.to_agent = getattr(to_agent, "name", span.span_data.to_agent)
            self._handoff = None
            span.finish()

    def end(self, error: Optional[BaseException]) -> None:
        """The run is over: record `error` (if any) on every open span, finish them (innermost
        first), and finish the trace if this run started it."""
        try:
            task = self._task
            if error is not None and isinstance(error, Exception):
                span_error = error_from_exception(error)
                for span in (task, self._agent, self._turn, self._handoff, self._generation):
                    if span is not None and span.error is None:
                        span.set_error(span_error)
            if task is not None:
                usage = getattr(getattr(self._state, "context_wrapper", None), "usage", None)
                if usage is not None:
                    # One model request in all (a plain run): the run's usage is that
                    # request's, already converted.
                    last = self._last_usage
                    if last is None or getattr(usage, "requests", 0) != 1:
                        last = usage_to_dict(usage)
                    task._set_usage(last)
            self._close_turn()
            agent, self._agent = self._agent, None
            if agent is not None:
                agent.finish()
            if task is not None:
                self._task = None
                task.finish()
            if self._owns_trace:
                self.trace.finish()
        except Exception:
            logger.warning("Finishing the run's trace failed", exc_info=True)
        finally:
            # (The run's context, where this tracer is current, is dropped with the run.)
            self._state = None  # queued spans must not keep the run's state alive


# --- helpers for tool and guardrail code -----------------------------------------------------


def traced_tool_call(
    name: str,
    arguments: Any,
    invoke: Callable[..., T],
    *args: Any,
    mcp_data: Optional[dict[str, Any]] = None,
) -> T:
    """`invoke(*args)` inside a function span (when the run is traced): the arguments and the
    output are recorded when sensitive data is included, an exception as the span's error."""
    tracer = _run_tracer.get()
    if tracer is None:
        return invoke(*args)
    include = tracer.include_data
    span = tracer.provider.create_span(
        FunctionSpanData(name, arguments if include else None, None, mcp_data)
    )
    span.start()
    token = _current_span.set(span)
    try:
        result = invoke(*args)
    except BaseException as exc:
        if isinstance(exc, Exception) and span.error is None:
            span.set_error(error_from_exception(exc))
        raise
    else:
        if include:
            span.span_data.output = result
        return result
    finally:
        try:
            _current_span.reset(token)
        except (ValueError, RuntimeError):
            _current_span.set(None)
        span.finish()


def traced_guardrail(guardrail: Any, *args: Any) -> Any:
    """`guardrail.run(*args)` inside a guardrail span under the agent's span; `triggered` is
    taken from the result's `output.tripwire_triggered`."""
    tracer = _run_tracer.get()
    if tracer is None:
        return guardrail.run(*args)
    get_name = getattr(guardrail, "get_name", None)
    name = get_name() if callable(get_name) else getattr(guardrail, "name", None)
    parent = tracer.agent_span
    span = tracer.provider.create_span(
        GuardrailSpanData(str(name or type(guardrail).__name__)), None, parent
    )
    span.start()
    token = _current_span.set(span)
    try:
        result = guardrail.run(*args)
        output = getattr(result, "output", None)
        span.span_data.triggered = bool(getattr(output, "tripwire_triggered", False))
        return result
    except BaseException as exc:
        if isinstance(exc, Exception):
            span.set_error(error_from_exception(exc))
        raise
    finally:
        try:
            _current_span.reset(token)
        except (ValueError, RuntimeError):
            _current_span.set(None)
        span.finish()


def attach_error_to_current_span(error: SpanError | BaseException | str) -> None:
    """Record an error on the current span (e.g. a tool failure that is reported to the model
    instead of raised). Does nothing when no span is active."""
    span = get_current_span()
    if span is not None:
        span.set_error(error)
