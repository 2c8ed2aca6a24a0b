"""`OpenAIChatCompletionsModel`: the Chat Completions API (`POST /chat/completions`), which most
OpenAI-compatible servers (Ollama, vLLM, LM Studio, ...) speak. Items are converted to messages
and back; streamed chunks are turned into Responses-style events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Optional, Union

from ..exceptions import APIConnectionError, ModelBehaviorError, UserError
from ..items import ModelResponse, TResponseInputItem, TResponseStreamEvent
from ..usage import Usage
from .chatcmpl_converter import (
    items_to_messages,
    message_to_output_items,
    response_format_to_chat,
    tool_choice_to_chat,
    tools_to_chat,
    usage_to_responses,
)
from .chatcmpl_stream import ChatStreamConverter
from .http import HTTPClient, SSEStream, error_from_payload
from .interface import Model, ModelTracing

if TYPE_CHECKING:
    from ..agent_output import AgentOutputSchemaBase
    from ..handoffs import Handoff
    from ..model_settings import ModelSettings

__all__ = ["OpenAIChatCompletionsModel", "build_chat_body"]


def _is_openai(client: HTTPClient) -> bool:
    return client.base_url.startswith("https://api.openai.com")


def build_chat_body(
    model: str,
    system_instructions: Optional[str],
    input: Union[str, list[TResponseInputItem]],
    settings: ModelSettings,
    tools: list[Any],
    output_schema: Optional[AgentOutputSchemaBase],
    handoffs: list[Handoff],
    *,
    stream: bool = False,
    openai_defaults: bool = False,
) -> dict[str, Any]:
    """The JSON body of a `POST /chat/completions` request. None values are left out.

    With `openai_defaults` (the server is OpenAI itself), `store` and, for streams,
    `stream_options.include_usage` default to true, as the OpenAI SDK does; other servers get
    them only when the settings ask.
    """
    body: dict[str, Any] = {"model": model, "messages": items_to_messages(input, system_instructions)}
    chat_tools = tools_to_chat(tools, handoffs) if (tools or handoffs) else []
    if chat_tools:
        body["tools"] = chat_tools
        if settings.parallel_tool_calls is not None:
            body["parallel_tool_calls"] = settings.parallel_tool_calls
    choice = tool_choice_to_chat(settings.tool_choice)
    if choice is not None:
        body["tool_choice"] = choice
    response_format = response_format_to_chat(output_schema)
    if response_format is not None:
        body["response_format"] = response_format
    for name in ("temperature", "top_p", "frequency_penalty", "presence_penalty", "max_tokens",
                 "metadata", "verbosity"):
        value = getattr(settings, name)
        if value is not None:
            body[name] = value
    if settings.reasoning and settings.reasoning.get("effort") is not None:
        body["reasoning_effort"] = settings.reasoning["effort"]
    store = settings.store if settings.store is not None else (True if openai_defaults else None)
    if store is not None:
        body["store"] = store
    if settings.top_logprobs is not None:
        body["logprobs"] = True
        body["top_logprobs"] = settings.top_logprobs
    if stream:
        body["stream"] = True
        include_usage = settings.include_usage
        if include_usage is None and openai_defaults:
            include_usage = True
        if include_usage:
            body["stream_options"] = {"include_usage": True}
    if settings.extra_body:
        body.update(settings.extra_body)
    if settings.extra_args:
        body.update(settings.extra_args)
    return body


class OpenAIChatCompletionsModel(Model):
    """A model behind a Chat Completions endpoint (OpenAI or any compatible server).

    Args:
        model: the model name sent in each request.
        client: an `HTTPClient` / `OpenAIClient` (`openai_client=` is accepted too, as in the
            reference SDK); None uses the process default.
    """

    def __init__(
        self,
        model: str,
        client: Optional[HTTPClient] = None,
        *,
        openai_client: Optional[HTTPClient] = None,
    ) -> None:
        client = client if client is not None else openai_client
        if client is not None and not isinstance(client, HTTPClient):
            raise UserError(
                f"OpenAIChatCompletionsModel: client must be an OpenAIClient/HTTPClient, got "
                f"{type(client).__name__}"
            )
        self.model = model
        self._client = client

    def __repr__(self) -> str:
        return f"OpenAIChatCompletionsModel(model={self.model!r})"

    @property
    def client(self) -> HTTPClient:
        """The HTTP client requests go through."""
        if self._client is not None:
            return self._client
        from .defaults import shared_openai_client

        return shared_openai_client()

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
        _reject_server_state(previous_response_id, conversation_id, prompt)
        client = self.client
        body = build_chat_body(
            self.model, system_instructions, input, model_settings, tools, output_schema,
            handoffs, openai_defaults=_is_openai(client),
        )
        data, headers = client.post_json(
            "/chat/completions",
            body,
            extra_headers=model_settings.extra_headers,
            extra_query=model_settings.extra_query,
            retry=model_settings.retry,
        )
        request_id = headers.get("x-request-id")
        return completion_to_model_response(
            data, request_id=request_id, model=self.model, redact=client.redact
        )

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
        """A generator of Responses-style events (the request goes out on the first `next()`);
        the last one is a synthetic `response.completed`."""
        _reject_server_state(previous_response_id, conversation_id, prompt)
        client = self.client
        body = build_chat_body(
            self.model, system_instructions, input, model_settings, tools, output_schema,
            handoffs, stream=True, openai_defaults=_is_openai(client),
        )
        stream = client.post_stream(
            "/chat/completions",
            body,
            extra_headers=model_settings.extra_headers,
            extra_query=model_settings.extra_query,
            retry=model_settings.retry,
        )
        yield from _iter_chat_events(stream, client, self.model)


def _reject_server_state(
    previous_response_id: Optional[str], conversation_id: Optional[str], prompt: Any
) -> None:
    if previous_response_id or conversation_id:
        raise UserError(
            "previous_response_id / conversation_id need the Responses API; Chat Completions "
            "keeps no server-side conversation (send the full history instead)"
        )
    if prompt is not None:
        raise UserError("Prompt templates (prompt=...) need the Responses API")


def completion_to_model_response(
    data: Any,
    *,
    request_id: Optional[str] = None,
    model: Optional[str] = None,
    redact: Any = None,
) -> ModelResponse:
    """A `ModelResponse` from a Chat Completions response body (choice 0)."""
    if not isinstance(data, dict):
        raise ModelBehaviorError(
            f"Chat Completions returned {type(data).__name__}, not a completion object"
        )
    if "error" in data and not data.get("choices"):
        raise error_from_payload(
            data["error"], context="Chat Completions reported an error", request_id=request_id,
            redact=redact,
        )
    choices = data.get("choices")
    if not choices:
        raise ModelBehaviorError(
            "Chat Completions returned no choices (empty `choices`); nothing to use as the "
            "model's reply"
        )
    choice = choices[0]
    message = choice.get("message") or {}
    output = message_to_output_items(message, choice.get("finish_reason"))
    usage = Usage.from_responses_usage(
        usage_to_responses(data.get("usage")), model=data.get("model") or model
    )
    return ModelResponse(output=output, usage=usage, response_id=None, request_id=request_id)


def _iter_chat_events(
    stream: SSEStream, client: HTTPClient, model: str
) -> Iterator[TResponseStreamEvent]:
    converter = ChatStreamConverter(model)
    done = False
    count = 0
    try:
        for sse in stream:
            data = sse.data
            if data == "[DONE]":
                done = True
                stream.drain()
                break
            try:
                chunk = json.loads(data)
            except ValueError:
                raise ModelBehaviorError(
                    f"Malformed server-sent event after {count} chunks: its data is not JSON: "
                    f"{data[:200]!r}"
                ) from None
            if not isinstance(chunk, dict):
                raise ModelBehaviorError(
                    f"Malformed server-sent event after {count} chunks: expected a JSON object, "
                    f"got {data[:200]!r}"
                )
            if "error" in chunk and not chunk.get("choices"):
                raise error_from_payload(
                    chunk["error"], context="The stream reported an error",
                    request_id=stream.request_id, redact=client.redact,
                )
            count += 1
            yield from converter.handle_chunk(chunk)
        if not done and converter.finish_reason is None:
            where = " in the middle of an event" if stream.truncated else ""
            raise APIConnectionError(
                f"The stream ended{where} before [DONE] (after {count} chunks, no finish_reason)"
            )
        yield from converter.finish()
    except APIConnectionError as exc:
        if "before [DONE]" in exc.message:
            raise
        raise type(exc)(
            f"The stream broke after {count} chunks, before [DONE]: {exc.message}"
        ) from exc
    finally:
        stream.close()
