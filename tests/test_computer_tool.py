"""ComputerTool with the in-memory computer: computer_call / computer_call_output round trips
over the local server, screenshots as PNG data URLs, safety checks, approvals, bad actions."""

from __future__ import annotations

import base64
import itertools

import pytest

from agents_lite import Agent, ModelBehaviorError, Runner, UserError
from agents_lite.computer import Computer, ComputerTool
from agents_lite.models.http import HTTPClient
from agents_lite.models.openai_responses import OpenAIResponsesModel
from agents_lite.testing.memory_computer import MemoryComputer, decode_png, encode_png
from agents_lite.testing.server import LocalOpenAIServer
from agents_lite.tool_guardrails import ToolGuardrailFunctionOutput, tool_input_guardrail

RED, BLUE, WHITE, BLACK = (220, 30, 30), (30, 30, 220), (255, 255, 255), (0, 0, 0)
_ids = itertools.count(1)


def computer_call(action: dict | None = None, *, actions: list | None = None,
                  call_id: str | None = None, checks: list | None = None) -> dict:
    n = next(_ids)
    item = {"type": "computer_call", "id": f"cu_{n}", "call_id": call_id or f"call_c{n}",
            "pending_safety_checks": checks or [], "status": "completed"}
    if action is not None:
        item["action"] = action
    if actions is not None:
        item["actions"] = actions
    return item


@pytest.fixture
def server():
    with LocalOpenAIServer() as srv:
        yield srv


@pytest.fixture
def model(server):
    responses_model = OpenAIResponsesModel(
        "fake-model", client=HTTPClient(base_url=server.base_url, max_retries=0))
    yield responses_model
    responses_model.close()


def screenshot_outputs(server: LocalOpenAIServer, index: int) -> list[dict]:
    body = server.requests_to("/v1/responses")[index].body
    return [item for item in body["input"] if item.get("type") == "computer_call_output"]


def pixels_of(data_url: str) -> tuple[int, int, bytes]:
    prefix = "data:image/png;base64,"
    assert data_url.startswith(prefix)
    return decode_png(base64.b64decode(data_url[len(prefix):]))


def pixel(image: tuple[int, int, bytes], x: int, y: int) -> tuple[int, int, int]:
    width, _, rgb = image
    index = (y * width + x) * 3
    return tuple(rgb[index:index + 3])  # type: ignore[return-value]


# --- the in-memory computer ----------------------------------------------------------------------


def test_png_encoding_round_trips():
    rgb = bytes(range(256)) * 3  # 16 x 16 pixels
    assert decode_png(encode_png(16, 16, rgb)) == (16, 16, rgb)
    with pytest.raises(ValueError):
        encode_png(2, 2, b"short")


def test_memory_computer_draws_what_it_is_told():
    computer = MemoryComputer(64, 48)
    computer.click(10, 12, "left")
    computer.click(40, 12, "right")
    computer.drag([(0, 40), (20, 40)])
    computer.type("hi there")
    image = decode_png(base64.b64decode(computer.screenshot()))
    assert image[:2] == (64, 48)
    assert pixel(image, 10, 12) == RED and pixel(image, 40, 12) == BLUE
    assert pixel(image, 10, 40) == BLACK and pixel(image, 60, 40) == WHITE
    assert computer.typed == "hi there"
    assert computer.actions[0] == ("click", 10, 12, "left")


# --- ComputerTool over the local server ----------------------------------------------------------


def test_click_round_trip_sends_a_screenshot_data_url(server, model):
    computer = MemoryComputer(128, 96)
    agent = Agent(name="operator", tools=[ComputerTool(computer)], model=model)
    server.add_response([computer_call({"type": "click", "x": 30, "y": 20, "button": "left"},
                                       call_id="c1")])
    server.add_response([computer_call({"type": "type", "text": "hello"}, call_id="c2")])
    server.add_response("done clicking")
    result = Runner.run_sync(agent, "click the thing")
    assert result.final_output == "done clicking"
    first = server.requests_to("/v1/responses")[0].body
    assert first["tools"] == [{"type": "computer_use_preview", "environment": "browser",
                               "display_width": 128, "display_height": 96}]
    (output,) = screenshot_outputs(server, 1)
    assert output["call_id"] == "c1" and output["output"]["type"] == "computer_screenshot"
    assert "acknowledged_safety_checks" not in output
    image = pixels_of(output["output"]["image_url"])
    assert image[:2] == (128, 96) and pixel(image, 30, 20) == RED and pixel(image, 60, 60) == WHITE
    assert computer.typed == "hello"
    assert [a[0] for a in computer.actions] == ["click", "screenshot", "type", "screenshot"]
    outputs = [i for i in result.new_items if i.type == "tool_call_output_item"]
    assert outputs[0].output == output["output"]["image_url"]


def test_every_action_type_and_batched_actions(server, model):
    computer = MemoryComputer(64, 64)
    agent = Agent(name="operator", tools=[ComputerTool(computer)], model=model)
    server.add_response([computer_call(actions=[
        {"type": "move", "x": 5, "y": 6},
        {"type": "double_click", "x": 20, "y": 20},
        {"type": "scroll", "x": 1, "y": 2, "scroll_x": 0, "scroll_y": 300},
        {"type": "keypress", "keys": ["CTRL", "L"]},
        {"type": "drag", "path": [{"x": 0, "y": 50}, {"x": 30, "y": 50}]},
        {"type": "wait"},
        {"type": "screenshot"},
    ], call_id="batch")])
    server.add_response("ok")
    Runner.run_sync(agent, "do it all")
    assert [a[0] for a in computer.actions] == [
        "move", "double_click", "scroll", "keypress", "drag", "wait", "screenshot"]
    assert computer.scroll_offset == (0, 300) and computer.actions[3] == ("keypress", ("CTRL", "L"))
    (output,) = screenshot_outputs(server, 1)
    image = pixels_of(output["output"]["image_url"])
    assert pixel(image, 15, 50) == BLACK and pixel(image, 20, 20) == (200, 120, 0)


def test_safety_checks_are_acknowledged_or_stop_the_run(server, model):
    check = {"id": "sc_1", "code": "malicious_instructions", "message": "Suspicious page text"}
    reviewed = []

    def accept(data):
        reviewed.append((data.safety_check["id"], data.tool_call["call_id"], data.agent.name))
        return True

    computer = MemoryComputer(32, 32)
    agent = Agent(name="operator", tools=[ComputerTool(computer, on_safety_check=accept)],
                  model=model)
    server.add_response([computer_call({"type": "click", "x": 1, "y": 1}, call_id="s1",
                                       checks=[check])])
    server.add_response("ok")
    Runner.run_sync(agent, "go")
    assert reviewed == [("sc_1", "s1", "operator")]
    (output,) = screenshot_outputs(server, 1)
    assert output["acknowledged_safety_checks"] == [check]

    refused = MemoryComputer(32, 32)
    for tool in (ComputerTool(refused, on_safety_check=lambda data: False), ComputerTool(refused)):
        server.add_response([computer_call({"type": "click", "x": 1, "y": 1}, checks=[check])])
        with pytest.raises(UserError, match="malicious_instructions"):
            Runner.run_sync(Agent(name="operator", tools=[tool], model=model), "go")
    assert refused.actions == []


def test_unknown_or_malformed_actions_raise_model_behavior_errors(server, model):
    computer = MemoryComputer(32, 32)
    agent = Agent(name="operator", tools=[ComputerTool(computer)], model=model)
    bad_actions = [
        ({"type": "teleport", "x": 1, "y": 1}, "unknown action type 'teleport'"),
        ({"type": "click", "y": 1}, "needs a number 'x'"),
        ({"type": "click", "x": 1, "y": 1, "button": "middle-ish"}, "unknown button"),
        ({"type": "keypress", "keys": "ctrl"}, "list of keys"),
        ({"type": "drag", "path": []}, "non-empty path"),
        ({"type": "type"}, "text string"),
    ]
    for action, message in bad_actions:
        server.add_response([computer_call(action)])
        with pytest.raises(ModelBehaviorError, match=message):
            Runner.run_sync(agent, "go")
    server.add_response([{"type": "computer_call", "call_id": "x", "status": "completed"}])
    with pytest.raises(ModelBehaviorError, match="no action"):
        Runner.run_sync(agent, "go")
    assert computer.actions == []


def test_approval_interrupts_and_a_rejection_leaves_the_screen_unchanged(server, model):
    computer = MemoryComputer(32, 32)
    tool = ComputerTool(computer, needs_approval=lambda ctx, action, call_id: action["type"] == "click")
    agent = Agent(name="operator", tools=[tool], model=model)
    server.add_response([computer_call({"type": "click", "x": 3, "y": 3}, call_id="k1")])
    server.add_response([computer_call({"type": "click", "x": 9, "y": 9}, call_id="k2")])
    server.add_response("done")
    first = Runner.run_sync(agent, "go")
    assert [(i.tool_name, i.call_id) for i in first.interruptions] == [("computer_use_preview", "k1")]
    assert computer.actions == []
    state = first.to_state()
    state.approve(first.interruptions[0])
    second = Runner.run_sync(agent, state)
    assert [i.call_id for i in second.interruptions] == ["k2"]
    state = second.to_state()
    state.reject(second.interruptions[0], rejection_message="no second click")
    third = Runner.run_sync(agent, state)
    assert third.final_output == "done"
    assert [a[:3] for a in computer.actions if a[0] == "click"] == [("click", 3, 3)]
    rejected = [o for o in screenshot_outputs(server, 2) if o["call_id"] == "k2"][0]
    image = pixels_of(rejected["output"]["image_url"])
    assert pixel(image, 9, 9) == WHITE and pixel(image, 3, 3) == RED
    last = [i for i in third.new_items if i.type == "tool_call_output_item"][-1]
    assert last.output == "no second click"


def test_tool_input_guardrail_can_skip_an_action(server, model):
    @tool_input_guardrail
    def no_typing(data):
        if '"type": "type"' in data.context.tool_arguments:
            return ToolGuardrailFunctionOutput.reject_content("typing is disabled")
        return ToolGuardrailFunctionOutput.allow()

    computer = MemoryComputer(32, 32)
    tool = ComputerTool(computer, tool_input_guardrails=[no_typing])
    server.add_response([computer_call({"type": "type", "text": "rm -rf /"})])
    server.add_response("ok")
    result = Runner.run_sync(Agent(name="operator", tools=[tool], model=model), "go")
    assert computer.typed == "" and result.final_output == "ok"
    assert [i for i in result.new_items if i.type == "tool_call_output_item"][0].output == \
        "typing is disabled"


def test_a_computer_needs_environment_and_dimensions(server, model):
    class Headless(Computer):
        def screenshot(self):
            return "iVBORw0KGgo="

        click = double_click = scroll = type = wait = move = keypress = drag = (  # type: ignore
            lambda self, *a: None)

    server.add_response("unused")
    with pytest.raises(UserError, match="environment"):
        Runner.run_sync(Agent(name="o", tools=[ComputerTool(Headless())], model=model), "go")
    assert server.requests_to("/v1/responses") == []
    with pytest.raises(UserError, match="needs a Computer"):
        ComputerTool(None)  # type: ignore[arg-type]


def test_calls_of_one_turn_run_in_order_one_at_a_time(server, model):
    computer = MemoryComputer(32, 32)
    agent = Agent(name="operator", tools=[ComputerTool(computer)], model=model)
    server.add_response([computer_call({"type": "click", "x": i, "y": i}) for i in range(10)])
    server.add_response("ok")
    Runner.run_sync(agent, "go")
    clicks = [a[1] for a in computer.actions if a[0] == "click"]
    assert clicks == list(range(10))
    assert [a[0] for a in computer.actions] == ["click", "screenshot"] * 10
