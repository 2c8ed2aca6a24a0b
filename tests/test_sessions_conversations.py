"""OpenAIConversationsSession over real HTTP against the local server's Conversations API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from agents_lite import InternalServerError, NotFoundError, UserError
from agents_lite.memory import OpenAIConversationsSession
from agents_lite.memory.openai_conversations_session import (
    ConversationNotCreatedError,
    start_openai_conversations_session,
)
from agents_lite.models.defaults import OpenAIClient, set_default_openai_client
from agents_lite.testing import Fault, LocalOpenAIServer
from agents_lite.testing.conversations_api import ConversationStore, enable_conversations_api


@pytest.fixture
def server() -> Iterator[LocalOpenAIServer]:
    with LocalOpenAIServer() as srv:
        yield srv


@pytest.fixture
def store(server: LocalOpenAIServer) -> ConversationStore:
    return enable_conversations_api(server)


@pytest.fixture
def client(server: LocalOpenAIServer) -> Iterator[OpenAIClient]:
    http = OpenAIClient(api_key="sk-conversations-secret", base_url=server.base_url)
    yield http
    http.close()


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def texts(items: list[dict[str, Any]]) -> list[str]:
    return ["".join(part["text"] for part in item["content"]) for item in items]


def calls(server: LocalOpenAIServer) -> list[tuple[str, str, dict[str, str]]]:
    return [(r.method, r.path, dict(r.query)) for r in server.requests]


def test_conversation_is_created_lazily(server: Any, store: Any, client: Any) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    assert server.requests == [] and session.conversation_id is None
    with pytest.raises(ConversationNotCreatedError):
        session.session_id  # noqa: B018
    with pytest.raises(UserError):  # it is a UserError (and a ValueError) too
        session.session_id  # noqa: B018
    assert not hasattr(session, "session_id")
    session.add_items([user("hi")])
    assert session.session_id.startswith("conv_")
    assert store.conversation_ids() == [session.session_id]
    first = server.requests[0]
    assert (first.method, first.path, first.body) == ("POST", "/v1/conversations", {"items": []})
    assert first.headers["authorization"] == "Bearer sk-conversations-secret"


def test_wire_shapes(server: Any, store: Any, client: Any) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    session.add_items([user("a"), {"type": "function_call", "call_id": "c1", "name": "f",
                                   "arguments": "{}"}])
    cid = session.session_id
    post = server.requests[-1]
    assert (post.method, post.path) == ("POST", f"/v1/conversations/{cid}/items")
    assert post.body == {"items": [user("a"), {"type": "function_call", "call_id": "c1",
                                               "name": "f", "arguments": "{}"}]}
    items = session.get_items()
    assert calls(server)[-1] == ("GET", f"/v1/conversations/{cid}/items",
                                 {"limit": "100", "order": "asc"})
    # Items come back as the API keeps them: ids, status, content parts.
    assert items[0]["type"] == "message" and items[0]["status"] == "completed"
    assert items[0]["content"] == [{"type": "input_text", "text": "a"}]
    assert items[0]["id"].startswith("msg_")
    assert items[1]["type"] == "function_call" and items[1]["call_id"] == "c1"
    session.get_items(1)
    assert calls(server)[-1] == ("GET", f"/v1/conversations/{cid}/items",
                                 {"limit": "1", "order": "desc"})
    popped = session.pop_item()
    assert popped is not None and popped["call_id"] == "c1"
    assert calls(server)[-1] == ("DELETE", f"/v1/conversations/{cid}/items/{popped['id']}", {})
    session.clear_session()
    assert calls(server)[-1] == ("DELETE", f"/v1/conversations/{cid}", {})


def test_existing_conversation_is_used(store: Any, client: Any) -> None:
    created = store.create([user("from before")])
    session = OpenAIConversationsSession(created["id"], openai_client=client)
    assert session.session_id == created["id"]
    assert texts(session.get_items()) == ["from before"]


def test_add_sends_at_most_20_items_per_request(server: Any, store: Any, client: Any) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    session.add_items([user(str(i)) for i in range(45)])
    posts = [r for r in server.requests if r.method == "POST" and r.path.endswith("/items")]
    assert [len(r.body["items"]) for r in posts] == [20, 20, 5]
    assert texts(store.items(session.session_id)) == [str(i) for i in range(45)]


def test_reads_follow_pages(server: Any, store: Any, client: Any) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    session.add_items([user(str(i)) for i in range(230)])
    server.clear()
    assert texts(session.get_items()) == [str(i) for i in range(230)]
    pages = [r for r in server.requests if r.method == "GET"]
    assert len(pages) == 3
    assert "after" not in pages[0].query and pages[1].query["after"] and pages[2].query["after"]
    server.clear()
    assert texts(session.get_items(150)) == [str(i) for i in range(80, 230)]
    pages = [r for r in server.requests if r.method == "GET"]
    assert [p.query["limit"] for p in pages] == ["100", "50"]
    assert {p.query["order"] for p in pages} == {"desc"}


def test_failed_batch_rolls_back_the_earlier_ones(server: Any, store: Any, client: Any) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    session.add_items([user("kept")])
    path = f"/v1/conversations/{session.session_id}/items"
    server.add_response(Fault(), path=path)  # first batch goes through
    server.add_response(Fault(status=500), path=path)  # second batch fails (not retried)
    with pytest.raises(InternalServerError):
        session.add_items([user(f"new-{i}") for i in range(30)])
    assert texts(store.items(session.session_id)) == ["kept"]
    deletes = [r for r in server.requests if r.method == "DELETE"]
    assert len(deletes) == 20


def test_rate_limited_create_is_retried_without_duplicates(
    server: Any, store: Any, client: Any
) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    session.get_items()
    path = f"/v1/conversations/{session.session_id}/items"
    server.add_response(Fault(status=429, retry_after_ms=1), path=path)
    session.add_items([user("once")])
    assert texts(store.items(session.session_id)) == ["once"]


def test_unknown_conversation_is_not_found(store: Any, client: Any) -> None:
    session = OpenAIConversationsSession("conv_does_not_exist", openai_client=client)
    with pytest.raises(NotFoundError, match="conv_does_not_exist"):
        session.get_items()
    with pytest.raises(NotFoundError):
        session.add_items([user("x")])


def test_clear_deletes_and_the_next_use_starts_a_new_conversation(
    store: Any, client: Any
) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    session.add_items([user("old")])
    old_id = session.session_id
    session.clear_session()
    assert session.conversation_id is None and store.conversation_ids() == []
    session.clear_session()  # nothing to delete: no request, no error
    session.add_items([user("new")])
    assert session.session_id != old_id
    assert texts(session.get_items()) == ["new"]


def test_api_errors_do_not_leak_the_key(server: Any, store: Any, client: Any) -> None:
    session = OpenAIConversationsSession("conv_missing", openai_client=client)
    with pytest.raises(NotFoundError) as info:
        session.get_items()
    assert "sk-conversations-secret" not in str(info.value)
    assert "sk-conversations-secret" not in repr(session)


def test_bad_arguments(client: Any) -> None:
    with pytest.raises(UserError):
        OpenAIConversationsSession(openai_client=object())
    with pytest.raises(UserError):
        OpenAIConversationsSession("", openai_client=client)
    with pytest.raises(UserError):
        OpenAIConversationsSession(123, openai_client=client)  # type: ignore[arg-type]


def test_api_key_and_base_url_build_a_client(server: Any, store: Any) -> None:
    session = OpenAIConversationsSession(api_key="sk-own", base_url=server.base_url)
    session.add_items([user("x")])
    assert server.requests[-1].headers["authorization"] == "Bearer sk-own"


def test_default_client_is_used(server: Any, store: Any) -> None:
    from agents_lite.models import defaults

    set_default_openai_client(OpenAIClient(api_key="sk-default", base_url=server.base_url),
                              use_for_tracing=False)
    try:
        conversation_id = start_openai_conversations_session()
        assert store.conversation_ids() == [conversation_id]
        session = OpenAIConversationsSession(conversation_id)
        session.add_items([user("x")])
        assert server.requests[-1].headers["authorization"] == "Bearer sk-default"
    finally:
        defaults._reset_for_tests()


def test_server_validates_like_the_api(server: Any, store: Any, client: Any) -> None:
    """The local endpoints refuse what the real API refuses."""
    import requests

    base = server.base_url
    cid = store.create()["id"]
    too_many = {"items": [user(str(i)) for i in range(21)]}
    assert requests.post(f"{base}/conversations/{cid}/items", json=too_many).status_code == 400
    assert requests.post(f"{base}/conversations/{cid}/items", json={"items": []}).status_code == 400
    assert requests.post(f"{base}/conversations/{cid}/items",
                         json={"items": ["text"]}).status_code == 400
    assert requests.get(f"{base}/conversations/{cid}/items",
                        params={"limit": 101}).status_code == 400
    assert requests.get(f"{base}/conversations/{cid}/items",
                        params={"order": "up"}).status_code == 400
    assert requests.get(f"{base}/conversations/{cid}/items/msg_nope").status_code == 404
    assert requests.delete(f"{base}/conversations/{cid}/items/msg_nope").status_code == 404
    answer = requests.post(f"{base}/conversations/{cid}", json={"metadata": {"k": "v"}})
    assert answer.json()["metadata"] == {"k": "v"}
    assert requests.get(f"{base}/conversations/{cid}").json()["id"] == cid
    deleted = requests.delete(f"{base}/conversations/{cid}").json()
    assert deleted == {"id": cid, "object": "conversation.deleted", "deleted": True}
    assert requests.get(f"{base}/conversations/{cid}").status_code == 404


def test_delete_whose_answer_was_lost_is_not_an_error(server: Any, store: Any, client: Any) -> None:
    """The connection drops after the server deleted the item; the client retries the DELETE,
    gets a 404, and pop still returns the item it removed."""
    session = OpenAIConversationsSession(openai_client=client)
    session.add_items([user("a"), user("b")])
    latest = store.items(session.session_id)[-1]["id"]
    item_path = f"/v1/conversations/{session.session_id}/items/{latest}"

    seen: list[str] = []

    def deleted_then_dropped(request: Any) -> Any:
        answer = store.handle(request)  # the delete happens...
        seen.append(request.method)
        if len(seen) == 1:
            return Fault(drop_connection=True)  # ...but its first answer never arrives
        return answer

    server.add_route("DELETE", item_path, deleted_then_dropped)
    popped = session.pop_item()
    assert popped is not None and texts([popped]) == ["b"]
    assert texts(store.items(session.session_id)) == ["a"]
    assert len([r for r in server.requests if r.method == "DELETE"]) == 2


def test_clear_of_a_conversation_deleted_elsewhere(store: Any, client: Any) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    session.add_items([user("a")])
    other = OpenAIConversationsSession(session.session_id, openai_client=client)
    other.clear_session()
    session.clear_session()  # already gone: no error
    assert session.conversation_id is None
