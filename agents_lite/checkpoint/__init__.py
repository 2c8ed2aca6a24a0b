"""Checkpoint stores for crash-resumable runs: the latest `RunState` of each run, saved
atomically, plus done marks and leases. `SQLiteCheckpointStore` (stdlib sqlite3) and
`RedisCheckpointStore` (the `redis` package) load on first use."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .store import CheckpointInfo, CheckpointStore

if TYPE_CHECKING:
    from .redis_store import RedisCheckpointStore
    from .sqlite_store import SQLiteCheckpointStore

_LAZY = {
    "RedisCheckpointStore": ".redis_store",
    "SQLiteCheckpointStore": ".sqlite_store",
}

__all__ = ["CheckpointInfo", "CheckpointStore", "RedisCheckpointStore", "SQLiteCheckpointStore"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
