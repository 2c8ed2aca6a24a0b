"""Identifiers and timestamps of traces and spans.

IDs are random hex (`trace_<32hex>`, `span_<24hex>`, `group_<24hex>`) from `os.urandom`, drawn
in blocks of a few hundred and handed out from a queue: one system call and one split per
block, and a new span pays one `popleft()` and a concatenation for its id instead of generating
and formatting a random number. A forked child drops the blocks it inherited, so processes
never share IDs; `random.seed()` has no effect on them. They identify, they do not protect
anything. Times are kept as float epoch seconds on the hot path and turned into ISO 8601
strings only when exported.
"""

from __future__ import annotations

import collections
import os
import time
from typing import Optional

__all__ = ["gen_trace_id", "gen_span_id", "gen_group_id", "time_iso", "to_iso"]

_BLOCK = 256  # IDs generated per refill

# Ready-made hex digits of IDs. `popleft()` and `extend()` are atomic, so threads never get the
# same ones; two threads refilling at once just add two blocks.
_span_hex: collections.deque[str] = collections.deque()
_trace_hex: collections.deque[str] = collections.deque()
next_span_hex = _span_hex.popleft
"""The 24 hex digits of the next span ID; raises IndexError when the block is used up (then
call `gen_span_id()`, which refills)."""
next_trace_hex = _trace_hex.popleft
"""The 32 hex digits of the next trace ID, like `next_span_hex`."""


def _refill(pool: collections.deque[str], size: int) -> None:
    # bytes.hex(sep, -n) puts a separator every n bytes, so one C call makes the pieces.
    pool.extend(os.urandom(size * _BLOCK).hex(" ", -size).split(" "))


def _forget_inherited_ids() -> None:
    # Cleared in place: `next_span_hex` is bound to this very deque.
    _span_hex.clear()
    _trace_hex.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_ids)


def gen_trace_id() -> str:
    """A new trace ID: `trace_` and 32 hex digits."""
    while True:
        try:
            return "trace_" + _trace_hex.popleft()
        except IndexError:
            _refill(_trace_hex, 16)


def gen_span_id() -> str:
    """A new span ID: `span_` and 24 hex digits."""
    while True:
        try:
            return "span_" + _span_hex.popleft()
        except IndexError:
            _refill(_span_hex, 12)


def gen_group_id() -> str:
    """A new group ID: `group_` and 24 hex digits."""
    return "group_" + os.urandom(12).hex()


# The last whole second formatted, and its text: spans end in bursts within one second, so the
# date part is formatted once per second. Rebound as one tuple, so threads see a matching pair.
_iso_cache: tuple[int, str] = (-1, "")


def to_iso(timestamp: Optional[float]) -> Optional[str]:
    """Epoch seconds as a UTC ISO 8601 string in `datetime.isoformat()`'s format
    (`2025-01-01T12:00:00.123456+00:00`)."""
    global _iso_cache
    if timestamp is None:
        return None
    micros = round(timestamp * 1_000_000)
    if micros < 1_000_000:  # before 1970-01-01T00:00:01: the slow, general way
        second, fraction = divmod(micros, 1_000_000)
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{text}.{fraction:06d}+00:00" if fraction else f"{text}+00:00"
    second = micros // 1_000_000
    cached_second, text = _iso_cache
    if cached_second != second:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _iso_cache = (second, text)
    digits = str(micros)[-6:]  # the microseconds, zero-padded by the digits before them
    if digits == "000000":
        return text + "+00:00"
    return text + "." + digits + "+00:00"


def time_iso() -> str:
    """The current time as a UTC ISO 8601 string."""
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat()
