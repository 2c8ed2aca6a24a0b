"""Human in the loop: a tool marked `needs_approval` pauses the run. The person approves or
rejects each pending call, and the run continues from where it stopped."""

# example-test: stdin=y\nn\n
# expect: Approve cancel_order({"order_id": "A-17"})?
# expect: Approve cancel_order({"order_id": "B-42"})?
# expect: Final: Order A-17 is cancelled. I did not cancel B-42

from typing import Any

from agents_lite import Agent, Runner, function_tool
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


@function_tool
def get_order_status(order_id: str) -> str:
    """The status of an order.

    Args:
        order_id: The order number.
    """
    return {"A-17": "processing", "B-42": "processing"}.get(order_id, "unknown")


@function_tool(needs_approval=True)
def cancel_order(order_id: str) -> str:
    """Cancel an order (a person must approve it).

    Args:
        order_id: The order number.
    """
    return f"Order {order_id} cancelled."


agent = Agent(
    name="Order assistant",
    instructions="Check order statuses and cancel orders when asked.",
    tools=[get_order_status, cancel_order],
)


def ask(question: str) -> bool:
    answer = input(f"{question} [y/n] ").strip().lower()
    print(answer)  # echo, so the transcript reads well when stdin is a file
    return answer in ("y", "yes")


def main() -> None:
    result: Any = Runner.run_sync(agent, "Please cancel my orders A-17 and B-42.")
    while result.interruptions:
        state = result.to_state()
        for item in result.interruptions:
            if ask(f"Approve {item.tool_name}({item.arguments})?"):
                state.approve(item)
            else:
                state.reject(item, rejection_message="The customer's manager said no.")
        result = Runner.run_sync(agent, state)
    print(f"Final: {result.final_output}")


if __name__ == "__main__":
    main()
