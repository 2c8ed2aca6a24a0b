"""`MultiProvider`: routes "prefix/model" names to providers.

- no prefix ("gpt-4.1") → the OpenAI provider;
- "openai/gpt-4.1" → the OpenAI provider with "gpt-4.1";
- "litellm/anthropic/claude-..." → `LitellmModel` (needs the optional `litellm` package);
- any prefix registered by the user (`register`, `register_openai_compatible`, or a
  `MultiProviderMap`) → that provider, with the rest of the name.

An unknown prefix raises `UserError` listing the known ones.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Optional, Union

from ..exceptions import UserError
from .http import HTTPClient
from .interface import Model, ModelProvider
from .openai_provider import OpenAIProvider

__all__ = ["MultiProvider", "MultiProviderMap"]


class MultiProviderMap:
    """Prefix → provider mapping used by `MultiProvider`. Thread-safe."""

    def __init__(self) -> None:
        self._mapping: dict[str, ModelProvider] = {}
        self._lock = threading.Lock()

    def has_prefix(self, prefix: str) -> bool:
        """Whether `prefix` is registered."""
        return prefix in self._mapping

    def get_mapping(self) -> dict[str, ModelProvider]:
        """A copy of the mapping."""
        with self._lock:
            return dict(self._mapping)

    def set_mapping(self, mapping: Mapping[str, ModelProvider]) -> None:
        """Replace the whole mapping."""
        for prefix in mapping:
            _check_prefix(prefix)
        with self._lock:
            self._mapping = dict(mapping)

    def get_provider(self, prefix: str) -> Optional[ModelProvider]:
        """The provider for `prefix`, or None."""
        return self._mapping.get(prefix)

    def add_provider(self, prefix: str, provider: ModelProvider) -> None:
        """Register (or replace) the provider for `prefix`."""
        _check_prefix(prefix)
        if not isinstance(provider, ModelProvider):
            raise UserError(f"{provider!r} is not a ModelProvider")
        with self._lock:
            mapping = dict(self._mapping)
            mapping[prefix] = provider
            self._mapping = mapping  # readers see the old or the new dict, never a half-update

    def remove_provider(self, prefix: str) -> None:
        """Forget `prefix` (no error if absent)."""
        with self._lock:
            mapping = dict(self._mapping)
            mapping.pop(prefix, None)
            self._mapping = mapping


def _check_prefix(prefix: str) -> None:
    if not isinstance(prefix, str) or not prefix or "/" in prefix:
        raise UserError(f"A provider prefix must be a non-empty string without '/', got {prefix!r}")


class MultiProvider(ModelProvider):
    """Routes model names by prefix; the default `RunConfig.model_provider`.

    Args:
        provider_map: user prefixes (checked before the built-in "openai" and "litellm").
        openai_api_key / openai_base_url / openai_client / openai_organization /
        openai_project / openai_use_responses: options of the built-in OpenAI provider.
    """

    def __init__(
        self,
        *,
        provider_map: Optional[MultiProviderMap] = None,
        openai_api_key: Optional[str] = None,
        openai_base_url: Optional[str] = None,
        openai_client: Optional[HTTPClient] = None,
        openai_organization: Optional[str] = None,
        openai_project: Optional[str] = None,
        openai_use_responses: Optional[bool] = None,
    ) -> None:
        self.provider_map = provider_map if provider_map is not None else MultiProviderMap()
        self.openai_provider = OpenAIProvider(
            api_key=openai_api_key,
            base_url=openai_base_url,
            client=openai_client,
            organization=openai_organization,
            project=openai_project,
            use_responses=openai_use_responses,
        )
        self._litellm: Optional[ModelProvider] = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MultiProvider(prefixes={self.known_prefixes()})"

    def known_prefixes(self) -> list[str]:
        """Every prefix this provider routes: registered ones, then "openai" and "litellm"."""
        return sorted(self.provider_map.get_mapping()) + ["openai", "litellm"]

    def register(self, prefix: str, provider: ModelProvider) -> None:
        """Route "prefix/..." model names to `provider`."""
        self.provider_map.add_provider(prefix, provider)

    def register_openai_compatible(
        self,
        prefix: str,
        base_url: str,
        *,
        api_key: Optional[str] = None,
        use_responses: bool = False,
        timeout: Union[None, float, tuple[float, float]] = None,
        max_retries: Optional[int] = None,
    ) -> OpenAIProvider:
        """Route "prefix/..." to an OpenAI-compatible server at `base_url` (Chat Completions by
        default, since that is what most such servers speak). Returns the new provider.

        Example: `provider.register_openai_compatible("ollama", "http://localhost:11434/v1")`,
        then `Agent(model="ollama/llama3.2")`. A server that needs no key gets none sent.
        """
        provider = OpenAIProvider(
            client=_compatible_client(base_url, api_key, timeout, max_retries),
            use_responses=use_responses,
        )
        self.register(prefix, provider)
        return provider

    def get_model(self, model_name: Optional[str]) -> Model:
        """The model for a (possibly prefixed) name; None gives the OpenAI default model."""
        if model_name is None:
            return self.openai_provider.get_model(None)
        prefix, sep, rest = model_name.partition("/")
        if not sep:
            return self.openai_provider.get_model(model_name)
        provider = self.provider_map.get_provider(prefix)
        if provider is not None:
            return provider.get_model(rest)
        if prefix == "openai":
            return self.openai_provider.get_model(rest)
        if prefix == "litellm":
            return self._litellm_provider().get_model(rest)
        known = ", ".join(p + "/" for p in self.known_prefixes())
        raise UserError(
            f"Unknown model prefix {prefix!r} in model name {model_name!r}. Known prefixes: "
            f"{known}. Register others with MultiProvider.register(...) or "
            "register_openai_compatible(...)."
        )

    def _litellm_provider(self) -> ModelProvider:
        with self._lock:
            if self._litellm is None:
                from ..extensions.litellm_model import LitellmProvider

                self._litellm = LitellmProvider()
            return self._litellm

    def close(self) -> None:
        """Close the built-in and registered providers."""
        self.openai_provider.close()
        for provider in self.provider_map.get_mapping().values():
            provider.close()


def _compatible_client(
    base_url: str,
    api_key: Optional[str],
    timeout: Union[None, float, tuple[float, float]],
    max_retries: Optional[int],
) -> HTTPClient:
    # A plain HTTPClient, not an OpenAIClient: the OpenAI key from the environment must not leak
    # to a third-party server.
    return HTTPClient(
        api_key=api_key,
        base_url=base_url,
        timeout=timeout,
        max_retries=2 if max_retries is None else max_retries,
    )
