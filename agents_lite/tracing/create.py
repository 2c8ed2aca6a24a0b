"""`trace()` and the span constructors.

Every constructor returns an unstarted object: use it as a context manager (`with
function_span("lookup") as span: ...`), which starts it, makes it current and finishes it, or
call `start()` / `finish()` yourself. Spans attach to `parent` when given, else to the current
span, else to the current trace; with no trace active (or tracing off) they record nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

from .context import get_current_span, get_current_trace
from .setup import get_trace_provider
from .span_data import (
    AgentSpanData,
    CustomSpanData,
    FunctionSpanData,
    GenerationSpanData,
    GuardrailSpanData,
    HandoffSpanData,
    MCPListToolsSpanData,
    ResponseSpanData,
    SpeechGroupSpanData,
    SpeechSpanData,
    TaskSpanData,
    TranscriptionSpanData,
    TurnSpanData,
)
from .spans import Span
from .traces import Trace

__all__ = [
    "trace",
    "get_current_trace",
    "get_current_span",
    "agent_span",
    "task_span",
    "turn_span",
    "function_span",
    "generation_span",
    "response_span",
    "handoff_span",
    "custom_span",
    "guardrail_span",
    "mcp_tools_span",
    "transcription_span",
    "speech_span",
    "speech_group_span",
]

logger = logging.getLogger("agents_lite.tracing")

Parent = Union[Trace, Span[Any], None]


def trace(
    workflow_name: str,
    trace_id: Optional[str] = None,
    group_id: Optional[str] = None,
    metadata: Optional[dict[str, Any]] = None,
    tracing: Optional[Mapping[str, Any]] = None,
    disabled: bool = False,
) -> Trace:
    """A new trace for a workflow. Runs started inside `with trace(...):` add their spans to it
    instead of starting their own trace.

    `trace_id` defaults to a fresh `trace_<32hex>`; `group_id` links related traces (a chat
    thread); `metadata` is your own key/value data; `tracing={"api_key": ...}` exports this
    trace with another OpenAI key; `disabled=True` records nothing.

    >>> with trace("Joke workflow") as t:
    ...     t.name
    'Joke workflow'
    """
    if get_current_trace() is not None:
        logger.warning("trace(%r) started inside another trace; it becomes a separate trace",
                       workflow_name)
    api_key = tracing.get("api_key") if tracing else None
    return get_trace_provider().create_trace(
        workflow_name,
        trace_id=trace_id,
        group_id=group_id,
        metadata=metadata,
        disabled=disabled,
        tracing_api_key=api_key,
    )


def agent_span(
    name: str,
    handoffs: Optional[list[str]] = None,
    tools: Optional[list[str]] = None,
    output_type: Optional[str] = None,
    span_id: Optional[str] = None,
    parent: Parent = None,
    disabled: bool = False,
    metadata: Optional[dict[str, Any]] = None,
) -> Span[AgentSpanData]:
    """A span for an agent at work (its name, tools, handoff targets, output type)."""
    return get_trace_provider().create_span(
        AgentSpanData(name, handoffs, tools, output_type, metadata), span_id, parent, disabled
    )


def task_span(
    name: str,
    span_id: Optional[str] = None,
    parent: Parent = None,
    disabled: bool = False,
    metadata: Optional[dict[str, Any]] = None,
) -> Span[TaskSpanData]:
    """A span for one whole `Runner` run (exported as a custom span, `sdk_span_type` "task")."""
    return get_trace_provider().create_span(
        TaskSpanData(name, metadata=metadata), span_id, parent, disabled
    )


def turn_span(
    turn: int,
    agent_name: str,
    span_id: Optional[str] = None,
    parent: Parent = None,
    disabled: bool = False,
    metadata: Optional[dict[str, Any]] = None,
) -> Span[TurnSpanData]:
    """A span for one turn of the run loop (exported as a custom span, `sdk_span_type`
    "turn")."""
    return get_trace_provider().create_span(
        TurnSpanData(turn, agent_name, metadata=metadata), span_id, parent, disabled
    )


def function_span(
    name: str,
    input: Optional[str] = None,
    output: Optional[str] = None,
    span_id: Optional[str] = None,
    parent: Parent = None,
    disabled: bool = False,
    metadata: Optional[dict[str, Any]] = None,
) -> Span[FunctionSpanData]:
    """A span for a tool call: its name, its JSON arguments and its output."""
    return get_trace_provider().create_span(
        FunctionSpanData(name, input, output, metadata=metadata), span_id, parent, disabled
    )


def generation_span(
    input: Optional[Sequence[Mapping[str, Any]]] = None,
    output: Optional[Sequence[Mapping[str, Any]]] = None,
    model: Optional[str] = None,
    model_config: Optional[Mapping[str, Any]] = None,
    usage: Optional[dict[str, Any]] = None,
    span_id: Optional[str] = None,
    parent: Parent = None,
    disabled: bool = False,
    metadata: Optional[dict[str, Any]] = None,
) -> Span[GenerationSpanData]:
    """A span for one model call: the input messages, the output items, the model name and
    settings, and the token usage."""
    return get_trace_provider().create_span(
        GenerationSpanData(input, output, model, model_config, usage, metadata),
        span_id,
        parent,
        disabled,
    )


def response_span(
    response: Any = None,
    span_id: Optional[str] = None,
    parent: Parent = None,
    disabled: bool = False,
    metadata: Optional[dict[str, Any]] = None,
) -> Span[ResponseSpanData]:
    """A span for one Responses API call; set `span.span_data.response` to the response (a
    dict with an `id`) when it arrives."""
    return get_trace_provider().create_span(
        ResponseSpanData(response, metadata=metadata), span_id, parent, disabled
    )


def handoff_span(
    from_agent: Optional[str] = None,
    to_agent: Optional[str] = None,
    span_id: Optional[str] = None,
    parent: Parent = None,
    disabled: bool = False,
    metadata: Optional[dict[str, Any]] = None,
) -> Span[HandoffSpanData]:
    """A span for a handoff from one agent to another."""
    return get_trace_provider().create_span(
        HandoffSpanData(from_agent, to_agent, metadata), span_id, parent, disabled
    )


def custom_span(
    name: str,
    data: Optional[dict[str, Any]] = None,
    span_id: Optional[str] = None,
    parent: Parent = None,
    disabled: bool = False,
    metadata: Optional[dict[str, Any]] = None,
) -> Span[CustomSpanData]:
    """A span of your own, with a name and a dict of data.

    >>> with trace("Example"):
    ...     with custom_span("load", {"rows": 3}) as span:
    ...         span.span_data.data["rows"]
    3
    """
    return get_trace_provider().create_span(
        CustomSpanData(name, data, metadata), span_id, parent, disabled
    )


def guardrail_span(
    name: str,
    triggered: bool = False,
    span_id: Optional[str] = None,
    parent: Parent = None,
    disabled: bool = False,
    metadata: Optional[dict[str, Any]] = None,
) -> Span[GuardrailSpanData]:
    """A span for a guardrail check; set `span.span_data.triggered` when its tripwire fires."""
    return get_trace_provider().create_span(
        GuardrailSpanData(name, triggered, metadata), span_id, parent, disabled
    )


def mcp_tools_span(
    server: Optional[str] = None,
    result: Optional[list[str]] = None,
    span_id: Optional[str] = None,
    parent: Parent = None,
    disabled: bool = False,
    metadata: Optional[dict[str, Any]] = None,
) -> Span[MCPListToolsSpanData]:
    """A span for listing an MCP server's tools (the server name and the tool names)."""
    return get_trace_provider().create_span(
        MCPListToolsSpanData(server, result, metadata), span_id, parent, disabled
    )


def transcription_span(
    model: Optional[str] = None,
    input: Optional[str] = None,
    input_format: Optional[str] = "pcm",
    output: Optional[str] = None,
    model_config: Optional[Mapping[str, Any]] = None,
    span_id: Optional[str] = None,
    parent: Parent = None,
    disabled: bool = False,
    metadata: Optional[dict[str, Any]] = None,
) -> Span[TranscriptionSpanData]:
    """A span for speech to text: the model, the audio input (base64), the transcript."""
    return get_trace_provider().create_span(
        TranscriptionSpanData(input, input_format, output, model, model_config, metadata),
        span_id,
        parent,
        disabled,
    )


def speech_span(
    model: Optional[str] = None,
    input: Optional[str] = None,
    output: Optional[str] = None,
    output_format: Optional[str] = "pcm",
    model_config: Optional[Mapping[str, Any]] = None,
    first_content_at: Optional[str] = None,
    span_id: Optional[str] = None,
    parent: Parent = None,
    disabled: bool = False,
    metadata: Optional[dict[str, Any]] = None,
) -> Span[SpeechSpanData]:
    """A span for text to speech: the model, the text, the audio output (base64) and when the
    first audio arrived."""
    return get_trace_provider().create_span(
        SpeechSpanData(input, output, output_format, model, model_config, first_content_at,
                       metadata),
        span_id,
        parent,
        disabled,
    )


def speech_group_span(
    input: Optional[str] = None,
    span_id: Optional[str] = None,
    parent: Parent = None,
    disabled: bool = False,
    metadata: Optional[dict[str, Any]] = None,
) -> Span[SpeechGroupSpanData]:
    """A span grouping the speech spans of one spoken answer."""
    return get_trace_provider().create_span(
        SpeechGroupSpanData(input, metadata), span_id, parent, disabled
    )
