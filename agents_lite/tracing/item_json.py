"""Trace items as JSON text, for the exporters (in the export thread).

`dumps_json()` encodes anything (unknown objects are converted on the way, cycles and NaN are
cut by `json_safe()`). `item_json()` writes a trace, or a span a run recorded for itself
(task, agent, turn, generation, handoff: see `run_spans`), straight from its fields into the
text `dumps_json(item.export())` would give, without the intermediate dicts: exporting is
most of what tracing costs a busy process, and these are nearly all of the items.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import enum
import json
import logging
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional, Union

from .ids import to_iso
from .run_spans import AGENT, GENERATION, HANDOFF, TASK, TURN
from .span_data import model_config_to_dict, usage_to_dict
from .traces import Trace

if TYPE_CHECKING:
    from .spans import Span

__all__ = ["json_safe", "dumps_json", "export_item", "item_json", "Item", "TRUNCATED"]

logger = logging.getLogger("agents_lite.tracing")

Item = Union["Trace", "Span[Any]"]

TRUNCATED = "... [truncated]"
"""What ends a value cut short."""

_MAX_DEPTH = 64
_MAX_REPR = 10_000


def json_safe(value: Any) -> Any:
    """`value` as plain JSON types. Dataclasses become dicts, bytes become base64, sets and
    tuples become lists, non-finite floats and unknown objects become strings, and cycles or
    excessive nesting are cut with a marker, so any span data can be exported."""
    return _safe(value, set(), 0)


def _safe(value: Any, active: set[int], depth: int) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        if isinstance(value, int) and not isinstance(value, bool) and type(value) is not int:
            return int(value)  # IntEnum and friends
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth >= _MAX_DEPTH:
        return "<max depth>"
    if isinstance(value, (Mapping, list, tuple, set, frozenset)):
        key = id(value)
        if key in active:
            return "<cycle>"
        active.add(key)
        try:
            if isinstance(value, Mapping):
                return {_key(k): _safe(v, active, depth + 1) for k, v in list(value.items())}
            items = list(value)
            if isinstance(value, (set, frozenset)):
                try:
                    items = sorted(items)
                except TypeError:
                    pass
            return [_safe(v, active, depth + 1) for v in items]
        finally:
            active.discard(key)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, enum.Enum):
        return _safe(value.value, active, depth + 1)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    converted = _convert_object(value)
    if converted is not _UNCONVERTED:
        key = id(value)
        if key in active:
            return "<cycle>"
        active.add(key)
        try:
            return _safe(converted, active, depth + 1)
        finally:
            active.discard(key)
    return _repr(value)


_UNCONVERTED = object()


def _convert_object(value: Any) -> Any:
    try:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: getattr(value, f.name, None) for f in dataclasses.fields(value)}
        for method in ("to_json_dict", "model_dump", "to_dict"):
            fn = getattr(value, method, None)
            if callable(fn) and not isinstance(value, type):
                return fn()
    except Exception:
        return _UNCONVERTED
    return _UNCONVERTED


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, enum.Enum):
        return str(key.value)
    return str(key) if isinstance(key, (int, float, bool)) or key is None else _repr(key)


def _repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<unrepresentable {type(value).__name__}>"
    return text if len(text) <= _MAX_REPR else text[:_MAX_REPR] + TRUNCATED


def export_item(item: Item) -> Optional[dict[str, Any]]:
    """`item.export()` made JSON-safe; None for no-op items or when the export itself fails
    (logged)."""
    data = _export(item)
    if data is None:
        return None
    safe = json_safe(data)
    return safe if isinstance(safe, dict) else None


def _export(item: Item) -> Optional[dict[str, Any]]:
    try:
        return item.export()
    except Exception:
        logger.warning("Could not export %r; skipped", item, exc_info=True)
        return None


def _json_default(value: Any) -> Any:
    # Called by json.dumps for objects it cannot encode: convert one level, json recurses.
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    converted = _convert_object(value)
    return _repr(value) if converted is _UNCONVERTED else converted


def _make_encoder() -> Any:
    # One encoder made once: json.dumps() with options builds a new encoder on every call,
    # which costs more than encoding a small span.
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is not None:
        try:
            encode = make(
                None, _json_default, json.encoder.encode_basestring, None, ":", ",", False,
                False, False,
            )
            return lambda data: "".join(encode(data, 0))
        except TypeError:  # a different C signature
            pass
    encoder = json.JSONEncoder(
        default=_json_default, ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )
    return encoder.encode


_encode = _make_encoder()


def dumps_json(data: Any) -> str:
    """`data` as compact JSON text, whatever it holds: the C encoder does the work, converting
    unknown objects on the way; data it still cannot encode (cycles, NaN, odd keys) goes
    through `json_safe()` first."""
    try:
        return _encode(data)  # type: ignore[no-any-return]
    except (TypeError, ValueError, RecursionError, OverflowError):
        return json.dumps(json_safe(data), ensure_ascii=False, separators=(",", ":"))


# --- the text of a run's own spans and of traces, written directly ----------------------------

_string: Any = json.encoder.encode_basestring  # the C version where there is one


def _text(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _string(value)  # type: ignore[no-any-return]
    return str(value) if kind is int else dumps_json(value)


def _optional(value: Any) -> str:
    return "null" if value is None else _text(value)


def _usage_text(usage: Any) -> str:
    usage = usage_to_dict(usage)
    if type(usage) is dict and len(usage) == 2:  # what runs record: two token counts
        tokens_in, tokens_out = usage.get("input_tokens"), usage.get("output_tokens")
        if type(tokens_in) is int and type(tokens_out) is int:
            return f'{{"input_tokens":{tokens_in},"output_tokens":{tokens_out}}}'
    return _encode(usage)  # type: ignore[no-any-return]


def _usage(usage: Any) -> str:
    return "" if usage is None else ',"usage":' + _usage_text(usage)


def _task(span: Span[Any]) -> str:
    return (
        '{"type":"custom","name":"task","data":{"sdk_span_type":"task","name":'
        + _text(span._f1) + _usage(span._usage) + "}}"
    )


def _turn(span: Span[Any]) -> str:
    return (
        '{"type":"custom","name":"turn","data":{"sdk_span_type":"turn","turn":'
        + _text(span._f1) + ',"agent_name":' + _text(span._f2) + _usage(span._usage) + "}}"
    )


def _agent(span: Span[Any]) -> str:
    handoffs, tools = span._f2, span._f3
    return (
        '{"type":"agent","name":' + _text(span._f1)
        + ',"handoffs":' + ("[]" if handoffs is None else _encode(list(handoffs)))
        + ',"tools":' + ("[]" if tools is None else _encode(list(tools)))
        + ',"output_type":' + _optional(span._f4) + "}"
    )


def _generation(span: Span[Any]) -> str:
    # One call of the C encoder for all the data: each call has a fixed cost.
    given, output = span._f1, span._f2
    return _encode({  # type: ignore[no-any-return]
        "type": "generation",
        "input": None if given is None else list(given),
        "output": None if output is None else list(output),
        "model": span._f3,
        "model_config": model_config_to_dict(span._f4),
        "usage": usage_to_dict(span._usage),
    })


def _handoff(span: Span[Any]) -> str:
    return (
        '{"type":"handoff","from_agent":' + _optional(span._f1)
        + ',"to_agent":' + _optional(span._f2) + "}"
    )


_SPAN = (
    '{"object":"trace.span","id":%s,"trace_id":%s,"parent_id":%s,"started_at":"%s",'
    '"ended_at":"%s","span_data":%s,"error":%s}'
)
_WRITERS: dict[Any, Any] = {
    TASK: _task, TURN: _turn, AGENT: _agent, GENERATION: _generation, HANDOFF: _handoff
}


def item_json(item: Item) -> Optional[str]:
    """The JSON text of `item` when it is a trace or one of a run's own spans (with no data
    object built, so nothing could have been added to it); None for every other item, and
    for values the direct way cannot encode: use `dumps_json(item.export())` then."""
    try:
        if type(item) is Trace:
            return (
                '{"object":"trace","id":' + _text(item._trace_id)
                + ',"workflow_name":' + _text(item._name)
                + ',"group_id":' + _optional(item.group_id)
                + ',"metadata":' + _encode(item.metadata) + "}"
            )
        writer = _WRITERS.get(getattr(item, "_kind", None))
        if writer is None or item._span_data is not None:  # type: ignore[union-attr]
            return None
        span: Span[Any] = item  # type: ignore[assignment]
        started, ended = to_iso(span._start_time), to_iso(span._end_time)
        if started is None or ended is None:  # not started or not ended: not exported so
            return None
        parent, error = span._parent_id, span._error
        return _SPAN % (
            _string(span._span_id), _string(span._trace_id),
            "null" if parent is None else _text(parent), started, ended, writer(span),
            "null" if error is None else _encode(error),
        )
    except (TypeError, ValueError, RecursionError, OverflowError):
        return None
