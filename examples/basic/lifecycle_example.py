"""Lifecycle hooks: `RunHooks` see every event of a run, `AgentHooks` the events of one agent."""

# expect: Agent Order Desk started
# expect: Handoff from Order Desk to Discount Desk
# expect: Tool apply_discount ended with 108.0
# expect: Final output: The order total after the discount is 108.00 EUR.

from typing import Any, Optional

from agents_lite import Agent, AgentHooks, RunContextWrapper, RunHooks, Runner, function_tool
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


class PrintingHooks(RunHooks[Any]):
    """Numbers and prints every event of the run, with the tokens used so far."""

    def __init__(self) -> None:
        self.count = 0

    def _say(self, context: RunContextWrapper[Any], text: str) -> None:
        self.count += 1
        usage = context.usage
        print(f"### {self.count}: {text}. Usage: {usage.requests} requests, "
              f"{usage.total_tokens} tokens")

    def on_agent_start(self, context: RunContextWrapper[Any], agent: Agent[Any]) -> None:
        self._say(context, f"Agent {agent.name} started")

    def on_llm_start(self, context: RunContextWrapper[Any], agent: Agent[Any],
                     system_prompt: Optional[str], input_items: list[Any]) -> None:
        self._say(context, f"{agent.name} calls the model with {len(input_items)} input items")

    def on_llm_end(self, context: RunContextWrapper[Any], agent: Agent[Any], response: Any) -> None:
        self._say(context, f"{agent.name} got {len(response.output)} output items")

    def on_tool_start(self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Any) -> None:
        self._say(context, f"Tool {tool.name} started")

    def on_tool_end(self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Any,
                    result: Any) -> None:
        self._say(context, f"Tool {tool.name} ended with {result}")

    def on_handoff(self, context: RunContextWrapper[Any], from_agent: Agent[Any],
                   to_agent: Agent[Any]) -> None:
        self._say(context, f"Handoff from {from_agent.name} to {to_agent.name}")

    def on_agent_end(self, context: RunContextWrapper[Any], agent: Agent[Any], output: Any) -> None:
        self._say(context, f"Agent {agent.name} ended with output {output!r}")


class DiscountDeskHooks(AgentHooks[Any]):
    """Hooks of one agent only."""

    def on_start(self, context: RunContextWrapper[Any], agent: Agent[Any]) -> None:
        print(f"    (agent hook) {agent.name} is now in charge")

    def on_handoff(self, context: RunContextWrapper[Any], agent: Agent[Any],
                   source: Agent[Any]) -> None:
        print(f"    (agent hook) {agent.name} received the conversation from {source.name}")


@function_tool
def get_order_total(order_id: str) -> float:
    """Look up the total of an order, in euros.

    Args:
        order_id: The order number, e.g. "A-17".
    """
    return {"A-17": 120.0, "B-42": 35.5}.get(order_id, 0.0)


@function_tool
def apply_discount(amount: float, percent: float) -> float:
    """Apply a percentage discount to an amount.

    Args:
        amount: The amount in euros.
        percent: The discount, in percent.
    """
    return round(amount * (1 - percent / 100), 2)


discount_desk = Agent(
    name="Discount Desk",
    handoff_description="Applies discounts to order totals.",
    instructions="Apply a 10% loyalty discount with apply_discount and state the new total.",
    tools=[apply_discount],
    hooks=DiscountDeskHooks(),
)
order_desk = Agent(
    name="Order Desk",
    instructions="Look up the order total, then hand off to the Discount Desk.",
    tools=[get_order_total],
    handoffs=[discount_desk],
)


def main() -> None:
    result = Runner.run_sync(order_desk, "What do I pay for order A-17 with my loyalty discount?",
                             hooks=PrintingHooks())
    print(f"\nFinal output: {result.final_output}")


if __name__ == "__main__":
    main()
