"""Output guardrails on what a realtime agent says: run on the growing transcript of each item,
in worker threads, and interrupt the answer when one trips."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from .events import RealtimeGuardrailTripped

if TYPE_CHECKING:
    from .agent import RealtimeAgent
    from .session import RealtimeSession

__all__ = ["GuardrailRunner"]

logger = logging.getLogger("agents_lite")


class GuardrailRunner:
    """Tracks the transcript of each output item and runs the output guardrails every
    `debounce_text_length` characters and on the complete text."""

    def __init__(self, session: RealtimeSession, debounce_text_length: int = 100) -> None:
        self._session = session
        self._debounce = max(1, int(debounce_text_length))
        self._lock = threading.Lock()
        self._texts: dict[str, str] = {}
        self._checked: dict[str, int] = {}  # item id -> length of the last checked text
        self._tripped: set[str] = set()  # response ids already interrupted

    def _guardrails(self, agent: RealtimeAgent[Any]) -> list[Any]:
        extra = list((self._session.run_config or {}).get("output_guardrails") or [])
        unique: list[Any] = []
        for guardrail in list(agent.output_guardrails) + extra:
            if all(guardrail is not g for g in unique):
                unique.append(guardrail)
        return unique

    def text_of(self, item_id: str) -> str:
        """The transcript (or text) received so far for an item."""
        with self._lock:
            return self._texts.get(item_id, "")

    def on_delta(self, item_id: str, response_id: str, delta: str, agent: RealtimeAgent[Any]
                 ) -> None:
        """Called in the reader thread for each transcript/text delta."""
        with self._lock:
            text = self._texts.get(item_id, "") + delta
            self._texts[item_id] = text
            due = len(text) // self._debounce > self._checked.get(item_id, 0) // self._debounce
            if due:
                self._checked[item_id] = len(text)
        if due:
            self._schedule(text, response_id, agent)

    def on_done(self, item_id: str, response_id: str, text: str, agent: RealtimeAgent[Any]
                ) -> None:
        """Called when an item's transcript is complete: check the whole text once."""
        with self._lock:
            text = text or self._texts.get(item_id, "")
            self._texts[item_id] = text
            due = bool(text) and self._checked.get(item_id, -1) != len(text)
            self._checked[item_id] = len(text)
        if due:
            self._schedule(text, response_id, agent)

    def _schedule(self, text: str, response_id: str, agent: RealtimeAgent[Any]) -> None:
        if not self._guardrails(agent):
            return
        from ..tool_execution import submit

        submit(lambda: self._check(text, response_id, agent))

    def _check(self, text: str, response_id: str, agent: RealtimeAgent[Any]) -> None:
        session = self._session
        with self._lock:
            if response_id in self._tripped:
                return
        tripped = []
        for guardrail in self._guardrails(agent):
            try:
                result = guardrail.run(session.context_wrapper, agent, text)
            except Exception as exc:  # a broken guardrail is reported, and skipped
                logger.warning("realtime: output guardrail %s raised: %s",
                               getattr(guardrail, "get_name", lambda: "?")(), exc)
                session._report_error(f"Output guardrail failed: {exc}", "guardrail_error")
                continue
            if result.output.tripwire_triggered:
                tripped.append(result)
        if not tripped:
            return
        with self._lock:
            if response_id in self._tripped:
                return
            self._tripped.add(response_id)
        session._emit(RealtimeGuardrailTripped(guardrail_results=tripped, message=text,
                                               info=session.info))
        session._interrupt(cancel=True, response_id=response_id)
        names = ", ".join(r.guardrail.get_name() for r in tripped)
        session._user_message(f"guardrail triggered: {names}", internal=True)

    def response_interrupted(self, response_id: str) -> bool:
        """Whether a guardrail stopped this response."""
        with self._lock:
            return response_id in self._tripped

    def forget(self, item_ids: list[str]) -> None:
        """Drop the transcripts of finished items."""
        with self._lock:
            for item_id in item_ids:
                self._texts.pop(item_id, None)
                self._checked.pop(item_id, None)
