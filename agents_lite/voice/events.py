"""Events yielded by `StreamedAudioResult.stream()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Union

__all__ = [
    "VoiceStreamEvent",
    "VoiceStreamEventAudio",
    "VoiceStreamEventError",
    "VoiceStreamEventLifecycle",
]


@dataclass
class VoiceStreamEventAudio:
    """A chunk of synthesised speech.

    `data` is 16-bit mono PCM at 24 kHz as `bytes`, or a numpy array when the pipeline's input
    was one (float32 when `TTSModelSettings.dtype` asks for it), after `transform_data`.
    """

    data: Any
    type: Literal["voice_stream_event_audio"] = "voice_stream_event_audio"


@dataclass
class VoiceStreamEventLifecycle:
    """A turn started or ended, or the whole session ended (always the last event)."""

    event: Literal["turn_started", "turn_ended", "session_ended"]
    type: Literal["voice_stream_event_lifecycle"] = "voice_stream_event_lifecycle"


@dataclass
class VoiceStreamEventError:
    """An error ended the pipeline; `stream()` raises it after yielding this event."""

    error: Exception
    type: Literal["voice_stream_event_error"] = "voice_stream_event_error"


VoiceStreamEvent = Union[VoiceStreamEventAudio, VoiceStreamEventLifecycle, VoiceStreamEventError]
"""Any event of a voice stream."""
