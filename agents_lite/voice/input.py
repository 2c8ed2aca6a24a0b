"""Audio given to a `VoicePipeline`: one static buffer (`AudioInput`) or a live stream
(`StreamedAudioInput`)."""

from __future__ import annotations

import base64
import io
import os
import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Optional

from ..exceptions import UserError
from .pcm import PCM_SAMPLE_RATE, Resampler, is_numpy_array, to_mono, to_pcm16
from .wav import read_wav, wav_bytes

__all__ = ["AudioInput", "StreamedAudioInput", "DEFAULT_SAMPLE_RATE"]

DEFAULT_SAMPLE_RATE = PCM_SAMPLE_RATE


@dataclass
class AudioInput:
    """One turn of recorded audio.

    `buffer` may be 16-bit PCM `bytes` (or, with `sample_width` 1/3/4, 8/24/32-bit PCM, converted
    to 16-bit), an `array.array('h')`, a numpy array (int16, or floats in [-1, 1]) when numpy is
    installed, or the path of a WAV file (whose header then gives the rate, channels and width).
    The audio is checked when the object is created: a buffer that is not a whole number of
    frames raises `UserError`.

    >>> audio = AudioInput(b"\\x00\\x00" * 2400)
    >>> round(audio.duration_ms)
    100
    """

    buffer: Any
    frame_rate: int = DEFAULT_SAMPLE_RATE
    """Samples per second of `buffer`."""
    sample_width: int = 2
    """Bytes per sample of a `bytes` buffer (1, 2, 3 or 4)."""
    channels: int = 1
    """Interleaved channels in `buffer`."""
    _pcm: bytes = field(default=b"", init=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.buffer, (str, os.PathLike)):
            wav = read_wav(self.buffer)
            self.frame_rate, self.channels, self.sample_width = wav.frame_rate, wav.channels, 2
            self._pcm = wav.pcm
        else:
            self._pcm = to_pcm16(self.buffer, self.sample_width, self.channels)
        if not isinstance(self.frame_rate, int) or self.frame_rate <= 0:
            raise UserError(f"frame_rate must be a positive integer, got {self.frame_rate!r}")

    @classmethod
    def from_wav(cls, path: Any) -> AudioInput:
        """An `AudioInput` from a WAV file path, file object or the file's bytes."""
        wav = read_wav(path)
        return cls(wav.pcm, frame_rate=wav.frame_rate, channels=wav.channels)

    @property
    def pcm(self) -> bytes:
        """The audio as interleaved 16-bit little-endian PCM."""
        return self._pcm

    @property
    def is_numpy(self) -> bool:
        """Whether the buffer was a numpy array (the pipeline then answers with arrays too)."""
        return is_numpy_array(self.buffer)

    @property
    def duration_ms(self) -> float:
        """Length of the audio in milliseconds."""
        return len(self._pcm) / (2.0 * self.channels * self.frame_rate) * 1000.0

    def to_audio_file(self) -> tuple[str, io.BytesIO, str]:
        """`("audio.wav", <16-bit WAV at this input's rate>, "audio/wav")`, as uploaded for
        transcription."""
        return "audio.wav", io.BytesIO(wav_bytes(self._pcm, self.frame_rate, self.channels)), (
            "audio/wav"
        )

    def to_base64(self) -> str:
        """The 16-bit PCM, base64-encoded."""
        return base64.b64encode(self._pcm).decode("ascii")


class StreamedAudioInput:
    """Live audio for a multi-turn `VoicePipeline` run: push chunks with `add_audio(chunk)` from
    any thread, and `add_audio(None)` when the stream ends.

    Chunks may be 16-bit PCM bytes, `array.array('h')` or numpy arrays (int16 or floats). They are
    converted when added (so a bad chunk raises `UserError` in the caller's thread) to mono
    16-bit PCM at 24 kHz, the rate realtime transcription expects: give `frame_rate` /
    `channels` when your source differs and the audio is down-mixed and resampled.
    """

    def __init__(
        self, *, frame_rate: int = DEFAULT_SAMPLE_RATE, channels: int = 1, sample_width: int = 2
    ) -> None:
        if frame_rate <= 0:
            raise UserError(f"frame_rate must be positive, got {frame_rate}")
        self.frame_rate = frame_rate
        self.channels = channels
        self.sample_width = sample_width
        self.queue: queue.Queue[Optional[bytes]] = queue.Queue()
        """Converted chunks (24 kHz mono 16-bit PCM); None marks the end."""
        self._resampler = Resampler(frame_rate, DEFAULT_SAMPLE_RATE)
        self._lock = threading.Lock()
        self._ended = False
        self.saw_numpy = False
        """Whether any chunk was a numpy array (the pipeline then answers with arrays)."""

    @property
    def ended(self) -> bool:
        """Whether `add_audio(None)` was called."""
        return self._ended

    def add_audio(self, audio: Any) -> None:
        """Add a chunk of audio; None ends the stream. Adding after the end raises `UserError`."""
        with self._lock:
            if self._ended:
                raise UserError("StreamedAudioInput already ended (add_audio(None) was called)")
            if audio is None:
                self._ended = True
                self.queue.put(None)
                return
            if is_numpy_array(audio):
                self.saw_numpy = True
            pcm = to_pcm16(audio, self.sample_width, self.channels)
            pcm = to_mono(pcm, self.channels)
            pcm = self._resampler.process(pcm)
            if pcm:
                self.queue.put(pcm)
