"""`OTLPSpanExporter`: send spans to any OpenTelemetry collector over OTLP/HTTP with JSON
bodies (`POST .../v1/traces`), with no OpenTelemetry package installed.

Mapping: the trace id's 32 hex digits become the OTLP `traceId`; a span id's first 16 hex digits
become its `spanId` (the full ids are kept as attributes). Each span carries its type, the
workflow name and group id of its trace, its data as attributes (GenAI semantic-convention
names where one exists: `gen_ai.agent.name`, `gen_ai.tool.name`, `gen_ai.request.model`,
`gen_ai.usage.input_tokens`, ...; others under `agents.<type>.<field>`, structured values as
JSON strings), and an error status when the span recorded an error.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import os
import re
import threading
from typing import Any, Optional
from urllib.parse import unquote

from .exporters import MAX_FIELD_BYTES, Item, _Warnings, dumps_json, export_item
from .processor_interface import TracingExporter

__all__ = ["OTLPSpanExporter", "DEFAULT_OTLP_ENDPOINT"]

logger = logging.getLogger("agents_lite.tracing")

DEFAULT_OTLP_ENDPOINT = "http://localhost:4318/v1/traces"
"""A local collector's OTLP/HTTP traces endpoint."""

_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_HEX16 = re.compile(r"^[0-9a-f]{16,}$")
_SPAN_KIND_INTERNAL = 1
_SPAN_KIND_CLIENT = 3
_STATUS_ERROR = 2
_RETRYABLE = (429, 502, 503, 504)
_TRACE_CACHE_SIZE = 4096
_SCOPE_VERSION = "1"


def _otlp_trace_id(trace_id: str) -> str:
    hex_part = trace_id[6:] if trace_id.startswith("trace_") else trace_id
    if _HEX32.match(hex_part):
        return hex_part
    return hashlib.md5(trace_id.encode("utf-8")).hexdigest()  # noqa: S324 - an id, not security


def _otlp_span_id(span_id: str) -> str:
    hex_part = span_id[5:] if span_id.startswith("span_") else span_id
    if _HEX16.match(hex_part) and hex_part[:16] != "0" * 16:
        return hex_part[:16]
    return hashlib.md5(span_id.encode("utf-8")).hexdigest()[:16]  # noqa: S324


def _nanos(iso: Optional[str]) -> str:
    if not iso:
        return "0"
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return "0"
    return str(int(round(moment.timestamp() * 1_000_000)) * 1000)


def _clip(text: str) -> str:
    if len(text) <= MAX_FIELD_BYTES // 4 or len(text.encode("utf-8")) <= MAX_FIELD_BYTES:
        return text
    return text.encode("utf-8")[:MAX_FIELD_BYTES].decode("utf-8", "ignore") + "... [truncated]"


def _any_value(value: Any) -> dict[str, Any]:
    """An OTLP AnyValue: primitives natively, lists of primitives as arrays, the rest as
    JSON strings."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": _clip(value)}
    if isinstance(value, list) and all(
        isinstance(v, (str, bool, int, float)) for v in value
    ):
        return {"arrayValue": {"values": [_any_value(v) for v in value]}}
    return {"stringValue": _clip(dumps_json(value))}


def _attr(key: str, value: Any) -> dict[str, Any]:
    return {"key": key, "value": _any_value(value)}


def _parse_headers(text: Optional[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for part in (text or "").split(","):
        if "=" in part:
            name, _, value = part.partition("=")
            if name.strip():
                headers[unquote(name.strip())] = unquote(value.strip())
    return headers


class OTLPSpanExporter(TracingExporter):
    """Exports spans as OTLP/HTTP JSON to an OpenTelemetry collector.

    `endpoint` is the full traces URL; default `$OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else
    `$OTEL_EXPORTER_OTLP_ENDPOINT` + "/v1/traces", else "http://localhost:4318/v1/traces".
    `headers` default to `$OTEL_EXPORTER_OTLP_HEADERS` ("k=v,k2=v2"); `service_name` to
    `$OTEL_SERVICE_NAME`, else "agents_lite". 429/502/503/504 and network errors are retried
    (`max_retries` attempts in all, backoff from `base_delay`); other errors drop the batch.

        from agents_lite.tracing import BatchTraceProcessor, OTLPSpanExporter, add_trace_processor
        add_trace_processor(BatchTraceProcessor(OTLPSpanExporter()))
    """

    def __init__(
        self,
        endpoint: Optional[str] = None,
        headers: Optional[dict[str, str]] = None,
        service_name: Optional[str] = None,
        resource_attributes: Optional[dict[str, Any]] = None,
        timeout: float = 10.0,
        max_retries: int = 3,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
    ) -> None:
        if endpoint is None:
            endpoint = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        if endpoint is None:
            base = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
            endpoint = base.rstrip("/") + "/v1/traces" if base else DEFAULT_OTLP_ENDPOINT
        self.endpoint = endpoint
        """The URL batches are posted to."""
        if headers is None:
            headers = _parse_headers(
                os.environ.get("OTEL_EXPORTER_OTLP_TRACES_HEADERS")
                or os.environ.get("OTEL_EXPORTER_OTLP_HEADERS")
            )
        self.headers = dict(headers)
        self.service_name = service_name or os.environ.get("OTEL_SERVICE_NAME") or "agents_lite"
        self.resource_attributes = dict(resource_attributes or {})
        self.timeout = timeout
        self.max_retries = max(1, int(max_retries))
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.requests_sent = 0
        """Requests the collector accepted."""
        self.batches_dropped = 0
        """Requests given up on."""
        self._traces: collections.OrderedDict[str, dict[str, Any]] = collections.OrderedDict()
        self._traces_lock = threading.Lock()
        self._warnings = _Warnings()

    # --- mapping -----------------------------------------------------------------------------

    def _remember_trace(self, data: dict[str, Any]) -> None:
        with self._traces_lock:
            self._traces[str(data.get("id"))] = data
            while len(self._traces) > _TRACE_CACHE_SIZE:
                self._traces.popitem(last=False)

    def _trace_info(self, trace_id: str) -> Optional[dict[str, Any]]:
        with self._traces_lock:
            return self._traces.get(trace_id)

    def span_to_otlp(self, data: dict[str, Any]) -> dict[str, Any]:
        """One exported span dict (`object: "trace.span"`) as an OTLP span."""
        trace_id = str(data.get("trace_id") or "")
        span_id = str(data.get("id") or "")
        span_data = data.get("span_data") or {}
        span_type = str(span_data.get("type") or "span")
        attributes = [
            _attr("agents.span.type", span_type),
            _attr("agents.trace_id", trace_id),
            _attr("agents.span_id", span_id),
        ]
        info = self._trace_info(trace_id)
        if info is not None:
            attributes.append(_attr("agents.workflow.name", info.get("workflow_name") or ""))
            if info.get("group_id"):
                attributes.append(_attr("agents.group_id", info["group_id"]))
            if info.get("metadata"):
                attributes.append(_attr("agents.trace.metadata", info["metadata"]))
        name, kind, extra = _describe(span_type, span_data)
        attributes.extend(extra)
        for key, value in span_data.items():
            if key != "type" and value is not None:
                attributes.append(_attr(f"agents.{span_type}.{key}", value))
        if data.get("metadata"):
            attributes.append(_attr("agents.span.metadata", data["metadata"]))
        span: dict[str, Any] = {
            "traceId": _otlp_trace_id(trace_id),
            "spanId": _otlp_span_id(span_id),
            "name": name,
            "kind": kind,
            "startTimeUnixNano": _nanos(data.get("started_at")),
            "endTimeUnixNano": _nanos(data.get("ended_at")),
            "attributes": attributes,
        }
        parent = data.get("parent_id")
        if parent:
            span["parentSpanId"] = _otlp_span_id(str(parent))
        error = data.get("error")
        if error:
            message = str(error.get("message") or "") if isinstance(error, dict) else str(error)
            span["status"] = {"code": _STATUS_ERROR, "message": _clip(message)}
            if isinstance(error, dict) and error.get("data") is not None:
                attributes.append(_attr("agents.error.data", error["data"]))
        return span

    def build_request(self, items: list[Item]) -> Optional[dict[str, Any]]:
        """The `ExportTraceServiceRequest` JSON for these items (None when no span is in it)."""
        spans = []
        for item in items:
            data = export_item(item)
            if data is None:
                continue
            if data.get("object") == "trace":
                self._remember_trace(data)
            elif data.get("object") == "trace.span":
                spans.append(self.span_to_otlp(data))
        if not spans:
            return None
        resource = [_attr("service.name", self.service_name)]
        resource.extend(_attr(k, v) for k, v in self.resource_attributes.items())
        resource.append(_attr("telemetry.sdk.name", "agents_lite"))
        return {
            "resourceSpans": [
                {
                    "resource": {"attributes": resource},
                    "scopeSpans": [
                        {
                            "scope": {"name": "agents_lite", "version": _SCOPE_VERSION},
                            "spans": spans,
                        }
                    ],
                }
            ]
        }

    # --- sending -----------------------------------------------------------------------------

    def export(self, items: list[Item]) -> None:
        """Post the spans among `items` to the collector. Never raises for HTTP problems."""
        request = self.build_request(items)
        if request is None:
            return
        from .http_post import post_with_retries

        body = dumps_json(request).encode("utf-8")
        headers = {"Content-Type": "application/json", **self.headers}
        status, text = post_with_retries(
            self.endpoint, body, headers, timeout=self.timeout, max_retries=self.max_retries,
            base_delay=self.base_delay, max_delay=self.max_delay,
            retryable=lambda code: code >= 500 or code in _RETRYABLE,
        )
        if status is not None and status < 300:
            self.requests_sent += 1
            return
        self.batches_dropped += 1
        problem = text if status is None else f"HTTP {status}: {text[:300]}"
        self._warnings.log(
            "otlp-failed" if status is None else f"otlp-{status}",
            "OTLP export to %s failed (%s); dropped %d spans",
            self.endpoint, problem, len(request["resourceSpans"][0]["scopeSpans"][0]["spans"]),
        )

    def __repr__(self) -> str:
        return f"OTLPSpanExporter(endpoint={self.endpoint!r})"


def _describe(span_type: str, data: dict[str, Any]) -> tuple[str, int, list[dict[str, Any]]]:
    """A span's OTLP name and kind, and its GenAI semantic-convention attributes."""
    if span_type == "agent":
        name = str(data.get("name") or "")
        return f"agent {name}", _SPAN_KIND_INTERNAL, [
            _attr("gen_ai.operation.name", "invoke_agent"),
            _attr("gen_ai.agent.name", name),
        ]
    if span_type == "function":
        name = str(data.get("name") or "")
        return f"function {name}", _SPAN_KIND_INTERNAL, [
            _attr("gen_ai.operation.name", "execute_tool"),
            _attr("gen_ai.tool.name", name),
        ]
    if span_type in ("generation", "response"):
        extra = [_attr("gen_ai.operation.name", "chat")]
        model = data.get("model")
        if model:
            extra.append(_attr("gen_ai.request.model", str(model)))
        usage = data.get("usage")
        if isinstance(usage, dict):
            for key in ("input_tokens", "output_tokens"):
                if isinstance(usage.get(key), int):
                    extra.append(_attr(f"gen_ai.usage.{key}", usage[key]))
        return f"{span_type} {model or ''}".strip(), _SPAN_KIND_CLIENT, extra
    if span_type == "handoff":
        return f"handoff {data.get('from_agent')} -> {data.get('to_agent')}", 1, []
    if span_type == "custom":
        inner = data.get("data")
        kind = inner.get("sdk_span_type") if isinstance(inner, dict) else None
        if kind == "turn":
            return f"turn {inner.get('turn')}", 1, []  # type: ignore[union-attr]
        if kind == "task":
            return f"task {inner.get('name')}", 1, []  # type: ignore[union-attr]
        return str(data.get("name") or "custom"), 1, []
    label = data.get("name") or data.get("server") or data.get("model") or ""
    return f"{span_type} {label}".strip(), _SPAN_KIND_INTERNAL, []
