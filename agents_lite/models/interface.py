"""The `Model` and `ModelProvider` interfaces: the only way the run loop talks to a model."""

from __future__ import annotations

import abc
import enum
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Optional, Union

if TYPE_CHECKING:
    from ..agent_output import AgentOutputSchemaBase
    from ..handoffs import Handoff
    from ..items import ModelResponse, TResponseInputItem, TResponseStreamEvent
    from ..model_settings import ModelSettings


class ModelTracing(enum.Enum):
    """How much of a model call goes into traces."""

    DISABLED = 0
    """No tracing."""
    ENABLED = 1
    """Traced, with inputs and outputs."""
    ENABLED_WITHOUT_DATA = 2
    """Traced, without inputs and outputs."""

    def is_disabled(self) -> bool:
        return self is ModelTracing.DISABLED

    def include_data(self) -> bool:
        return self is ModelTracing.ENABLED


class Model(abc.ABC):
    """A model the run loop can call. Implementations must be safe to share across threads."""

    @abc.abstractmethod
    def get_response(
        self,
        system_instructions: Optional[str],
        input: Union[str, list[TResponseInputItem]],
        model_settings: ModelSettings,
        tools: list[Any],
        output_schema: Optional[AgentOutputSchemaBase],
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: Optional[str] = None,
        conversation_id: Optional[str] = None,
        prompt: Optional[dict[str, Any]] = None,
    ) -> ModelResponse:
        """Send one request and return the complete response."""

    @abc.abstractmethod
    def stream_response(
        self,
        system_instructions: Optional[str],
        input: Union[str, list[TResponseInputItem]],
        model_settings: ModelSettings,
        tools: list[Any],
        output_schema: Optional[AgentOutputSchemaBase],
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: Optional[str] = None,
        conversation_id: Optional[str] = None,
        prompt: Optional[dict[str, Any]] = None,
    ) -> Iterator[TResponseStreamEvent]:
        """Responses-API stream events as dicts, in order. The last one is `response.completed`,
        whose `response` holds the full output, id and usage. Closing the iterator early closes the
        underlying HTTP response."""

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release resources (connections). Optional."""


class ModelProvider(abc.ABC):
    """Maps model names to `Model` objects."""

    @abc.abstractmethod
    def get_model(self, model_name: Optional[str]) -> Model:
        """The model for a name (None: the provider's default model)."""

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release resources held by the provider. Optional."""
