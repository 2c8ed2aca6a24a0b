"""Microphone capture and speaker playback on PyAudio (the `voice` extra).

This is the only module that imports `pyaudio`, and it does so when a device is opened. Audio is
16-bit PCM `bytes` (numpy arrays and `array('h')` are accepted for playback).

    from agents_lite.voice.audio_io import Microphone, Speaker

    with Microphone() as mic, Speaker() as speaker:
        speaker.write(mic.read_ms(1000))   # one second of echo
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, Optional

from ..exceptions import AgentsException, UserError
from .pcm import PCM_SAMPLE_RATE, to_pcm16

__all__ = [
    "AudioDeviceError",
    "Microphone",
    "Speaker",
    "play_pcm",
    "record_pcm",
    "stream_microphone",
]


class AudioDeviceError(AgentsException):
    """A sound device could not be opened or failed while in use."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _pyaudio() -> Any:
    try:
        import pyaudio
    except ImportError as exc:
        raise UserError(
            "Audio devices need PyAudio: pip install 'agents-lite[voice]' (on Debian/Ubuntu "
            "install portaudio19-dev first)"
        ) from exc
    return pyaudio


class _Device:
    """An open PyAudio stream and the PyAudio instance that owns it."""

    _direction = ""

    def __init__(
        self,
        *,
        frame_rate: int,
        channels: int,
        frames_per_buffer: int,
        device_index: Optional[int],
    ) -> None:
        if frame_rate <= 0 or channels < 1 or frames_per_buffer < 1:
            raise UserError("frame_rate, channels and frames_per_buffer must be positive")
        self.frame_rate = frame_rate
        self.channels = channels
        self.frames_per_buffer = frames_per_buffer
        self.device_index = device_index
        self._audio: Any = None
        self._stream: Any = None
        self._lock = threading.Lock()

    def _open(self, **direction: Any) -> None:
        pyaudio = _pyaudio()
        audio = pyaudio.PyAudio()
        try:
            self._stream = audio.open(
                format=pyaudio.paInt16,
                channels=self.channels,
                rate=self.frame_rate,
                frames_per_buffer=self.frames_per_buffer,
                **direction,
            )
        except (OSError, ValueError) as exc:
            audio.terminate()
            raise AudioDeviceError(
                f"Could not open the {self._direction} device "
                f"(rate {self.frame_rate} Hz, {self.channels} channel(s)): {exc}"
            ) from exc
        self._audio = audio

    @property
    def is_open(self) -> bool:
        """Whether the device is open."""
        return self._stream is not None

    def close(self) -> None:
        """Stop and close the device (safe to call twice)."""
        with self._lock:
            stream, audio = self._stream, self._audio
            self._stream = self._audio = None
        if stream is not None:
            try:
                stream.stop_stream()
            finally:
                stream.close()
        if audio is not None:
            audio.terminate()

    def _require_open(self) -> Any:
        stream = self._stream
        if stream is None:
            raise UserError(f"The {self._direction} device is closed")
        return stream


class Speaker(_Device):
    """Plays 16-bit PCM. `write` blocks until the audio is handed to the device.

    `played_bytes` counts what was written, which is what a realtime session needs to know how
    much of an answer the user heard when they interrupt it.
    """

    _direction = "output"

    def __init__(
        self,
        *,
        frame_rate: int = PCM_SAMPLE_RATE,
        channels: int = 1,
        frames_per_buffer: int = 1024,
        device_index: Optional[int] = None,
    ) -> None:
        super().__init__(frame_rate=frame_rate, channels=channels,
                         frames_per_buffer=frames_per_buffer, device_index=device_index)
        self.played_bytes = 0
        self._open(output=True, output_device_index=device_index)

    def write(self, audio: Any) -> int:
        """Play `audio` (PCM bytes, `array('h')` or a numpy array); returns the bytes written."""
        pcm = to_pcm16(audio, 2, self.channels)
        if not pcm:
            return 0
        stream = self._require_open()
        try:
            stream.write(pcm)
        except OSError as exc:
            raise AudioDeviceError(f"Playback failed: {exc}") from exc
        self.played_bytes += len(pcm)
        return len(pcm)

    @property
    def played_ms(self) -> float:
        """Milliseconds of audio written so far."""
        return self.played_bytes / (2.0 * self.channels * self.frame_rate) * 1000.0

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class Microphone(_Device):
    """Captures 16-bit PCM."""

    _direction = "input"

    def __init__(
        self,
        *,
        frame_rate: int = PCM_SAMPLE_RATE,
        channels: int = 1,
        frames_per_buffer: int = 480,
        device_index: Optional[int] = None,
    ) -> None:
        super().__init__(frame_rate=frame_rate, channels=channels,
                         frames_per_buffer=frames_per_buffer, device_index=device_index)
        self._open(input=True, input_device_index=device_index)

    def read(self, frames: Optional[int] = None) -> bytes:
        """Read `frames` frames (default: one buffer), blocking until they are captured.
        Overflowing input is dropped rather than raised."""
        stream = self._require_open()
        try:
            data: bytes = stream.read(frames or self.frames_per_buffer, exception_on_overflow=False)
        except OSError as exc:
            raise AudioDeviceError(f"Capture failed: {exc}") from exc
        return data

    def read_ms(self, milliseconds: float) -> bytes:
        """Capture `milliseconds` of audio."""
        return self.read(max(1, int(self.frame_rate * milliseconds / 1000.0)))

    def chunks(self, stop: Optional[threading.Event] = None) -> Iterator[bytes]:
        """Buffers as they are captured, until `stop` is set (or forever)."""
        while stop is None or not stop.is_set():
            yield self.read()

    def __enter__(self) -> Microphone:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def play_pcm(
    audio: Any, *, frame_rate: int = PCM_SAMPLE_RATE, channels: int = 1,
    device_index: Optional[int] = None,
) -> None:
    """Play a whole buffer on the default (or given) output device and wait for it."""
    with Speaker(frame_rate=frame_rate, channels=channels, device_index=device_index) as speaker:
        speaker.write(audio)


def record_pcm(
    seconds: float, *, frame_rate: int = PCM_SAMPLE_RATE, channels: int = 1,
    device_index: Optional[int] = None,
) -> bytes:
    """Record `seconds` of audio from the default (or given) input device."""
    with Microphone(frame_rate=frame_rate, channels=channels, device_index=device_index) as mic:
        return mic.read(max(1, int(frame_rate * seconds)))


def stream_microphone(
    target: Any, stop: threading.Event, *, frame_rate: int = PCM_SAMPLE_RATE,
    device_index: Optional[int] = None,
) -> threading.Thread:
    """Capture in a background thread until `stop` is set, feeding each buffer to `target`: a
    `StreamedAudioInput` (ended with `add_audio(None)` when stopping) or any callable taking
    PCM bytes. Returns the started thread."""
    add = getattr(target, "add_audio", None) or target
    if not callable(add):
        raise UserError("stream_microphone needs a StreamedAudioInput or a callable")
    mic = Microphone(frame_rate=frame_rate, device_index=device_index)

    def pump() -> None:
        try:
            for chunk in mic.chunks(stop):
                add(chunk)
        finally:
            mic.close()
            if hasattr(target, "add_audio") and not getattr(target, "ended", False):
                target.add_audio(None)

    thread = threading.Thread(target=pump, name="microphone", daemon=True)
    thread.start()
    return thread
