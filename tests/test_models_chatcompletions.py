"""OpenAIChatCompletionsModel: item⇄message conversion both ways, requests over real HTTP to
LocalOpenAIServer, streamed chunks turned into Responses-style events, and bad input."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from agents_lite.agent_output import AgentOutputSchema
from agents_lite.exceptions import (
    APIConnectionError,
    InternalServerError,
    ModelBehaviorError,
    RateLimitError,
    UserError,
)
from agents_lite.model_settings import ModelRetrySettings, ModelSettings
from agents_lite.models.chatcmpl_converter import (
    CONTENT_FILTER_REFUSAL,
    items_to_messages,
    message_to_output_items,
    usage_to_responses,
)
from agents_lite.models.chatcmpl_stream import ChatStreamConverter
from agents_lite.models.http import HTTPClient
from agents_lite.models.interface import ModelTracing
from agents_lite.models.openai_chatcompletions import OpenAIChatCompletionsModel, build_chat_body
from agents_lite.testing.faults import Fault
from agents_lite.testing.replies import Reply, ScriptedResponse
from agents_lite.testing.scripted import function_call, refusal_message, text_message, usage_dict
from agents_lite.testing.server import LocalOpenAIServer
from agents_lite.tool import FunctionTool, WebSearchTool

FAST = ModelRetrySettings(initial_delay=0.001, max_delay=0.005, max_retry_after=0.01)
OFF = ModelTracing.DISABLED


@pytest.fixture
def server():
    with LocalOpenAIServer() as srv:
        yield srv


@pytest.fixture
def model(server):
    client = HTTPClient(api_key="sk-chat", base_url=server.base_url, timeout=(2, 5))
    yield OpenAIChatCompletionsModel("gpt-4o-mini", client)
    client.close()


def get(model, input="hi", settings=None, tools=(), schema=None, handoffs=(), **kw):
    return model.get_response(kw.pop("instructions", None), input, settings or ModelSettings(),
                              list(tools), schema, list(handoffs), OFF, **kw)


def stream(model, input="hi", settings=None, tools=(), schema=None, handoffs=(), **kw):
    return model.stream_response(kw.pop("instructions", None), input,
                                 settings or ModelSettings(), list(tools), schema,
                                 list(handoffs), OFF, **kw)


def add_tool() -> FunctionTool:
    return FunctionTool(
        name="add", description="Add two numbers.",
        params_json_schema={"type": "object", "properties": {"a": {"type": "number"},
                                                             "b": {"type": "number"}},
                            "required": ["a", "b"], "additionalProperties": False},
        on_invoke_tool=lambda ctx, args: "3",
    )


@dataclass
class Point:
    x: int
    y: int


# --- items -> messages --------------------------------------------------------------------------


def test_string_input_and_instructions():
    assert items_to_messages("hello", "Be brief.") == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hello"},
    ]


def test_full_history_conversion():
    items = [
        {"role": "developer", "content": "dev note"},
        {"role": "user", "content": [
            {"type": "input_text", "text": "look"},
            {"type": "input_image", "image_url": "data:image/png;base64,AAAA", "detail": "low"},
            {"type": "input_file", "file_data": "data:application/pdf;base64,BB",
             "filename": "a.pdf"},
        ]},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "hmm"}]},
        {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
         "content": [{"type": "output_text", "text": "part one", "annotations": []},
                     {"type": "output_text", "text": "part two", "annotations": []}]},
        {"type": "function_call", "call_id": "call_1", "name": "add", "arguments": '{"a":1,"b":2}'},
        {"type": "function_call", "call_id": "call_2", "name": "add", "arguments": ""},
        {"type": "function_call_output", "call_id": "call_1", "output": "3"},
        {"type": "function_call_output", "call_id": "call_2",
         "output": [{"type": "input_image", "image_url": "https://x/y.png"}]},
        {"type": "function_call", "call_id": "call_3", "name": "add", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_3",
         "output": [{"type": "input_text", "text": "a"}, {"type": "input_text", "text": "b"}]},
        {"type": "message", "role": "system", "content": [{"type": "input_text", "text": "sys"}]},
    ]
    messages = items_to_messages(items)
    assert messages[0] == {"role": "developer", "content": "dev note"}
    assert messages[1] == {"role": "user", "content": [
        {"type": "text", "text": "look"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"}},
        {"type": "file", "file": {"file_data": "data:application/pdf;base64,BB",
                                  "filename": "a.pdf"}},
    ]}
    # the reasoning item is dropped; text parts join with "\n"; consecutive calls merge
    assert messages[2] == {
        "role": "assistant",
        "content": "part one\npart two",
        "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "add", "arguments": '{"a":1,"b":2}'}},
            {"id": "call_2", "type": "function", "function": {"name": "add", "arguments": "{}"}},
        ],
    }
    assert messages[3] == {"role": "tool", "tool_call_id": "call_1", "content": "3"}
    assert messages[4] == {"role": "tool", "tool_call_id": "call_2",
                           "content": "[tool output omitted]"}
    # a call after a tool message opens a new assistant message with null content
    assert messages[5] == {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_3", "type": "function", "function": {"name": "add", "arguments": "{}"}}]}
    assert messages[6] == {"role": "tool", "tool_call_id": "call_3", "content": "a\nb"}
    assert messages[7] == {"role": "system", "content": [{"type": "text", "text": "sys"}]}
    assert len(messages) == 8
    assert all(m.get("tool_calls") != [] for m in messages)  # never an empty tool_calls array


def test_assistant_refusal_and_easy_assistant_message():
    messages = items_to_messages([
        {"type": "message", "role": "assistant",
         "content": [{"type": "refusal", "refusal": "no"}]},
        {"role": "assistant", "content": "plain"},
    ])
    assert messages == [{"role": "assistant", "refusal": "no"},
                        {"role": "assistant", "content": "plain"}]


@pytest.mark.parametrize(
    "item, pattern",
    [
        ({"type": "item_reference", "id": "msg_1"}, "item_reference"),
        ({"type": "compaction", "id": "c_1"}, "compaction"),
        ({"type": "web_search_call", "id": "ws_1"}, "web_search_call"),
        ({"role": "tool", "content": "x"}, "role 'tool'"),
        ({"role": "user", "content": [{"type": "input_image", "file_id": "file_1"}]}, "URLs"),
        ({"role": "system", "content": [{"type": "input_image", "image_url": "u"}]}, "text parts"),
        ({"role": "user", "content": [{"type": "mystery"}]}, "Unsupported content part"),
    ],
)
def test_items_that_cannot_be_converted(item, pattern):
    with pytest.raises(UserError, match=pattern):
        items_to_messages([item])


# --- message -> items ---------------------------------------------------------------------------


def test_message_to_items_order_and_fake_ids():
    items = message_to_output_items({
        "role": "assistant",
        "content": "hi",
        "reasoning_content": "because",
        "refusal": None,
        "annotations": [{"type": "url_citation", "url_citation": {
            "start_index": 0, "end_index": 2, "title": "T", "url": "https://e"}}],
        "tool_calls": [{"id": "call_1", "type": "function",
                        "function": {"name": "add", "arguments": "{bad"}}],
    })
    assert [i["type"] for i in items] == ["reasoning", "message", "function_call"]
    assert items[0]["summary"] == [{"type": "summary_text", "text": "because"}]
    assert items[1]["id"] == "__fake_id__"
    assert items[1]["content"] == [{"type": "output_text", "text": "hi", "annotations": [
        {"type": "url_citation", "start_index": 0, "end_index": 2, "title": "T",
         "url": "https://e"}]}]
    assert items[2]["call_id"] == "call_1" and items[2]["arguments"] == "{bad"


def test_content_filter_and_length_with_empty_output():
    items = message_to_output_items({"role": "assistant", "content": None}, "content_filter")
    assert items[0]["content"] == [{"type": "refusal", "refusal": CONTENT_FILTER_REFUSAL}]
    with pytest.raises(ModelBehaviorError, match="token limit"):
        message_to_output_items({"role": "assistant", "content": ""}, "length")
    # with some output, "length" just returns what there is
    assert message_to_output_items({"role": "assistant", "content": "part"}, "length")


def test_usage_mapping():
    mapped = usage_to_responses({
        "prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120,
        "prompt_tokens_details": {"cached_tokens": 64},
        "completion_tokens_details": {"reasoning_tokens": 8},
    })
    assert mapped == {"input_tokens": 100, "input_tokens_details": {"cached_tokens": 64},
                      "output_tokens": 20, "output_tokens_details": {"reasoning_tokens": 8},
                      "total_tokens": 120}
    assert usage_to_responses(None) is None
    assert usage_to_responses({"prompt_tokens": 1, "completion_tokens": 2})["total_tokens"] == 3


# --- requests over HTTP ---------------------------------------------------------------------------


def test_request_body_over_http(server, model):
    schema = AgentOutputSchema(Point)
    server.add_response([text_message('{"x": 1, "y": 2}')])
    settings = ModelSettings(
        temperature=0.1, top_p=0.5, frequency_penalty=0.2, presence_penalty=0.3,
        max_tokens=50, tool_choice="add", parallel_tool_calls=True,
        reasoning={"effort": "low"}, metadata={"k": "v"}, top_logprobs=3,
        extra_args={"seed": 7}, extra_headers={"X-A": "b"},
    )
    get(model, "go", settings, tools=[add_tool()], schema=schema, instructions="sys")
    request = server.last_request
    assert request.path == "/v1/chat/completions"
    body = request.body
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == [{"role": "system", "content": "sys"},
                                {"role": "user", "content": "go"}]
    assert body["tools"] == [{"type": "function", "function": {
        "name": "add", "description": "Add two numbers.",
        "parameters": add_tool().params_json_schema, "strict": True}}]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "add"}}
    assert body["parallel_tool_calls"] is True
    assert body["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "final_output", "strict": True, "schema": schema.json_schema()}}
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.1, 0.5, 50)
    assert (body["frequency_penalty"], body["presence_penalty"]) == (0.2, 0.3)
    assert body["reasoning_effort"] == "low"
    assert body["metadata"] == {"k": "v"}
    assert body["logprobs"] is True and body["top_logprobs"] == 3
    assert body["seed"] == 7
    assert "store" not in body and "stream" not in body  # not OpenAI: no store default
    assert request.headers["x-a"] == "b"


def test_openai_host_defaults_store_and_include_usage():
    body = build_chat_body("m", None, "hi", ModelSettings(), [], None, [], stream=True,
                           openai_defaults=True)
    assert body["store"] is True and body["stream_options"] == {"include_usage": True}
    body = build_chat_body("m", None, "hi", ModelSettings(store=False, include_usage=False), [],
                           None, [], stream=True, openai_defaults=True)
    assert body["store"] is False and "stream_options" not in body


def test_hosted_tools_are_rejected(model):
    with pytest.raises(UserError, match="needs the Responses API"):
        get(model, "hi", tools=[WebSearchTool()])


def test_server_side_state_is_rejected(model):
    with pytest.raises(UserError, match="Responses API"):
        get(model, "hi", previous_response_id="resp_1")
    with pytest.raises(UserError, match="Responses API"):
        list(stream(model, "hi", conversation_id="conv_1"))


def test_plain_response_to_items_and_usage(server, model):
    server.add_response(ScriptedResponse(
        output=[text_message("sure"), function_call("add", '{"a": 1, "b": 2}', call_id="c1")],
        usage=usage_dict(200, 30, cached_tokens=100, reasoning_tokens=10),
        model="gpt-4o-mini-2024-07-18",
    ))
    response = get(model, "add", tools=[add_tool()])
    assert response.response_id is None
    assert response.request_id.startswith("req_")
    assert response.output[0] == {"type": "message", "id": "__fake_id__", "role": "assistant",
                                  "status": "completed",
                                  "content": [{"type": "output_text", "text": "sure",
                                               "annotations": []}]}
    assert response.output[1]["type"] == "function_call"
    assert response.output[1]["call_id"] == "c1"
    usage = response.usage
    assert (usage.input_tokens, usage.output_tokens) == (200, 30)
    assert usage.input_tokens_details.cached_tokens == 100
    assert usage.output_tokens_details.reasoning_tokens == 10
    # gpt-4o-mini: 0.15 in / 0.075 cached / 0.6 out per 1M
    assert usage.cost_usd == pytest.approx((100 * 0.15 + 100 * 0.075 + 30 * 0.6) / 1e6)


def test_refusal_reply(server, model):
    server.add_response([refusal_message("nope")])
    response = get(model, "hi")
    assert response.output[0]["content"] == [{"type": "refusal", "refusal": "nope"}]


def test_empty_choices_is_a_model_behavior_error(server, model):
    server.add_response(Fault(empty_choices=True))
    with pytest.raises(ModelBehaviorError, match="no choices"):
        get(model, "hi")
    server.add_response(Fault(empty_choices=True))
    with pytest.raises(ModelBehaviorError, match="no choices"):
        list(stream(model, "hi"))


def test_length_with_no_output_raises(server, model):
    server.add_response(ScriptedResponse(output=[], status="incomplete",
                                         incomplete_details={"reason": "max_output_tokens"}))
    with pytest.raises(ModelBehaviorError, match="token limit"):
        get(model, "hi")


def test_content_filter_over_http_gives_a_refusal(server, model):
    server.add_response(ScriptedResponse(output=[], status="incomplete",
                                         incomplete_details={"reason": "content_filter"}))
    response = get(model, "hi")
    assert response.output[0]["content"][0]["refusal"] == CONTENT_FILTER_REFUSAL
    server.add_response(ScriptedResponse(output=[], status="incomplete",
                                         incomplete_details={"reason": "content_filter"}))
    events = list(stream(model, "hi"))
    assert events[-1]["response"]["output"][0]["content"][0]["refusal"] == CONTENT_FILTER_REFUSAL


def test_invalid_tool_arguments_are_delivered_unchanged(server, model):
    broken = '{"a": 1, "b": '
    server.add_response([function_call("add", broken, call_id="call_x")])
    assert get(model, "hi", tools=[add_tool()]).output[0]["arguments"] == broken
    server.add_response([function_call("add", broken, call_id="call_y")])
    final = list(stream(model, "hi", tools=[add_tool()]))[-1]["response"]
    assert final["output"][0]["arguments"] == broken


def test_error_body_with_200(server, model):
    server.add_response(Reply(200, body={"error": {"message": "overloaded", "type": "server_error"}}))
    with pytest.raises(InternalServerError, match="overloaded"):
        get(model, "hi")


# --- streaming ----------------------------------------------------------------------------------


def test_stream_text_and_tool_calls_become_responses_events(server, model):
    server.add_response(ScriptedResponse(
        output=[text_message("Let me add"),
                function_call("add", '{"a": 1, "b": 2}', call_id="call_1"),
                function_call("add", '{"a": 3, "b": 4}', call_id="call_2")],
        usage=usage_dict(50, 9, cached_tokens=5),
    ))
    settings = ModelSettings(include_usage=True)
    events = list(stream(model, "add", settings, tools=[add_tool()]))
    assert server.last_request.body["stream_options"] == {"include_usage": True}
    kinds = [e["type"] for e in events]
    assert kinds[0] == "response.created"
    assert kinds[-1] == "response.completed"
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    text = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert text == "Let me add"
    added = [e for e in events if e["type"] == "response.output_item.added"]
    assert [a["item"]["type"] for a in added] == ["message", "function_call", "function_call"]
    assert [a["output_index"] for a in added] == [0, 1, 2]
    args = {}
    for e in events:
        if e["type"] == "response.function_call_arguments.delta":
            args[e["output_index"]] = args.get(e["output_index"], "") + e["delta"]
    assert json.loads(args[1]) == {"a": 1, "b": 2} and json.loads(args[2]) == {"a": 3, "b": 4}
    done = [e["type"] for e in events if e["type"].endswith(".done")]
    assert done == ["response.output_text.done", "response.content_part.done",
                    "response.output_item.done", "response.function_call_arguments.done",
                    "response.output_item.done", "response.function_call_arguments.done",
                    "response.output_item.done"]
    final = events[-1]["response"]
    assert [i["type"] for i in final["output"]] == ["message", "function_call", "function_call"]
    assert final["output"][1]["call_id"] == "call_1"
    assert final["usage"]["input_tokens"] == 50
    assert final["usage"]["input_tokens_details"]["cached_tokens"] == 5
    assert final["id"] == "__fake_id__"


def test_stream_without_usage_chunk_has_no_usage(server, model):
    events = list(stream(model, "hello"))
    assert "stream_options" not in server.last_request.body
    assert events[-1]["response"]["usage"] is None


def test_stream_refusal(server, model):
    server.add_response([refusal_message("I will not")])
    events = list(stream(model, "hi"))
    assert "".join(e["delta"] for e in events if e["type"] == "response.refusal.delta") == "I will not"
    assert events[-1]["response"]["output"][0]["content"] == [
        {"type": "refusal", "refusal": "I will not"}]


def test_stream_cut_is_a_connection_error_without_retry(server, model):
    server.add_response(Fault(reply="a b c d e f g", cut_after_events=3))
    with pytest.raises(APIConnectionError, match="before \\[DONE\\]"):
        list(stream(model, "hi", ModelSettings(retry=FAST)))
    assert len(server.requests) == 1


def test_stream_error_frame(server, model):
    server.add_response(Fault(terminal="error"))
    with pytest.raises(InternalServerError, match="server_error|server had an error"):
        list(stream(model, "hi"))
    frame = 'data: {"error": {"message": "slow down", "type": "requests", "code": "rate_limit_exceeded"}}\n\n'
    server.add_response(Fault(inject=[(2, frame)]))
    with pytest.raises(RateLimitError, match="slow down"):
        list(stream(model, "hi"))


def test_stream_malformed_json(server, model):
    server.add_response(Fault(inject=[(2, "data: {not json\n\n")]))
    with pytest.raises(ModelBehaviorError, match="not JSON"):
        list(stream(model, "hi"))


def test_stream_http_error_retried_before_start(server, model):
    server.add_response(Fault(status=429, retry_after_ms=1))
    events = list(stream(model, "hi", ModelSettings(retry=FAST)))
    assert events[-1]["type"] == "response.completed"
    assert len(server.requests) == 2


# --- the stream converter on its own (fragments the local server does not produce) ---------------


def _chunk(delta=None, finish=None, usage=None, choices=True):
    return {"object": "chat.completion.chunk", "model": "m",
            "choices": [{"index": 0, "delta": delta or {}, "finish_reason": finish}] if choices else [],
            "usage": usage}


def test_converter_waits_for_id_and_name_then_replays_buffered_arguments():
    conv = ChatStreamConverter("m")
    events = conv.handle_chunk(_chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"a"'}}]}))
    assert [e["type"] for e in events] == ["response.created"]
    events = conv.handle_chunk(_chunk({"tool_calls": [{"index": 0, "id": "call_1",
                                                       "function": {"name": "add"}}]}))
    assert [e["type"] for e in events] == ["response.output_item.added",
                                           "response.function_call_arguments.delta"]
    assert events[1]["delta"] == '{"a"'
    conv.handle_chunk(_chunk({"tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}]}))
    conv.handle_chunk(_chunk(finish="tool_calls"))
    final = conv.finish()[-1]["response"]
    assert final["output"][0]["arguments"] == '{"a": 1}'


def test_converter_tool_call_without_id_gets_one_and_reasoning_is_kept():
    conv = ChatStreamConverter("m")
    conv.handle_chunk(_chunk({"reasoning_content": "think "}))
    conv.handle_chunk(_chunk({"reasoning_content": "more"}))
    conv.handle_chunk(_chunk({"tool_calls": [{"index": 0, "function": {"name": "f", "arguments": "{}"}}]}))
    conv.handle_chunk(_chunk(finish="tool_calls"))
    conv.handle_chunk(_chunk(choices=False, usage={"prompt_tokens": 3, "completion_tokens": 4}))
    final = conv.finish()[-1]["response"]
    assert final["output"][0] == {"type": "reasoning", "id": "__fake_id__",
                                  "summary": [{"type": "summary_text", "text": "think more"}]}
    assert final["output"][1]["call_id"].startswith("call_")
    assert final["usage"]["total_tokens"] == 7


def test_converter_errors():
    conv = ChatStreamConverter("m")
    conv.handle_chunk(_chunk(choices=False))
    with pytest.raises(ModelBehaviorError, match="no choices"):
        conv.finish()
    conv = ChatStreamConverter("m")
    conv.handle_chunk(_chunk(finish="length"))
    with pytest.raises(ModelBehaviorError, match="token limit"):
        conv.finish()
    conv = ChatStreamConverter("m")
    conv.handle_chunk(_chunk({"tool_calls": [{"index": 0, "id": "c", "function": {"arguments": "{}"}}]}))
    with pytest.raises(ModelBehaviorError, match="function name"):
        conv.finish()
