"""WAV files on the standard library: read PCM (and float) WAV as 16-bit samples, write 16-bit
PCM as WAV (with `wave`)."""

from __future__ import annotations

import array
import io
import os
import struct
import sys
import wave
from dataclasses import dataclass
from typing import IO, Optional, Union

from ..exceptions import UserError
from .pcm import PCM_SAMPLE_RATE, convert_sample_width

__all__ = ["WavAudio", "read_wav", "write_wav", "wav_bytes"]

PathOrFile = Union[str, "os.PathLike[str]", IO[bytes]]


@dataclass
class WavAudio:
    """Decoded WAV audio: 16-bit little-endian PCM plus its format."""

    pcm: bytes
    """Interleaved 16-bit little-endian samples."""
    frame_rate: int
    channels: int
    source_sample_width: int
    """The sample width of the file (1-4 bytes); `pcm` is always 16-bit."""

    @property
    def duration_ms(self) -> float:
        """Length of the audio in milliseconds."""
        return len(self.pcm) / (2.0 * self.channels * self.frame_rate) * 1000.0


def _read_bytes(source: Union[PathOrFile, bytes]) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), "<bytes>"
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        try:
            with open(name, "rb") as handle:
                return handle.read(), name
        except FileNotFoundError:
            raise UserError(f"WAV file not found: {name}") from None
    return source.read(), str(getattr(source, "name", "<file>"))


def _float_to_pcm16(data: bytes, width: int) -> bytes:
    samples = array.array("f" if width == 4 else "d")
    samples.frombytes(data[: len(data) - len(data) % width])
    if sys.byteorder == "big":
        samples.byteswap()
    out = array.array("h", (int(max(-1.0, min(1.0, v)) * 32767.0) for v in samples))
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def read_wav(source: Union[PathOrFile, bytes]) -> WavAudio:
    """Read a WAV file (path, binary file object or the file's bytes) as 16-bit PCM.

    Integer PCM of 8, 16, 24 or 32 bits and 32/64-bit float audio are converted to 16-bit,
    including the WAVE_FORMAT_EXTENSIBLE layout many tools write for 24-bit audio. Raises
    `UserError` for anything else (compressed formats, files that are not WAV).
    """
    data, name = _read_bytes(source)
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise UserError(f"Not a PCM WAV file ({name}): no RIFF/WAVE header")
    fmt: Optional[tuple[int, int, int, int]] = None
    frames: Optional[bytes] = None
    offset = 12
    while offset + 8 <= len(data):
        chunk_id = data[offset:offset + 4]
        size = struct.unpack("<I", data[offset + 4:offset + 8])[0]
        body = data[offset + 8:offset + 8 + size]
        if chunk_id == b"fmt " and len(body) >= 16:
            tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
            if tag == 0xFFFE and len(body) >= 26:  # extensible: the real format is in the GUID
                tag = struct.unpack("<H", body[24:26])[0]
            fmt = (tag, channels, rate, bits)
        elif chunk_id == b"data":
            frames = body
        offset += 8 + size + (size & 1)
    if fmt is None or frames is None:
        raise UserError(f"Not a PCM WAV file ({name}): missing fmt or data chunk")
    tag, channels, rate, bits = fmt
    width = (bits + 7) // 8
    if channels < 1 or rate <= 0:
        raise UserError(f"Not a PCM WAV file ({name}): {channels} channels at {rate} Hz")
    frames = frames[: len(frames) - len(frames) % (width * channels)]
    if tag == 1 and width in (1, 2, 3, 4):
        return WavAudio(convert_sample_width(frames, width), rate, channels, width)
    if tag == 3 and width in (4, 8):
        return WavAudio(_float_to_pcm16(frames, width), rate, channels, width)
    raise UserError(
        f"Not a PCM WAV file ({name}): format {tag} with {bits}-bit samples is not supported"
    )


def write_wav(
    target: PathOrFile,
    pcm: bytes,
    frame_rate: int = PCM_SAMPLE_RATE,
    channels: int = 1,
) -> None:
    """Write 16-bit little-endian PCM as a WAV file (path or binary file object)."""
    if len(pcm) % (2 * channels):
        raise UserError(f"{len(pcm)} bytes is not a whole number of 16-bit, {channels}-channel frames")
    if isinstance(target, os.PathLike):
        target = os.fspath(target)
    with wave.open(target, "wb") as writer:  # type: ignore[arg-type]
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(frame_rate)
        writer.writeframes(pcm)


def wav_bytes(pcm: bytes, frame_rate: int = PCM_SAMPLE_RATE, channels: int = 1) -> bytes:
    """The bytes of a WAV file holding 16-bit PCM."""
    buffer = io.BytesIO()
    write_wav(buffer, pcm, frame_rate, channels)
    return buffer.getvalue()
