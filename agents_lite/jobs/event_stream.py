"""A run's events as a Redis stream: the worker appends (XADD), handles read live (XREAD BLOCK).

Each stream entry has one field, `e`, holding a JSON record:

- `{"type": "job_started", "job_id", "attempt", "resumed", "worker"}` — a worker began (or
  retried) a job; after a retry, text deltas of the turn that was cut off start over;
- `{"type": "raw_response_event", "data": {...}}` — a raw model stream event (text deltas...);
- `{"type": "run_item_stream_event", "name", "item": {"type", "agent", "raw_item", ...}}`;
- `{"type": "agent_updated_stream_event", "new_agent": {"name"}}`;
- a final record: `{"type": "done" | "interrupted" | "cancelled", "job_id", "result": {...}}` or
  `{"type": "error", "job_id", "error": {"type", "message"}, "will_retry": bool}`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from ..items import (
    HandoffOutputItem,
    ToolApprovalItem,
    ToolCallOutputItem,
    to_jsonable,
)

if TYPE_CHECKING:
    from redis import Redis

    from ..items import RunItem
    from ..stream_events import StreamEvent

FINAL_TYPES = frozenset({"done", "interrupted", "cancelled", "error"})
"""Record types that end a job's events (an "error" with `will_retry` does not)."""


def _safe(value: Any) -> Any:
    converted = to_jsonable(value)
    try:
        json.dumps(converted)
        return converted
    except (TypeError, ValueError):
        return str(value)


def encode_item(item: RunItem) -> dict[str, Any]:
    """A run item as JSON: its type, agent name and Responses-API `raw_item` (plus the tool
    output, the tool name of approvals, the agents of handoffs)."""
    data: dict[str, Any] = {"type": item.type, "agent": item.agent.name, "raw_item": item.raw_item}
    if isinstance(item, ToolCallOutputItem):
        data["output"] = _safe(item.output)
    elif isinstance(item, HandoffOutputItem):
        data["source_agent"] = item.source_agent.name if item.source_agent else None
        data["target_agent"] = item.target_agent.name if item.target_agent else None
    elif isinstance(item, ToolApprovalItem):
        data["tool_name"] = item.tool_name
    return data


def encode_event(event: StreamEvent) -> dict[str, Any]:
    """A stream event of `Runner.run_streamed` as a JSON record."""
    if event.type == "raw_response_event":
        return {"type": event.type, "data": event.data}
    if event.type == "run_item_stream_event":
        return {"type": event.type, "name": event.name, "item": encode_item(event.item)}
    return {"type": event.type, "new_agent": {"name": event.new_agent.name}}


class EventPublisher:
    """Appends records to one run's stream, trimmed to about `maxlen` entries and expiring
    `ttl` seconds after the last one."""

    def __init__(self, redis: Redis, key: str, *, maxlen: int, ttl: int) -> None:
        self.redis = redis
        self.key = key
        self.maxlen = maxlen
        self.ttl = ttl

    def publish(self, record: dict[str, Any]) -> None:
        """Append one record (one round trip: XADD and EXPIRE in a pipeline)."""
        payload = json.dumps(record, separators=(",", ":"), default=str)
        pipe = self.redis.pipeline(transaction=False)
        pipe.xadd(self.key, {"e": payload}, maxlen=self.maxlen, approximate=True)
        pipe.expire(self.key, self.ttl)
        pipe.execute()


def _text(value: Union[str, bytes]) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def last_stream_id(redis: Redis, key: str) -> str:
    """The id of the stream's newest entry ("0-0" when empty or missing)."""
    entries: Any = redis.xrevrange(key, count=1)
    return _text(entries[0][0]) if entries else "0-0"


def read_job_records(
    redis: Redis,
    key: str,
    job_id: str,
    *,
    ended: Callable[[], Optional[dict[str, Any]]],
    after: str = "0-0",
    block_ms: int = 1000,
    timeout: Optional[float] = None,
) -> Iterator[dict[str, Any]]:
    """Yield the records of job `job_id` from the stream, live, until its final record.

    Records before the job's first `job_started` belong to earlier jobs of the run and are
    skipped. While the stream is idle, `ended()` is asked whether the job is over; it returns
    a final record to yield (made up from the engine's state, e.g. for a job killed with no
    retries left) or None to keep waiting. Each record gets its `stream_id`.
    """
    last = after
    mine = False
    deadline = None if timeout is None else time.monotonic() + timeout
    draining = False
    while True:
        if not mine and not draining and ended() is not None:
            # Over before it published anything here (bad agent path, refused run id...).
            draining = True
        wait = None if draining else block_ms
        if deadline is not None and wait is not None:
            wait = max(1, min(wait, int((deadline - time.monotonic()) * 1000)))
        reply: Any = redis.xread({key: last}, count=500, block=wait)
        entries = reply[0][1] if reply else []
        for stream_id, fields in entries:
            last = _text(stream_id)
            raw = fields.get(b"e", fields.get("e")) if isinstance(fields, dict) else None
            if raw is None:
                continue
            record = json.loads(_text(raw))
            if not mine:
                if record.get("type") != "job_started" or record.get("job_id") != job_id:
                    continue
                mine = True
            record["stream_id"] = last
            yield record
            if (record.get("type") in FINAL_TYPES and record.get("job_id") == job_id
                    and not record.get("will_retry")):
                return
        if entries:
            continue
        if draining:
            final = ended()
            if final is not None:
                yield final
                return
            draining = False
            continue
        if deadline is not None and time.monotonic() >= deadline:
            raise TimeoutError(f"No final event from job {job_id!r} within {timeout} s")
        if ended() is not None:
            # Read what arrived since the last XREAD before trusting the engine's verdict.
            draining = True
