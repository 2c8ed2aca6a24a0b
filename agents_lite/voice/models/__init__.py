"""OpenAI speech-to-text and text-to-speech models."""

from .openai_provider import OpenAIVoiceModelProvider
from .openai_stt import OpenAISTTModel, OpenAISTTTranscriptionSession
from .openai_tts import OpenAITTSModel

__all__ = [
    "OpenAISTTModel",
    "OpenAISTTTranscriptionSession",
    "OpenAITTSModel",
    "OpenAIVoiceModelProvider",
]
