"""`VoicePipelineConfig`: models, tracing and settings of a `VoicePipeline`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Optional

from .model import STTModelSettings, TTSModelSettings, VoiceModelProvider

__all__ = ["VoicePipelineConfig"]


def _default_provider() -> VoiceModelProvider:
    from .models.openai_provider import OpenAIVoiceModelProvider

    return OpenAIVoiceModelProvider()


def _group_id() -> str:
    return f"group_{uuid.uuid4().hex[:24]}"


@dataclass
class VoicePipelineConfig:
    """Configuration of a `VoicePipeline`."""

    model_provider: VoiceModelProvider = field(default_factory=_default_provider)
    """Resolves model names (and the defaults) to STT/TTS models."""
    tracing_disabled: bool = False
    """Record no trace for this pipeline's runs."""
    tracing: Optional[dict[str, Any]] = None
    """Per-trace tracing options, e.g. `{"api_key": ...}` to export with another key."""
    trace_include_sensitive_data: bool = True
    """Put transcripts and spoken text in traces."""
    trace_include_sensitive_audio_data: bool = True
    """Put the audio itself (base64) in traces."""
    workflow_name: str = "Voice Agent"
    """The trace's workflow name."""
    group_id: str = field(default_factory=_group_id)
    """Links the traces of one conversation."""
    trace_metadata: Optional[dict[str, Any]] = None
    """Your own metadata for the trace."""
    stt_settings: STTModelSettings = field(default_factory=STTModelSettings)
    tts_settings: TTSModelSettings = field(default_factory=TTSModelSettings)
