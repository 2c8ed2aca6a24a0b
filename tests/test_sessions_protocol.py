"""The `Session` protocol, the same way for every backend: SQLite (memory and file), Redis,
in-memory, and the OpenAI Conversations API over HTTP to the local server."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from agents_lite import UserError
from agents_lite.memory import (
    InMemorySession,
    OpenAIConversationsSession,
    RedisSession,
    Session,
    SessionABC,
    SessionSettings,
    SQLiteSession,
)

from conftest import redis_available, redis_url, require

BACKENDS = ["sqlite_memory", "sqlite_file", "redis", "in_memory", "conversations"]

Factory = Callable[..., Any]


@pytest.fixture(scope="module")
def conversations_server() -> Iterator[Any]:
    from agents_lite.testing import LocalOpenAIServer
    from agents_lite.testing.conversations_api import enable_conversations_api

    with LocalOpenAIServer() as server:
        enable_conversations_api(server)
        yield server


@pytest.fixture(params=BACKENDS)
def make_session(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Factory]:
    """A factory `make_session(session_id, **settings)` for one backend; closes what it made."""
    made: list[Any] = []
    backend = request.param
    db_file = str(tmp_path / "sessions.db")
    prefix = f"test:agents_lite:{uuid.uuid4().hex}"
    client = None
    if backend == "redis":
        require(redis_available(), "Redis is not reachable at " + redis_url())
        import redis

        client = redis.Redis.from_url(redis_url())

    def factory(session_id: str = "s1", **kwargs: Any) -> Any:
        if backend == "sqlite_memory":
            session = SQLiteSession(session_id, **kwargs)
        elif backend == "sqlite_file":
            session = SQLiteSession(session_id, db_file, **kwargs)
        elif backend == "redis":
            session = RedisSession(session_id, redis_client=client, key_prefix=prefix, **kwargs)
        elif backend == "in_memory":
            session = InMemorySession(session_id, **kwargs)
        else:
            from agents_lite.models.defaults import OpenAIClient

            server = request.getfixturevalue("conversations_server")
            session = OpenAIConversationsSession(
                openai_client=OpenAIClient(api_key="sk-test", base_url=server.base_url),
                **kwargs,
            )
        made.append(session)
        return session

    factory.backend = backend  # type: ignore[attr-defined]
    yield factory
    for session in made:
        try:
            session.clear_session()
        finally:
            session.close()
    if client is not None:
        for key in client.scan_iter(match=prefix + ":*"):
            client.delete(key)
        client.close()


def texts(items: list[dict[str, Any]]) -> list[str]:
    """The text of each message item, whatever shape its content has."""
    out = []
    for item in items:
        content = item.get("content")
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content)
        out.append(content if isinstance(content, str) else repr(item))
    return out


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def test_is_a_session(make_session: Factory) -> None:
    session = make_session()
    session.get_items()  # the conversations backend creates its conversation here
    assert isinstance(session, Session)
    assert isinstance(session.session_id, str)
    assert isinstance(session, SessionABC)


def test_empty_session(make_session: Factory) -> None:
    session = make_session()
    assert session.get_items() == []
    assert session.get_items(5) == []
    assert session.pop_item() is None
    session.clear_session()
    assert session.get_items() == []


def test_add_and_get_keep_order(make_session: Factory) -> None:
    session = make_session()
    session.add_items([user("a"), user("b")])
    session.add_items([user("c")])
    session.add_items([])
    assert texts(session.get_items()) == ["a", "b", "c"]


def test_items_round_trip_with_every_json_type(make_session: Factory) -> None:
    session = make_session()
    call = {
        "type": "function_call",
        "call_id": "call_1",
        "name": "lookup",
        "arguments": '{"q": "ünïcødé ✓", "n": 1.5, "ok": true, "none": null}',
    }
    output = {"type": "function_call_output", "call_id": "call_1", "output": "line1\nline2 \u2603"}
    session.add_items([call, output])
    got = session.get_items()
    assert len(got) == 2
    for sent, back in zip([call, output], got):
        for key, value in sent.items():
            assert back[key] == value


def test_limit_returns_latest_in_chronological_order(make_session: Factory) -> None:
    session = make_session()
    session.add_items([user(str(i)) for i in range(10)])
    assert texts(session.get_items(3)) == ["7", "8", "9"]
    assert texts(session.get_items(1)) == ["9"]
    assert session.get_items(0) == []
    assert texts(session.get_items(10)) == [str(i) for i in range(10)]
    assert texts(session.get_items(50)) == [str(i) for i in range(10)]
    assert texts(session.get_items(None)) == [str(i) for i in range(10)]


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_bad_limit_is_a_user_error(make_session: Factory, bad: Any) -> None:
    session = make_session()
    with pytest.raises(UserError):
        session.get_items(bad)


def test_session_settings_limit_is_the_default(make_session: Factory) -> None:
    session = make_session(session_settings=SessionSettings(limit=2))
    session.add_items([user(str(i)) for i in range(5)])
    assert texts(session.get_items()) == ["3", "4"]
    assert texts(session.get_items(4)) == ["1", "2", "3", "4"]


def test_session_settings_from_a_dict(make_session: Factory) -> None:
    session = make_session(session_settings={"limit": 1})
    session.add_items([user("a"), user("b")])
    assert texts(session.get_items()) == ["b"]


def test_pop_removes_latest(make_session: Factory) -> None:
    session = make_session()
    session.add_items([user("a"), user("b"), user("c")])
    assert texts([session.pop_item()]) == ["c"]
    assert texts([session.pop_item()]) == ["b"]
    assert texts(session.get_items()) == ["a"]
    assert texts([session.pop_item()]) == ["a"]
    assert session.pop_item() is None
    session.add_items([user("d")])
    assert texts(session.get_items()) == ["d"]


def test_clear_then_reuse(make_session: Factory) -> None:
    session = make_session()
    session.add_items([user("a"), user("b")])
    session.clear_session()
    assert session.get_items() == []
    session.add_items([user("c")])
    assert texts(session.get_items()) == ["c"]


def test_sessions_do_not_see_each_other(make_session: Factory) -> None:
    first, second = make_session("alice"), make_session("bob")
    first.add_items([user("from alice")])
    second.add_items([user("from bob")])
    assert texts(first.get_items()) == ["from alice"]
    assert texts(second.get_items()) == ["from bob"]
    second.clear_session()
    assert texts(first.get_items()) == ["from alice"]
    assert second.pop_item() is None


def test_same_id_shares_history_only_in_shared_storage(make_session: Factory) -> None:
    make_session("shared").add_items([user("one")])
    again = texts(make_session("shared").get_items())
    if make_session.backend in ("sqlite_memory", "in_memory", "conversations"):
        # The history lives in the object (a new conversation is made per object).
        assert again == []
    else:
        assert again == ["one"]


def test_returned_items_are_copies(make_session: Factory) -> None:
    session = make_session()
    item = user("original")
    session.add_items([item])
    item["content"] = "mutated after add"
    got = session.get_items()
    got[0]["content"] = "mutated after get"
    assert texts(session.get_items()) == ["original"]


@pytest.mark.parametrize(
    "bad_items",
    [
        "not a list",
        [user("ok"), "not a dict"],
        [user("ok"), {"role": "user", "content": object()}],
        [user("ok"), {"role": "user", "content": float("nan")}],
        None,
    ],
)
def test_bad_items_are_refused_and_nothing_is_written(make_session: Factory, bad_items: Any) -> None:
    session = make_session()
    session.add_items([user("before")])
    with pytest.raises(UserError):
        session.add_items(bad_items)
    assert texts(session.get_items()) == ["before"]


def test_large_session(make_session: Factory) -> None:
    session = make_session()
    count = 250 if make_session.backend == "conversations" else 2500
    session.add_items([user(str(i)) for i in range(count)])
    assert texts(session.get_items()) == [str(i) for i in range(count)]
    assert texts(session.get_items(120)) == [str(i) for i in range(count - 120, count)]


def test_non_string_session_id_is_refused() -> None:
    with pytest.raises(UserError):
        InMemorySession(42)  # type: ignore[arg-type]
    with pytest.raises(UserError):
        SQLiteSession(None)  # type: ignore[arg-type]


def test_settings_resolve_and_merge() -> None:
    base = SessionSettings(limit=10)
    assert base.resolve(None) is base
    assert base.resolve(SessionSettings()).limit == 10
    assert base.resolve(SessionSettings(limit=3)).limit == 3
    assert base.resolve({"limit": 4}).limit == 4
    assert base.merge({"limit": 5}).limit == 5
    assert base.to_dict() == {"limit": 10}
    with pytest.raises(UserError):
        base.resolve({"limt": 4})
    with pytest.raises(UserError):
        SessionSettings(limit=-2)


def test_importing_sessions_loads_neither_sqlite_nor_redis() -> None:
    import subprocess

    code = (
        "import sys, agents_lite, agents_lite.memory, agents_lite.checkpoint, "
        "agents_lite.extensions.memory\n"
        "bad = [m for m in ('sqlite3', 'redis', 'asyncio') if m in sys.modules]\n"
        "assert not bad, bad\n"
        "from agents_lite.memory import InMemorySession\n"
        "from agents_lite.extensions.memory import RedisSession\n"
        "assert 'redis' not in sys.modules and 'sqlite3' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_runner_keeps_history_in_the_session(make_session: Factory) -> None:
    from agents_lite import Agent, Runner
    from agents_lite.testing.fake_model import FakeModel

    session = make_session("runner")
    model = FakeModel(["first answer", "second answer"])
    agent = Agent(name="a", model=model)
    Runner.run_sync(agent, "first question", session=session)
    result = Runner.run_sync(agent, "second question", session=session)
    assert result.final_output == "second answer"
    sent = texts(model.calls[1].input)
    assert sent == ["first question", "first answer", "second question"]
    assert texts(session.get_items()) == sent + ["second answer"]
