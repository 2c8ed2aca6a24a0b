"""Scripted models for recording the cassettes of examples/mcp (see ../_record_cassettes.py).

The MCP servers are real during recording and replay; only the model is scripted. Its answers
quote the tool outputs it received, so the printed text shows what the servers returned.
"""

from __future__ import annotations

import json
from typing import Any

from _scripting import Recording, Turn


def filesystem_stdio(turn: Turn) -> Any:
    if "Which files" in turn.user_text:
        listing = turn.outputs_this_turn("list_directory")
        if not listing:
            return [turn.call("list_directory", {"path": "."})]
        return "Here is what I found:\n" + listing[-1]
    books = turn.outputs_this_turn("read_text_file")
    if not books:
        return [turn.call("read_text_file", {"path": "favorite_books.txt"})]
    twice = [line for line in books[-1].splitlines() if "Le Guin" in line]
    return f"Ursula K. Le Guin appears twice: {'; '.join(twice)}."


def streamable_http(turn: Turn) -> Any:
    weather, total = turn.outputs_this_turn("get_weather"), turn.outputs_this_turn("add")
    if not weather:
        return [turn.call("get_weather", {"city": "Oslo"}), turn.call("add", {"a": 17, "b": 25})]
    return f"{weather[-1]}. And 17 + 25 = {total[-1]}."


def sse(turn: Turn) -> Any:
    weather = turn.outputs_this_turn("get_weather")
    if not weather:
        return [turn.call("get_weather", {"city": "Lisbon"})]
    return f"Yes. {weather[-1]} - sunglasses will help."


def prompts(turn: Turn) -> Any:
    assert "cheerful radio" in turn.instructions
    weather = turn.outputs_this_turn("get_weather")
    if not weather:
        return [turn.call("get_weather", {"city": "Kyoto"})]
    return f"Good morning, listeners! {weather[-1]} - a calm day for the gardens!"


def tool_filter(turn: Turn) -> Any:
    assert not turn.offers("write_file")
    todo = turn.outputs_this_turn("read_text_file")
    if not todo:
        return [turn.call("read_text_file", {"path": "todo.txt"})]
    items = [line.lstrip("- ") for line in todo[-1].splitlines() if line.strip()]
    return "Your todo list: " + "; ".join(items) + "."


def manager(turn: Turn) -> Any:
    cities = turn.outputs_this_turn("read_text_file")
    if not cities:
        return [turn.call("read_text_file", {"path": "favorite_cities.txt"})]
    first = cities[-1].split(",")[0]
    weather = turn.outputs_this_turn("get_weather")
    if not weather:
        return [turn.call("get_weather", {"city": first})]
    return f"Your first favorite city is {first}. {weather[-1]}."


def hosted_mcp(turn: Turn) -> Any:
    question = {"repoName": "openai/openai-agents-python", "question": "What does it do?"}
    responses = [i for i in turn.items if i.get("type") == "mcp_approval_response"]
    if not responses:
        return [{
            "type": "mcp_approval_request",
            "id": turn._id("mcpr"),
            "server_label": "deepwiki",
            "name": "ask_question",
            "arguments": json.dumps(question),
        }]
    assert responses[-1]["approve"] is True
    answer = ("The repository is a Python SDK for building agents: LLMs with instructions, tools, "
              "handoffs and guardrails, run in a loop.")
    return [
        {
            "type": "mcp_call",
            "id": turn._id("mcp"),
            "server_label": "deepwiki",
            "name": "ask_question",
            "arguments": json.dumps(question),
            "output": answer,
            "error": None,
        },
        turn.text(answer),
    ]


RECORDINGS = [
    Recording("filesystem_stdio.py", filesystem_stdio),
    Recording("streamable_http.py", streamable_http),
    Recording("sse.py", sse),
    Recording("prompts.py", prompts),
    Recording("tool_filter.py", tool_filter),
    Recording("manager.py", manager),
    Recording("hosted_mcp.py", hosted_mcp),
]
