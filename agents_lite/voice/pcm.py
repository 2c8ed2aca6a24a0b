"""16-bit PCM helpers on the standard library: conversion from the buffers users hand us, sample
width conversion, down-mixing and resampling.

Everything inside the voice pipeline is mono or interleaved 16-bit little-endian PCM `bytes`.
numpy arrays are accepted when numpy is installed, detected without importing it.
"""

from __future__ import annotations

import array
import sys
from typing import Any, Optional

from ..exceptions import UserError

__all__ = [
    "PCM_SAMPLE_RATE",
    "is_numpy_array",
    "to_pcm16",
    "convert_sample_width",
    "to_mono",
    "Resampler",
    "resample",
    "pcm16_to_float32_bytes",
    "pcm_duration_ms",
]

PCM_SAMPLE_RATE = 24000
"""The rate the OpenAI audio endpoints and realtime sessions use for raw PCM."""

_BIG_ENDIAN = sys.byteorder == "big"
_XOR_SIGN = bytes(i ^ 0x80 for i in range(256))


def is_numpy_array(value: Any) -> bool:
    """Whether `value` is a numpy array (checked without importing numpy)."""
    return type(value).__module__ == "numpy" and hasattr(value, "dtype") and hasattr(
        value, "tobytes"
    )


def _numpy_to_pcm16(buffer: Any) -> bytes:
    kind = buffer.dtype.kind
    if kind == "f":
        import numpy as np  # only reached when the caller already uses numpy

        clipped = np.clip(buffer.astype(np.float64), -1.0, 1.0)
        return (clipped * 32767.0).astype("<i2").tobytes()  # type: ignore[no-any-return]
    if buffer.dtype.itemsize == 2 and kind == "i":
        return buffer.astype("<i2", copy=False).tobytes()  # type: ignore[no-any-return]
    raise UserError(
        f"Audio arrays must hold int16 samples or floats in [-1, 1], got dtype {buffer.dtype}"
    )


def to_pcm16(buffer: Any, sample_width: int = 2, channels: int = 1) -> bytes:
    """16-bit little-endian PCM bytes from `bytes`/`bytearray`/`memoryview` (samples of
    `sample_width` bytes: 1 = unsigned 8-bit, 2/3/4 = signed little-endian), `array.array`
    (typecode 'h', or 'f'/'d' floats in [-1, 1]) or a numpy array (int16, or floats in [-1, 1]).

    Raises `UserError` for other types, unsupported widths, and byte buffers whose length is not
    a whole number of frames (`sample_width * channels`): a wrong width or channel count would
    otherwise play as noise.
    """
    if channels < 1:
        raise UserError(f"channels must be at least 1, got {channels}")
    if isinstance(buffer, (bytes, bytearray, memoryview)):
        data = bytes(buffer)
        if sample_width not in (1, 2, 3, 4):
            raise UserError(f"sample_width must be 1, 2, 3 or 4 bytes, got {sample_width}")
        frame = sample_width * channels
        if len(data) % frame:
            raise UserError(
                f"Audio of {len(data)} bytes is not a whole number of {frame}-byte frames "
                f"(sample_width={sample_width}, channels={channels}); is the sample width right?"
            )
        return convert_sample_width(data, sample_width)
    if isinstance(buffer, array.array):
        if buffer.typecode == "h":
            return _to_bytes(buffer)
        if buffer.typecode in ("f", "d"):
            return _to_bytes(
                array.array("h", (int(max(-1.0, min(1.0, v)) * 32767.0) for v in buffer))
            )
        raise UserError(
            f"array.array audio must have typecode 'h' (int16) or 'f'/'d', got {buffer.typecode!r}"
        )
    if is_numpy_array(buffer):
        return _numpy_to_pcm16(buffer)
    raise UserError(
        "Audio must be 16-bit PCM bytes, an array.array('h') or a numpy array, got "
        f"{type(buffer).__name__}"
    )


def convert_sample_width(data: bytes, sample_width: int) -> bytes:
    """Little-endian PCM of `sample_width` bytes per sample as 16-bit PCM (keeps the most
    significant bits; 8-bit input is unsigned, as in WAV files)."""
    if sample_width == 2:
        return data
    if sample_width == 1:
        out = bytearray(len(data) * 2)
        out[1::2] = data.translate(_XOR_SIGN)
        return bytes(out)
    if sample_width in (3, 4):
        count = len(data) // sample_width
        out = bytearray(count * 2)
        out[0::2] = data[sample_width - 2 :: sample_width]
        out[1::2] = data[sample_width - 1 :: sample_width]
        return bytes(out)
    raise UserError(f"sample_width must be 1, 2, 3 or 4 bytes, got {sample_width}")


def _samples(pcm: bytes) -> array.array:  # type: ignore[type-arg]
    samples = array.array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if _BIG_ENDIAN:
        samples.byteswap()
    return samples


def _to_bytes(samples: array.array) -> bytes:  # type: ignore[type-arg]
    if _BIG_ENDIAN:
        samples = array.array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def to_mono(pcm: bytes, channels: int) -> bytes:
    """Average interleaved 16-bit channels into one."""
    if channels == 1:
        return pcm
    if channels < 1:
        raise UserError(f"channels must be at least 1, got {channels}")
    samples = _samples(pcm)
    frames = len(samples) // channels
    mono = array.array(
        "h",
        (sum(samples[i * channels : (i + 1) * channels]) // channels for i in range(frames)),
    )
    return _to_bytes(mono)


class Resampler:
    """Streaming linear-interpolation resampler for mono 16-bit PCM.

    Feed chunks in order with `process(chunk)`. Positions are kept as exact integers, so the
    output is identical however the input was split. Good enough for speech sent to a
    recogniser; not a high-fidelity converter.
    """

    def __init__(self, from_rate: int, to_rate: int) -> None:
        if from_rate <= 0 or to_rate <= 0:
            raise UserError(f"Sample rates must be positive, got {from_rate} -> {to_rate}")
        self.from_rate = from_rate
        self.to_rate = to_rate
        # The next output sample sits at input position `_num / to_rate`, counted from `_prev`
        # (the last sample of the previous chunk) when there is one.
        self._num = 0
        self._prev: Optional[int] = None
        self._odd = b""

    def process(self, pcm: bytes) -> bytes:
        """Resample the next chunk; returns what can be produced so far."""
        if self.from_rate == self.to_rate:
            return pcm
        pcm = self._odd + pcm
        self._odd = pcm[len(pcm) - len(pcm) % 2 :]
        samples = _samples(pcm)
        if not samples:
            return b""
        src = samples if self._prev is None else array.array("h", [self._prev]) + samples
        out = array.array("h")
        num, to_rate, step, last = self._num, self.to_rate, self.from_rate, len(src) - 1
        limit = last * to_rate
        while num < limit:
            i, rem = divmod(num, to_rate)
            a = src[i]
            out.append(a + (src[i + 1] - a) * rem // to_rate)
            num += step
        self._num = num - limit
        self._prev = src[last]
        return _to_bytes(out)


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Resample a whole mono 16-bit buffer (see `Resampler`)."""
    if from_rate == to_rate:
        return pcm
    resampler = Resampler(from_rate, to_rate)
    out = resampler.process(pcm)
    if resampler._prev is not None:  # the last input sample ends the signal
        out += _to_bytes(array.array("h", [resampler._prev]))
    return out


def pcm16_to_float32_bytes(pcm: bytes) -> bytes:
    """16-bit PCM as little-endian float32 samples in [-1, 1]."""
    floats = array.array("f", (s / 32767.0 for s in _samples(pcm)))
    if _BIG_ENDIAN:
        floats.byteswap()
    return floats.tobytes()


def pcm_duration_ms(byte_count: int, frame_rate: int = PCM_SAMPLE_RATE, channels: int = 1) -> float:
    """How long `byte_count` bytes of 16-bit PCM play, in milliseconds."""
    return byte_count / (2.0 * channels * frame_rate) * 1000.0
