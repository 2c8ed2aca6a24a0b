"""The `Session` protocol, its ABC, `SessionSettings`, and the item codec every backend shares.

A session keeps a conversation's history as a list of input items (plain dicts in the Responses API
format). The run loop reads the history before the first turn (`get_items`) and appends each
completed turn once (`add_items`).

Every backend stores an item as one JSON object. Items are checked and encoded before anything is
written, so a bad item (not a dict, not JSON-serialisable) raises `UserError` and writes nothing.
A stored element that cannot be decoded back into a JSON object is skipped on read, with a warning
naming the session and the element, so the rest of the history stays usable.
"""

from __future__ import annotations

import abc
import json
import logging
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Optional, Protocol, Union, runtime_checkable

from ..exceptions import UserError
from ..items import TResponseInputItem

__all__ = [
    "Session",
    "SessionABC",
    "SessionSettings",
    "coerce_session_settings",
    "resolve_session_limit",
]

logger = logging.getLogger("agents_lite.memory")


@runtime_checkable
class Session(Protocol):
    """What the runner needs from conversation storage. Implement these four methods (plain,
    blocking methods) and a `session_id` attribute to plug in any store."""

    session_id: str

    def get_items(self, limit: Optional[int] = None) -> list[TResponseInputItem]:
        """The history in chronological order; with `limit`, only the latest `limit` items
        (still oldest first)."""
        ...

    def add_items(self, items: list[TResponseInputItem]) -> None:
        """Append `items` to the history, all or nothing."""
        ...

    def pop_item(self) -> Optional[TResponseInputItem]:
        """Remove and return the most recent item, or None when the history is empty."""
        ...

    def clear_session(self) -> None:
        """Remove every item of this session."""
        ...


class SessionABC(abc.ABC):
    """Base class of the bundled sessions. Third-party stores may subclass it or just follow the
    `Session` protocol."""

    session_id: str
    session_settings: Optional[SessionSettings] = None

    @abc.abstractmethod
    def get_items(self, limit: Optional[int] = None) -> list[TResponseInputItem]:
        """The history in chronological order; with `limit`, only the latest `limit` items
        (still oldest first). Without `limit`, `session_settings.limit` applies when set."""

    @abc.abstractmethod
    def add_items(self, items: list[TResponseInputItem]) -> None:
        """Append `items` to the history, all or nothing."""

    @abc.abstractmethod
    def pop_item(self) -> Optional[TResponseInputItem]:
        """Remove and return the most recent item, or None when the history is empty."""

    @abc.abstractmethod
    def clear_session(self) -> None:
        """Remove every item of this session."""

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections the session opened (nothing by default)."""

    def __enter__(self) -> SessionABC:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


@dataclass
class SessionSettings:
    """Options for reading a session.

    Give them to a session (`SQLiteSession(..., session_settings=SessionSettings(limit=50))`) or
    per run (`RunConfig(session_settings=...)`, which wins).
    """

    limit: Optional[int] = None
    """How many of the latest items to load as history; None loads all of them."""

    def __post_init__(self) -> None:
        self.limit = check_limit(self.limit)

    def resolve(self, override: Union[SessionSettings, dict[str, Any], None]) -> SessionSettings:
        """A copy of these settings with every non-None field of `override` applied on top."""
        if override is None:
            return self
        other = coerce_session_settings(override)
        changes = {
            f.name: getattr(other, f.name)
            for f in fields(self)
            if getattr(other, f.name) is not None
        }
        return replace(self, **changes)

    merge = resolve
    """Alias of `resolve`."""

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dict."""
        return asdict(self)


def coerce_session_settings(value: Union[SessionSettings, dict[str, Any]]) -> SessionSettings:
    """Accept a `SessionSettings` or a dict of its fields; anything else is a `UserError`."""
    if isinstance(value, SessionSettings):
        return value
    if isinstance(value, dict):
        known = {f.name for f in fields(SessionSettings)}
        unknown = sorted(set(value) - known)
        if unknown:
            raise UserError(f"Unknown session settings: {', '.join(map(str, unknown))}")
        return SessionSettings(**value)
    raise UserError(
        f"session_settings must be a SessionSettings or a dict, got {type(value).__name__}"
    )


def check_limit(limit: Any) -> Optional[int]:
    """Validate a history limit: None or an int >= 0."""
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise UserError(f"limit must be an int >= 0 or None, got {limit!r}")
    if limit < 0:
        raise UserError(f"limit must be >= 0, got {limit}")
    return limit


def resolve_session_limit(
    explicit: Optional[int], settings: Union[SessionSettings, dict[str, Any], None]
) -> Optional[int]:
    """The limit a read uses: the explicit one, else the settings' one, else None (everything)."""
    if explicit is not None:
        return check_limit(explicit)
    if settings is None:
        return None
    return coerce_session_settings(settings).limit


# --- the shared item codec -------------------------------------------------------------------


def check_session_id(session_id: Any) -> str:
    """Session ids are strings; anything else is a `UserError`."""
    if not isinstance(session_id, str):
        raise UserError(f"session_id must be a str, got {type(session_id).__name__}")
    return session_id


def encode_items(items: Any) -> list[str]:
    """Check `items` (a list of dicts) and encode each as compact JSON text.

    Raises `UserError` naming the first bad item; nothing is half-encoded, so callers write
    either every item or none.
    """
    if not isinstance(items, (list, tuple)):
        raise UserError(f"add_items expects a list of items, got {type(items).__name__}")
    encoded: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise UserError(
                f"Session item {index} must be a dict in the Responses API format, "
                f"got {type(item).__name__}"
            )
        try:
            encoded.append(
                json.dumps(item, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
            )
        except (TypeError, ValueError) as exc:
            raise UserError(f"Session item {index} is not JSON-serialisable: {exc}") from exc
    return encoded


def decode_item(raw: Union[str, bytes, None], session_id: str, where: str) -> Optional[dict]:
    """Decode one stored element; None (after a warning) when it is not a JSON object.

    `where` names the element for the log line (e.g. "row 42" or "list index 3"); the raw text
    is not logged, since it may hold user data.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = json.loads(text)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:  # ValueError covers JSON and UTF-8 decode errors
        logger.warning(
            "Skipping a corrupt item in session %r (%s): not valid JSON (%s)",
            session_id, where, type(exc).__name__,
        )
        return None
    if not isinstance(value, dict):
        logger.warning(
            "Skipping a corrupt item in session %r (%s): a JSON %s, not an object",
            session_id, where, type(value).__name__,
        )
        return None
    return value
