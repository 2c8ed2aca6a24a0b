"""The support-desk agent that the distributed examples run on queue workers.

Workers import it by path ("desk_agents:support"), so it must be importable where they run: here
they start in this folder. Nothing in it knows about queues.
"""

from agents_lite import Agent, function_tool

ORDERS = {
    "1001": "shipped on 2 January, arriving tomorrow",
    "1002": "being packed in the Lyon warehouse",
    "1003": "delivered on 28 December",
}


@function_tool
def order_status(order_id: str) -> str:
    """Look up where an order is.

    Args:
        order_id: The order number, e.g. "1001".
    """
    return ORDERS.get(order_id, "unknown order")


@function_tool(needs_approval=True)
def refund(order_id: str, amount_eur: float) -> str:
    """Refund (part of) an order. A person must approve every refund.

    Args:
        order_id: The order number.
        amount_eur: How much to give back, in euros.
    """
    return f"refunded {amount_eur:.2f} EUR on order {order_id}"


support = Agent(
    name="Support",
    instructions="Answer questions about orders in one sentence. Use the tools.",
    tools=[order_status, refund],
)
