"""Exporters: where finished traces and spans go. They run in the batch processor's thread.

- `BackendSpanExporter`: OpenAI's trace ingest (`POST /v1/traces/ingest`), one request per API
  key, retrying 5xx and network errors with backoff, dropping a batch the server rejects (4xx).
- `ConsoleSpanExporter`: one line per trace and span on stdout.
- `FileSpanExporter`: JSON lines, one file per process, safe to share between threads.

Span data may hold any Python object; `json_safe()` turns it into JSON here, off the run's path.
`requests` is imported only when the first batch is posted.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Any, Optional, TextIO, Union

from .item_json import (
    TRUNCATED,
    Item,
    _export,
    dumps_json,
    export_item,
    item_json,
    json_safe,
)
from .processor_interface import TracingExporter

__all__ = [
    "BackendSpanExporter",
    "ConsoleSpanExporter",
    "FileSpanExporter",
    "json_safe",
    "dumps_json",
    "export_item",
    "DEFAULT_TRACES_INGEST_ENDPOINT",
    "MAX_FIELD_BYTES",
]

logger = logging.getLogger("agents_lite.tracing")

DEFAULT_TRACES_INGEST_ENDPOINT = "https://api.openai.com/v1/traces/ingest"
"""Where OpenAI traces go when neither `endpoint=` nor `OPENAI_BASE_URL` says otherwise."""

MAX_FIELD_BYTES = 100_000
"""Span `input` / `output` values whose JSON is larger than this are truncated for OpenAI."""


# --- OpenAI trace ingest ------------------------------------------------------------------


def _truncate_field(value: Any, limit: int) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = value if isinstance(value, str) else dumps_json(value)
    if len(text) <= limit // 4 or len(text.encode("utf-8")) <= limit:
        return value
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore") + TRUNCATED


def _for_openai(data: dict[str, Any], limit: int) -> dict[str, Any]:
    """A span trimmed for the OpenAI ingest: inputs and outputs whose JSON is over `limit`
    bytes become a truncated string ending in "... [truncated]"."""
    span_data = data.get("span_data")
    if not isinstance(span_data, dict):
        return data
    span_data = dict(span_data)
    for field in ("input", "output"):
        if field in span_data:
            span_data[field] = _truncate_field(span_data[field], limit)
    out = dict(data)
    out["span_data"] = span_data
    return out


class _Warnings:
    """Log a kind of problem loudly once, then quietly: exporters must not spam logs."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def log(self, kind: str, message: str, *args: Any) -> None:
        level = logging.DEBUG if kind in self._seen else logging.WARNING
        self._seen.add(kind)
        logger.log(level, message, *args)


class BackendSpanExporter(TracingExporter):
    """Posts traces and spans to OpenAI's trace ingest (`{"data": [...]}` with the
    `OpenAI-Beta: traces=v1` header).

    The key is the trace's own (`RunConfig(tracing={"api_key": ...})`), else `api_key`, else
    `set_tracing_export_api_key(...)`, else `OPENAI_API_KEY`; items are grouped into one request
    per key, and items without any key are skipped (with one warning). `endpoint` defaults to
    `$OPENAI_BASE_URL/traces/ingest` when that variable is set, else OpenAI's. A 5xx answer or a
    network error is retried up to `max_retries` attempts in all, waiting `base_delay` seconds
    doubling up to `max_delay`, plus up to 10% jitter; a 4xx answer drops the batch.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        organization: Optional[str] = None,
        project: Optional[str] = None,
        endpoint: Optional[str] = None,
        max_retries: int = 3,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        timeout: float = 60.0,
    ) -> None:
        self._api_key = api_key
        self._organization = organization
        self._project = project
        self._endpoint = endpoint
        self.max_retries = max(1, int(max_retries))
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.timeout = timeout
        self.max_field_bytes = MAX_FIELD_BYTES
        """Truncation limit for span inputs and outputs."""
        self.requests_sent = 0
        """Requests the ingest accepted."""
        self.batches_dropped = 0
        """Requests given up on (4xx, or retries exhausted)."""
        self.items_without_key = 0
        """Items skipped because no API key was configured."""
        self._warnings = _Warnings()

    def set_api_key(self, api_key: str) -> None:
        """Export with this key (wins over the global and environment keys)."""
        self._api_key = api_key

    @property
    def api_key(self) -> Optional[str]:
        """The key used for items whose trace has none."""
        if self._api_key:
            return self._api_key
        from .setup import get_tracing_export_api_key

        return get_tracing_export_api_key()

    @property
    def endpoint(self) -> str:
        """The URL batches are posted to."""
        if self._endpoint:
            return self._endpoint
        base = os.environ.get("OPENAI_BASE_URL")
        if base:
            return base.rstrip("/") + "/traces/ingest"
        return DEFAULT_TRACES_INGEST_ENDPOINT

    def export(self, items: list[Item]) -> None:
        """Post the items (one request per API key). Never raises for HTTP problems."""
        default_key = self.api_key
        limit = self.max_field_bytes
        groups: dict[str, list[str]] = {}
        skipped = 0
        for item in items:
            key = getattr(item, "tracing_api_key", None) or default_key
            if not key:
                skipped += 1
                continue
            text = item_json(item)
            if text is None or len(text) > limit:
                text = self._item_text(item, limit)
                if text is None:
                    continue
            group = groups.get(key)
            if group is None:
                group = groups[key] = []
            group.append(text)
        if skipped:
            self.items_without_key += skipped
            self._warnings.log(
                "no-key", "No OpenAI API key for trace export (set OPENAI_API_KEY or call "
                "set_tracing_export_api_key); %d items not exported", skipped,
            )
        for key, group in groups.items():
            body = '{"data":[' + ",".join(group) + "]}"
            self._post(key, body.encode("utf-8"), len(group))

    @staticmethod
    def _item_text(item: Item, limit: int) -> Optional[str]:
        # The general way: the item's export dict, without what the ingest does not take,
        # with oversized inputs and outputs truncated.
        data = _export(item)
        if data is None:
            return None
        span_data = data.get("span_data")
        if isinstance(span_data, dict) and "usage" in span_data and (
            span_data.get("type") != "generation"
        ):
            del span_data["usage"]
        text = dumps_json(data)
        if len(text) > limit and data.get("object") == "trace.span":
            text = dumps_json(_for_openai(json_safe(data), limit))
        return text

    def _headers(self, key: str) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "OpenAI-Beta": "traces=v1",
        }
        organization = self._organization or os.environ.get("OPENAI_ORG_ID")
        project = self._project or os.environ.get("OPENAI_PROJECT_ID")
        if organization:
            headers["OpenAI-Organization"] = organization
        if project:
            headers["OpenAI-Project"] = project
        return headers

    def _post(self, key: str, body: bytes, count: int) -> None:
        from .http_post import post_with_retries

        status, text = post_with_retries(
            self.endpoint, body, self._headers(key), timeout=self.timeout,
            max_retries=self.max_retries, base_delay=self.base_delay, max_delay=self.max_delay,
            retryable=lambda code: not 400 <= code < 500,
        )
        if status is not None and status < 300:
            self.requests_sent += 1
            return
        self.batches_dropped += 1
        if status is None:
            self._warnings.log(
                "gave-up", "Trace export failed (%s); dropped %d items", text, count
            )
        else:
            self._warnings.log(
                f"http-{status}", "Trace ingest rejected a batch of %d items (HTTP %d): %s",
                count, status, text[:300],
            )

    def close(self) -> None:
        """Close this thread's HTTP connections."""
        from .http_post import close_connections

        close_connections()

    def __repr__(self) -> str:
        return f"BackendSpanExporter(endpoint={self.endpoint!r})"


# --- console and file ---------------------------------------------------------------------


class ConsoleSpanExporter(TracingExporter):
    """Prints one line per trace and span (to `file`, default stdout)."""

    def __init__(self, file: Optional[TextIO] = None) -> None:
        self._file = file

    def export(self, items: list[Item]) -> None:
        out = self._file or sys.stdout
        lines = []
        for item in items:
            data = export_item(item)
            if data is None:
                continue
            if data.get("object") == "trace":
                lines.append(
                    f"[trace] {data.get('id')} {data.get('workflow_name')!r}"
                    + (f" group={data['group_id']}" if data.get("group_id") else "")
                )
            else:
                lines.append("[span] " + dumps_json(data))
        if lines:
            print("\n".join(lines), file=out, flush=True)


class FileSpanExporter(TracingExporter):
    """Appends traces and spans to a JSON-lines file, one object per line.

    `path` may contain `{pid}`, replaced by the writing process's id; the default is
    `agents_lite_traces_{pid}.jsonl` in `directory` (default: the working directory), so every
    process (forked workers included) writes its own file. Each batch is written with one call
    under a lock, so threads never interleave lines. Read a file back with
    `agents_lite.tracing.viewer.print_trace_tree(path)` or `agents-lite traces FILE`.
    """

    def __init__(
        self,
        path: Union[str, os.PathLike[str], None] = None,
        directory: Union[str, os.PathLike[str], None] = None,
    ) -> None:
        pattern = os.fspath(path) if path is not None else "agents_lite_traces_{pid}.jsonl"
        if directory is not None and not os.path.isabs(pattern):
            pattern = os.path.join(os.fspath(directory), pattern)
        self._pattern = pattern
        self._lock = threading.Lock()
        self.lines_written = 0

    @property
    def path(self) -> str:
        """The file this process writes to."""
        return self._pattern.replace("{pid}", str(os.getpid()))

    def export(self, items: list[Item]) -> None:
        lines = []
        for item in items:
            text = item_json(item)
            if text is None:
                data = _export(item)
                if data is None:
                    continue
                text = dumps_json(data)
            lines.append(text)
        if not lines:
            return
        text = "\n".join(lines) + "\n"
        path = self.path
        with self._lock:
            parent = os.path.dirname(path)
            if parent:
                os.makedirs(parent, exist_ok=True)
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(text)
            self.lines_written += len(lines)

    def __repr__(self) -> str:
        return f"FileSpanExporter({self._pattern!r})"
