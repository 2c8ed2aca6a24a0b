"""Model interfaces and the OpenAI wire implementations (loaded on first use)."""

from __future__ import annotations

import importlib
from typing import Any

from .interface import Model, ModelProvider, ModelTracing

_LAZY = {
    "HTTPClient": "agents_lite.models.http",
    "OpenAIClient": "agents_lite.models.defaults",
    "OpenAIResponsesModel": "agents_lite.models.openai_responses",
    "response_to_model_response": "agents_lite.models.openai_responses",
    "OpenAIChatCompletionsModel": "agents_lite.models.openai_chatcompletions",
    "OpenAIProvider": "agents_lite.models.openai_provider",
    "MultiProvider": "agents_lite.models.multi_provider",
    "MultiProviderMap": "agents_lite.models.multi_provider",
    "set_default_openai_key": "agents_lite.models.defaults",
    "set_default_openai_client": "agents_lite.models.defaults",
    "set_default_openai_api": "agents_lite.models.defaults",
    "get_default_openai_key": "agents_lite.models.defaults",
    "get_default_openai_client": "agents_lite.models.defaults",
    "get_default_openai_api": "agents_lite.models.defaults",
    "get_default_model": "agents_lite.models.defaults",
}

__all__ = ["Model", "ModelProvider", "ModelTracing", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agents_lite.models' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
