"""`RealtimeRunner`: starts realtime sessions for an agent."""

from __future__ import annotations

from typing import Any, Optional

from ..exceptions import UserError
from .agent import RealtimeAgent
from .config import RealtimeModelConfig, RealtimeRunConfig
from .session import RealtimeSession

__all__ = ["RealtimeRunner"]


class RealtimeRunner:
    """Runs a `RealtimeAgent` in realtime sessions.

    `model` is the realtime model name (default: `config["model_settings"]["model_name"]`,
    else "gpt-realtime"); `config` is a `RealtimeRunConfig` (session settings, output
    guardrails, guardrail settings, tracing). A runner holds no connection and can start any
    number of sessions, from any thread.
    """

    def __init__(
        self,
        starting_agent: RealtimeAgent[Any],
        *,
        model: Optional[str] = None,
        config: Optional[RealtimeRunConfig] = None,
    ) -> None:
        if not isinstance(starting_agent, RealtimeAgent):
            raise UserError(
                f"RealtimeRunner needs a RealtimeAgent, got {type(starting_agent).__name__}"
            )
        if model is not None and not isinstance(model, str):
            raise UserError("RealtimeRunner model must be a realtime model name")
        self._starting_agent = starting_agent
        self._model = model
        self._config: RealtimeRunConfig = config or {}

    def run(
        self,
        *,
        context: Any = None,
        model_config: Optional[RealtimeModelConfig] = None,
    ) -> RealtimeSession:
        """A new, not yet connected session: use it as `with runner.run() as session:`.

        `model_config` says how to connect (`url`, `api_key`, `headers`,
        `initial_model_settings`, `playback_tracker`)."""
        return RealtimeSession(
            self._starting_agent,
            context=context,
            model_name=self._model,
            model_config=model_config,
            run_config=self._config,
        )
