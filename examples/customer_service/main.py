"""Customer service for an airline: a triage agent routes questions to an FAQ agent or a seat
booking agent, which share a context object (the customer's booking) and use tools.

Type messages at the prompt; an empty line or Ctrl-D ends the conversation.
"""

# example-test: stdin=Can I bring my dog on board?\nI'd like to change my seat, please.\nMy confirmation number is LX7Q2P, I want seat 14C.\n
# expect: Handed off from Triage Agent to FAQ Agent
# expect: Tool faq_lookup_tool -> Small pets
# expect: Handed off from FAQ Agent to Triage Agent
# expect: Handed off from Triage Agent to Seat Booking Agent
# expect: Tool update_seat -> Seat 14C is now booked for LX7Q2P on flight LX1234.
# expect: Seat Booking Agent: Done! Seat 14C on flight LX1234

from dataclasses import dataclass
from typing import Any, Optional

from agents_lite import (
    Agent,
    HandoffOutputItem,
    ItemHelpers,
    MessageOutputItem,
    RunContextWrapper,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    function_tool,
    handoff,
)
from agents_lite.extensions.handoff_prompt import RECOMMENDED_PROMPT_PREFIX
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

BOOKINGS = {"LX7Q2P": "LX1234", "AB12CD": "LX0870"}  # confirmation number -> flight


@dataclass
class AirlineAgentContext:
    passenger_name: Optional[str] = None
    confirmation_number: Optional[str] = None
    seat_number: Optional[str] = None
    flight_number: Optional[str] = None


# --- tools -------------------------------------------------------------------------------------


@function_tool(name_override="faq_lookup_tool",
               description_override="Look up frequently asked questions.")
def faq_lookup_tool(question: str) -> str:
    text = question.lower()
    if "bag" in text or "luggage" in text:
        return ("You may bring one bag on the plane. It must be under 50 pounds and "
                "22 x 14 x 9 inches.")
    if "pet" in text or "dog" in text or "cat" in text:
        return ("Small pets may travel in the cabin in a carrier under the seat, for a 50 EUR "
                "fee; larger dogs travel in the hold.")
    if "wifi" in text or "internet" in text:
        return "We have free wifi on the plane, join Airline-Wifi."
    return "I'm sorry, I don't know the answer to that question."


@function_tool
def update_seat(context: RunContextWrapper[AirlineAgentContext], confirmation_number: str,
                new_seat: str) -> str:
    """Update the seat for a given confirmation number.

    Args:
        confirmation_number: The confirmation number of the booking.
        new_seat: The new seat, e.g. "14C".
    """
    booking = context.context
    flight = BOOKINGS.get(confirmation_number)
    if flight is None:
        return f"No booking found for confirmation number {confirmation_number}."
    booking.confirmation_number = confirmation_number
    booking.seat_number = new_seat
    booking.flight_number = flight
    return f"Seat {new_seat} is now booked for {confirmation_number} on flight {flight}."


def on_seat_booking_handoff(context: RunContextWrapper[AirlineAgentContext]) -> None:
    print("    (seat booking: the booking record is opened)")


# --- agents ------------------------------------------------------------------------------------

faq_agent: Agent[AirlineAgentContext] = Agent(
    name="FAQ Agent",
    handoff_description="A helpful agent that can answer questions about the airline.",
    instructions=f"""{RECOMMENDED_PROMPT_PREFIX}
You are an FAQ agent. If you are speaking to a customer, you probably were transferred to from the
triage agent. Use the faq lookup tool to answer the question; do not rely on your own knowledge.
If you cannot answer the question, or the customer asks about something else, transfer back to
the triage agent.""",
    tools=[faq_lookup_tool],
)

seat_booking_agent: Agent[AirlineAgentContext] = Agent(
    name="Seat Booking Agent",
    handoff_description="A helpful agent that can update a seat on a flight.",
    instructions=f"""{RECOMMENDED_PROMPT_PREFIX}
You are a seat booking agent. If you are speaking to a customer, you probably were transferred to
from the triage agent. Ask for their confirmation number and the seat they want, then use the
update seat tool. If the customer asks about something else, transfer back to the triage agent.""",
    tools=[update_seat],
)

triage_agent: Agent[AirlineAgentContext] = Agent(
    name="Triage Agent",
    handoff_description="A triage agent that can delegate a customer's request to the "
                        "appropriate agent.",
    instructions=f"{RECOMMENDED_PROMPT_PREFIX} You are a helpful triaging agent. You can use "
                 "your tools to delegate questions to other appropriate agents.",
    handoffs=[faq_agent, handoff(seat_booking_agent, on_handoff=on_seat_booking_handoff)],
)
faq_agent.handoffs.append(triage_agent)
seat_booking_agent.handoffs.append(triage_agent)


def main() -> None:
    current: Agent[AirlineAgentContext] = triage_agent
    conversation: list[Any] = []
    context = AirlineAgentContext()
    while True:
        try:
            message = input("Enter your message: ").strip()
        except EOFError:
            break
        if not message:
            break
        print(message)
        conversation.append({"role": "user", "content": message})
        result = Runner.run_sync(current, conversation, context=context)
        tool_names = {item.raw_item["call_id"]: item.raw_item["name"]
                      for item in result.new_items if isinstance(item, ToolCallItem)}
        for item in result.new_items:
            if isinstance(item, MessageOutputItem):
                print(f"{item.agent.name}: {ItemHelpers.text_message_output(item)}")
            elif isinstance(item, HandoffOutputItem):
                print(f"Handed off from {item.source_agent.name} to {item.target_agent.name}")
            elif isinstance(item, ToolCallOutputItem):
                name = tool_names.get(item.raw_item["call_id"], "?")
                print(f"{item.agent.name}: Tool {name} -> {item.output}")
        conversation = result.to_input_list()
        current = result.last_agent
    print(f"\nBooking record: {context}")


if __name__ == "__main__":
    main()
