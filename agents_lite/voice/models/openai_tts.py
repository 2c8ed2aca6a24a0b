"""`OpenAITTSModel`: text to speech over `POST /v1/audio/speech`, streamed raw PCM."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

from ...models.http import HTTPClient
from ..model import TTSModel, TTSModelSettings

__all__ = ["DEFAULT_VOICE", "OpenAITTSModel", "TTS_CHUNK_SIZE"]

DEFAULT_VOICE = "ash"
TTS_CHUNK_SIZE = 1024
"""Bytes per chunk handed to the pipeline (the response is read as it arrives)."""


class OpenAITTSModel(TTSModel):
    """OpenAI's speech endpoint (gpt-4o-mini-tts, tts-1, tts-1-hd, or any compatible server).

    Audio is requested as headerless 16-bit mono 24 kHz PCM and yielded in 1024-byte chunks as
    it arrives. Failures before the audio starts are retried by the HTTP client (its
    `max_retries`); a failure afterwards raises at once.
    """

    def __init__(self, model: str, openai_client: Optional[HTTPClient] = None) -> None:
        """`openai_client` defaults to the process-wide OpenAI client (`OPENAI_API_KEY`,
        `OPENAI_BASE_URL`, `set_default_openai_client`)."""
        self.model = model
        self._client = openai_client

    @property
    def model_name(self) -> str:
        """The speech model's name."""
        return self.model

    def _get_client(self) -> HTTPClient:
        if self._client is None:
            from ...models.defaults import shared_openai_client

            self._client = shared_openai_client()
        return self._client

    def request_body(self, text: str, settings: TTSModelSettings) -> dict[str, Any]:
        """The JSON body of the speech request."""
        body: dict[str, Any] = {
            "model": self.model,
            "voice": settings.voice or DEFAULT_VOICE,
            "input": text,
            "response_format": "pcm",
        }
        # tts-1 models reject instructions
        if settings.instructions and not self.model.startswith("tts-1"):
            body["instructions"] = settings.instructions
        if settings.speed is not None:
            body["speed"] = settings.speed
        return body

    def run(self, text: str, settings: TTSModelSettings) -> Iterator[bytes]:
        """Yield the speech of `text` as PCM chunks. Closing the iterator closes the response."""
        if not text.strip():
            return
        client = self._get_client()
        response = client.request(
            "POST",
            "/audio/speech",
            self.request_body(text, settings),
            headers={"Accept": "application/octet-stream"},
            stream=True,
        )
        try:
            pending = b""
            for data in response.iter_bytes():
                pending += data
                while len(pending) >= TTS_CHUNK_SIZE:
                    yield pending[:TTS_CHUNK_SIZE]
                    pending = pending[TTS_CHUNK_SIZE:]
            if pending:
                yield pending
        finally:
            response.close()
