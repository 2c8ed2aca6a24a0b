"""`Runner`: run an agent to completion (`run_sync`), as a stream (`run_streamed`), or awaitably."""

from __future__ import annotations

import collections
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from .exceptions import UserError
from .items import ItemHelpers, TResponseInputItem
from .lifecycle import RunHooks
from .result import RunResult, RunResultStreaming
from .run_config import ERROR_HANDLER_KINDS, RunConfig
from .run_context import RunContextWrapper
from .run_loop import RunSetup, run_events
from .run_state import RunState

if TYPE_CHECKING:
    from .agent import Agent
    from .stream_events import StreamEvent

DEFAULT_MAX_TURNS = 10
"""Turns a run may take before `MaxTurnsExceeded` (None means unlimited)."""

_NO_HOOKS: RunHooks[Any] = RunHooks()


def _check_arguments(
    session: Any,
    previous_response_id: Optional[str],
    auto_previous_response_id: bool,
    conversation_id: Optional[str],
    error_handlers: Optional[dict[str, Callable[..., Any]]],
) -> None:
    if session is not None and (previous_response_id or auto_previous_response_id or conversation_id):
        raise UserError(
            "A session cannot be combined with conversation_id, previous_response_id or "
            "auto_previous_response_id: the server already keeps the conversation"
        )
    if previous_response_id and conversation_id:
        raise UserError("Pass previous_response_id or conversation_id, not both")
    for key, handler in (error_handlers or {}).items():
        if key not in ERROR_HANDLER_KINDS:
            raise UserError(f"Unknown error handler {key!r}; expected one of {ERROR_HANDLER_KINDS}")
        if not callable(handler):
            raise UserError(f"error_handlers[{key!r}] must be callable")


def _new_state(
    starting_agent: Agent[Any],
    input: Union[str, list[TResponseInputItem], RunState],
    context: Any,
    max_turns: Optional[int],
    previous_response_id: Optional[str],
    auto_previous_response_id: bool,
    conversation_id: Optional[str],
) -> RunState:
    if isinstance(input, RunState):
        if max_turns != DEFAULT_MAX_TURNS:
            input.max_turns = max_turns
        return input
    if not isinstance(input, (str, list)):
        raise UserError(f"Run input must be a string, a list of input items or a RunState, got {type(input).__name__}")
    state = RunState(
        starting_agent=starting_agent,
        current_agent=starting_agent,
        original_input=input,
        context_wrapper=RunContextWrapper(context=context),
        max_turns=max_turns,
    )
    state._new_input = ItemHelpers.input_to_new_input_list(input)
    state._previous_response_id = previous_response_id
    state._conversation_id = conversation_id
    state._auto_previous_response_id = auto_previous_response_id
    return state


def _session_events(setup: RunSetup, state: RunState) -> Generator[StreamEvent, None, None]:
    """Load the session's history into a new run's input, then run."""
    session = setup.session
    if session is not None and state.current_turn == 0 and not state.model_responses:
        settings = setup.run_config.session_settings or getattr(session, "session_settings", None)
        limit = getattr(settings, "limit", None)
        history = session.get_items(limit) if limit is not None else session.get_items()
        new_input = state._new_input
        callback = setup.run_config.session_input_callback
        if callback is not None:
            if not callable(callback):
                raise UserError("RunConfig.session_input_callback must be callable")
            combined = callback(list(history), list(new_input))
            if not isinstance(combined, list):
                raise UserError("session_input_callback must return a list of input items")
            # Only what the callback kept from the new input is new to the session.
            kept = {id(item) for item in combined}
            state._new_input = [item for item in new_input if id(item) in kept]
        else:
            combined = list(history) + list(new_input)
        state.original_input = combined
    yield from _traced_run()(setup, state, run_events)


_TRACED_RUN: Any = None


def _traced_run() -> Any:
    """`tracing.run_tracing.traced_run`, imported on the first run (tracing is not needed to
    import the package)."""
    global _TRACED_RUN
    if _TRACED_RUN is None:
        from .tracing.run_tracing import traced_run

        _TRACED_RUN = traced_run
    return _TRACED_RUN


def _with_checkpoints(
    setup: RunSetup, state: RunState, store: Any, run_id: Optional[str], *, force: bool = False
) -> tuple[Generator[StreamEvent, None, None], Optional[str]]:
    """The run's events, saved to `store` as they go when a store is given."""
    events = _session_events(setup, state)
    if store is None:
        if run_id is not None:
            raise UserError("run_id= needs checkpoint= (a checkpoint store)")
        return events, None
    from .checkpointing import RunCheckpointer, new_run_id

    checkpointer = RunCheckpointer(store, run_id or new_run_id(), force=force)
    setup.on_checkpoint = checkpointer.save
    return checkpointer.run(state, events), checkpointer.run_id


class Runner:
    """Runs agents. `run_sync` is the primary API; there is no event loop anywhere in it."""

    @classmethod
    def run_sync(
        cls,
        starting_agent: Agent[Any],
        input: Union[str, list[TResponseInputItem], RunState],
        *,
        context: Any = None,
        max_turns: Optional[int] = DEFAULT_MAX_TURNS,
        hooks: Optional[RunHooks[Any]] = None,
        run_config: Optional[RunConfig] = None,
        error_handlers: Optional[dict[str, Callable[..., Any]]] = None,
        previous_response_id: Optional[str] = None,
        auto_previous_response_id: bool = False,
        conversation_id: Optional[str] = None,
        session: Any = None,
        checkpoint: Any = None,
        run_id: Optional[str] = None,
    ) -> RunResult:
        """Run `starting_agent` on `input` until it produces a final output, needs approvals,
        or fails. Blocking; safe from any thread and inside a running event loop.

        `input` is a string (one user message), a list of input items, or a `RunState` from
        `result.to_state()` to continue an interrupted run. With `checkpoint=` (a checkpoint
        store) the run is saved as it goes under `run_id` (generated when not given, see
        `result.run_id`), and `Runner.resume` can continue it after a crash.
        """
        setup, state = cls._prepare(
            starting_agent, input, context, max_turns, hooks, run_config, error_handlers,
            previous_response_id, auto_previous_response_id, conversation_id, session,
            streaming=False,
        )
        events, run_id = _with_checkpoints(setup, state, checkpoint, run_id)
        collections.deque(events, maxlen=0)
        result = RunResult(state)
        result.run_id = run_id
        return result

    @classmethod
    def run_streamed(
        cls,
        starting_agent: Agent[Any],
        input: Union[str, list[TResponseInputItem], RunState],
        *,
        context: Any = None,
        max_turns: Optional[int] = DEFAULT_MAX_TURNS,
        hooks: Optional[RunHooks[Any]] = None,
        run_config: Optional[RunConfig] = None,
        error_handlers: Optional[dict[str, Callable[..., Any]]] = None,
        previous_response_id: Optional[str] = None,
        auto_previous_response_id: bool = False,
        conversation_id: Optional[str] = None,
        session: Any = None,
        checkpoint: Any = None,
        run_id: Optional[str] = None,
    ) -> RunResultStreaming:
        """Start a streamed run. Nothing happens until you iterate `result.stream_events()`."""
        setup, state = cls._prepare(
            starting_agent, input, context, max_turns, hooks, run_config, error_handlers,
            previous_response_id, auto_previous_response_id, conversation_id, session,
            streaming=True,
        )
        events, run_id = _with_checkpoints(setup, state, checkpoint, run_id)
        result = RunResultStreaming(state, events)
        result.run_id = run_id
        setup.cancel_mode = lambda: result._cancel_mode
        return result

    @classmethod
    def resume(
        cls,
        run_id: str,
        starting_agent: Agent[Any],
        *,
        checkpoint: Any,
        context: Any = None,
        hooks: Optional[RunHooks[Any]] = None,
        run_config: Optional[RunConfig] = None,
        error_handlers: Optional[dict[str, Callable[..., Any]]] = None,
        session: Any = None,
        force: bool = False,
    ) -> RunResult:
        """Continue a checkpointed run whose process stopped (crash, kill, deploy).

        Completed model responses are not requested again and completed tool calls are not run
        again. `starting_agent` must be (a copy of) the run's starting agent: agents are found
        by name in its handoff graph. `context` replaces the saved context (pass it when the
        context was not JSON-serialisable). `force=True` takes over a run whose lease is still
        held; use it only when the previous worker is known to be gone.
        """
        from .checkpointing import load_state_text

        state = RunState.from_string(
            starting_agent, load_state_text(checkpoint, run_id), context_override=context
        )
        setup, state = cls._prepare(
            starting_agent, state, None, state.max_turns, hooks, run_config, error_handlers,
            None, False, None, session, streaming=False,
        )
        events, _ = _with_checkpoints(setup, state, checkpoint, run_id, force=force)
        collections.deque(events, maxlen=0)
        result = RunResult(state)
        result.run_id = run_id
        return result

    @classmethod
    async def run(
        cls,
        starting_agent: Agent[Any],
        input: Union[str, list[TResponseInputItem], RunState],
        **kwargs: Any,
    ) -> RunResult:
        """Awaitable wrapper for code that must `await`: runs `run_sync` in a worker thread."""
        import asyncio

        return await asyncio.to_thread(cls.run_sync, starting_agent, input, **kwargs)

    @classmethod
    def _prepare(
        cls,
        starting_agent: Agent[Any],
        input: Union[str, list[TResponseInputItem], RunState],
        context: Any,
        max_turns: Optional[int],
        hooks: Optional[RunHooks[Any]],
        run_config: Optional[RunConfig],
        error_handlers: Optional[dict[str, Callable[..., Any]]],
        previous_response_id: Optional[str],
        auto_previous_response_id: bool,
        conversation_id: Optional[str],
        session: Any,
        *,
        streaming: bool,
    ) -> tuple[RunSetup, RunState]:
        from .agent import Agent

        if not isinstance(starting_agent, Agent):
            raise UserError(f"starting_agent must be an Agent, got {type(starting_agent).__name__}")
        if hooks is not None and not isinstance(hooks, RunHooks):
            raise UserError("hooks must be a RunHooks instance")
        _check_arguments(
            session, previous_response_id, auto_previous_response_id, conversation_id, error_handlers
        )
        state = _new_state(
            starting_agent, input, context, max_turns,
            previous_response_id, auto_previous_response_id, conversation_id,
        )
        setup = RunSetup(
            hooks=hooks or _NO_HOOKS,
            run_config=run_config or RunConfig(),
            error_handlers=error_handlers or {},
            streaming=streaming,
            session=session,
        )
        return setup, state


def run_sync(
    starting_agent: Agent[Any], input: Union[str, list[TResponseInputItem], RunState], **kwargs: Any
) -> RunResult:
    """Shortcut for `Runner.run_sync(...)`."""
    return Runner.run_sync(starting_agent, input, **kwargs)
