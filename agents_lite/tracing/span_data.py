"""What a span is about: one small class per span type, exported in the trace-ingest shape.

Span data holds plain references (lists, dicts, settings and usage objects) while the span is
open; `export()` turns them into the wire dict and is called by exporters, in their own thread,
so nothing is serialised on the run's hot path. Arbitrary user values (custom data, tool
outputs) are made JSON-safe later by the exporter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Optional

from ..usage import Usage

__all__ = [
    "SpanData",
    "AgentSpanData",
    "TaskSpanData",
    "TurnSpanData",
    "FunctionSpanData",
    "GenerationSpanData",
    "ResponseSpanData",
    "HandoffSpanData",
    "CustomSpanData",
    "GuardrailSpanData",
    "TranscriptionSpanData",
    "SpeechSpanData",
    "SpeechGroupSpanData",
    "MCPListToolsSpanData",
    "usage_to_dict",
    "model_config_to_dict",
]

_CONVERTED_KEYS = frozenset(("input_tokens", "output_tokens", "details"))
_REDACTED = "[redacted]"
# ModelSettings fields that may carry credentials (e.g. an `api-key` header or query parameter).
_SECRET_SETTING_FIELDS = ("extra_headers", "extra_query")


def usage_to_dict(usage: Any) -> Optional[dict[str, Any]]:
    """A usage object (`Usage`, a Responses `usage` dict, or None) as
    `{input_tokens, output_tokens, details?}`."""
    out: dict[str, Any]
    cached: Any
    reasoning: Any
    if type(usage) is Usage:  # what runs pass (checked first): plain attribute reads
        out = {"input_tokens": usage.input_tokens or 0, "output_tokens": usage.output_tokens or 0}
        cached = usage.input_tokens_details.cached_tokens
        reasoning = usage.output_tokens_details.reasoning_tokens
        if not (cached or reasoning):
            return out
    elif usage is None:
        return None
    elif type(usage) is dict and usage.keys() <= _CONVERTED_KEYS:
        return usage  # already in this shape (what runs record)
    elif isinstance(usage, dict) or (
        not hasattr(usage, "input_tokens") and isinstance(usage, Mapping)
    ):
        out = {
            "input_tokens": usage.get("input_tokens") or 0,
            "output_tokens": usage.get("output_tokens") or 0,
        }
        cached = (usage.get("input_tokens_details") or {}).get("cached_tokens")
        reasoning = (usage.get("output_tokens_details") or {}).get("reasoning_tokens")
    else:
        out = {
            "input_tokens": getattr(usage, "input_tokens", 0) or 0,
            "output_tokens": getattr(usage, "output_tokens", 0) or 0,
        }
        cached = getattr(getattr(usage, "input_tokens_details", None), "cached_tokens", None)
        reasoning = getattr(getattr(usage, "output_tokens_details", None), "reasoning_tokens", None)
    if cached or reasoning:
        details: dict[str, Any] = {}
        if cached:
            details["cached_tokens"] = cached
        if reasoning:
            details["reasoning_tokens"] = reasoning
        out["details"] = details
    return out


def model_config_to_dict(config: Any) -> Optional[dict[str, Any]]:
    """Model settings (a `ModelSettings` or a mapping) as a dict of the fields that are set,
    with header and query values that could hold credentials redacted."""
    if config is None:
        return None
    if isinstance(config, dict) or (
        not hasattr(config, "__dict__") and isinstance(config, Mapping)
    ):
        out = dict(config)
    else:
        try:
            fields = vars(config)
        except TypeError:
            return {"value": repr(config)}
        out = {k: v for k, v in fields.items() if v is not None and k[:1] != "_"}
    for key in _SECRET_SETTING_FIELDS:
        value = out.get(key)
        if value is not None and isinstance(value, Mapping):
            out[key] = {name: _REDACTED for name in value}
    return out


# The wire shapes of the span types a run records, shared by the data classes and by the
# run's own spans, which export their fields without building a data object (run_spans).


def export_task(name: str, usage: Any) -> dict[str, Any]:
    """The wire dict of a task span (a custom span, `data.sdk_span_type == "task"`)."""
    data: dict[str, Any] = {"sdk_span_type": "task", "name": name}
    if usage is not None:
        data["usage"] = usage_to_dict(usage)
    return {"type": "custom", "name": "task", "data": data}


def export_turn(turn: int, agent_name: str, usage: Any) -> dict[str, Any]:
    """The wire dict of a turn span (a custom span, `data.sdk_span_type == "turn"`)."""
    data: dict[str, Any] = {"sdk_span_type": "turn", "turn": turn, "agent_name": agent_name}
    if usage is not None:
        data["usage"] = usage_to_dict(usage)
    return {"type": "custom", "name": "turn", "data": data}


def export_agent(
    name: str, handoffs: Optional[list[str]], tools: Optional[list[str]], output_type: Optional[str]
) -> dict[str, Any]:
    """The wire dict of an agent span."""
    return {
        "type": "agent", "name": name, "handoffs": handoffs, "tools": tools,
        "output_type": output_type,
    }


def export_generation(
    input: Optional[Sequence[Any]], output: Optional[Sequence[Any]], model: Optional[str],
    model_config: Any, usage: Any,
) -> dict[str, Any]:
    """The wire dict of a generation span."""
    return {
        "type": "generation",
        "input": None if input is None else list(input),
        "output": None if output is None else list(output),
        "model": model,
        "model_config": model_config_to_dict(model_config),
        "usage": usage_to_dict(usage),
    }


class SpanData:
    """Base class of span payloads. Subclasses set `type` and implement `export()`."""

    __slots__ = ("metadata",)

    type: str = "custom"
    """The span type as exported (`agent`, `function`, `generation`, ...)."""

    def __init__(self, metadata: Optional[dict[str, Any]] = None) -> None:
        self.metadata = metadata

    def export(self) -> dict[str, Any]:
        """The wire dict of this span's data."""
        return {"type": self.type}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.export()!r})"


class AgentSpanData(SpanData):
    """An agent at work: its name, tools, handoff targets and output type."""

    __slots__ = ("name", "handoffs", "tools", "output_type")
    type = "agent"

    def __init__(
        self,
        name: str,
        handoffs: Optional[list[str]] = None,
        tools: Optional[list[str]] = None,
        output_type: Optional[str] = None,
        metadata: Optional[dict[str, Any]] = None,
    ) -> None:
        self.name = name
        self.handoffs = handoffs
        self.tools = tools
        self.output_type = output_type
        self.metadata = metadata

    def export(self) -> dict[str, Any]:
        return export_agent(self.name, self.handoffs, self.tools, self.output_type)


class TaskSpanData(SpanData):
    """One `Runner` run (exported as a custom span with `data.sdk_span_type == "task"`)."""

    __slots__ = ("name", "usage")
    type = "task"

    def __init__(
        self, name: str, usage: Any = None, metadata: Optional[dict[str, Any]] = None
    ) -> None:
        self.name = name
        self.usage = usage
        self.metadata = metadata

    def export(self) -> dict[str, Any]:
        return export_task(self.name, self.usage)


class TurnSpanData(SpanData):
    """One turn of the run loop (a custom span with `data.sdk_span_type == "turn"`)."""

    __slots__ = ("turn", "agent_name", "usage")
    type = "turn"

    def __init__(
        self,
        turn: int,
        agent_name: str,
        usage: Any = None,
        metadata: Optional[dict[str, Any]] = None,
    ) -> None:
        self.turn = turn
        self.agent_name = agent_name
        self.usage = usage
        self.metadata = metadata

    def export(self) -> dict[str, Any]:
        return export_turn(self.turn, self.agent_name, self.usage)


class FunctionSpanData(SpanData):
    """A tool call: the tool name, its JSON arguments and its output."""

    __slots__ = ("name", "input", "output", "mcp_data")
    type = "function"

    def __init__(
        self,
        name: str,
        input: Optional[str] = None,
        output: Any = None,
        mcp_data: Optional[dict[str, Any]] = None,
        metadata: Optional[dict[str, Any]] = None,
    ) -> None:
        self.name = name
        self.input = input
        self.output = output
        self.mcp_data = mcp_data
        self.metadata = metadata

    def export(self) -> dict[str, Any]:
        output = self.output
        return {
            "type": self.type,
            "name": self.name,
            "input": self.input,
            "output": None if output is None else (output if isinstance(output, str) else str(output)),
            "mcp_data": self.mcp_data,
        }


class GenerationSpanData(SpanData):
    """A model call: input messages, output items, model name and settings, token usage."""

    __slots__ = ("input", "output", "model", "model_config", "usage")
    type = "generation"

    def __init__(
        self,
        input: Optional[Sequence[Any]] = None,
        output: Optional[Sequence[Any]] = None,
        model: Optional[str] = None,
        model_config: Any = None,
        usage: Any = None,
        metadata: Optional[dict[str, Any]] = None,
    ) -> None:
        self.input = input
        self.output = output
        self.model = model
        self.model_config = model_config
        self.usage = usage
        self.metadata = metadata

    def export(self) -> dict[str, Any]:
        return export_generation(
            self.input, self.output, self.model, self.model_config, self.usage
        )


class ResponseSpanData(SpanData):
    """A Responses API call, identified by its response id. `response` may be the response
    object (dict) or anything with an `id`; `input` is kept for custom processors only."""

    __slots__ = ("response", "input", "usage")
    type = "response"

    def __init__(
        self,
        response: Any = None,
        input: Any = None,
        usage: Any = None,
        metadata: Optional[dict[str, Any]] = None,
    ) -> None:
        self.response = response
        self.input = input
        self.usage = usage
        self.metadata = metadata

    @property
    def response_id(self) -> Optional[str]:
        """The id of `response`, if known."""
        response = self.response
        if response is None:
            return None
        if isinstance(response, Mapping):
            return response.get("id")
        if isinstance(response, str):
            return response
        return getattr(response, "id", None) or getattr(response, "response_id", None)

    def export(self) -> dict[str, Any]:
        usage = self.usage
        if usage is None and isinstance(self.response, Mapping):
            usage = self.response.get("usage")
        out: dict[str, Any] = {"type": self.type, "response_id": self.response_id}
        if usage is not None:
            out["usage"] = usage_to_dict(usage)
        return out


class HandoffSpanData(SpanData):
    """A handoff from one agent to another."""

    __slots__ = ("from_agent", "to_agent")
    type = "handoff"

    def __init__(
        self,
        from_agent: Optional[str],
        to_agent: Optional[str],
        metadata: Optional[dict[str, Any]] = None,
    ) -> None:
        self.from_agent = from_agent
        self.to_agent = to_agent
        self.metadata = metadata

    def export(self) -> dict[str, Any]:
        return {"type": self.type, "from_agent": self.from_agent, "to_agent": self.to_agent}


class CustomSpanData(SpanData):
    """Your own span: a name and a dict of data."""

    __slots__ = ("name", "data")
    type = "custom"

    def __init__(
        self, name: str, data: Optional[dict[str, Any]] = None, metadata: Optional[dict[str, Any]] = None
    ) -> None:
        self.name = name
        self.data = data if data is not None else {}
        self.metadata = metadata

    def export(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "data": self.data}


class GuardrailSpanData(SpanData):
    """A guardrail check and whether its tripwire triggered."""

    __slots__ = ("name", "triggered")
    type = "guardrail"

    def __init__(
        self, name: str, triggered: bool = False, metadata: Optional[dict[str, Any]] = None
    ) -> None:
        self.name = name
        self.triggered = triggered
        self.metadata = metadata

    def export(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "triggered": self.triggered}


class TranscriptionSpanData(SpanData):
    """Speech to text: the audio input (base64), the transcript, the model."""

    __slots__ = ("input", "input_format", "output", "model", "model_config")
    type = "transcription"

    def __init__(
        self,
        input: Optional[str] = None,
        input_format: Optional[str] = "pcm",
        output: Optional[str] = None,
        model: Optional[str] = None,
        model_config: Any = None,
        metadata: Optional[dict[str, Any]] = None,
    ) -> None:
        self.input = input
        self.input_format = input_format
        self.output = output
        self.model = model
        self.model_config = model_config
        self.metadata = metadata

    def export(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "input": {"data": self.input or "", "format": self.input_format},
            "output": self.output,
            "model": self.model,
            "model_config": model_config_to_dict(self.model_config),
        }


class SpeechSpanData(SpanData):
    """Text to speech: the text, the audio output (base64), the model, time to first audio."""

    __slots__ = ("input", "output", "output_format", "model", "model_config", "first_content_at")
    type = "speech"

    def __init__(
        self,
        input: Optional[str] = None,
        output: Optional[str] = None,
        output_format: Optional[str] = "pcm",
        model: Optional[str] = None,
        model_config: Any = None,
        first_content_at: Optional[str] = None,
        metadata: Optional[dict[str, Any]] = None,
    ) -> None:
        self.input = input
        self.output = output
        self.output_format = output_format
        self.model = model
        self.model_config = model_config
        self.first_content_at = first_content_at
        self.metadata = metadata

    def export(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "input": self.input,
            "output": {"data": self.output or "", "format": self.output_format},
            "model": self.model,
            "model_config": model_config_to_dict(self.model_config),
            "first_content_at": self.first_content_at,
        }


class SpeechGroupSpanData(SpanData):
    """Groups the speech spans of one spoken answer."""

    __slots__ = ("input",)
    type = "speech_group"

    def __init__(self, input: Optional[str] = None, metadata: Optional[dict[str, Any]] = None) -> None:
        self.input = input
        self.metadata = metadata

    def export(self) -> dict[str, Any]:
        return {"type": self.type, "input": self.input}


class MCPListToolsSpanData(SpanData):
    """Listing the tools of an MCP server: the server name and the tool names."""

    __slots__ = ("server", "result")
    type = "mcp_tools"

    def __init__(
        self,
        server: Optional[str] = None,
        result: Optional[list[str]] = None,
        metadata: Optional[dict[str, Any]] = None,
    ) -> None:
        self.server = server
        self.result = result
        self.metadata = metadata

    def export(self) -> dict[str, Any]:
        return {"type": self.type, "server": self.server, "result": self.result}
