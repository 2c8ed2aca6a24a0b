"""Voice agents: speech to text, a workflow (usually one agent), text to speech.

    from agents_lite.voice import AudioInput, SingleAgentVoiceWorkflow, VoicePipeline

    pipeline = VoicePipeline(workflow=SingleAgentVoiceWorkflow(agent))
    result = pipeline.run(AudioInput.from_wav("question.wav"))
    for event in result.stream():
        if event.type == "voice_stream_event_audio":
            speaker.write(event.data)

Audio is 16-bit PCM `bytes` (numpy arrays are accepted when numpy is installed). Microphone and
speaker helpers live in `agents_lite.voice.audio_io` (PyAudio, the `voice` extra), WAV helpers in
`agents_lite.voice.wav`. Importing this package loads neither PyAudio, websocket-client nor
numpy.
"""

from __future__ import annotations

from typing import Any

from .events import (
    VoiceStreamEvent,
    VoiceStreamEventAudio,
    VoiceStreamEventError,
    VoiceStreamEventLifecycle,
)
from .input import AudioInput, StreamedAudioInput
from .model import (
    StreamedTranscriptionSession,
    STTModel,
    STTModelSettings,
    STTWebsocketConnectionError,
    TTSModel,
    TTSModelSettings,
    TTSVoice,
    VoiceModelProvider,
)
from .models import (
    OpenAISTTModel,
    OpenAISTTTranscriptionSession,
    OpenAITTSModel,
    OpenAIVoiceModelProvider,
)
from .pipeline import VoicePipeline
from .pipeline_config import VoicePipelineConfig
from .result import StreamedAudioResult
from .text_splitter import get_sentence_based_splitter
from .wav import read_wav, write_wav
from .workflow import (
    SingleAgentVoiceWorkflow,
    SingleAgentWorkflowCallbacks,
    VoiceWorkflowBase,
    VoiceWorkflowHelper,
)

_AUDIO_IO = ("AudioDeviceError", "Microphone", "Speaker", "play_pcm", "record_pcm",
             "stream_microphone")

__all__ = [
    "AudioDeviceError",
    "AudioInput",
    "Microphone",
    "OpenAISTTModel",
    "OpenAISTTTranscriptionSession",
    "OpenAITTSModel",
    "OpenAIVoiceModelProvider",
    "STTModel",
    "STTModelSettings",
    "STTWebsocketConnectionError",
    "SingleAgentVoiceWorkflow",
    "SingleAgentWorkflowCallbacks",
    "Speaker",
    "StreamedAudioInput",
    "StreamedAudioResult",
    "StreamedTranscriptionSession",
    "TTSModel",
    "TTSModelSettings",
    "TTSVoice",
    "VoiceModelProvider",
    "VoicePipeline",
    "VoicePipelineConfig",
    "VoiceStreamEvent",
    "VoiceStreamEventAudio",
    "VoiceStreamEventError",
    "VoiceStreamEventLifecycle",
    "VoiceWorkflowBase",
    "VoiceWorkflowHelper",
    "get_sentence_based_splitter",
    "play_pcm",
    "read_wav",
    "record_pcm",
    "stream_microphone",
    "write_wav",
]


def __getattr__(name: str) -> Any:
    # The device helpers live with PyAudio; load that module only when they are asked for.
    if name in _AUDIO_IO:
        from . import audio_io

        value = getattr(audio_io, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'agents_lite.voice' has no attribute {name!r}")
