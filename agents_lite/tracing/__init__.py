"""Tracing: traces and spans of agent runs, delivered by processors to exporters.

    from agents_lite.tracing import trace, custom_span

    with trace("Nightly report"):
        result = Runner.run_sync(agent, "...")
        with custom_span("post-process", {"rows": 12}):
            ...

Runs trace themselves (one trace per run unless inside `trace()`), with task, agent, turn,
generation, function, handoff and guardrail spans. Importing this package is cheap: the
processors and exporters (and `requests`) load when first used.
"""

from __future__ import annotations

from typing import Any

from .context import get_current_span, get_current_trace
from .create import (
    agent_span,
    custom_span,
    function_span,
    generation_span,
    guardrail_span,
    handoff_span,
    mcp_tools_span,
    response_span,
    speech_group_span,
    speech_span,
    task_span,
    trace,
    transcription_span,
    turn_span,
)
from .ids import gen_group_id, gen_span_id, gen_trace_id
from .processor_interface import TracingExporter, TracingProcessor
from .setup import (
    SynchronousMultiTracingProcessor,
    TraceProvider,
    add_trace_processor,
    flush_traces,
    get_trace_provider,
    get_tracing_export_api_key,
    set_trace_processors,
    set_trace_provider,
    set_tracing_disabled,
    set_tracing_export_api_key,
)
from .span_data import (
    AgentSpanData,
    CustomSpanData,
    FunctionSpanData,
    GenerationSpanData,
    GuardrailSpanData,
    HandoffSpanData,
    MCPListToolsSpanData,
    ResponseSpanData,
    SpanData,
    SpeechGroupSpanData,
    SpeechSpanData,
    TaskSpanData,
    TranscriptionSpanData,
    TurnSpanData,
)
from .spans import NoOpSpan, Span, SpanError
from .traces import NoOpTrace, Trace

__all__ = [
    "AgentSpanData",
    "BackendSpanExporter",
    "BatchTraceProcessor",
    "ConsoleSpanExporter",
    "CustomSpanData",
    "FileSpanExporter",
    "FunctionSpanData",
    "GenerationSpanData",
    "GuardrailSpanData",
    "HandoffSpanData",
    "MCPListToolsSpanData",
    "NoOpSpan",
    "NoOpTrace",
    "OTLPSpanExporter",
    "ResponseSpanData",
    "Span",
    "SpanData",
    "SpanError",
    "SpeechGroupSpanData",
    "SpeechSpanData",
    "SynchronousMultiTracingProcessor",
    "TaskSpanData",
    "Trace",
    "TraceProvider",
    "TracingExporter",
    "TracingProcessor",
    "TranscriptionSpanData",
    "TurnSpanData",
    "add_trace_processor",
    "agent_span",
    "custom_span",
    "default_exporter",
    "default_processor",
    "flush_traces",
    "function_span",
    "gen_group_id",
    "gen_span_id",
    "gen_trace_id",
    "generation_span",
    "get_current_span",
    "get_current_trace",
    "get_trace_provider",
    "get_tracing_export_api_key",
    "guardrail_span",
    "handoff_span",
    "mcp_tools_span",
    "print_trace_tree",
    "response_span",
    "set_trace_processors",
    "set_trace_provider",
    "set_tracing_disabled",
    "set_tracing_export_api_key",
    "speech_group_span",
    "speech_span",
    "task_span",
    "trace",
    "transcription_span",
    "turn_span",
]

_LAZY = {
    "BatchTraceProcessor": "processors",
    "default_exporter": "processors",
    "default_processor": "processors",
    "BackendSpanExporter": "exporters",
    "ConsoleSpanExporter": "exporters",
    "FileSpanExporter": "exporters",
    "OTLPSpanExporter": "otlp",
    "print_trace_tree": "viewer",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
