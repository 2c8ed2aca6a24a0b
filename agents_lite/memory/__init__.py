"""Sessions: conversation history that survives between runs.

`Session` is the protocol the runner uses; the bundled stores are `SQLiteSession` (stdlib
sqlite3), `RedisSession` (the `redis` package), `InMemorySession` and
`OpenAIConversationsSession` (the OpenAI Conversations API). The stores load on first use, so
importing this package imports neither sqlite3 nor redis.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .session import (
    Session,
    SessionABC,
    SessionSettings,
    coerce_session_settings,
    resolve_session_limit,
)

if TYPE_CHECKING:
    from .memory_session import InMemorySession
    from .openai_conversations_session import (
        OpenAIConversationsSession,
        start_openai_conversations_session,
    )
    from .redis_session import RedisSession
    from .sqlite_session import SQLiteSession

_LAZY = {
    "InMemorySession": ".memory_session",
    "OpenAIConversationsSession": ".openai_conversations_session",
    "start_openai_conversations_session": ".openai_conversations_session",
    "RedisSession": ".redis_session",
    "SQLiteSession": ".sqlite_session",
}

__all__ = [
    "InMemorySession",
    "OpenAIConversationsSession",
    "RedisSession",
    "SQLiteSession",
    "Session",
    "SessionABC",
    "SessionSettings",
    "coerce_session_settings",
    "resolve_session_limit",
    "start_openai_conversations_session",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
