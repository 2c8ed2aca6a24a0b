"""`OpenAIResponsesModel`: the OpenAI Responses API (`POST /responses`), plain and streamed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Optional, Union

from ..exceptions import APIConnectionError, ModelBehaviorError, UserError
from ..items import ModelResponse, TResponseInputItem, TResponseStreamEvent, drop_internal_fields
from ..usage import Usage
from .http import HTTPClient, SSEStream, error_from_payload
from .interface import Model, ModelTracing

if TYPE_CHECKING:
    from ..agent_output import AgentOutputSchemaBase
    from ..handoffs import Handoff
    from ..model_settings import ModelSettings

__all__ = ["OpenAIResponsesModel", "response_to_model_response"]

# `tool_choice` strings that select a hosted tool by type rather than a function by name.
_HOSTED_TOOL_CHOICES = frozenset(
    [
        "web_search",
        "web_search_preview",
        "file_search",
        "code_interpreter",
        "image_generation",
        "computer_use_preview",
        "computer_use",
        "local_shell",
        "shell",
        "apply_patch",
        "mcp",
    ]
)
_TERMINAL_FAILURES = frozenset(["response.failed", "response.incomplete", "error"])


def _tools_to_wire(tools: list[Any], handoffs: list[Handoff]) -> list[dict[str, Any]]:
    wire: list[dict[str, Any]] = []
    for tool in tools:
        to_wire = getattr(tool, "to_wire", None)
        if to_wire is None:
            if isinstance(tool, dict) and "type" in tool:
                wire.append(tool)  # a raw tool definition, sent as given
                continue
            raise UserError(f"Cannot send tool {tool!r} to the Responses API: it has no to_wire()")
        wire.append(to_wire())
    for handoff in handoffs:
        wire.append(handoff.to_wire())
    return wire


def _tool_choice(choice: Any, wire_tools: list[dict[str, Any]]) -> Any:
    if choice is None or isinstance(choice, dict):
        return choice
    if choice in ("auto", "required", "none"):
        return choice
    if not isinstance(choice, str):
        raise UserError(f"Unsupported tool_choice {choice!r}")
    for tool in wire_tools:
        if tool.get("type") == "function" and tool.get("name") == choice:
            return {"type": "function", "name": choice}
    if choice in _HOSTED_TOOL_CHOICES:
        return {"type": choice}
    return {"type": "function", "name": choice}


def _text_format(output_schema: Optional[AgentOutputSchemaBase]) -> Optional[dict[str, Any]]:
    if output_schema is None or output_schema.is_plain_text():
        return None
    return {
        "type": "json_schema",
        "name": "final_output",
        "schema": output_schema.json_schema(),
        "strict": output_schema.is_strict_json_schema(),
    }


def build_responses_body(
    model: str,
    system_instructions: Optional[str],
    input: Union[str, list[TResponseInputItem]],
    settings: ModelSettings,
    tools: list[Any],
    output_schema: Optional[AgentOutputSchemaBase],
    handoffs: list[Handoff],
    *,
    previous_response_id: Optional[str] = None,
    conversation_id: Optional[str] = None,
    prompt: Optional[dict[str, Any]] = None,
    stream: bool = False,
) -> dict[str, Any]:
    """The JSON body of a `POST /responses` request. None values are left out."""
    if previous_response_id and conversation_id:
        raise UserError("Send either previous_response_id or conversation_id, not both")
    if isinstance(input, str):
        items: list[TResponseInputItem] = [{"role": "user", "content": input}]
    else:
        items = [drop_internal_fields(item) for item in input]
    body: dict[str, Any] = {"model": model, "input": items}
    if system_instructions is not None:
        body["instructions"] = system_instructions
    wire_tools = _tools_to_wire(tools, handoffs) if (tools or handoffs) else []
    if wire_tools:
        body["tools"] = wire_tools
        if settings.parallel_tool_calls is not None:
            body["parallel_tool_calls"] = settings.parallel_tool_calls
    choice = _tool_choice(settings.tool_choice, wire_tools)
    if choice is not None:
        body["tool_choice"] = choice
    if settings.temperature is not None:
        body["temperature"] = settings.temperature
    if settings.top_p is not None:
        body["top_p"] = settings.top_p
    if settings.max_tokens is not None:
        body["max_output_tokens"] = settings.max_tokens
    if settings.truncation is not None:
        body["truncation"] = settings.truncation
    if settings.reasoning is not None:
        body["reasoning"] = settings.reasoning
    if settings.metadata is not None:
        body["metadata"] = settings.metadata
    if settings.store is not None:
        body["store"] = settings.store
    include = list(settings.response_include or ())
    if settings.top_logprobs is not None:
        body["top_logprobs"] = settings.top_logprobs
        if "message.output_text.logprobs" not in include:
            include.append("message.output_text.logprobs")
    if any(getattr(tool, "include_search_results", False) for tool in tools):
        # The file_search tool returns its hits only when the request asks for them.
        if "file_search_call.results" not in include:
            include.append("file_search_call.results")
    if include:
        body["include"] = include
    text: dict[str, Any] = {}
    fmt = _text_format(output_schema)
    if fmt is not None:
        text["format"] = fmt
    if settings.verbosity is not None:
        text["verbosity"] = settings.verbosity
    if text:
        body["text"] = text
    if prompt is not None:
        body["prompt"] = prompt
    if previous_response_id is not None:
        body["previous_response_id"] = previous_response_id
    if conversation_id is not None:
        body["conversation"] = conversation_id
    if stream:
        body["stream"] = True
    if settings.extra_body:
        body.update(settings.extra_body)
    if settings.extra_args:
        body.update(settings.extra_args)
    return body


def _check_status(response: dict[str, Any], request_id: Optional[str], redact: Any) -> None:
    status = response.get("status")
    if status == "failed":
        raise error_from_payload(
            response.get("error"), context="The response failed", request_id=request_id,
            redact=redact,
        )
    if status == "incomplete":
        reason = (response.get("incomplete_details") or {}).get("reason") or "unknown reason"
        raise ModelBehaviorError(f"The response is incomplete: {reason}")
    if status == "cancelled":
        raise ModelBehaviorError("The response was cancelled")


def response_to_model_response(
    response: dict[str, Any], *, request_id: Optional[str] = None, model: Optional[str] = None
) -> ModelResponse:
    """A `ModelResponse` from a Responses API response object (e.g. the `response` of a
    `response.completed` event): output items, usage (priced by the response's model name, else
    `model`) and ids."""
    response_id = response.get("id")
    return ModelResponse(
        output=response.get("output") or [],
        usage=Usage.from_responses_usage(response.get("usage"), model=response.get("model") or model),
        # Responses synthesised from Chat Completions carry a placeholder id: not reusable.
        response_id=None if response_id == "__fake_id__" else response_id,
        request_id=request_id,
    )


class OpenAIResponsesModel(Model):
    """A model behind the OpenAI Responses API (or a compatible server).

    Args:
        model: the model name sent in each request.
        client: an `HTTPClient` / `OpenAIClient` (`openai_client=` is accepted too, as in the
            reference SDK); None uses the process default
            (`set_default_openai_client`, else a shared `OpenAIClient` from the environment).
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
                f"OpenAIResponsesModel: client must be an OpenAIClient/HTTPClient, got "
                f"{type(client).__name__}"
            )
        self.model = model
        self._client = client

    def __repr__(self) -> str:
        return f"OpenAIResponsesModel(model={self.model!r})"

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
        body = build_responses_body(
            self.model, system_instructions, input, model_settings, tools, output_schema,
            handoffs, previous_response_id=previous_response_id,
            conversation_id=conversation_id, prompt=prompt,
        )
        client = self.client
        data, headers = client.post_json(
            "/responses",
            body,
            extra_headers=model_settings.extra_headers,
            extra_query=model_settings.extra_query,
            retry=model_settings.retry,
        )
        request_id = headers.get("x-request-id")
        if not isinstance(data, dict):
            raise ModelBehaviorError(f"The Responses API returned {type(data).__name__}, not an object")
        _check_status(data, request_id, client.redact)
        return response_to_model_response(data, request_id=request_id, model=self.model)

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
        """A generator: the request goes out on the first `next()`; closing the generator
        closes the HTTP response."""
        body = build_responses_body(
            self.model, system_instructions, input, model_settings, tools, output_schema,
            handoffs, previous_response_id=previous_response_id,
            conversation_id=conversation_id, prompt=prompt, stream=True,
        )
        client = self.client
        stream = client.post_stream(
            "/responses",
            body,
            extra_headers=model_settings.extra_headers,
            extra_query=model_settings.extra_query,
            retry=model_settings.retry,
        )
        yield from _iter_response_events(stream, client)


def _iter_response_events(stream: SSEStream, client: HTTPClient) -> Iterator[TResponseStreamEvent]:
    """Decode a Responses event stream; see `OpenAIResponsesModel.stream_response`.

    The stream is read to its end before `response.completed` is handed out, so the connection
    goes back to the pool even when the caller stops iterating at that event.
    """
    last_type: Optional[str] = None
    count = 0
    try:
        for sse in stream:
            data = sse.data
            try:
                event = json.loads(data)
            except ValueError:
                raise ModelBehaviorError(
                    f"Malformed server-sent event after {count} events "
                    f"(event: {sse.event!r}): its data is not JSON: {data[:200]!r}"
                ) from None
            if not isinstance(event, dict):
                raise ModelBehaviorError(
                    f"Malformed server-sent event after {count} events: expected a JSON object, "
                    f"got {data[:200]!r}"
                )
            kind = event.get("type")
            if kind is None:
                if "error" in event:  # a bare `{"error": {...}}` frame from a proxy
                    raise error_from_payload(
                        event["error"], context="The stream reported an error",
                        request_id=stream.request_id, redact=client.redact,
                    )
                if sse.event != "message":
                    kind = event["type"] = sse.event
            count += 1
            last_type = kind
            if kind == "response.completed":
                stream.drain()
                yield event
                return
            if kind in _TERMINAL_FAILURES:
                raise _terminal_error(kind, event, stream.request_id, client)
            yield event
        where = " in the middle of an event" if stream.truncated else ""
        raise APIConnectionError(
            f"The stream ended{where} before response.completed "
            f"(after {count} events; last event: {last_type!r})"
        )
    except APIConnectionError as exc:
        if "before response.completed" in exc.message:
            raise
        # Say where the stream broke; keep the class (a timeout stays a timeout).
        raise type(exc)(
            f"The stream broke after {count} events, before response.completed "
            f"(last event: {last_type!r}): {exc.message}"
        ) from exc
    finally:
        stream.close()


def _terminal_error(
    kind: str, event: dict[str, Any], request_id: Optional[str], client: HTTPClient
) -> Exception:
    if kind == "error":
        inner = event.get("error")
        source: dict[str, Any] = inner if isinstance(inner, dict) else event
        payload = {k: v for k, v in source.items() if k not in ("type", "sequence_number")}
        return error_from_payload(
            payload, context="The stream reported an error", request_id=request_id,
            redact=client.redact,
        )
    response = event.get("response") or {}
    if kind == "response.failed":
        return error_from_payload(
            response.get("error"), context="The response failed", request_id=request_id,
            redact=client.redact,
        )
    reason = (response.get("incomplete_details") or {}).get("reason") or "unknown reason"
    return ModelBehaviorError(f"The response is incomplete: {reason}")
