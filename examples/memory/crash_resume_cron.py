"""A cron job that survives crashes: the run is checkpointed after every step, and the next
invocation resumes an unfinished run instead of starting over. Work already done (model calls,
tool calls) is not repeated.

    python crash_resume_cron.py            # demo: the first worker dies mid-run, the second resumes
    python crash_resume_cron.py job DB     # what cron would run, e.g. every 10 minutes

A run holds a lease while it works (60 s by default). A cron interval longer than that means the
next invocation can always take over a dead worker's run; this demo starts the second worker at
once, so it passes --take-over (Runner.resume(..., force=True)) because it knows the first is dead.
"""

# expect: [worker 1] starting run weekly-report
# expect: [tool] collecting sales figures
# expect: [worker 1] killed while sending the email
# expect: [worker 2] resuming weekly-report from checkpoint step
# expect: [worker 2] done: Weekly report sent to team@example.com: revenue 48,200 EUR
# expect: sales figures were collected once

import os
import subprocess
import sys
import tempfile

from agents_lite import Agent, Runner, SQLiteCheckpointStore, function_tool
from agents_lite.testing.example_support import setup_example

JOB = sys.argv[1:2] == ["job"]
CRASH = "--crash" in sys.argv
if JOB:
    setup_example(__file__, cassette="crash_resume_cron.crashing" if CRASH
                  else "crash_resume_cron.resuming")
else:
    setup_example(__file__)  # the demo itself asks no model; the two workers replay their own
WORKER = "worker 1" if CRASH else "worker 2"


@function_tool
def collect_sales_figures(week: str) -> str:
    """Collect the week's sales figures (slow and expensive: it must not run twice).

    Args:
        week: The ISO week, e.g. "2026-W02".
    """
    print("[tool] collecting sales figures", flush=True)
    with open(os.environ["SALES_LOG"], "a", encoding="utf-8") as log:
        log.write("collected\n")
    return "revenue 48,200 EUR, 312 orders, best seller: lighthouse lamp"


@function_tool
def send_email(to: str, subject: str, body: str) -> str:
    """Send an email.

    Args:
        to: The recipient.
        subject: The subject line.
        body: The text.
    """
    if CRASH:
        print(f"[{WORKER}] killed while sending the email", flush=True)
        os._exit(137)  # the machine goes down: no cleanup, no exception handlers
    print(f"[tool] email to {to}: {subject}", flush=True)
    return "sent"


agent = Agent(
    name="Reporter",
    instructions="Collect the sales figures for the week, email a short report to "
                 "team@example.com, then confirm what you sent.",
    tools=[collect_sales_figures, send_email],
)


def job(db_path: str, take_over: bool) -> None:
    store = SQLiteCheckpointStore(db_path)
    unfinished = store.list_runs()
    if unfinished:
        info = unfinished[0]
        print(f"[{WORKER}] resuming {info.run_id} from checkpoint step {info.step}")
        result = Runner.resume(info.run_id, agent, checkpoint=store, force=take_over)
    else:
        print(f"[{WORKER}] starting run weekly-report")
        result = Runner.run_sync(agent, "Send the report for week 2026-W02.", checkpoint=store,
                                 run_id="weekly-report")
    print(f"[{WORKER}] done: {result.final_output}")
    store.close()


def demo() -> None:
    with tempfile.TemporaryDirectory() as directory:
        db_path = os.path.join(directory, "checkpoints.db")
        env = dict(os.environ, SALES_LOG=os.path.join(directory, "sales.log"))
        sys.stdout.flush()
        first = subprocess.run([sys.executable, __file__, "job", db_path, "--crash"], env=env)
        print(f"(worker 1 exited with status {first.returncode})", flush=True)
        subprocess.run([sys.executable, __file__, "job", db_path, "--take-over"], env=env,
                       check=True)
        with open(env["SALES_LOG"], encoding="utf-8") as log:
            times = len(log.readlines())
        print(f"sales figures were collected {'once' if times == 1 else f'{times} times'}")


if __name__ == "__main__":
    if JOB:
        job(sys.argv[2], take_over="--take-over" in sys.argv)
    else:
        demo()
