"""The offline stand-in for a model, used by the web example when OPENAI_API_KEY is not set.

It answers Responses API requests the way a real model would for this app's two agents, reading
what the request shows (the agent's tools, the last user message, the tool outputs since):

- "What's the weather in Lisbon?"  -> calls get_weather, then describes the result;
- "Please cancel booking B-42"     -> the concierge hands off to Bookings, which calls
  cancel_booking (a tool that needs approval), then confirms or accepts the refusal;
- anything else                    -> explains what it can do.

Every streamed event is delayed by `event_delay` seconds so the page visibly types.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from agents_lite.testing import Fault, LocalOpenAIServer
from agents_lite.testing.scripted import function_call, text_message

WEATHER = re.compile(r"weather\s+(?:in|for|at)\s+([A-Za-z][A-Za-z .'-]*[A-Za-z])", re.I)
BOOKING = re.compile(r"\b([A-Z]{1,3}-?\d{1,6})\b")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _since_last_user(items: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    for index in range(len(items) - 1, -1, -1):
        if items[index].get("role") == "user":
            return _text(items[index].get("content")), items[index + 1:]
    return "", items


def answer(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The output items a model would produce for this request."""
    items = body.get("input") or []
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    tools = {tool.get("name") for tool in body.get("tools") or []}
    user_text, since = _since_last_user(items)
    outputs = {item.get("call_id"): item.get("output") for item in since
               if item.get("type") == "function_call_output"}
    calls = {item.get("name"): item for item in since if item.get("type") == "function_call"}

    booking = BOOKING.search(user_text)
    if booking and "cancel" in user_text.lower():
        booking_id = booking.group(1)
        if "cancel_booking" in tools:
            call = calls.get("cancel_booking")
            if call is None:
                return [function_call("cancel_booking", {"booking_id": booking_id})]
            output = str(outputs.get(call.get("call_id"), ""))
            if output.startswith("Cancelled"):
                return [text_message(
                    f"Done: booking {booking_id} is cancelled and the refund is on its way. "
                    "You will get a confirmation email in a few minutes.")]
            return [text_message(
                f"All right, I left booking {booking_id} as it is. Nothing was changed.")]
        if "transfer_to_bookings" in tools and "transfer_to_bookings" not in calls:
            return [function_call("transfer_to_bookings", {})]

    weather = WEATHER.search(user_text)
    if weather and "get_weather" in tools:
        city = weather.group(1).strip().title()
        call = calls.get("get_weather")
        if call is None:
            return [function_call("get_weather", {"city": city})]
        report = outputs.get(call.get("call_id"), "unknown")
        return [text_message(
            f"Right now in {city} it is {report}. A good day for a walk along the river, "
            "and maybe an ice cream afterwards.")]

    return [text_message(
        "I am the offline demo model, so I only know two tricks: I can check the weather "
        "(try \"What's the weather in Lisbon?\") or cancel a booking (try \"Please cancel "
        "booking B-42\"). Set OPENAI_API_KEY to talk to a real model.")]


def start_demo_model(event_delay: float = 0.03, host: str = "127.0.0.1") -> LocalOpenAIServer:
    """Start a local OpenAI-compatible server that answers with `answer()`."""
    server = LocalOpenAIServer(host)

    def respond(request: Any) -> Optional[Fault]:
        body = request.body if isinstance(request.body, dict) else {}
        return Fault(event_delay=event_delay, reply=answer(body))

    server.set_responder(respond)
    return server.start()
