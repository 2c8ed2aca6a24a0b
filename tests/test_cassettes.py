"""Cassettes: record traffic (a LocalOpenAIServer stands in for the real API), check that secrets
are scrubbed, replay offline through the local server, and fail clearly on unknown requests."""

from __future__ import annotations

import json

import pytest

from agents_lite.exceptions import APIConnectionError, BadRequestError, RateLimitError, UserError
from agents_lite.model_settings import ModelRetrySettings, ModelSettings
from agents_lite.models import defaults
from agents_lite.models.interface import ModelTracing
from agents_lite.testing import cassettes
from agents_lite.testing.cassettes import CassetteMismatchError, match_key
from agents_lite.testing.faults import Fault
from agents_lite.testing.netguard import block_network
from agents_lite.testing.replies import ScriptedResponse
from agents_lite.testing.scripted import function_call, text_message, usage_dict
from agents_lite.testing.server import LocalOpenAIServer

KEY = "sk-proj-LIVEKEY-abcdefghijklmnop1234"
ORG = "org-SECRETORG42"
PROJECT = "proj_SECRETPROJ42"
OFF = ModelTracing.DISABLED
FAST = ModelSettings(retry=ModelRetrySettings(initial_delay=0.001, max_retry_after=0.01))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AGENTS_LITE_CASSETTE"):
        monkeypatch.delenv(name, raising=False)
    defaults._reset_for_tests()
    yield
    defaults._reset_for_tests()


@pytest.fixture
def live():
    """The stand-in for the real API."""
    with LocalOpenAIServer() as srv:
        yield srv


def ask(model, text, settings=None, tools=()):
    return model.get_response("Be brief.", text, settings or ModelSettings(), list(tools), None,
                              [], OFF)


def ask_stream(model, text, settings=None):
    return list(model.stream_response("Be brief.", text, settings or ModelSettings(), [], None,
                                      [], OFF))


def record_session(path, live, use_responses=True):
    """Record: a plain answer, a tool call, a stream, a 429 then success."""
    live.add_response(ScriptedResponse(output=[text_message("Oslo is cold.")],
                                       usage=usage_dict(12, 4), response_id="resp_rec1"))
    live.add_response([function_call("get_weather", {"city": "Oslo"}, call_id="call_rec")])
    live.add_response("streamed answer here")
    live.add_response(Fault(status=429, retry_after=1))
    live.add_response("after the rate limit")
    outputs = []
    with cassettes.record(path, api_key=KEY, base_url=live.base_url, organization=ORG,
                          project=PROJECT, use_responses=use_responses) as rec:
        model = rec.get_model("gpt-4.1")
        outputs.append(ask(model, "Weather in Oslo?").output)
        outputs.append(ask(model, "Use the tool").output)
        outputs.append(ask_stream(model, "Stream it")[-1]["response"]["output"])
        outputs.append(ask(model, "Rate limited", FAST).output)
        assert len(rec.interactions) == 5
    return outputs


def test_record_writes_every_interaction_and_scrubs_secrets(tmp_path, live):
    path = tmp_path / "session.cassette.json"
    record_session(path, live)
    text = path.read_text()
    for secret in (KEY, ORG, PROJECT, "LIVEKEY"):
        assert secret not in text
    data = json.loads(text)
    assert data["agents_lite_cassette"] == 1
    assert data["use_responses"] is True
    interactions = data["interactions"]
    assert [i["response"]["status"] for i in interactions] == [200, 200, 200, 429, 200]
    first = interactions[0]
    assert first["request"]["method"] == "POST"
    assert first["request"]["path"] == "/responses"
    assert first["request"]["body"]["input"] == [{"role": "user", "content": "Weather in Oslo?"}]
    assert "authorization" not in first["request"]["headers"]
    assert "openai-organization" not in first["request"]["headers"]
    assert first["response"]["body"]["id"] == "resp_rec1"
    assert first["response"]["headers"]["x-request-id"].startswith("req_")
    stream = interactions[2]["response"]
    assert stream["complete"] is True
    assert stream["stream"][0].startswith("event: response.created\ndata: ")
    assert stream["stream"][-1].startswith("event: response.completed")
    assert interactions[3]["response"]["headers"]["retry-after"] == "1"
    assert interactions[3]["request"]["body"] == interactions[4]["request"]["body"]


def test_replay_is_offline_and_deterministic(tmp_path, live):
    path = tmp_path / "session.cassette.json"
    recorded = record_session(path, live)
    live.stop()
    for _ in range(2):  # twice: the same answers each time
        with block_network(), cassettes.replay(path) as tape:
            assert tape.mode == "replay"
            model = tape.get_model("gpt-4.1")
            replayed = [
                ask(model, "Weather in Oslo?").output,
                ask(model, "Use the tool").output,
                ask_stream(model, "Stream it")[-1]["response"]["output"],
                ask(model, "Rate limited", FAST).output,
            ]
            assert replayed == recorded
            assert tape.unused() == []
            tape.assert_all_used()
            # the 429 was replayed too: two requests for the rate-limited prompt
            assert len(tape.server.requests_to("/v1/responses")) == 5


def test_replay_of_a_response_keeps_ids_and_usage(tmp_path, live):
    path = tmp_path / "c.json"
    record_session(path, live)
    with cassettes.replay(path) as tape:
        response = ask(tape.get_model("gpt-4.1"), "Weather in Oslo?")
    assert response.response_id == "resp_rec1"
    assert response.usage.input_tokens == 12 and response.usage.output_tokens == 4


def test_unmatched_request_fails_clearly(tmp_path, live):
    path = tmp_path / "c.json"
    record_session(path, live)
    with pytest.raises(CassetteMismatchError) as outer:
        with cassettes.replay(path) as tape:
            model = tape.get_model("gpt-4.1")
            with pytest.raises(BadRequestError) as info:
                ask(model, "Weather in Bergen?")
            message = str(info.value)
            assert "POST /responses" in message
            assert "Bergen" in message and "Oslo" in message  # the first difference is shown
            assert info.value.code == "cassette_mismatch"
            assert len(tape.server.requests) == 1  # not retried
    assert "Weather in Bergen" in str(outer.value)
    assert len(outer.value.unmatched) == 1


def test_each_interaction_is_served_once(tmp_path, live):
    path = tmp_path / "c.json"
    record_session(path, live)
    with pytest.raises(CassetteMismatchError, match="already used"):
        with cassettes.replay(path) as tape:
            model = tape.get_model("gpt-4.1")
            ask(model, "Weather in Oslo?")
            with pytest.raises(BadRequestError, match="already used"):
                ask(model, "Weather in Oslo?")


def test_unused_interactions_are_reported(tmp_path, live):
    path = tmp_path / "c.json"
    record_session(path, live)
    with cassettes.replay(path) as tape:
        ask(tape.get_model("gpt-4.1"), "Weather in Oslo?")
        assert len(tape.unused()) == 4
        with pytest.raises(CassetteMismatchError, match="not used"):
            tape.assert_all_used()


def test_ignore_body_keys_and_key_order():
    a = {"model": "m", "input": [{"role": "user", "content": "x"}], "metadata": {"t": "1"}}
    b = {"metadata": {"t": "2"}, "input": [{"content": "x", "role": "user"}], "model": "m"}
    assert match_key("POST", "/responses", a) != match_key("POST", "/responses", b)
    ignore = frozenset({"metadata"})
    assert match_key("POST", "/responses", a, ignore) == match_key("post", "/responses", b, ignore)
    assert match_key("POST", "/responses", a, ignore) != match_key("POST", "/chat/completions", a,
                                                                   ignore)


def test_replay_with_ignored_keys(tmp_path, live):
    path = tmp_path / "c.json"
    with cassettes.record(path, base_url=live.base_url) as rec:
        ask(rec.get_model("m"), "hi", ModelSettings(metadata={"run": "1"}))
    with cassettes.replay(path, ignore_body_keys=("metadata",)) as tape:
        response = ask(tape.get_model("m"), "hi", ModelSettings(metadata={"run": "2"}))
    assert response.output[0]["content"][0]["text"] == "hi"


def test_cut_stream_is_recorded_and_replayed_as_cut(tmp_path, live):
    path = tmp_path / "c.json"
    live.add_response(Fault(reply="one two three four five", cut_after_events=4))
    with cassettes.record(path, base_url=live.base_url) as rec:
        with pytest.raises(APIConnectionError):
            ask_stream(rec.get_model("m"), "cut", FAST)
    data = json.loads(path.read_text())
    assert data["interactions"][0]["response"]["complete"] is False
    assert len(data["interactions"][0]["response"]["stream"]) == 4
    with cassettes.replay(path) as tape:
        received = []
        with pytest.raises(APIConnectionError):
            for event in tape.get_model("m").stream_response(
                    "Be brief.", "cut", FAST, [], None, [], OFF):
                received.append(event)
        assert len(received) == 4


def test_chat_completions_cassette(tmp_path, live):
    path = tmp_path / "chat.json"
    live.add_response([function_call("add", '{"a": 1}', call_id="call_c")])
    live.add_response("streamed chat")
    with cassettes.record(path, api_key=KEY, base_url=live.base_url, use_responses=False) as rec:
        model = rec.get_model("llama")
        first = ask(model, "add").output
        second = ask_stream(model, "stream")[-1]["response"]["output"]
    assert KEY not in path.read_text()
    data = json.loads(path.read_text())
    assert data["interactions"][1]["response"]["stream"][-1] == "data: [DONE]"
    live.stop()
    with block_network(), cassettes.replay(path) as tape:
        model = tape.get_model("llama")
        assert type(model).__name__ == "OpenAIChatCompletionsModel"
        assert ask(model, "add").output == first
        assert ask_stream(model, "stream")[-1]["response"]["output"] == second


def test_rate_limit_refusal_to_retry_is_kept(tmp_path, live):
    path = tmp_path / "c.json"
    live.add_response(Fault(status=429, retry_after=500))
    with cassettes.record(path, base_url=live.base_url) as rec:
        with pytest.raises(RateLimitError):
            ask(rec.get_model("m"), "hi")
    with cassettes.replay(path) as tape:
        with pytest.raises(RateLimitError):
            ask(tape.get_model("m"), "hi")
        assert len(tape.server.requests) == 1


def test_use_cassette_modes(tmp_path, live, monkeypatch):
    path = tmp_path / "auto.json"
    # no key: replay, and a missing cassette says how to record it
    with pytest.raises(UserError, match="record it first"):
        cassettes.use_cassette(path)
    # explicit record through the environment variable, against the stand-in server
    monkeypatch.setenv("AGENTS_LITE_CASSETTE", "record")
    with cassettes.use_cassette(path, base_url=live.base_url, api_key=KEY) as tape:
        assert tape.mode == "record"
        ask(tape.get_model("m"), "hello")
    monkeypatch.delenv("AGENTS_LITE_CASSETTE")
    with cassettes.use_cassette(path) as tape:
        assert tape.mode == "replay"
        assert ask(tape.get_model("m"), "hello").output[0]["content"][0]["text"] == "hello"
    # with a key: live (the real API; nothing sent here)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with cassettes.use_cassette(path) as tape:
        assert tape.mode == "live"
        assert tape.base_url == "https://api.openai.com/v1"
        assert KEY not in repr(tape) and KEY not in repr(tape.client)
    with pytest.raises(UserError, match="Cassette mode"):
        cassettes.use_cassette(path, mode="sideways")


def test_player_client_as_default_client(tmp_path, live):
    from agents_lite.models.openai_provider import OpenAIProvider

    path = tmp_path / "c.json"
    with cassettes.record(path, base_url=live.base_url) as rec:
        ask(rec.get_model("m"), "default client")
    with cassettes.replay(path) as tape:
        defaults.set_default_openai_client(tape.client, use_for_tracing=False)
        response = ask(OpenAIProvider().get_model("m"), "default client")
    assert response.output[0]["content"][0]["text"] == "default client"


def test_not_a_cassette(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(UserError, match="not valid JSON"):
        cassettes.replay(bad)
    bad.write_text('{"hello": 1}')
    with pytest.raises(UserError, match="not an agents_lite cassette"):
        cassettes.replay(bad)


def test_a_whole_agent_run_records_and_replays(tmp_path, live):
    from agents_lite import Agent, RunConfig, Runner, function_tool

    calls = []

    @function_tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        calls.append(city)
        return f"Sunny in {city}"

    agent = Agent(name="Weather", instructions="Answer.", tools=[get_weather], model="gpt-4.1")
    path = tmp_path / "run.json"
    live.add_response([function_call("get_weather", {"city": "Oslo"}, call_id="call_w")])
    live.add_response("It is sunny in Oslo.")
    with cassettes.record(path, api_key=KEY, base_url=live.base_url) as rec:
        recorded = Runner.run_sync(agent, "Weather?", run_config=RunConfig(model_provider=rec.provider))
    live.stop()
    with block_network(), cassettes.replay(path) as tape:
        replayed = Runner.run_sync(agent, "Weather?",
                                   run_config=RunConfig(model_provider=tape.provider))
    assert replayed.final_output == recorded.final_output == "It is sunny in Oslo."
    assert calls == ["Oslo", "Oslo"]  # tools really run on replay; only the model is replayed
    assert replayed.usage.total_tokens == recorded.usage.total_tokens
