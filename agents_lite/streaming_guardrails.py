"""Output guardrails that check a streamed response while it arrives.

Mark an output guardrail with `run_during_stream=True`:

    @output_guardrail(run_during_stream=True, stream_check_every_chars=200)
    def no_secrets(ctx, agent, text):
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered="SECRET" in text)

In `Runner.run_streamed`, the guardrail function then also receives the text the model has
streamed so far in the current response (a string, the `output_text` deltas), at checkpoints:
every `stream_check_every_chars` characters (200 when neither option is set) and/or at each
sentence end (`stream_check_on_sentence=True`), and once more on the whole text when the response
completes. Each check runs in a worker thread while the stream goes on. A check must finish before
the stream passes the next checkpoint (the stream waits for it if needed), so the stream stops at
most one check interval after the checkpoint whose check sees the offending text, and sooner when
the check is faster than the model. On a tripwire the model's stream (the HTTP response) is
closed, `OutputGuardrailTripwireTriggered` is raised from `stream_events()`, and the turn is not
recorded: nothing of it reaches the session. A guardrail function that raises stops the stream the
same way, with `UserError` (the original exception chained).

The guardrail also runs on the final output like any output guardrail (in `run_sync` that is the
only time it runs). Passing stream checks are not added to `result.output_guardrail_results`; a
tripped one is.
"""

from __future__ import annotations

import re
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Optional

from .exceptions import AgentsException, OutputGuardrailTripwireTriggered, UserError

if TYPE_CHECKING:
    from .agent import Agent
    from .guardrail import OutputGuardrail, OutputGuardrailResult
    from .run_config import RunConfig
    from .run_context import RunContextWrapper

__all__ = ["DEFAULT_STREAM_CHECK_EVERY_CHARS", "StreamGuardrailMonitor", "start_stream_guardrails"]

DEFAULT_STREAM_CHECK_EVERY_CHARS = 200
# A sentence ends at . ! ? (or their full-width forms), maybe closed by quotes or brackets, before
# whitespace or the end of the delta; or at a line break.
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f][\"'\u201d\u2019)\]]*(?:\s|$)|\n")


@dataclass
class _Watch:
    guardrail: OutputGuardrail[Any]
    every: Optional[int]
    on_sentence: bool
    next_at: int
    checked_len: int = 0
    running: Optional[Future[OutputGuardrailResult]] = None


class StreamGuardrailMonitor:
    """Checks the text of one streamed model response with the streaming output guardrails.

    The run loop feeds it every stream event (`on_event`); it raises
    `OutputGuardrailTripwireTriggered` (or `UserError` for a guardrail that failed) from there.
    `close()` drops checks still queued when the stream ends early.
    """

    def __init__(
        self,
        guardrails: list[OutputGuardrail[Any]],
        context: RunContextWrapper[Any],
        agent: Agent[Any],
        results: list[OutputGuardrailResult],
    ) -> None:
        self._context = context
        self._agent = agent
        self._results = results
        self.text = ""
        """The text streamed so far in this response."""
        self.checks_started = 0
        self._watches: list[_Watch] = []
        for guardrail in guardrails:
            every = guardrail.stream_check_every_chars
            on_sentence = bool(guardrail.stream_check_on_sentence)
            if every is None and not on_sentence:
                every = DEFAULT_STREAM_CHECK_EVERY_CHARS
            if every is not None and (isinstance(every, bool) or not isinstance(every, int)
                                      or every <= 0):
                raise UserError(
                    f"Output guardrail {guardrail.get_name()}: stream_check_every_chars must be a "
                    f"positive integer, got {every!r}"
                )
            if not callable(getattr(guardrail, "guardrail_function", None)):
                raise UserError(f"Output guardrail {guardrail!r} has no callable function")
            self._watches.append(_Watch(guardrail, every, on_sentence, next_at=every or 0))

    # --- feeding ----------------------------------------------------------------------------------

    def on_event(self, event: dict[str, Any]) -> None:
        """Take one stream event: collect finished checks, start due ones, finish at the end."""
        self._collect(wait=False)
        kind = event.get("type")
        if kind == "response.output_text.delta":
            delta = event.get("delta")
            if isinstance(delta, str) and delta:
                self.text += delta
                sentence_end = bool(_SENTENCE_END.search(delta))
                for watch in self._watches:
                    due_by_size = watch.every is not None and len(self.text) >= watch.next_at
                    if due_by_size or (watch.on_sentence and sentence_end):
                        self._start(watch)
        elif kind == "response.completed":
            self.finish(event.get("response") or {})

    def finish(self, response: Optional[dict[str, Any]] = None) -> None:
        """The response is complete: check text no check has seen yet and wait for every
        check. Raises on a tripwire."""
        if not self.text and response:
            self.text = _response_text(response)
        for watch in self._watches:
            if len(self.text) > watch.checked_len:
                self._start(watch)
        self._collect(wait=True)

    def close(self) -> None:
        """Drop checks that have not started (the stream ended early); running ones finish in
        their worker and are ignored."""
        for watch in self._watches:
            if watch.running is not None:
                watch.running.cancel()
                watch.running = None

    # --- checks -----------------------------------------------------------------------------------

    def _start(self, watch: _Watch) -> None:
        if watch.running is not None:
            # One check per guardrail at a time: the stream never runs more than one interval
            # ahead of a check, which bounds how far past a tripwire it can get.
            self._settle(watch, wait=True)
        from .tool_execution import submit
        from .tracing.run_tracing import traced_guardrail

        snapshot, guardrail = self.text, watch.guardrail
        context, agent = self._context, self._agent
        watch.running = submit(partial(traced_guardrail, guardrail, context, agent, snapshot))
        watch.checked_len = len(snapshot)
        if watch.every is not None:
            watch.next_at = len(snapshot) + watch.every
        self.checks_started += 1

    def _collect(self, *, wait: bool) -> None:
        for watch in self._watches:
            self._settle(watch, wait=wait)

    def _settle(self, watch: _Watch, *, wait: bool) -> None:
        future = watch.running
        if future is None or (not wait and not future.done()):
            return
        watch.running = None
        try:
            result = future.result()
        except AgentsException:
            raise
        except Exception as exc:
            raise UserError(
                f"Output guardrail {watch.guardrail.get_name()} failed while checking the "
                f"stream: {type(exc).__name__}: {exc}"
            ) from exc
        if result.output.tripwire_triggered:
            self._results.append(result)
            raise OutputGuardrailTripwireTriggered(result)


def _response_text(response: dict[str, Any]) -> str:
    parts: list[str] = []
    for item in response.get("output") or []:
        if isinstance(item, dict) and item.get("type") == "message":
            for part in item.get("content") or []:
                if isinstance(part, dict) and part.get("type") == "output_text":
                    parts.append(str(part.get("text") or ""))
    return "".join(parts)


def start_stream_guardrails(
    run_config: RunConfig,
    agent: Agent[Any],
    context: RunContextWrapper[Any],
    results: list[OutputGuardrailResult],
) -> Optional[StreamGuardrailMonitor]:
    """A monitor for the run's and the agent's `run_during_stream` output guardrails, or None
    when there are none."""
    guardrails = [
        g for g in (*(run_config.output_guardrails or ()), *agent.output_guardrails)
        if getattr(g, "run_during_stream", False)
    ]
    if not guardrails:
        return None
    return StreamGuardrailMonitor(guardrails, context, agent, results)
