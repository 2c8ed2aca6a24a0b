"""OpenAIResponsesModel over real HTTP to LocalOpenAIServer: request building, response parsing,
streaming, and every bad input of the wire layer."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from agents_lite.agent_output import AgentOutputSchema
from agents_lite.exceptions import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    ModelBehaviorError,
    RateLimitError,
    UserError,
)
from agents_lite.handoffs import Handoff
from agents_lite.model_settings import ModelRetrySettings, ModelSettings
from agents_lite.models.http import HTTPClient
from agents_lite.models.interface import ModelTracing
from agents_lite.models.openai_responses import OpenAIResponsesModel, response_to_model_response
from agents_lite.testing.faults import Fault
from agents_lite.testing.replies import ScriptedResponse
from agents_lite.testing.scripted import (
    function_call,
    reasoning_item,
    refusal_message,
    text_message,
    usage_dict,
)
from agents_lite.testing.server import LocalOpenAIServer
from agents_lite.tool import FileSearchTool, FunctionTool, HostedMCPTool, WebSearchTool

KEY = "sk-test-responses-SECRET-42"
FAST = ModelRetrySettings(initial_delay=0.001, max_delay=0.005, max_retry_after=0.01)
OFF = ModelTracing.DISABLED


@pytest.fixture
def server():
    with LocalOpenAIServer() as srv:
        yield srv


@pytest.fixture
def model(server):
    client = HTTPClient(api_key=KEY, base_url=server.base_url, timeout=(2, 5))
    yield OpenAIResponsesModel("gpt-4.1", client)
    client.close()


def get(model, input="hi", settings=None, tools=(), schema=None, handoffs=(), **kw):
    return model.get_response(
        kw.pop("instructions", None), input, settings or ModelSettings(), list(tools), schema,
        list(handoffs), OFF, **kw,
    )


def stream(model, input="hi", settings=None, tools=(), schema=None, handoffs=(), **kw):
    return model.stream_response(
        kw.pop("instructions", None), input, settings or ModelSettings(), list(tools), schema,
        list(handoffs), OFF, **kw,
    )


def weather_tool(strict: bool = True) -> FunctionTool:
    return FunctionTool(
        name="get_weather",
        description="Weather for a city.",
        params_json_schema={
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
        on_invoke_tool=lambda ctx, args: "sunny",
        strict_json_schema=strict,
    )


def transfer_handoff() -> Handoff:
    return Handoff(
        tool_name="transfer_to_billing",
        tool_description="Handoff to the Billing agent to handle the request. ",
        input_json_schema={"type": "object", "properties": {}, "required": [],
                           "additionalProperties": False},
        on_invoke_handoff=lambda ctx, args: None,  # type: ignore[arg-type,return-value]
        agent_name="Billing",
    )


@dataclass
class Answer:
    city: str
    degrees: int


# --- request building -------------------------------------------------------------------------


def test_minimal_request_body(server, model):
    response = get(model, "hello", instructions="Be brief.")
    body = server.last_request.body
    assert server.last_request.path == "/v1/responses"
    assert body == {
        "model": "gpt-4.1",
        "input": [{"role": "user", "content": "hello"}],
        "instructions": "Be brief.",
    }
    assert response.output[0]["content"][0]["text"] == "hello"
    assert response.response_id and response.response_id.startswith("resp_")
    assert response.request_id and response.request_id.startswith("req_")


def test_every_model_setting_is_mapped(server, model):
    settings = ModelSettings(
        temperature=0.2,
        top_p=0.9,
        tool_choice="required",
        parallel_tool_calls=False,
        truncation="auto",
        max_tokens=123,
        reasoning={"effort": "low", "summary": "auto"},
        verbosity="low",
        metadata={"user": "u1"},
        store=False,
        response_include=["reasoning.encrypted_content"],
        top_logprobs=2,
        extra_body={"service_tier": "flex"},
        extra_args={"user": "end-user-7"},
        extra_headers={"X-Trace": "t1"},
        extra_query={"debug": "1"},
    )
    get(model, "hi", settings, tools=[weather_tool()])
    request = server.last_request
    body = request.body
    assert body["temperature"] == 0.2
    assert body["top_p"] == 0.9
    assert body["tool_choice"] == "required"
    assert body["parallel_tool_calls"] is False
    assert body["truncation"] == "auto"
    assert body["max_output_tokens"] == 123
    assert "max_tokens" not in body
    assert body["reasoning"] == {"effort": "low", "summary": "auto"}
    assert body["text"] == {"verbosity": "low"}
    assert body["metadata"] == {"user": "u1"}
    assert body["store"] is False
    assert body["include"] == ["reasoning.encrypted_content", "message.output_text.logprobs"]
    assert body["top_logprobs"] == 2
    assert body["service_tier"] == "flex"
    assert body["user"] == "end-user-7"
    assert request.headers["x-trace"] == "t1"
    assert request.query == {"debug": "1"}
    for key in ("frequency_penalty", "presence_penalty", "stream", "previous_response_id",
                "conversation", "prompt"):
        assert key not in body


def test_none_settings_are_omitted_and_no_parallel_without_tools(server, model):
    get(model, "hi", ModelSettings(parallel_tool_calls=True))
    assert set(server.last_request.body) == {"model", "input"}


def test_tools_handoffs_and_hosted_tools_use_to_wire(server, model):
    tools = [
        weather_tool(strict=False),
        WebSearchTool(),
        FileSearchTool(vector_store_ids=["vs_1"], max_num_results=3),
        HostedMCPTool(tool_config={"server_label": "docs", "server_url": "https://x"}),
    ]
    get(model, "hi", ModelSettings(parallel_tool_calls=True), tools=tools,
        handoffs=[transfer_handoff()])
    body = server.last_request.body
    assert body["tools"][0] == {
        "type": "function",
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": weather_tool().params_json_schema,
        "strict": False,
    }
    assert body["tools"][1]["type"] == "web_search"
    assert body["tools"][2] == {"type": "file_search", "vector_store_ids": ["vs_1"],
                                "max_num_results": 3}
    assert body["tools"][3] == {"type": "mcp", "server_label": "docs", "server_url": "https://x"}
    assert body["tools"][4]["name"] == "transfer_to_billing"
    assert body["tools"][4]["strict"] is True
    assert body["parallel_tool_calls"] is True
    assert "include" not in body


def test_file_search_results_are_requested_when_asked(server, model):
    tools = [FileSearchTool(vector_store_ids=["vs_1"], include_search_results=True)]
    get(model, "hi", ModelSettings(response_include=["reasoning.encrypted_content"]), tools=tools)
    assert server.last_request.body["include"] == [
        "reasoning.encrypted_content", "file_search_call.results"
    ]


@pytest.mark.parametrize(
    "choice, expected",
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("get_weather", {"type": "function", "name": "get_weather"}),
        ("web_search", {"type": "web_search"}),
        ("file_search", {"type": "file_search"}),
        ("code_interpreter", {"type": "code_interpreter"}),
        ("some_other_fn", {"type": "function", "name": "some_other_fn"}),
        ({"type": "mcp", "server_label": "docs"}, {"type": "mcp", "server_label": "docs"}),
    ],
)
def test_tool_choice_conversion(server, model, choice, expected):
    get(model, "hi", ModelSettings(tool_choice=choice), tools=[weather_tool()])
    assert server.last_request.body["tool_choice"] == expected


def test_function_named_like_a_hosted_tool_wins(server, model):
    tool = weather_tool()
    tool.name = "web_search"
    get(model, "hi", ModelSettings(tool_choice="web_search"), tools=[tool])
    assert server.last_request.body["tool_choice"] == {"type": "function", "name": "web_search"}


def test_structured_output_sends_json_schema_format(server, model):
    schema = AgentOutputSchema(Answer)
    server.add_response([text_message('{"city": "Oslo", "degrees": 3}')])
    get(model, "weather?", ModelSettings(verbosity="high"), schema=schema)
    text = server.last_request.body["text"]
    assert text["verbosity"] == "high"
    assert text["format"]["type"] == "json_schema"
    assert text["format"]["name"] == "final_output"
    assert text["format"]["strict"] is True
    assert text["format"]["schema"] == schema.json_schema()
    assert set(text["format"]["schema"]["properties"]) == {"city", "degrees"}


def test_plain_text_output_sends_no_format(server, model):
    get(model, "hi", schema=AgentOutputSchema(str))
    assert "text" not in server.last_request.body


def test_input_items_are_cleaned_and_passed_through(server, model):
    items = [
        {"role": "user", "content": "hi"},
        {"type": "message", "id": "__fake_id__", "role": "assistant", "status": "completed",
         "content": [{"type": "output_text", "text": "hey", "annotations": []}],
         "provider_data": {"vendor": "x"}},
        {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "f",
         "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "42"},
        {"type": "reasoning", "id": "rs_1", "summary": []},
    ]
    original = json.loads(json.dumps(items))
    get(model, items)
    sent = server.last_request.body["input"]
    assert "id" not in sent[1] and "provider_data" not in sent[1]
    assert sent[1]["content"][0]["text"] == "hey"
    assert sent[0] == items[0] and sent[2:] == items[2:]
    assert items == original  # the caller's items are not mutated


def test_previous_response_id_conversation_and_prompt(server, model):
    get(model, [{"role": "user", "content": "next"}], previous_response_id="resp_abc")
    body = server.last_request.body
    assert body["previous_response_id"] == "resp_abc"
    assert "conversation" not in body
    get(model, "hi", conversation_id="conv_123",
        prompt={"id": "pmpt_1", "version": "2", "variables": {"name": "Ada"}})
    body = server.last_request.body
    assert body["conversation"] == "conv_123"
    assert "previous_response_id" not in body
    assert body["prompt"] == {"id": "pmpt_1", "version": "2", "variables": {"name": "Ada"}}
    with pytest.raises(UserError, match="not both"):
        get(model, "hi", previous_response_id="resp_1", conversation_id="conv_1")


def test_tool_without_to_wire_is_a_user_error(model):
    with pytest.raises(UserError, match="to_wire"):
        get(model, "hi", tools=[object()])


# --- response parsing -------------------------------------------------------------------------


def test_response_output_usage_and_cost(server, model):
    server.add_response(ScriptedResponse(
        output=[reasoning_item("thinking"), text_message("done")],
        usage=usage_dict(1000, 500, cached_tokens=400, reasoning_tokens=100),
        model="gpt-4.1-2025-04-14",
    ))
    response = get(model, "hi")
    assert [item["type"] for item in response.output] == ["reasoning", "message"]
    usage = response.usage
    assert (usage.requests, usage.input_tokens, usage.output_tokens, usage.total_tokens) == (
        1, 1000, 500, 1500)
    assert usage.input_tokens_details.cached_tokens == 400
    assert usage.output_tokens_details.reasoning_tokens == 100
    assert usage.request_usage_entries[0].model == "gpt-4.1-2025-04-14"
    # gpt-4.1: $2 in, $0.5 cached in, $8 out per 1M tokens
    assert usage.cost_usd == pytest.approx((600 * 2 + 400 * 0.5 + 500 * 8) / 1e6)


def test_invalid_tool_arguments_are_delivered_unchanged(server, model):
    broken = '{"city": "Oslo",,'
    server.add_response([function_call("get_weather", broken, call_id="call_bad")])
    response = get(model, "hi", tools=[weather_tool()])
    assert response.output[0]["arguments"] == broken
    assert response.output[0]["call_id"] == "call_bad"
    server.add_response([function_call("get_weather", broken, call_id="call_bad2")])
    events = list(stream(model, "hi", tools=[weather_tool()]))
    done = [e for e in events if e["type"] == "response.function_call_arguments.done"]
    assert done[0]["arguments"] == broken
    assert events[-1]["response"]["output"][0]["arguments"] == broken


def test_failed_status_raises(server, model):
    server.add_response(ScriptedResponse(
        output=[], status="failed", error={"code": "invalid_prompt", "message": "bad prompt"}))
    with pytest.raises(BadRequestError, match="bad prompt"):
        get(model, "hi")
    server.add_response(ScriptedResponse(
        output=[], status="failed", error={"code": "vector_store_timeout", "message": "slow"}))
    with pytest.raises(ModelBehaviorError, match="vector_store_timeout: slow"):
        get(model, "hi")
    server.add_response(Fault(terminal="failed"))
    with pytest.raises(InternalServerError, match="server_error"):
        get(model, "hi")


def test_incomplete_status_raises_model_behavior_error(server, model):
    server.add_response(Fault(terminal="incomplete", incomplete_reason="max_output_tokens"))
    with pytest.raises(ModelBehaviorError, match="incomplete: max_output_tokens"):
        get(model, "hi")


def test_model_response_from_completed_event():
    response = response_to_model_response(
        {"id": "resp_1", "model": "gpt-4o-mini", "output": [{"type": "message"}],
         "usage": usage_dict(10, 5)}, request_id="req_1")
    assert response.response_id == "resp_1" and response.request_id == "req_1"
    assert response.usage.request_usage_entries[0].model == "gpt-4o-mini"
    assert response_to_model_response({"id": "__fake_id__"}).response_id is None


# --- streaming --------------------------------------------------------------------------------


def test_stream_text_events_in_order(server, model):
    server.add_response("Hello there world")
    events = list(stream(model, "hi"))
    kinds = [e["type"] for e in events]
    assert kinds[0] == "response.created"
    assert kinds[-1] == "response.completed"
    assert kinds.count("response.completed") == 1
    assert "response.output_text.delta" in kinds
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert deltas == "Hello there world"
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    final = events[-1]["response"]
    assert final["output"][0]["content"][0]["text"] == "Hello there world"
    assert final["usage"]["total_tokens"] > 0
    assert server.last_request.body["stream"] is True


def test_stream_tool_call_events(server, model):
    server.add_response([function_call("get_weather", {"city": "Oslo"}, call_id="call_9")])
    events = list(stream(model, "weather", tools=[weather_tool()]))
    kinds = [e["type"] for e in events]
    assert "response.function_call_arguments.delta" in kinds
    item = events[-1]["response"]["output"][0]
    assert item["call_id"] == "call_9" and json.loads(item["arguments"]) == {"city": "Oslo"}


def test_unknown_event_types_are_passed_through(server, model):
    server.add_response(Fault.unknown_event(after=3, event_type="response.future_thing.delta"))
    events = list(stream(model, "hi"))
    unknown = [e for e in events if e["type"] == "response.future_thing.delta"]
    assert len(unknown) == 1 and unknown[0]["payload"] == {"x": 1}
    assert events[-1]["type"] == "response.completed"


def test_stream_cut_after_some_deltas_is_a_connection_error_without_retry(server, model):
    server.add_response(Fault(reply="one two three four five six", cut_after_events=5))
    received = []
    with pytest.raises(APIConnectionError, match="before response.completed"):
        for event in stream(model, "hi", ModelSettings(retry=FAST)):
            received.append(event["type"])
    assert len(received) == 5
    assert "response.completed" not in received
    assert len(server.requests) == 1


def test_malformed_json_data_line(server, model):
    server.add_response(Fault.malformed_json(after=3))
    received = []
    with pytest.raises(ModelBehaviorError, match="not JSON"):
        for event in stream(model, "hi"):
            received.append(event)
    assert len(received) == 3


def test_bad_framing_is_a_model_behavior_error(server, model):
    server.add_response(Fault.bad_framing(after=2))
    with pytest.raises(ModelBehaviorError, match="Malformed server-sent event"):
        list(stream(model, "hi"))


def test_non_object_event_data(server, model):
    server.add_response(Fault(inject=[(2, "data: [1, 2]\n\n")]))
    with pytest.raises(ModelBehaviorError, match="expected a JSON object"):
        list(stream(model, "hi"))


@pytest.mark.parametrize(
    "fault, error, pattern",
    [
        (Fault(terminal="failed"), InternalServerError, "server_error"),
        (Fault(terminal="failed", code="rate_limit_exceeded", message="slow down"),
         RateLimitError, "slow down"),
        (Fault(terminal="failed", code="image_parse_error", message="bad image"),
         ModelBehaviorError, "image_parse_error"),
        (Fault(terminal="incomplete", incomplete_reason="content_filter"), ModelBehaviorError,
         "incomplete: content_filter"),
        (Fault(terminal="error"), ModelBehaviorError, "stream reported an error"),
        (Fault(terminal="error", code="server_error"), InternalServerError, "server_error"),
        (Fault(terminal="error", code="weird_code", message="odd"), ModelBehaviorError, "odd"),
    ],
)
def test_terminal_failure_events(server, model, fault, error, pattern):
    server.add_response(fault)
    received = []
    with pytest.raises(error, match=pattern) as info:
        for event in stream(model, "hi"):
            received.append(event["type"])
    assert received and "response.completed" not in received
    if hasattr(info.value, "request_id") and info.value.request_id is not None:
        assert info.value.request_id.startswith("req_")


def test_bare_error_frame(server, model):
    frame = 'data: {"error": {"message": "quota", "type": "insufficient_quota", "code": "insufficient_quota"}}\n\n'
    server.add_response(Fault(inject=[(1, frame)]))
    with pytest.raises(RateLimitError, match="quota"):
        list(stream(model, "hi"))


def test_stream_http_error_before_start_is_retried(server, model):
    server.add_response(Fault(status=500))
    events = list(stream(model, "hi", ModelSettings(retry=FAST)))
    assert events[-1]["type"] == "response.completed"
    assert len(server.requests) == 2


def test_closing_the_stream_early_closes_http_and_sends_nothing_if_unstarted(server, model):
    gen = stream(model, "hi")
    gen.close()
    assert server.requests == []  # generator never started: no request
    gen = stream(model, "one two three")
    next(gen)
    gen.close()
    get(model, "again")
    assert len(server.requests) == 2
    assert server.connections_accepted == 2  # the abandoned stream's socket was not reused


def test_stream_connection_goes_back_to_pool_when_stopping_at_completed(server, model):
    for _ in range(3):
        for event in stream(model, "hi"):
            if event["type"] == "response.completed":
                break
    assert server.connections_accepted == 1


# --- errors and secrets through the model -------------------------------------------------------


def test_401_through_the_model_hides_the_key(server, model):
    server.add_response(Fault(status=401, message=f"Incorrect API key provided: {KEY}"))
    with pytest.raises(AuthenticationError) as info:
        get(model, "hi")
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert KEY not in repr(model) and KEY not in repr(model.client)
    server.add_response(Fault(status=401, message=f"Incorrect API key provided: {KEY}"))
    with pytest.raises(AuthenticationError) as info:
        list(stream(model, "hi"))
    assert KEY not in str(info.value)


def test_missing_key_against_openai_is_a_user_error(monkeypatch):
    from agents_lite.models.defaults import OpenAIClient

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    model = OpenAIResponsesModel("gpt-4.1", OpenAIClient())
    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        get(model, "hi")


def test_refusal_output_is_returned(server, model):
    server.add_response([refusal_message("I can't help with that.")])
    response = get(model, "hi")
    assert response.output[0]["content"][0] == {"type": "refusal",
                                                "refusal": "I can't help with that."}
