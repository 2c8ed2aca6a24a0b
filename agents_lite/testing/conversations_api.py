"""The OpenAI Conversations API, in memory, for `LocalOpenAIServer`.

    >>> from agents_lite.testing import LocalOpenAIServer
    >>> from agents_lite.testing.conversations_api import enable_conversations_api
    >>> server = LocalOpenAIServer().start()
    >>> store = enable_conversations_api(server)
    >>> # OpenAIConversationsSession(openai_client=OpenAIClient(base_url=server.base_url))
    >>> server.stop()

Endpoints (under /v1):
- `POST /conversations` `{"items"?, "metadata"?}` → the conversation object;
- `GET /conversations/{id}`, `POST /conversations/{id}` `{"metadata"}`, `DELETE /conversations/{id}`
  (→ `{"id", "object": "conversation.deleted", "deleted": true}`);
- `POST /conversations/{id}/items` `{"items": [...]}` (1 to 20 items) → `{"object": "list",
  "data", "first_id", "last_id", "has_more": false}`;
- `GET /conversations/{id}/items?limit=1..100 (default 20)&order=asc|desc (default desc)&after=`
  → a page with `has_more`;
- `GET` / `DELETE /conversations/{id}/items/{item_id}` (delete answers with the conversation).

Stored items get what the real API adds: an `id` (kept if the item had one), `type: "message"`
for bare role/content messages, `status: "completed"` for messages, and string message content
turned into one `input_text` part (`output_text` for the assistant). Unknown conversations or
items answer 404, bad requests 400, with OpenAI-style error bodies.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from typing import Any, Optional

from .faults import error_body
from .http_wire import RecordedRequest
from .replies import Reply

__all__ = ["ConversationStore", "enable_conversations_api"]

MAX_ITEMS_PER_CREATE = 20
_PREFIX = "/v1/conversations"
_ID_PREFIXES = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "reasoning": "rs",
}


class ConversationStore:
    """Conversations and their items, kept in memory; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conversations: dict[str, dict[str, Any]] = {}
        self._items: dict[str, list[dict[str, Any]]] = {}

    # -- direct access for tests -----------------------------------------------------------

    def conversation_ids(self) -> list[str]:
        """Ids of the conversations that exist now."""
        with self._lock:
            return list(self._conversations)

    def items(self, conversation_id: str) -> list[dict[str, Any]]:
        """A copy of a conversation's items, oldest first ([] when it does not exist)."""
        with self._lock:
            return copy.deepcopy(self._items.get(conversation_id, []))

    def create(self, items: Optional[list[Any]] = None,
               metadata: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """Create a conversation (what `POST /conversations` does) and return it."""
        stored = [_normalise(item) for item in items or []]
        conversation: dict[str, Any] = {
            "id": "conv_" + uuid.uuid4().hex,
            "object": "conversation",
            "created_at": int(time.time()),
            "metadata": dict(metadata or {}),
        }
        with self._lock:
            self._conversations[conversation["id"]] = conversation
            self._items[conversation["id"]] = stored
        return dict(conversation)

    # -- HTTP ------------------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Reply:
        """Answer one request under /v1/conversations."""
        parts = [p for p in request.path[len(_PREFIX):].split("/") if p]
        method = request.method
        if not parts:
            if method == "POST":
                return self._create(request)
            return _error(405, f"Method {method} is not allowed on {request.path}.")
        conversation_id = parts[0]
        if len(parts) == 1:
            if method == "GET":
                return self._with_conversation(conversation_id, lambda c: Reply(200, body=c))
            if method == "POST":
                return self._update(conversation_id, request)
            if method == "DELETE":
                return self._delete_conversation(conversation_id)
        elif parts[1] == "items" and len(parts) == 2:
            if method == "POST":
                return self._add_items(conversation_id, request)
            if method == "GET":
                return self._list_items(conversation_id, request)
        elif parts[1] == "items" and len(parts) == 3:
            if method == "GET":
                return self._get_item(conversation_id, parts[2])
            if method == "DELETE":
                return self._delete_item(conversation_id, parts[2])
        else:
            return _error(404, f"Unknown request URL: {method} {request.path}.", "unknown_url")
        return _error(405, f"Method {method} is not allowed on {request.path}.")

    def _with_conversation(self, conversation_id: str, action: Any) -> Reply:
        with self._lock:
            conversation = self._conversations.get(conversation_id)
            if conversation is None:
                return _not_found(conversation_id)
            return action(dict(conversation))  # type: ignore[no-any-return]

    def _create(self, request: RecordedRequest) -> Reply:
        body = request.body if request.body not in (b"", None) else {}
        if not isinstance(body, dict):
            return _error(400, "The request body must be a JSON object.")
        items = body.get("items") or []
        problem = _check_items(items, allow_empty=True)
        if problem:
            return _error(400, problem, param="items")
        metadata = body.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            return _error(400, "metadata must be an object.", param="metadata")
        return Reply(200, body=self.create(items, metadata))

    def _update(self, conversation_id: str, request: RecordedRequest) -> Reply:
        body = request.body
        if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
            return _error(400, "Missing required parameter: 'metadata'.", param="metadata")

        def update(_conversation: dict[str, Any]) -> Reply:
            stored = self._conversations[conversation_id]
            stored["metadata"] = dict(body["metadata"])
            return Reply(200, body=dict(stored))

        return self._with_conversation(conversation_id, update)

    def _delete_conversation(self, conversation_id: str) -> Reply:
        with self._lock:
            if self._conversations.pop(conversation_id, None) is None:
                return _not_found(conversation_id)
            self._items.pop(conversation_id, None)
        return Reply(200, body={"id": conversation_id, "object": "conversation.deleted",
                                "deleted": True})

    def _add_items(self, conversation_id: str, request: RecordedRequest) -> Reply:
        body = request.body
        if not isinstance(body, dict) or "items" not in body:
            return _error(400, "Missing required parameter: 'items'.", param="items")
        problem = _check_items(body["items"], allow_empty=False)
        if problem:
            return _error(400, problem, param="items")
        stored = [_normalise(item) for item in body["items"]]
        with self._lock:
            if conversation_id not in self._conversations:
                return _not_found(conversation_id)
            self._items[conversation_id].extend(stored)
        return Reply(200, body=_page(copy.deepcopy(stored), has_more=False))

    def _list_items(self, conversation_id: str, request: RecordedRequest) -> Reply:
        query = request.query
        try:
            limit = int(query.get("limit", "20"))
        except ValueError:
            return _error(400, "limit must be an integer.", param="limit")
        if not 1 <= limit <= 100:
            return _error(400, "limit must be between 1 and 100.", param="limit")
        order = query.get("order", "desc")
        if order not in ("asc", "desc"):
            return _error(400, "order must be 'asc' or 'desc'.", param="order")
        after = query.get("after")
        with self._lock:
            if conversation_id not in self._conversations:
                return _not_found(conversation_id)
            items = list(self._items[conversation_id])
        if order == "desc":
            items.reverse()
        if after:
            ids = [item["id"] for item in items]
            if after not in ids:
                return _error(400, f"No item with id '{after}' in this conversation.",
                              param="after")
            items = items[ids.index(after) + 1:]
        page = copy.deepcopy(items[:limit])
        return Reply(200, body=_page(page, has_more=len(items) > limit))

    def _get_item(self, conversation_id: str, item_id: str) -> Reply:
        with self._lock:
            if conversation_id not in self._conversations:
                return _not_found(conversation_id)
            for item in self._items[conversation_id]:
                if item["id"] == item_id:
                    return Reply(200, body=copy.deepcopy(item))
        return _error(404, f"Item with id '{item_id}' not found.", param="item_id")

    def _delete_item(self, conversation_id: str, item_id: str) -> Reply:
        with self._lock:
            conversation = self._conversations.get(conversation_id)
            if conversation is None:
                return _not_found(conversation_id)
            items = self._items[conversation_id]
            for index, item in enumerate(items):
                if item["id"] == item_id:
                    del items[index]
                    return Reply(200, body=dict(conversation))
        return _error(404, f"Item with id '{item_id}' not found.", param="item_id")


def enable_conversations_api(server: Any, store: Optional[ConversationStore] = None
                             ) -> ConversationStore:
    """Serve the Conversations API from `server` (a `LocalOpenAIServer`); returns the store
    behind it, which tests can inspect."""
    store = store or ConversationStore()
    for method in ("GET", "POST", "DELETE"):
        server.add_route(method, _PREFIX, store.handle)
    return store


def _check_items(items: Any, *, allow_empty: bool) -> Optional[str]:
    if not isinstance(items, list):
        return "items must be an array."
    if not items and not allow_empty:
        return "items must contain at least 1 item."
    if len(items) > MAX_ITEMS_PER_CREATE:
        return (f"Invalid 'items': array too long. Expected an array with maximum length "
                f"{MAX_ITEMS_PER_CREATE}, but got an array with length {len(items)} instead.")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            return f"Invalid type for 'items[{index}]': expected an object."
        if "type" not in item and "role" not in item:
            return f"Missing required parameter: 'items[{index}].type'."
        if item.get("type", "message") == "message" and "role" not in item:
            return f"Missing required parameter: 'items[{index}].role'."
    return None


def _normalise(item: dict[str, Any]) -> dict[str, Any]:
    stored = copy.deepcopy(item)
    kind = stored.setdefault("type", "message")
    if kind == "message":
        content = stored.get("content")
        if isinstance(content, str):
            part = "output_text" if stored.get("role") == "assistant" else "input_text"
            block: dict[str, Any] = {"type": part, "text": content}
            if part == "output_text":
                block["annotations"] = []
            stored["content"] = [block]
        stored.setdefault("status", "completed")
    if not isinstance(stored.get("id"), str) or not stored["id"]:
        stored["id"] = f"{_ID_PREFIXES.get(kind, 'item')}_{uuid.uuid4().hex}"
    return stored


def _page(items: list[dict[str, Any]], *, has_more: bool) -> dict[str, Any]:
    return {
        "object": "list",
        "data": items,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
        "has_more": has_more,
    }


def _error(status: int, message: str, code: Optional[str] = None,
           param: Optional[str] = None) -> Reply:
    return Reply(status, body=error_body(status, message, code=code, param=param))


def _not_found(conversation_id: str) -> Reply:
    return _error(404, f"Conversation with id '{conversation_id}' not found.",
                  param="conversation_id")
