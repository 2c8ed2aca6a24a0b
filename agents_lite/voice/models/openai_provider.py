"""`OpenAIVoiceModelProvider`: model names → OpenAI speech-to-text and text-to-speech models."""

from __future__ import annotations

import threading
from typing import Optional

from ...exceptions import UserError
from ...models.http import HTTPClient
from ..model import STTModel, TTSModel, VoiceModelProvider
from .openai_stt import OpenAISTTModel
from .openai_tts import OpenAITTSModel

__all__ = ["DEFAULT_STT_MODEL", "DEFAULT_TTS_MODEL", "OpenAIVoiceModelProvider"]

DEFAULT_STT_MODEL = "gpt-4o-transcribe"
DEFAULT_TTS_MODEL = "gpt-4o-mini-tts"


class OpenAIVoiceModelProvider(VoiceModelProvider):
    """Builds `OpenAISTTModel`s and `OpenAITTSModel`s sharing one client.

    Args:
        api_key / base_url / organization / project: options of this provider's own
            `OpenAIClient` (unset values come from the environment and global defaults).
        openai_client: a client to use instead.
        websocket_base_url: where streamed transcription connects (default: the client's base
            URL with http→ws, https→wss).
    With no client options, models use the process default OpenAI client.
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        openai_client: Optional[HTTPClient] = None,
        organization: Optional[str] = None,
        project: Optional[str] = None,
        websocket_base_url: Optional[str] = None,
    ) -> None:
        if openai_client is not None:
            if not isinstance(openai_client, HTTPClient):
                raise UserError(
                    "OpenAIVoiceModelProvider: openai_client must be an OpenAIClient/HTTPClient"
                )
            if api_key or base_url or organization or project:
                raise UserError(
                    "OpenAIVoiceModelProvider: pass either openai_client or api_key/base_url/..."
                )
        self._client = openai_client
        self._options = {
            "api_key": api_key, "base_url": base_url,
            "organization": organization, "project": project,
        }
        self._own_client = openai_client is None and any(v for v in self._options.values())
        self.websocket_base_url = websocket_base_url
        self._lock = threading.Lock()

    def _get_client(self) -> Optional[HTTPClient]:
        if self._client is not None or not self._own_client:
            return self._client
        with self._lock:
            if self._client is None:
                from ...models.defaults import OpenAIClient

                self._client = OpenAIClient(**self._options)  # type: ignore[arg-type]
            return self._client

    def get_stt_model(self, model_name: Optional[str]) -> STTModel:
        """An `OpenAISTTModel` (default gpt-4o-transcribe)."""
        return OpenAISTTModel(
            model_name or DEFAULT_STT_MODEL, self._get_client(),
            websocket_base_url=self.websocket_base_url,
        )

    def get_tts_model(self, model_name: Optional[str]) -> TTSModel:
        """An `OpenAITTSModel` (default gpt-4o-mini-tts)."""
        return OpenAITTSModel(model_name or DEFAULT_TTS_MODEL, self._get_client())
