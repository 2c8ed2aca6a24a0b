"""Human in the loop across processes: the run pauses for approval, its state goes to a JSON
file, and a different process (later, elsewhere: a web request, a worker) loads it, approves and
finishes the run.

    python human_in_the_loop_state_file.py            # starts, saves, then runs step 2 itself
    python human_in_the_loop_state_file.py resume F   # step 2 alone: approve and finish from F
"""

# expect: Paused: refund_payment needs approval; state saved to
# expect: [process 2] loaded a run paused on refund_payment
# expect: [process 2] Final: Refund of 49.90 EUR for payment pay_118 is done.

import os
import subprocess
import sys
import tempfile

from agents_lite import Agent, Runner, RunState, function_tool
from agents_lite.testing.example_support import setup_example

RESUMING = sys.argv[1:2] == ["resume"]
setup_example(__file__, cassette="human_in_the_loop_state_file.resume" if RESUMING else None)


@function_tool(needs_approval=True)
def refund_payment(payment_id: str, amount_eur: float) -> str:
    """Refund a payment (needs approval).

    Args:
        payment_id: The payment to refund.
        amount_eur: How much to refund, in euros.
    """
    return f"Refunded {amount_eur:.2f} EUR on {payment_id}."


agent = Agent(name="Billing", instructions="Handle refunds with your tools.",
              tools=[refund_payment])


def start(state_file: str) -> None:
    result = Runner.run_sync(agent, "Please refund my payment pay_118 of 49.90 EUR.")
    pending = result.interruptions[0]
    with open(state_file, "w", encoding="utf-8") as handle:
        handle.write(result.to_state().to_string())
    print(f"Paused: {pending.tool_name} needs approval; state saved to {state_file}")


def resume(state_file: str) -> None:
    with open(state_file, encoding="utf-8") as handle:
        state = RunState.from_string(agent, handle.read())
    pending = state.get_interruptions()[0]
    print(f"[process 2] loaded a run paused on {pending.tool_name} {pending.arguments}")
    state.approve(pending)
    result = Runner.run_sync(agent, state)
    print(f"[process 2] Final: {result.final_output}")


def main() -> None:
    if RESUMING:
        resume(sys.argv[2])
        return
    with tempfile.TemporaryDirectory() as directory:
        state_file = os.path.join(directory, "run_state.json")
        start(state_file)
        sys.stdout.flush()
        subprocess.run([sys.executable, __file__, "resume", state_file], check=True)


if __name__ == "__main__":
    main()
