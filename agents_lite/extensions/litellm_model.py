"""`LitellmModel`: any provider LiteLLM supports (Anthropic, Gemini, Bedrock, ...), through the
optional `litellm` package (`pip install litellm`). Without it, using these classes raises a
`UserError` saying so.

LiteLLM speaks the Chat Completions shape, so requests and replies go through the same
conversion as `OpenAIChatCompletionsModel`, and streams are turned into Responses-style events.
Calls are blocking (`litellm.completion`).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Optional, Union

from ..exceptions import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ModelBehaviorError,
    UserError,
    status_error_class,
)
from ..items import ModelResponse, TResponseInputItem, TResponseStreamEvent
from ..models.chatcmpl_stream import ChatStreamConverter
from ..models.interface import Model, ModelProvider, ModelTracing
from ..models.openai_chatcompletions import build_chat_body, completion_to_model_response

if TYPE_CHECKING:
    from ..agent_output import AgentOutputSchemaBase
    from ..handoffs import Handoff
    from ..model_settings import ModelSettings

__all__ = ["LitellmModel", "LitellmProvider", "litellm_available"]

_MISSING = (
    "LitellmModel needs the optional 'litellm' package, which is not installed. Install it with "
    "`pip install litellm`, or use a registered OpenAI-compatible prefix instead "
    "(MultiProvider.register_openai_compatible)."
)


def litellm_available() -> bool:
    """Whether the `litellm` package can be imported."""
    return importlib.util.find_spec("litellm") is not None


def _import_litellm() -> Any:
    if not litellm_available():
        raise UserError(_MISSING)
    import litellm

    return litellm


def _as_dict(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump()
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    return json.loads(value.json())


def _map_error(exc: Exception, secret: Optional[str] = None) -> Exception:
    if isinstance(exc, (APIError, UserError, ModelBehaviorError)):
        return exc
    status = getattr(exc, "status_code", None)
    message = f"{type(exc).__name__}: {exc}"
    if secret and len(secret) >= 4:
        message = message.replace(secret, "***")
    if isinstance(status, int) and status >= 400:
        return status_error_class(status)(message, status_code=status)
    name = type(exc).__name__.lower()
    if "timeout" in name:
        return APITimeoutError(message)
    if "connection" in name:
        return APIConnectionError(message)
    return exc


class LitellmModel(Model):
    """A model served through LiteLLM, e.g. `LitellmModel("anthropic/claude-3-5-sonnet-latest")`.

    Args:
        model: the LiteLLM model name ("provider/model").
        base_url: passed to LiteLLM as `api_base`.
        api_key: passed to LiteLLM as `api_key` (else LiteLLM reads the provider's env var).
    """

    def __init__(
        self, model: str, base_url: Optional[str] = None, api_key: Optional[str] = None
    ) -> None:
        self._litellm = _import_litellm()
        self.model = model
        self.base_url = base_url
        self._api_key = api_key

    def __repr__(self) -> str:
        return f"LitellmModel(model={self.model!r}, base_url={self.base_url!r})"

    def _call(self, body: dict[str, Any], settings: ModelSettings) -> Any:
        kwargs = dict(body)
        if self.base_url:
            kwargs["api_base"] = self.base_url
        if self._api_key:
            kwargs["api_key"] = self._api_key
        if settings.extra_headers:
            kwargs["extra_headers"] = dict(settings.extra_headers)
        retries = settings.retry.max_retries if settings.retry else None
        if retries is not None:
            kwargs["num_retries"] = retries
        try:
            return self._litellm.completion(**kwargs)
        except Exception as exc:  # LiteLLM raises its own exception classes
            self._raise_mapped(exc)
            raise

    def _raise_mapped(self, exc: Exception) -> None:
        mapped = _map_error(exc, self._api_key)
        if mapped is exc:
            return
        leaks = bool(self._api_key) and self._api_key in str(exc)  # type: ignore[operator]
        raise mapped from (None if leaks else exc)

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
        body = build_chat_body(
            self.model, system_instructions, input, model_settings, tools, output_schema, handoffs
        )
        response = self._call(body, model_settings)
        return completion_to_model_response(_as_dict(response), model=self.model)

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
        body = build_chat_body(
            self.model, system_instructions, input, model_settings, tools, output_schema, handoffs,
            stream=True,
        )
        body["stream_options"] = {"include_usage": True}
        chunks = self._call(body, model_settings)
        converter = ChatStreamConverter(self.model)
        try:
            for chunk in chunks:
                yield from converter.handle_chunk(_as_dict(chunk))
        except Exception as exc:
            self._raise_mapped(exc)
            raise
        finally:
            close = getattr(chunks, "close", None)
            if callable(close):
                close()
        yield from converter.finish()


class LitellmProvider(ModelProvider):
    """Builds a `LitellmModel` for any LiteLLM model name (used for the "litellm/" prefix)."""

    def __init__(self, base_url: Optional[str] = None, api_key: Optional[str] = None) -> None:
        _import_litellm()
        self.base_url = base_url
        self._api_key = api_key

    def get_model(self, model_name: Optional[str]) -> Model:
        if not model_name:
            raise UserError("LitellmProvider needs a model name, e.g. 'litellm/anthropic/claude-3-5-sonnet-latest'")
        return LitellmModel(model_name, base_url=self.base_url, api_key=self._api_key)
