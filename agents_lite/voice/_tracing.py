"""Tracing for voice runs: one trace per pipeline run, a transcription span per transcript, a
speech-group span per spoken answer and a speech span per synthesised segment.

The tracing package is imported when a run starts; if it cannot be imported every helper hands
back a no-op object, so voice works without it.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, Optional

__all__ = ["NOOP_SPAN", "audio_b64", "now_iso", "speech_group_span", "speech_span",
           "transcription_span", "voice_trace"]


class _NoOpSpan:
    """Stands in for a span when tracing is unavailable."""

    span_data: Any = None

    def start(self, mark_as_current: bool = False) -> None:
        pass

    def finish(self, reset_current: bool = False) -> None:
        pass

    def set_error(self, error: Any) -> None:
        pass


NOOP_SPAN = _NoOpSpan()


def _tracing() -> Any:
    try:
        from .. import tracing
    except ImportError:  # a build without tracing
        return None
    return tracing


def now_iso() -> str:
    """The current UTC time in ISO 8601, as span timestamps use."""
    return datetime.now(timezone.utc).isoformat()


def audio_b64(pcm: bytes) -> str:
    """Audio as the base64 text traces carry."""
    return base64.b64encode(pcm).decode("ascii")


@contextlib.contextmanager
def voice_trace(config: Any) -> Iterator[None]:
    """A trace around one pipeline run (none when tracing is disabled or a trace is already
    current, in which case the run's spans join that one)."""
    tracing = _tracing()
    if tracing is None or config.tracing_disabled:
        if tracing is not None:
            with tracing.trace(config.workflow_name, disabled=True):
                yield
            return
        yield
        return
    if tracing.get_current_trace() is not None:
        yield
        return
    with tracing.trace(
        config.workflow_name,
        group_id=config.group_id,
        metadata=config.trace_metadata,
        tracing=config.tracing,
    ):
        yield


def transcription_span(model: str, model_config: dict[str, Any]) -> Any:
    """An unstarted transcription span (or a no-op)."""
    tracing = _tracing()
    if tracing is None:
        return NOOP_SPAN
    return tracing.transcription_span(model=model, model_config=model_config)


def speech_group_span() -> Any:
    """An unstarted speech-group span (or a no-op)."""
    tracing = _tracing()
    if tracing is None:
        return NOOP_SPAN
    return tracing.speech_group_span()


def speech_span(model: str, text: str, model_config: dict[str, Any], parent: Optional[Any]) -> Any:
    """An unstarted speech span under `parent` (or a no-op)."""
    tracing = _tracing()
    if tracing is None:
        return NOOP_SPAN
    if parent is NOOP_SPAN:
        parent = None
    return tracing.speech_span(
        model=model, input=text, output_format="pcm", model_config=model_config, parent=parent
    )
