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
from .run_spans import (
    AGENT,
    END,
    ERROR,
    F2,
    GENERATION,
    HANDOFF,
    KIND,
    LIVE,
    SPAN_ID,
    TASK,
    TURN,
    USAGE,
    live_span,
    span_from_record,
)
from .setup import TraceProvider, get_trace_provider
from .span_data import (
    FunctionSpanData,
    GuardrailSpanData,
    usage_to_dict,
)
from .spans import Span, SpanError, _now, error_from_exception
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
    """The open spans of one run, as records (see `run_spans`). Used only by the thread
    driving the run's generator (tool and guardrail threads may ask for live spans, nothing
    else). In the run's context it is the current span's stand-in: `get_current_span()` there
    gives its innermost open span.

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
        "_eager",
        "_sink",
        "_queue",
        "_processor",
        "_last_usage",
    )

    # Records (see run_spans) of the spans open now, innermost last.
    _task: Optional[list[Any]]
    _agent: Optional[list[Any]]
    _turn: Optional[list[Any]]
    _generation: Optional[list[Any]]
    _handoff: Optional[list[Any]]
    _agent_obj: Any
    _last_usage: Optional[dict[str, Any]]
    _sink: Any  # the lone batch processor whose queue takes ended records, or None

    def __init__(self, provider: TraceProvider, config: Any, state: Any) -> None:
        """Start the run's trace (unless one is active) and its task span. Must be called in
        the run's private context."""
        self.provider = provider
        self._state = state
        self._agent = self._turn = self._generation = self._handoff = None  # records
        self._agent_obj = self._last_usage = None
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
        multi = provider._multi
        if trace is None:
            key = options.get("api_key") if options else None
            if provider._own_factories:
                trace = started_trace(
                    config.workflow_name, config.trace_id, config.group_id,
                    config.trace_metadata, multi, key,
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
        self._processor = multi
        # Where ended records go: straight into the batch processor's queue when it is the
        # only listener; otherwise spans are made for the processors (at the start already
        # when they watch starts, or when the provider makes its own spans).
        sink = self._sink = multi._record_sink if provider._own_factories else None
        self._queue = None if sink is None else sink._queue
        self._eager = not provider._own_factories or multi._needs_span_start
        self._task = (
            self._open(TASK, None, config.workflow_name) if self._turn_spans else None
        )
        _run_tracer.set(self)
        _current_span.set(self)  # see current_span()

    def current_span(self) -> Optional[Span[Any]]:
        """The run's innermost open span (the span that was current when the run started,
        once they are all closed)."""
        record = (
            self._generation or self._handoff or self._turn or self._agent or self._task
        )
        if record is None:
            return self._outer
        return record[LIVE] or live_span(record, self._processor)

    # --- opening and closing -----------------------------------------------------------------

    def _open(
        self, kind: Any, parent: Optional[list[Any]], f1: Any, f2: Any = None, f3: Any = None,
        f4: Any = None,
    ) -> list[Any]:
        """Open a span of `kind` under `parent` (a record; None: the run's outer parent). Its
        span ID is drawn when first needed (see `run_spans.record_id`)."""
        record = [
            kind, self.trace, None, parent or self._outer_id, _now(), None, None, f1, f2, f3, f4,
            None, None,
        ]
        if self._eager:
            self._start_live(record, parent)
        return record

    def _start_live(self, record: list[Any], parent: Optional[list[Any]]) -> None:
        # The span exists from the start: processors watch starts, or the provider makes it.
        if self.provider._own_factories:
            live = span_from_record(record, self._processor)
            self._processor.on_span_start(live)
        else:
            parent_span = None if parent is None else parent[LIVE]
            live = self.provider.create_span(
                record[KIND].build(span_from_record(record, None)), None,
                parent_span or self._outer or self.trace,
            )
            live.start()
            record[SPAN_ID] = live.span_id
        record[LIVE] = live

    def _close(self, record: list[Any]) -> None:
        """End a span: queue the record, or hand its span to the processors."""
        live = record[LIVE]
        if live is None:
            record[END] = _now()
            queue = self._queue
            if queue is not None:
                queue.append(record)
                if len(queue) >= self._sink._attention:  # see BatchTraceProcessor._put
                    self._sink._attend()
            else:
                self._processor.on_span_end(span_from_record(record, self._processor))
        else:
            record[KIND].update(live, record)
            error = record[ERROR]
            if error is not None and live._error is None:
                live._error = error
            live.finish()

    def _close_inner(self) -> None:
        # What is open inside the turn (normally nothing: an error path).
        generation, self._generation = self._generation, None
        if generation is not None:
            self._close(generation)
        handoff, self._handoff = self._handoff, None
        if handoff is not None:
            self._close(handoff)

    # --- what the run loop reports -------------------------------------------------------------

    @property
    def agent_span(self) -> Optional[Span[Any]]:
        """The current agent's span."""
        record = self._agent
        if record is None:
            return None
        return record[LIVE] or live_span(record, self._processor)

    def enter_agent(self, agent: Any, tools: list[Any], handoffs: list[Any]) -> None:
        """The run loop is about to work with `agent` (a new agent after a handoff, or the
        first one): end the previous agent's span and open this one's."""
        if agent is self._agent_obj:
            return
        previous = self._agent
        if previous is not None:
            self.end_turn()
            self._agent = None
            self._close(previous)
        output_type = agent.output_type
        handoff_names = [
            str(getattr(h, "agent_name", None) or getattr(h, "tool_name", "")) for h in handoffs
        ] if handoffs else None
        tool_names = [getattr(t, "name", type(t).__name__) for t in tools] if tools else None
        output_name = (
            "str" if output_type is None else getattr(output_type, "__name__", str(output_type))
        )
        self._agent = self._open(
            AGENT, self._task, agent.name, handoff_names, tool_names, output_name
        )
        self._agent_obj = agent

    def start_turn(self, turn: int, agent: Any) -> None:
        """A turn begins (before its model call, or when resuming its tool calls)."""
        if self._turn_spans:
            if self._turn is not None:
                self.end_turn()
            self._turn = self._open(TURN, self._agent, turn, agent.name)

    def end_turn(self) -> None:
        """The turn is resolved (what is still open inside it is closed too)."""
        if self._generation is not None or self._handoff is not None:
            self._close_inner()
        turn = self._turn
        if turn is not None:
            self._turn = None
            self._close(turn)

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
        self._generation = self._open(
            GENERATION, self._turn or self._agent, recorded, None,
            name if isinstance(name, str) else type(model).__name__, settings,
        )
        return self.model_tracing

    def end_generation(self, response: Any) -> None:
        """The model call returned `response` (a `ModelResponse`)."""
        record = self._generation
        if record is None:
            return
        # A dict of ints instead of the Usage object graph: the garbage collector does not
        # track it, so a queued span keeps fewer objects for it to walk until exported.
        self._last_usage = record[USAGE] = usage = usage_to_dict(response.usage)
        if self.include_data:
            record[F2] = response.output
        turn = self._turn
        if turn is not None:
            turn[USAGE] = usage
        self._generation = None
        self._close(record)

    def start_handoff(self, from_agent: Any, to_agent_name: Optional[str]) -> None:
        """A handoff begins."""
        self._handoff = self._open(
            HANDOFF, self._turn or self._agent, from_agent.name, to_agent_name
        )

    def end_handoff(self, to_agent: Any) -> None:
        """The handoff chose `to_agent`."""
        record = self._handoff
        if record is not None:
            record[F2] = getattr(to_agent, "name", record[F2])
            self._handoff = None
            self._close(record)

    def end(self, error: Optional[BaseException]) -> None:
        """The run is over: record `error` (if any) on every open span, finish them (innermost
        first), and finish the trace if this run started it."""
        try:
            task = self._task
            if error is not None and isinstance(error, Exception):
                span_error = error_from_exception(error)
                for record in (task, self._agent, self._turn, self._handoff, self._generation):
                    if record is not None and record[ERROR] is None:
                        record[ERROR] = span_error
            if task is not None:
                usage = self._state.context_wrapper.usage
                # One model request in all (a plain run): the run's usage is that request's,
                # already converted.
                last = self._last_usage
                if last is None or usage.requests != 1:
                    last = usage_to_dict(usage)
                task[USAGE] = last
            self.end_turn()
            agent = self._agent
            if agent is not None:
                self._agent = None
                self._close(agent)
            if task is not None:
                self._task = None
                self._close(task)
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
