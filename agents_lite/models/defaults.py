"""Process-wide OpenAI defaults: the API key, the client, and which API models use.

`set_default_openai_key`, `set_default_openai_client` and `set_default_openai_api` change what
providers and models built afterwards (and models built without a client) use. These are
configuration, set once at start-up; they hold no per-run state. Reads are lock-free, writes take
a lock, so threads always see a consistent value.

Environment: `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`,
`OPENAI_DEFAULT_MODEL`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Literal, Optional, Union

from ..exceptions import UserError
from .http import DEFAULT_BASE_URL, HTTPClient, Transport

__all__ = [
    "DEFAULT_MODEL",
    "OpenAIClient",
    "get_default_model",
    "get_default_openai_api",
    "get_default_openai_client",
    "get_default_openai_key",
    "set_default_openai_api",
    "set_default_openai_client",
    "set_default_openai_key",
    "shared_openai_client",
]

DEFAULT_MODEL = "gpt-4.1"
"""The model used when neither the agent nor `OPENAI_DEFAULT_MODEL` names one."""

_OPENAI_HOSTS = ("https://api.openai.com",)


class OpenAIClient(HTTPClient):
    """An `HTTPClient` for the OpenAI API (or any compatible one) whose unset fields come from
    the environment and the global defaults.

    `api_key` falls back to `set_default_openai_key(...)`, then `OPENAI_API_KEY`; `base_url` to
    `OPENAI_BASE_URL`, then "https://api.openai.com/v1"; `organization` / `project` to
    `OPENAI_ORG_ID` / `OPENAI_PROJECT_ID`. Without any key, requests to api.openai.com raise a
    `UserError` (local OpenAI-compatible servers work without one).

    Creating one is cheap (connections open on first use); share one per process or per API.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        organization: Optional[str] = None,
        project: Optional[str] = None,
        timeout: Union[None, float, tuple[float, float]] = None,
        max_retries: int = 2,
        default_headers: Optional[Mapping[str, str]] = None,
        transport: Optional[Transport] = None,
        pool_maxsize: int = 4,
    ) -> None:
        if api_key is None:
            api_key = _state.key or os.environ.get("OPENAI_API_KEY") or None
        base_url = base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            organization=organization or os.environ.get("OPENAI_ORG_ID") or None,
            project=project or os.environ.get("OPENAI_PROJECT_ID") or None,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            transport=transport,
            pool_maxsize=pool_maxsize,
        )
        if not api_key and self.base_url.startswith(_OPENAI_HOSTS):
            self.missing_key_message = (
                "No OpenAI API key: set the OPENAI_API_KEY environment variable, call "
                "set_default_openai_key(...), or pass api_key=... to OpenAIProvider/OpenAIClient"
            )

    @property
    def is_openai(self) -> bool:
        """Whether this client talks to OpenAI itself (some defaults differ for other hosts)."""
        return self.base_url.startswith(_OPENAI_HOSTS)

    def __repr__(self) -> str:
        return "Open" + super().__repr__().replace("HTTPClient", "AIClient", 1)


class _Defaults:
    __slots__ = ("key", "client", "api", "shared", "lock")

    def __init__(self) -> None:
        self.key: Optional[str] = None
        self.client: Optional[HTTPClient] = None
        self.api: str = "responses"
        self.shared: Optional[HTTPClient] = None
        self.lock = threading.Lock()


_state = _Defaults()


def set_default_openai_key(key: str, use_for_tracing: bool = True) -> None:
    """Use `key` for OpenAI requests of providers and models that were given no key or client
    (it wins over `OPENAI_API_KEY`). With `use_for_tracing`, traces are exported with it too."""
    if not isinstance(key, str) or not key:
        raise UserError("set_default_openai_key needs a non-empty string")
    with _state.lock:
        _state.key = key
        _state.shared = None  # rebuilt with the new key on next use
    if use_for_tracing:
        _set_tracing_key(key)


def set_default_openai_client(client: HTTPClient, use_for_tracing: bool = True) -> None:
    """Use `client` (an `OpenAIClient` or `HTTPClient`) for models and providers built without
    their own. With `use_for_tracing`, its key is also used to export traces."""
    if not isinstance(client, HTTPClient):
        raise UserError(
            "set_default_openai_client expects an OpenAIClient (or HTTPClient), got "
            f"{type(client).__name__}"
        )
    with _state.lock:
        _state.client = client
    key = client._api_key
    if use_for_tracing and key:
        _set_tracing_key(key)


def set_default_openai_api(api: Literal["responses", "chat_completions"]) -> None:
    """Choose the API OpenAI models use by default: "responses" (the default) or
    "chat_completions"."""
    if api not in ("responses", "chat_completions"):
        raise UserError(f"set_default_openai_api: expected 'responses' or 'chat_completions', got {api!r}")
    with _state.lock:
        _state.api = api


def get_default_openai_key() -> Optional[str]:
    """The key set with `set_default_openai_key`, else `OPENAI_API_KEY`, else None."""
    return _state.key or os.environ.get("OPENAI_API_KEY") or None


def get_default_openai_client() -> Optional[HTTPClient]:
    """The client set with `set_default_openai_client`, or None."""
    return _state.client


def get_default_openai_api() -> str:
    """"responses" or "chat_completions"."""
    return _state.api


def get_default_model() -> str:
    """`OPENAI_DEFAULT_MODEL`, else "gpt-4.1"."""
    return os.environ.get("OPENAI_DEFAULT_MODEL") or DEFAULT_MODEL


def shared_openai_client() -> HTTPClient:
    """The client for models built without one: the default client if set, else one
    `OpenAIClient` shared by the whole process (created on first use)."""
    client = _state.client or _state.shared
    if client is not None:
        return client
    with _state.lock:
        if _state.client is not None:
            return _state.client
        if _state.shared is None:
            _state.shared = OpenAIClient()
        return _state.shared


def _set_tracing_key(key: str) -> None:
    try:
        from ..tracing.setup import set_tracing_export_api_key
    except ImportError:  # tracing not available in this build
        return
    set_tracing_export_api_key(key)


def _reset_for_tests() -> None:
    """Forget every default (tests only)."""
    with _state.lock:
        _state.key = None
        _state.client = None
        _state.api = "responses"
        _state.shared = None
