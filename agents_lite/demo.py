"""The `agents-lite demo`: a small travel desk run end to end through the real HTTP stack.

Offline (the default) it starts the local OpenAI-compatible server and answers model requests
with a scripted "model" that reads each request (which tools it offers, which tool outputs it
already holds) and replies the way a real model would: hand off, call tools, then give a
structured answer. With `--live` and `OPENAI_API_KEY` set, the same agents run on the real API.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from typing import IO, Any, Optional

from .agent import Agent
from .items import ItemHelpers
from .run import Runner
from .run_config import RunConfig
from .tool import function_tool

_WEATHER = {"lisbon": "sunny, 24 °C", "oslo": "snow, -3 °C", "lima": "cloudy, 19 °C"}
_EUR_PER = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17}


@dataclass
class TripPlan:
    """The planner's structured answer."""

    city: str
    days: int
    budget_eur: float
    highlights: list[str]


@function_tool
def get_weather(city: str) -> str:
    """Current weather for a city.

    Args:
        city: The city name.
    """
    return _WEATHER.get(city.lower(), "mild, 18 °C")


@function_tool
def convert_currency(amount: float, currency: str) -> float:
    """Convert an amount to euros.

    Args:
        amount: The amount of money.
        currency: Its ISO currency code (EUR, USD or GBP).
    """
    return round(amount * _EUR_PER.get(currency.upper(), 1.0), 2)


def build_agents() -> Agent[Any]:
    """The demo's agents: a triage agent that hands off to a planner with tools."""
    planner: Agent[Any] = Agent(
        name="Trip Planner",
        handoff_description="Plans trips: weather, budget and highlights.",
        instructions=(
            "Plan the trip the user asks for. Check the weather and convert the budget to euros "
            "with your tools, then answer with the plan."
        ),
        tools=[get_weather, convert_currency],
        output_type=TripPlan,
    )
    return Agent(
        name="Travel Desk",
        instructions="Greet the user briefly, then hand trip planning to the Trip Planner.",
        handoffs=[planner],
    )


def scripted_model_reply(body: dict[str, Any]) -> list[dict[str, Any]]:
    """What the offline "model" answers to one Responses API request body."""
    from .testing.scripted import function_call, text_message

    tools = {tool.get("name") for tool in body.get("tools", [])}
    items = body.get("input", [])
    outputs = {i.get("call_id"): i.get("output") for i in items if i.get("type") == "function_call_output"}
    calls = {i.get("name"): i.get("call_id") for i in items if i.get("type") == "function_call"}
    if "transfer_to_trip_planner" in tools:
        return [
            text_message("Hello! Let me get our trip planner for you."),
            function_call("transfer_to_trip_planner", {}),
        ]
    if "get_weather" not in calls:
        return [
            function_call("get_weather", {"city": "Lisbon"}),
            function_call("convert_currency", {"amount": 1200, "currency": "USD"}),
        ]
    weather = outputs.get(calls["get_weather"], "?")
    euros = float(outputs.get(calls.get("convert_currency"), 0) or 0)
    plan = {
        "city": "Lisbon",
        "days": 4,
        "budget_eur": euros,
        "highlights": [f"Weather looks {weather}", "Tram 28 through Alfama", "Pastéis de Belém"],
    }
    return [text_message(json.dumps(plan, ensure_ascii=False))]


def run_demo(*, live: bool = False, out: IO[str] = sys.stdout, model: Optional[str] = None) -> TripPlan:
    """Run the demo and print what happens. Returns the final plan."""
    from .models.http import HTTPClient
    from .models.openai_provider import OpenAIProvider

    def say(text: str = "", end: str = "\n") -> None:
        out.write(text + end)
        out.flush()

    server = None
    if live:
        provider = OpenAIProvider()
        say("agents-lite demo: live, against the OpenAI API")
    else:
        from .testing.replies import ScriptedResponse
        from .testing.server import LocalOpenAIServer

        server = LocalOpenAIServer().start()

        def responder(request: Any) -> Any:
            return ScriptedResponse(output=scripted_model_reply(request.body), usage={
                "input_tokens": 120, "output_tokens": 40, "total_tokens": 160,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens_details": {"reasoning_tokens": 0},
            })

        server.set_responder(responder)
        provider = OpenAIProvider(client=HTTPClient(base_url=server.base_url, max_retries=0))
        say(f"agents-lite demo: offline, over HTTP to a local server at {server.base_url}")
        say("(a scripted model answers; pass --live with OPENAI_API_KEY set for the real API)")
    try:
        start = time.perf_counter()
        triage = build_agents()
        config = RunConfig(model_provider=provider, model=model)
        say("\nuser> Plan 4 days in Lisbon, my budget is 1200 USD.\n")
        result = Runner.run_streamed(
            triage, "Plan 4 days in Lisbon, my budget is 1200 USD.", run_config=config
        )
        writing = False
        for event in result.stream_events():
            if event.type == "agent_updated_stream_event":
                say(f"[agent] {event.new_agent.name}")
            elif event.type == "raw_response_event":
                data = event.data
                if data.get("type") == "response.output_text.delta" and result.current_agent is triage:
                    say(data["delta"], end="")
                    writing = True
            elif event.type == "run_item_stream_event":
                if writing:
                    say()
                    writing = False
                item: Any = event.item
                if event.name == "tool_called":
                    raw = item.raw_item
                    say(f"[tool call] {raw['name']}({raw['arguments']})")
                elif event.name == "tool_output":
                    say(f"[tool output] {item.output}")
                elif event.name == "handoff_occured":
                    say(f"[handoff] {item.source_agent.name} -> {item.target_agent.name}")
                elif event.name == "message_output_created" and item.agent is not triage:
                    say(f"[message] {ItemHelpers.text_message_output(item)}")
        plan = result.final_output
        elapsed = (time.perf_counter() - start) * 1000
        say("\nFinal output (a TripPlan dataclass, validated against its JSON schema):")
        say(f"  {plan!r}")
        usage = result.usage
        say(
            f"\n{usage.requests} model requests, {usage.total_tokens} tokens, "
            f"last agent: {result.last_agent.name}, {elapsed:.1f} ms"
        )
        return plan  # type: ignore[no-any-return]
    finally:
        if server is not None:
            server.stop()
