"""Session stores with optional dependencies, where the reference keeps them
(`agents.extensions.memory`): `RedisSession` needs the `redis` package. Loaded on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...memory.redis_session import RedisSession

__all__ = ["RedisSession"]


def __getattr__(name: str) -> Any:
    if name == "RedisSession":
        from ...memory.redis_session import RedisSession

        globals()[name] = RedisSession
        return RedisSession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return list(__all__)
