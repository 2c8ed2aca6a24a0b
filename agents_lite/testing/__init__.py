"""Offline testing kit: a scripted in-process `FakeModel`, a local OpenAI-compatible server with
fault injection, cassettes (record/replay), and a network guard. Loaded lazily."""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "FakeModel": "agents_lite.testing.fake_model",
    "ModelCall": "agents_lite.testing.fake_model",
    "LocalOpenAIServer": "agents_lite.testing.server",
    "ScriptedResponse": "agents_lite.testing.replies",
    "Reply": "agents_lite.testing.replies",
    "sse_frame": "agents_lite.testing.replies",
    "Fault": "agents_lite.testing.faults",
    "RecordedRequest": "agents_lite.testing.http_wire",
    "block_network": "agents_lite.testing.netguard",
    "NetworkBlockedError": "agents_lite.testing.netguard",
    "network_guard_fixture": "agents_lite.testing.netguard",
    "text_message": "agents_lite.testing.scripted",
    "function_call": "agents_lite.testing.scripted",
    "refusal_message": "agents_lite.testing.scripted",
    "reasoning_item": "agents_lite.testing.scripted",
    "usage_dict": "agents_lite.testing.scripted",
    "record": "agents_lite.testing.cassettes",
    "replay": "agents_lite.testing.cassettes",
    "use_cassette": "agents_lite.testing.cassettes",
    "CassetteMismatchError": "agents_lite.testing.cassettes",
    "enable_conversations_api": "agents_lite.testing.conversations_api",
    "ConversationStore": "agents_lite.testing.conversations_api",
    "MemoryComputer": "agents_lite.testing.memory_computer",
    "RealtimeTestServer": "agents_lite.testing.realtime_server",
    "AudioAPI": "agents_lite.testing.audio_api",
    "install_audio_api": "agents_lite.testing.audio_api",
    "WebSocketServer": "agents_lite.testing.websocket_server",
    "setup_example": "agents_lite.testing.example_support",
    "network_guard_env": "agents_lite.testing.example_support",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agents_lite.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
