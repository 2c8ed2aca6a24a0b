"""`OpenAIProvider`: model names → OpenAI (or OpenAI-compatible) models over one shared client."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Optional, Union

from ..exceptions import UserError
from .defaults import OpenAIClient, get_default_model, get_default_openai_api
from .http import HTTPClient
from .interface import Model, ModelProvider
from .openai_chatcompletions import OpenAIChatCompletionsModel
from .openai_responses import OpenAIResponsesModel

__all__ = ["OpenAIProvider"]


class OpenAIProvider(ModelProvider):
    """Builds `OpenAIResponsesModel`s (or `OpenAIChatCompletionsModel`s) for model names.

    Args:
        api_key / base_url / organization / project: build this provider's own `OpenAIClient`
            (created on first use, shared by every model of the provider). Unset values come from
            the environment.
        use_responses: True for the Responses API, False for Chat Completions; None follows
            `set_default_openai_api` (Responses unless changed).
        client: an `OpenAIClient`/`HTTPClient` to use instead (`openai_client` is an alias).
        timeout / max_retries / default_headers: options of the provider's own client.

    With none of the client options, models use the process default client (see
    `set_default_openai_client`), resolved at request time.
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        organization: Optional[str] = None,
        project: Optional[str] = None,
        use_responses: Optional[bool] = None,
        client: Optional[HTTPClient] = None,
        openai_client: Optional[HTTPClient] = None,
        timeout: Union[None, float, tuple[float, float]] = None,
        max_retries: Optional[int] = None,
        default_headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        client = client or openai_client
        if client is not None:
            if not isinstance(client, HTTPClient):
                raise UserError(
                    f"OpenAIProvider: client must be an OpenAIClient/HTTPClient, got "
                    f"{type(client).__name__}"
                )
            if api_key or base_url or organization or project:
                raise UserError("OpenAIProvider: pass either client or api_key/base_url/..., not both")
        self._client = client
        self._client_options = {
            "api_key": api_key,
            "base_url": base_url,
            "organization": organization,
            "project": project,
            "timeout": timeout,
            "default_headers": default_headers,
        }
        if max_retries is not None:
            self._client_options["max_retries"] = max_retries
        self._own_client = client is None and any(
            v is not None for v in self._client_options.values()
        )
        self._use_responses = use_responses
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        base = self._client_options.get("base_url") or (
            self._client.base_url if self._client is not None else None
        )
        return f"OpenAIProvider(base_url={base!r}, use_responses={self._use_responses})"

    def _get_client(self) -> Optional[HTTPClient]:
        if self._client is not None or not self._own_client:
            return self._client
        with self._lock:
            if self._client is None:
                self._client = OpenAIClient(**self._client_options)  # type: ignore[arg-type]
            return self._client

    @property
    def use_responses(self) -> bool:
        """Whether models of this provider use the Responses API."""
        if self._use_responses is not None:
            return self._use_responses
        return get_default_openai_api() == "responses"

    def get_model(self, model_name: Optional[str]) -> Model:
        """A model for `model_name` (None: `OPENAI_DEFAULT_MODEL`, else "gpt-4.1")."""
        name = model_name or get_default_model()
        client = self._get_client()
        if self.use_responses:
            return OpenAIResponsesModel(name, client)
        return OpenAIChatCompletionsModel(name, client)

    def close(self) -> None:
        """Close the connections of the provider's own client (a given client is left open)."""
        if self._own_client and self._client is not None:
            self._client.close()
