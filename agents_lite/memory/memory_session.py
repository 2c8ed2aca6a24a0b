"""`InMemorySession`: history in a Python list, for tests, notebooks and short-lived processes."""

from __future__ import annotations

import json
import threading
from typing import Any, Optional, Union

from ..items import TResponseInputItem
from .session import (
    SessionABC,
    SessionSettings,
    check_session_id,
    coerce_session_settings,
    encode_items,
    resolve_session_limit,
)

__all__ = ["InMemorySession"]


class InMemorySession(SessionABC):
    """A session kept in this process's memory; gone when the object is.

    Safe to share across threads (one lock). Items are stored as JSON text, exactly like the
    persistent backends, so what you read back is a fresh copy: mutating it never changes the
    stored history, and an item that could not be stored in SQLite or Redis is refused here too.

        >>> session = InMemorySession("demo")
        >>> session.add_items([{"role": "user", "content": "hi"}])
        >>> session.get_items()
        [{'role': 'user', 'content': 'hi'}]
    """

    def __init__(
        self,
        session_id: str,
        session_settings: Union[SessionSettings, dict[str, Any], None] = None,
    ) -> None:
        self.session_id = check_session_id(session_id)
        self.session_settings = (
            coerce_session_settings(session_settings)
            if session_settings is not None
            else SessionSettings()
        )
        self._items: list[str] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"InMemorySession(session_id={self.session_id!r}, items={len(self._items)})"

    def get_items(self, limit: Optional[int] = None) -> list[TResponseInputItem]:
        """The history, oldest first; with `limit`, only the latest `limit` items."""
        limit = resolve_session_limit(limit, self.session_settings)
        with self._lock:
            if limit is None:
                raw = list(self._items)
            elif limit == 0:
                raw = []
            else:
                raw = self._items[-limit:]
        return [json.loads(text) for text in raw]

    def add_items(self, items: list[TResponseInputItem]) -> None:
        """Append `items` (all are checked before any is stored)."""
        encoded = encode_items(items)
        if encoded:
            with self._lock:
                self._items.extend(encoded)

    def pop_item(self) -> Optional[TResponseInputItem]:
        """Remove and return the latest item, or None when empty."""
        with self._lock:
            if not self._items:
                return None
            text = self._items.pop()
        return json.loads(text)  # type: ignore[no-any-return]

    def clear_session(self) -> None:
        """Forget every item."""
        with self._lock:
            self._items.clear()
