"""`OpenAIConversationsSession`: history kept by the OpenAI Conversations API.

Endpoints used (relative to the client's base URL, e.g. https://api.openai.com/v1):
- `POST /conversations` `{"items": []}` → `{"id": "conv_...", "object": "conversation", ...}`,
  made lazily on first use when no conversation id was given;
- `POST /conversations/{id}/items` `{"items": [...]}` (at most 20 items per request) →
  `{"object": "list", "data": [...], ...}`;
- `GET /conversations/{id}/items?limit=&order=&after=` → a page `{"data", "has_more",
  "first_id", "last_id"}`; `after=<last_id>` fetches the next one;
- `DELETE /conversations/{id}/items/{item_id}` (pop) and `DELETE /conversations/{id}` (clear).

Items come back as the API stores them: with an `id`, and messages with `status` and their
content as a list of parts.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Optional, Union
from urllib.parse import quote

from ..exceptions import ModelBehaviorError, NotFoundError, UserError
from ..items import TResponseInputItem
from ..model_settings import ModelRetrySettings
from .session import (
    SessionABC,
    SessionSettings,
    coerce_session_settings,
    encode_items,
    resolve_session_limit,
)

__all__ = [
    "ConversationNotCreatedError",
    "OpenAIConversationsSession",
    "start_openai_conversations_session",
]

MAX_ITEMS_PER_CREATE = 20
"""The Conversations API accepts at most this many items per `items` request."""
_PAGE_SIZE = 100
# Creating items is not idempotent: retry only when the server says it did nothing (429).
_CREATE_RETRY = ModelRetrySettings(retry_on_status=(429,))


class ConversationNotCreatedError(UserError, AttributeError):
    """`session_id` was read before the conversation was created. It is an `AttributeError`
    too, so `hasattr(session, "session_id")` is simply False until then."""


def _request_json(
    client: Any,
    method: str,
    path: str,
    body: Any = None,
    *,
    query: Optional[Mapping[str, Any]] = None,
    retry: Optional[ModelRetrySettings] = None,
) -> Any:
    """One JSON request through the wire layer's `HTTPClient`; returns the decoded body.

    Errors are the client's: `APIStatusError` subclasses (e.g. `NotFoundError`),
    `APIConnectionError`, `APITimeoutError`.
    """
    return client.request_json(method, path, body, query=query, retry=retry)


def _default_client(api_key: Optional[str], base_url: Optional[str]) -> Any:
    from ..models.defaults import OpenAIClient, shared_openai_client

    if api_key is not None or base_url is not None:
        return OpenAIClient(api_key=api_key, base_url=base_url)
    return shared_openai_client()


def start_openai_conversations_session(openai_client: Any = None) -> str:
    """Create an empty conversation and return its id (uses the default client when none is
    given)."""
    client = openai_client if openai_client is not None else _default_client(None, None)
    created = _request_json(client, "POST", "/conversations", {"items": []}, retry=_CREATE_RETRY)
    conversation_id = created.get("id") if isinstance(created, dict) else None
    if not isinstance(conversation_id, str) or not conversation_id:
        raise ModelBehaviorError(f"Creating a conversation returned no id: {created!r}")
    return conversation_id


class OpenAIConversationsSession(SessionABC):
    """A session whose history lives in an OpenAI conversation.

    Args:
        conversation_id: an existing conversation; None creates one on first use.
        openai_client: an `OpenAIClient` / `HTTPClient`; default: the process-wide client
            (`set_default_openai_client`, else one built from `OPENAI_API_KEY` /
            `OPENAI_BASE_URL`).
        api_key / base_url: build a dedicated client instead (ignored when `openai_client` is
            given).
        session_settings: defaults for reads (e.g. `SessionSettings(limit=50)`).

    `add_items` sends at most 20 items per request; when a later request fails, the items the
    earlier ones created are deleted again before the error is raised, so the conversation gets
    all of them or (as far as the API allows) none.
    """

    def __init__(
        self,
        conversation_id: Optional[str] = None,
        *,
        openai_client: Any = None,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        session_settings: Union[SessionSettings, dict[str, Any], None] = None,
    ) -> None:
        from ..models.http import HTTPClient

        if conversation_id is not None and (
            not isinstance(conversation_id, str) or not conversation_id
        ):
            raise UserError("conversation_id must be a non-empty string or None")
        if openai_client is None:
            openai_client = _default_client(api_key, base_url)
        elif not isinstance(openai_client, HTTPClient):
            raise UserError(
                "openai_client must be an agents_lite OpenAIClient/HTTPClient, got "
                f"{type(openai_client).__name__}"
            )
        self._client = openai_client
        self._conversation_id = conversation_id
        self._lock = threading.RLock()
        self.session_settings = (
            coerce_session_settings(session_settings)
            if session_settings is not None
            else SessionSettings()
        )

    def __repr__(self) -> str:
        return f"OpenAIConversationsSession(conversation_id={self._conversation_id!r})"

    @property
    def session_id(self) -> str:  # type: ignore[override]
        """The conversation id. Before the conversation exists (the first `get_items` /
        `add_items` creates it) reading it raises `ConversationNotCreatedError`, a `UserError`
        that is also an `AttributeError`."""
        if self._conversation_id is None:
            raise ConversationNotCreatedError(
                "The conversation is created on first use: call get_items() or add_items() "
                "before reading session_id"
            )
        return self._conversation_id

    @session_id.setter
    def session_id(self, value: str) -> None:
        self._conversation_id = value

    @property
    def conversation_id(self) -> Optional[str]:
        """The conversation id, or None when it has not been created yet."""
        return self._conversation_id

    def _ensure_conversation(self) -> str:
        with self._lock:
            if self._conversation_id is None:
                self._conversation_id = start_openai_conversations_session(self._client)
            return self._conversation_id

    def _items_path(self, conversation_id: str) -> str:
        return f"/conversations/{quote(conversation_id, safe='')}/items"

    def get_items(self, limit: Optional[int] = None) -> list[TResponseInputItem]:
        """The history, oldest first; with `limit`, only the latest `limit` items."""
        limit = resolve_session_limit(limit, self.session_settings)
        if limit == 0:
            return []
        with self._lock:
            conversation_id = self._ensure_conversation()
            return self._list(conversation_id, limit)

    def _list(self, conversation_id: str, limit: Optional[int]) -> list[TResponseInputItem]:
        path = self._items_path(conversation_id)
        order = "asc" if limit is None else "desc"
        items: list[TResponseInputItem] = []
        after: Optional[str] = None
        while limit is None or len(items) < limit:
            page_size = _PAGE_SIZE if limit is None else min(_PAGE_SIZE, limit - len(items))
            query: dict[str, Any] = {"limit": page_size, "order": order}
            if after is not None:
                query["after"] = after
            page = _request_json(self._client, "GET", path, query=query)
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                raise ModelBehaviorError(f"Listing conversation items returned {page!r}")
            data = [item for item in page["data"] if isinstance(item, dict)]
            items.extend(data)
            last_id = page.get("last_id") or (data[-1].get("id") if data else None)
            if not page.get("has_more") or not data or not last_id:
                break
            after = str(last_id)
        if limit is not None:
            items = items[:limit]
            items.reverse()
        return items

    def add_items(self, items: list[TResponseInputItem]) -> None:
        """Append `items` (in requests of at most 20). If a request fails, the items created by
        the earlier ones are deleted before the error is raised."""
        encode_items(items)  # refuse bad items before anything is sent
        if not items:
            return
        with self._lock:
            conversation_id = self._ensure_conversation()
            path = self._items_path(conversation_id)
            created: list[str] = []
            try:
                for start in range(0, len(items), MAX_ITEMS_PER_CREATE):
                    batch = list(items[start : start + MAX_ITEMS_PER_CREATE])
                    answer = _request_json(
                        self._client, "POST", path, {"items": batch}, retry=_CREATE_RETRY
                    )
                    data = answer.get("data") if isinstance(answer, dict) else None
                    for item in data or []:
                        if isinstance(item, dict) and isinstance(item.get("id"), str):
                            created.append(item["id"])
            except BaseException:
                self._delete_quietly(path, created)
                raise

    def _delete_quietly(self, path: str, item_ids: list[str]) -> None:
        for item_id in reversed(item_ids):
            try:
                _request_json(self._client, "DELETE", f"{path}/{quote(item_id, safe='')}")
            except Exception:  # best effort: the original error is what the caller needs
                pass

    def pop_item(self) -> Optional[TResponseInputItem]:
        """Remove and return the latest item, or None when the conversation is empty."""
        with self._lock:
            conversation_id = self._ensure_conversation()
            latest = self._list(conversation_id, 1)
            if not latest:
                return None
            item = latest[0]
            item_id = item.get("id")
            if not isinstance(item_id, str):
                raise ModelBehaviorError("The latest conversation item has no id to delete it by")
            try:
                _request_json(
                    self._client,
                    "DELETE",
                    f"{self._items_path(conversation_id)}/{quote(item_id, safe='')}",
                )
            except NotFoundError:
                # Gone already: a retried DELETE whose first answer was lost ends here.
                pass
            return item

    def clear_session(self) -> None:
        """Delete the conversation; the next use creates a new one."""
        with self._lock:
            if self._conversation_id is None:
                return
            try:
                _request_json(
                    self._client,
                    "DELETE",
                    f"/conversations/{quote(self._conversation_id, safe='')}",
                )
            except NotFoundError:
                pass  # already deleted (or a retried DELETE): the goal is reached either way
            self._conversation_id = None
