"""The OpenAI audio endpoints for `LocalOpenAIServer`: `/v1/audio/transcriptions` (multipart
upload) and `/v1/audio/speech` (streamed raw PCM).

    server = LocalOpenAIServer().start()
    audio = install_audio_api(server)
    audio.add_transcript("What's the weather?")      # the next transcription's text

Speech is a deterministic tone whose length is proportional to the text (`ms_per_char`), so
tests can predict every byte (`expected_speech(text)`). Faults use the server's path queues:
`server.add_response(Fault(status=500), path="/v1/audio/speech")`. Standard library only.
"""

from __future__ import annotations

import array
import io
import math
import sys
import threading
import wave
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Optional

from .faults import error_body
from .http_wire import RecordedRequest
from .replies import Reply

__all__ = [
    "AudioAPI",
    "TranscriptionRequest",
    "install_audio_api",
    "parse_multipart",
    "speech_pcm",
    "tone_pcm",
]

SAMPLE_RATE = 24000
_TONE_HZ = 400  # 24000 / 400 = 60 samples per period: the tone tiles exactly


def _period(amplitude: int) -> bytes:
    samples = array.array(
        "h",
        (int(amplitude * math.sin(2 * math.pi * i / (SAMPLE_RATE // _TONE_HZ)))
         for i in range(SAMPLE_RATE // _TONE_HZ)),
    )
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


_PERIOD = _period(8000)


def tone_pcm(duration_ms: float) -> bytes:
    """A 400 Hz tone, 16-bit mono 24 kHz PCM, `duration_ms` long."""
    samples = int(SAMPLE_RATE * duration_ms / 1000.0)
    whole, rest = divmod(samples, len(_PERIOD) // 2)
    return _PERIOD * whole + _PERIOD[: rest * 2]


def speech_pcm(text: str, ms_per_char: float = 40.0) -> bytes:
    """The audio the local speech endpoint returns for `text`."""
    return tone_pcm(len(text) * ms_per_char)


def parse_multipart(body: bytes, content_type: str) -> dict[str, tuple[Optional[str], Optional[str],
                                                                     bytes]]:
    """`{name: (filename, content_type, data)}` of a multipart/form-data body. Raises
    `ValueError` when the body is not multipart."""
    boundary = None
    for piece in content_type.split(";"):
        key, _, value = piece.strip().partition("=")
        if key.lower() == "boundary":
            boundary = value.strip('"')
    if not content_type.lower().startswith("multipart/form-data") or not boundary:
        raise ValueError(f"not a multipart/form-data body (Content-Type {content_type!r})")
    delimiter = b"--" + boundary.encode()
    parts: dict[str, tuple[Optional[str], Optional[str], bytes]] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("malformed multipart part (no blank line after its headers)")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        name = filename = part_type = None
        for line in head.decode("utf-8", errors="replace").split("\r\n"):
            header, _, value = line.partition(":")
            if header.strip().lower() == "content-disposition":
                for attr in value.split(";"):
                    k, _, v = attr.strip().partition("=")
                    if k == "name":
                        name = v.strip('"')
                    elif k == "filename":
                        filename = v.strip('"')
            elif header.strip().lower() == "content-type":
                part_type = value.strip()
        if name is not None:
            parts[name] = (filename, part_type, data)
    return parts


@dataclass
class TranscriptionRequest:
    """One upload to `/v1/audio/transcriptions`, decoded."""

    model: Optional[str]
    filename: Optional[str]
    content_type: Optional[str]
    fields: dict[str, str]
    """Every non-file form field (model, prompt, language, temperature, ...)."""
    frame_rate: int
    channels: int
    sample_width: int
    pcm: bytes
    """The uploaded audio's frames, as stored in the WAV."""
    wav: bytes = field(repr=False, default=b"")


class AudioAPI:
    """The audio routes of one `LocalOpenAIServer`, with scripted transcripts and recordings.

    Transcriptions answer with the next queued transcript (`add_transcript`), else
    `default_transcript`, else a description of the audio ("<n> ms of audio"). Speech answers
    with `speech_pcm(input, ms_per_char)`, streamed in `chunk_size`-byte pieces.
    """

    def __init__(
        self,
        *,
        ms_per_char: float = 40.0,
        chunk_size: int = 4096,
        default_transcript: Optional[str] = None,
    ) -> None:
        self.ms_per_char = ms_per_char
        self.chunk_size = chunk_size
        self.default_transcript = default_transcript
        self.transcriptions: list[TranscriptionRequest] = []
        self.speech_requests: list[dict[str, Any]] = []
        self._transcripts: deque[str] = deque()
        self._lock = threading.Lock()

    def install(self, server: Any) -> AudioAPI:
        """Add the two routes to `server`; returns self."""
        server.add_route("POST", "/v1/audio/transcriptions", self._transcribe)
        server.add_route("POST", "/v1/audio/speech", self._speech)
        return self

    def add_transcript(self, text: str) -> None:
        """Queue the text of the next transcription (FIFO)."""
        with self._lock:
            self._transcripts.append(text)

    def add_transcripts(self, *texts: str) -> None:
        """Queue several transcripts in order."""
        for text in texts:
            self.add_transcript(text)

    def expected_speech(self, text: str) -> bytes:
        """The exact PCM the speech endpoint returns for `text`."""
        return speech_pcm(text, self.ms_per_char)

    # --- handlers ---------------------------------------------------------------------------

    def _transcribe(self, request: RecordedRequest) -> Reply:
        try:
            parts = parse_multipart(request.raw_body, request.headers.get("content-type", ""))
        except ValueError as exc:
            return Reply(400, body=error_body(400, str(exc)))
        if "file" not in parts:
            return Reply(400, body=error_body(400, "Missing required parameter: 'file'.",
                                              param="file"))
        if "model" not in parts:
            return Reply(400, body=error_body(400, "Missing required parameter: 'model'.",
                                              param="model"))
        filename, part_type, data = parts["file"]
        try:
            with wave.open(io.BytesIO(data), "rb") as reader:
                rate, channels = reader.getframerate(), reader.getnchannels()
                width = reader.getsampwidth()
                pcm = reader.readframes(reader.getnframes())
        except (wave.Error, EOFError) as exc:
            return Reply(400, body=error_body(
                400, f"Invalid file format: {exc}", code="invalid_value", param="file"))
        fields = {k: v[2].decode("utf-8", errors="replace") for k, v in parts.items()
                  if k != "file"}
        record = TranscriptionRequest(fields.get("model"), filename, part_type, fields, rate,
                                      channels, width, pcm, data)
        with self._lock:
            self.transcriptions.append(record)
            text = self._transcripts.popleft() if self._transcripts else None
        if text is None:
            duration = len(pcm) / max(1, width * channels * rate) * 1000.0
            text = self.default_transcript if self.default_transcript is not None else (
                f"{round(duration)} ms of audio")
        return Reply(200, body={"text": text, "usage": {
            "type": "duration", "seconds": math.ceil(len(pcm) / max(1, width * channels * rate))}})

    def _speech(self, request: RecordedRequest) -> Reply:
        body = request.body
        if not isinstance(body, dict):
            return Reply(400, body=error_body(400, "We could not parse the JSON body of your "
                                                   "request.", code="invalid_json"))
        text = body.get("input")
        if not isinstance(text, str) or not text:
            return Reply(400, body=error_body(400, "Missing required parameter: 'input'.",
                                              param="input"))
        if len(text) > 4096:
            return Reply(400, body=error_body(
                400, "Input is too long: at most 4096 characters.", param="input"))
        if body.get("response_format", "mp3") != "pcm":
            return Reply(400, body=error_body(
                400, "The local server only produces response_format 'pcm'.",
                param="response_format"))
        with self._lock:
            self.speech_requests.append(body)
        pcm = self.expected_speech(text)
        size = self.chunk_size

        def chunks() -> Any:
            for start in range(0, len(pcm), size):
                yield pcm[start: start + size]

        return Reply(200, headers={"content-type": "application/octet-stream"}, body=chunks())


def install_audio_api(server: Any, **options: Any) -> AudioAPI:
    """Serve the audio endpoints on `server` (a `LocalOpenAIServer`); returns the `AudioAPI`
    holding the scripts and recordings. `options` go to `AudioAPI`."""
    return AudioAPI(**options).install(server)
