"""Scripted models for recording the cassettes of examples/tracing (see ../_record_cassettes.py)."""

from __future__ import annotations

from typing import Any

from _scripting import Recording, Turn


def custom_spans(turn: Turn) -> str:
    if "Rate" in turn.instructions:
        return "7/10: short, and the pun on spans lands."
    return "Why did the trace break up with the log? It needed more context and fewer messages."


def file_exporter(turn: Turn) -> Any:
    if turn.offers("get_weather") and not turn.outputs("get_weather"):
        return [turn.call("get_weather", {"city": "Oslo"})]
    return f"It is {turn.outputs('get_weather')[-1]} in Oslo today."


def otlp_exporter(turn: Turn) -> Any:
    if turn.offers("search_papers") and not turn.outputs("search_papers"):
        return [turn.call("search_papers", {"query": "distributed tracing"})]
    return ("Two classics: Dapper (2010) introduced low-overhead tracing at Google, and "
            "OpenTelemetry unified the tracing APIs later.")


RECORDINGS = [
    Recording("custom_spans.py", custom_spans),
    Recording("file_exporter.py", file_exporter),
    Recording("otlp_exporter.py", otlp_exporter),
]
