"""OpenAIProvider, MultiProvider, LitellmModel availability and the global OpenAI defaults, with
requests going over real HTTP to LocalOpenAIServer."""

from __future__ import annotations

import threading

import pytest

from agents_lite.exceptions import UserError
from agents_lite.model_settings import ModelSettings
from agents_lite.models import defaults
from agents_lite.models.defaults import (
    OpenAIClient,
    get_default_openai_api,
    set_default_openai_api,
    set_default_openai_client,
    set_default_openai_key,
    shared_openai_client,
)
from agents_lite.models.http import HTTPClient
from agents_lite.models.interface import ModelProvider, ModelTracing
from agents_lite.models.multi_provider import MultiProvider, MultiProviderMap
from agents_lite.models.openai_chatcompletions import OpenAIChatCompletionsModel
from agents_lite.models.openai_provider import OpenAIProvider
from agents_lite.models.openai_responses import OpenAIResponsesModel
from agents_lite.testing.server import LocalOpenAIServer

OFF = ModelTracing.DISABLED


@pytest.fixture(autouse=True)
def clean_defaults(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_DEFAULT_MODEL", "OPENAI_ORG_ID",
                 "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
    defaults._reset_for_tests()
    yield
    defaults._reset_for_tests()


@pytest.fixture
def server():
    with LocalOpenAIServer() as srv:
        yield srv


def ask(model, text="hi"):
    return model.get_response(None, text, ModelSettings(), [], None, [], OFF)


# --- OpenAIProvider -------------------------------------------------------------------------------


def test_provider_builds_responses_models_by_default(server):
    provider = OpenAIProvider(api_key="sk-p", base_url=server.base_url)
    model = provider.get_model("gpt-4o")
    assert isinstance(model, OpenAIResponsesModel) and model.model == "gpt-4o"
    ask(model)
    request = server.last_request
    assert request.path == "/v1/responses"
    assert request.headers["authorization"] == "Bearer sk-p"
    assert request.body["model"] == "gpt-4o"
    # every model of the provider shares one client (one pool)
    assert provider.get_model("a").client is provider.get_model("b").client


def test_provider_chat_completions(server):
    provider = OpenAIProvider(base_url=server.base_url, use_responses=False)
    model = provider.get_model("llama")
    assert isinstance(model, OpenAIChatCompletionsModel)
    ask(model)
    assert server.last_request.path == "/v1/chat/completions"


def test_default_model_name_from_env(server, monkeypatch):
    provider = OpenAIProvider(base_url=server.base_url)
    assert provider.get_model(None).model == "gpt-4.1"
    monkeypatch.setenv("OPENAI_DEFAULT_MODEL", "gpt-5-mini")
    assert provider.get_model(None).model == "gpt-5-mini"


def test_env_base_url_key_org_project(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-env")
    ask(OpenAIProvider().get_model("m"))
    headers = server.last_request.headers
    assert headers["authorization"] == "Bearer sk-env"
    assert headers["openai-organization"] == "org-env"
    assert headers["openai-project"] == "proj-env"


def test_provider_with_explicit_client(server):
    client = OpenAIClient(api_key="sk-c", base_url=server.base_url, max_retries=0)
    provider = OpenAIProvider(client=client)
    assert provider.get_model("m").client is client
    with pytest.raises(UserError, match="not both"):
        OpenAIProvider(client=client, api_key="x")
    with pytest.raises(UserError, match="OpenAIClient"):
        OpenAIProvider(client="not a client")  # type: ignore[arg-type]


# --- global defaults ------------------------------------------------------------------------------


def test_set_default_openai_key_is_used_by_new_clients(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    set_default_openai_key("sk-default", use_for_tracing=False)
    model = OpenAIProvider().get_model("m")  # no client of its own: the shared default
    ask(model)
    assert server.last_request.headers["authorization"] == "Bearer sk-default"
    assert "sk-default" not in repr(shared_openai_client())
    with pytest.raises(UserError):
        set_default_openai_key("")


def test_set_default_openai_client_applies_to_existing_models(server):
    model = OpenAIProvider().get_model("m")
    set_default_openai_client(OpenAIClient(api_key="sk-x", base_url=server.base_url),
                              use_for_tracing=False)
    ask(model)  # resolved at request time
    assert server.last_request.headers["authorization"] == "Bearer sk-x"
    with pytest.raises(UserError, match="OpenAIClient"):
        set_default_openai_client(object())  # type: ignore[arg-type]


def test_set_default_openai_api(server):
    assert get_default_openai_api() == "responses"
    set_default_openai_api("chat_completions")
    provider = OpenAIProvider(base_url=server.base_url)
    assert isinstance(provider.get_model("m"), OpenAIChatCompletionsModel)
    assert isinstance(OpenAIProvider(base_url=server.base_url, use_responses=True).get_model("m"),
                      OpenAIResponsesModel)
    with pytest.raises(UserError, match="chat_completions"):
        set_default_openai_api("chat")  # type: ignore[arg-type]


def test_shared_client_is_created_once_across_threads(monkeypatch, server):
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    seen = []
    barrier = threading.Barrier(8)

    def grab():
        barrier.wait()
        seen.append(shared_openai_client())

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in seen}) == 1


def test_no_key_for_openai_is_a_clear_user_error():
    model = OpenAIProvider().get_model("gpt-4.1")
    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        ask(model)


def test_openai_client_repr_hides_key():
    client = OpenAIClient(api_key="sk-hidden-123456")
    assert "sk-hidden-123456" not in repr(client)
    assert repr(client).startswith("OpenAIClient(")
    assert client.is_openai and client.has_api_key


# --- MultiProvider --------------------------------------------------------------------------------


def test_multi_provider_routes_prefixes(server):
    multi = MultiProvider(openai_base_url=server.base_url, openai_api_key="sk-o")
    plain = multi.get_model("gpt-4.1")
    prefixed = multi.get_model("openai/gpt-4.1-mini")
    assert isinstance(plain, OpenAIResponsesModel) and plain.model == "gpt-4.1"
    assert prefixed.model == "gpt-4.1-mini"
    assert multi.get_model(None).model == "gpt-4.1"
    ask(prefixed)
    assert server.last_request.body["model"] == "gpt-4.1-mini"


def test_register_openai_compatible_prefix(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-must-not-leak")
    multi = MultiProvider()
    multi.register_openai_compatible("ollama", server.base_url)
    model = multi.get_model("ollama/llama3.2:1b")
    assert isinstance(model, OpenAIChatCompletionsModel) and model.model == "llama3.2:1b"
    ask(model)
    request = server.last_request
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "llama3.2:1b"
    assert "authorization" not in request.headers  # the OpenAI key stays with OpenAI
    # names with more slashes keep them after the prefix
    assert multi.get_model("ollama/org/model").model == "org/model"
    multi.register_openai_compatible("vllm", server.base_url, api_key="tok", use_responses=True)
    ask(multi.get_model("vllm/meta-llama/Llama-3"))
    assert server.last_request.path == "/v1/responses"
    assert server.last_request.headers["authorization"] == "Bearer tok"


def test_provider_map_and_custom_provider(server):
    calls = []

    class Custom(ModelProvider):
        def get_model(self, model_name):
            calls.append(model_name)
            return OpenAIResponsesModel(model_name, HTTPClient(base_url=server.base_url))

    mapping = MultiProviderMap()
    mapping.add_provider("mine", Custom())
    multi = MultiProvider(provider_map=mapping)
    assert mapping.has_prefix("mine")
    ask(multi.get_model("mine/special"))
    assert calls == ["special"]
    # a registered prefix wins over the built-in ones
    multi.register("openai", Custom())
    multi.get_model("openai/x")
    assert calls == ["special", "x"]
    mapping.remove_provider("openai")
    assert not mapping.has_prefix("openai")
    with pytest.raises(UserError, match="without '/'"):
        mapping.add_provider("a/b", Custom())
    with pytest.raises(UserError, match="not a ModelProvider"):
        mapping.add_provider("x", object())  # type: ignore[arg-type]


def test_unknown_prefix_lists_known_ones():
    multi = MultiProvider()
    multi.register_openai_compatible("ollama", "http://127.0.0.1:11434/v1")
    with pytest.raises(UserError) as info:
        multi.get_model("mystery/model")
    message = str(info.value)
    assert "'mystery'" in message
    for prefix in ("ollama/", "openai/", "litellm/"):
        assert prefix in message


def test_litellm_prefix_without_litellm_is_a_clear_user_error():
    from agents_lite.extensions.litellm_model import LitellmModel, litellm_available

    if litellm_available():
        model = MultiProvider().get_model("litellm/openai/gpt-4o-mini")
        assert isinstance(model, LitellmModel) and model.model == "openai/gpt-4o-mini"
    else:
        with pytest.raises(UserError, match="pip install litellm"):
            MultiProvider().get_model("litellm/anthropic/claude-3-5-sonnet-latest")
        with pytest.raises(UserError, match="litellm"):
            LitellmModel("anthropic/claude")


def test_litellm_model_over_local_server_when_installed(server):
    from agents_lite.extensions.litellm_model import LitellmModel, litellm_available

    if not litellm_available():
        with pytest.raises(UserError):
            LitellmModel("openai/m", base_url=server.base_url)
        return
    model = LitellmModel("openai/m", base_url=server.base_url, api_key="sk-l")
    response = ask(model, "hello there")
    assert response.output[0]["content"][0]["text"] == "hello there"
    events = list(model.stream_response(None, "streamed", ModelSettings(), [], None, [], OFF))
    assert events[-1]["type"] == "response.completed"


def test_provider_close_closes_own_client(server):
    provider = OpenAIProvider(base_url=server.base_url)
    ask(provider.get_model("m"))
    provider.close()
    ask(provider.get_model("m"))  # still usable: a new connection is opened
    assert server.connections_accepted == 2


def test_default_key_is_used_for_tracing_when_asked():
    from agents_lite.tracing.setup import get_tracing_export_api_key, set_tracing_export_api_key

    try:
        set_default_openai_key("sk-trace-key-1", use_for_tracing=False)
        assert get_tracing_export_api_key() is None
        set_default_openai_key("sk-trace-key-2")
        assert get_tracing_export_api_key() == "sk-trace-key-2"
    finally:
        set_tracing_export_api_key("")


def test_models_accept_the_reference_keyword_openai_client(server):
    client = OpenAIClient(api_key="sk-alias", base_url=server.base_url)
    ask(OpenAIResponsesModel(model="m", openai_client=client))
    ask(OpenAIChatCompletionsModel(model="m", openai_client=client))
    assert [r.path for r in server.requests] == ["/v1/responses", "/v1/chat/completions"]
    assert all(r.headers["authorization"] == "Bearer sk-alias" for r in server.requests)
    with pytest.raises(UserError, match="HTTPClient"):
        OpenAIResponsesModel("m", openai_client="nope")  # type: ignore[arg-type]
