"""Voice workflows: what happens between a transcript and the text that is spoken back."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Optional

from ..exceptions import UserError

if TYPE_CHECKING:
    from ..agent import Agent
    from ..result import RunResultStreaming
    from ..run_config import RunConfig

__all__ = [
    "SingleAgentVoiceWorkflow",
    "SingleAgentWorkflowCallbacks",
    "VoiceWorkflowBase",
    "VoiceWorkflowHelper",
]


class VoiceWorkflowBase(abc.ABC):
    """Turns each transcript into text to speak. Subclass it and implement `run` as a generator:
    every string it yields is buffered, split into sentences and synthesised as soon as a
    sentence is complete."""

    @abc.abstractmethod
    def run(self, transcription: str) -> Iterator[str]:
        """Yield the text to speak in answer to `transcription` (called once per turn)."""

    def on_start(self) -> Iterator[str]:
        """Yield text to speak before the user says anything (streamed input only); nothing by
        default."""
        return iter(())


class VoiceWorkflowHelper:
    """Helpers for writing workflows."""

    @classmethod
    def stream_text_from(cls, result: RunResultStreaming) -> Iterator[str]:
        """The text deltas of a streamed run (`Runner.run_streamed`), as they arrive. Closing
        this iterator closes the run's stream."""
        for event in result.stream_events():
            if event.type != "raw_response_event":
                continue
            data = event.data
            if isinstance(data, dict) and data.get("type") == "response.output_text.delta":
                delta = data.get("delta")
                if delta:
                    yield delta


class SingleAgentWorkflowCallbacks:
    """Hooks of `SingleAgentVoiceWorkflow`."""

    def on_run(self, workflow: SingleAgentVoiceWorkflow, transcription: str) -> None:
        """Called with each transcript before the agent runs."""


class SingleAgentVoiceWorkflow(VoiceWorkflowBase):
    """Runs one agent (and whatever it hands off to) on each transcript, streaming its text.

    The conversation is kept across turns: each turn continues from the previous turn's items and
    last agent. One instance holds one conversation; use one per caller. An empty transcript
    still runs the agent (it then sees an empty user message).
    """

    def __init__(
        self,
        agent: Agent[Any],
        callbacks: Optional[SingleAgentWorkflowCallbacks] = None,
        *,
        context: Any = None,
        run_config: Optional[RunConfig] = None,
    ) -> None:
        from ..agent import Agent

        if not isinstance(agent, Agent):
            raise UserError(f"SingleAgentVoiceWorkflow needs an Agent, got {type(agent).__name__}")
        self._input_history: list[Any] = []
        self._current_agent: Agent[Any] = agent
        self._context = context
        self._callbacks = callbacks
        self._run_config = run_config

    @property
    def current_agent(self) -> Agent[Any]:
        """The agent that will answer the next turn (changes after handoffs)."""
        return self._current_agent

    @property
    def history(self) -> list[Any]:
        """The conversation so far, as input items."""
        return list(self._input_history)

    def run(self, transcription: str) -> Iterator[str]:
        """Run the current agent on the conversation plus `transcription`; yield its text."""
        from ..run import Runner

        if self._callbacks is not None:
            self._callbacks.on_run(self, transcription)
        turn_input = self._input_history + [{"role": "user", "content": transcription}]
        result = Runner.run_streamed(
            self._current_agent, turn_input, context=self._context, run_config=self._run_config
        )
        yield from VoiceWorkflowHelper.stream_text_from(result)
        # Only a finished turn joins the history: an abandoned one is not half-remembered.
        self._input_history = result.to_input_list()
        self._current_agent = result.last_agent
