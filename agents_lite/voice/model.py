"""Speech-to-text and text-to-speech model interfaces, their settings, and model providers."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, Union

from ..exceptions import AgentsException, UserError
from .text_splitter import TextSplitter, get_sentence_based_splitter

if TYPE_CHECKING:
    from .input import AudioInput, StreamedAudioInput

__all__ = [
    "DEFAULT_TTS_BUFFER_SIZE",
    "DEFAULT_TTS_INSTRUCTIONS",
    "STTModel",
    "STTModelSettings",
    "STTWebsocketConnectionError",
    "StreamedTranscriptionSession",
    "TTSModel",
    "TTSModelSettings",
    "TTSVoice",
    "VoiceModelProvider",
]

DEFAULT_TTS_INSTRUCTIONS = (
    "You will receive partial sentences. Do not complete the sentence, just read out the text."
)
DEFAULT_TTS_BUFFER_SIZE = 120

TTSVoice = Union[
    Literal[
        "alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer",
        "verse", "marin", "cedar",
    ],
    str,
]
"""A built-in voice name (or any voice id the endpoint accepts)."""


class STTWebsocketConnectionError(AgentsException):
    """The streamed transcription websocket failed: could not connect, was closed, reported an
    error, or never confirmed the session."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _check_dtype(dtype: Any) -> str:
    name = getattr(dtype, "name", None) or getattr(dtype, "__name__", None) or str(dtype)
    if name not in ("int16", "float32"):
        raise UserError(f"TTSModelSettings.dtype must be int16 or float32, got {dtype!r}")
    return name


@dataclass
class TTSModelSettings:
    """How speech is synthesised and handed out."""

    voice: Optional[TTSVoice] = None
    """The voice; None uses the model's default ("ash" for OpenAI)."""
    buffer_size: int = DEFAULT_TTS_BUFFER_SIZE
    """How many chunks from the TTS model (1024 bytes each for OpenAI) make one audio event;
    a segment's last event may be shorter. Use 1 for the lowest latency."""
    dtype: Any = "int16"
    """Sample type of the audio handed out: "int16" (or numpy.int16) or "float32" (or
    numpy.float32; numpy arrays then have shape (n, 1), bytes are little-endian float32)."""
    transform_data: Optional[Callable[[Any], Any]] = None
    """Applied to each chunk's data before it is handed out."""
    instructions: str = DEFAULT_TTS_INSTRUCTIONS
    """How to speak (tone, pace); not sent to tts-1 models, which do not support it."""
    text_splitter: TextSplitter = field(default_factory=get_sentence_based_splitter)
    """Decides when buffered text is spoken (default: whole sentences of 20+ characters)."""
    speed: Optional[float] = None
    """Speaking speed, 0.25 to 4.0."""

    def __post_init__(self) -> None:
        self.dtype = _check_dtype(self.dtype)
        if self.buffer_size < 1:
            raise UserError(f"TTSModelSettings.buffer_size must be at least 1, got {self.buffer_size}")
        if self.speed is not None and not 0.25 <= self.speed <= 4.0:
            raise UserError(f"TTSModelSettings.speed must be between 0.25 and 4.0, got {self.speed}")


@dataclass
class STTModelSettings:
    """How speech is transcribed."""

    prompt: Optional[str] = None
    """Text that guides the transcription (names, spelling, style)."""
    language: Optional[str] = None
    """The language of the audio (ISO-639-1, e.g. "en")."""
    temperature: Optional[float] = None
    turn_detection: Optional[dict[str, Any]] = None
    """Turn detection for streamed input (default `{"type": "semantic_vad"}`)."""


class TTSModel(abc.ABC):
    """A text-to-speech model."""

    @property
    @abc.abstractmethod
    def model_name(self) -> str:
        """The model's name."""

    @abc.abstractmethod
    def run(self, text: str, settings: TTSModelSettings) -> Iterator[bytes]:
        """Synthesise `text`; yields 16-bit mono 24 kHz PCM chunks as they arrive. Closing the
        iterator stops the synthesis and releases the connection."""


class StreamedTranscriptionSession(abc.ABC):
    """A live transcription of streamed audio."""

    @abc.abstractmethod
    def transcribe_turns(self) -> Iterator[str]:
        """Yields one transcript per turn the user speaks; ends when the input stream has ended
        and the last turn is transcribed (or the session is closed)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Stop transcribing and release the connection (safe to call twice)."""


class STTModel(abc.ABC):
    """A speech-to-text model."""

    @property
    @abc.abstractmethod
    def model_name(self) -> str:
        """The model's name."""

    @abc.abstractmethod
    def transcribe(
        self,
        input: AudioInput,
        settings: STTModelSettings,
        trace_include_sensitive_data: bool,
        trace_include_sensitive_audio_data: bool,
    ) -> str:
        """Transcribe one recorded turn."""

    @abc.abstractmethod
    def create_session(
        self,
        input: StreamedAudioInput,
        settings: STTModelSettings,
        trace_include_sensitive_data: bool,
        trace_include_sensitive_audio_data: bool,
    ) -> StreamedTranscriptionSession:
        """Start transcribing streamed audio turn by turn."""


class VoiceModelProvider(abc.ABC):
    """Builds speech-to-text and text-to-speech models from names."""

    @abc.abstractmethod
    def get_stt_model(self, model_name: Optional[str]) -> STTModel:
        """The speech-to-text model called `model_name` (None: the provider's default)."""

    @abc.abstractmethod
    def get_tts_model(self, model_name: Optional[str]) -> TTSModel:
        """The text-to-speech model called `model_name` (None: the provider's default)."""
