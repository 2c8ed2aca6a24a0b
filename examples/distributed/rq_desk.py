"""Agent runs as RQ jobs: this script plays the web app that enqueues runs and follows them;
`agents-lite worker` processes (a thin wrapper over `rq worker`) run the agent. Text streams
live from the worker through Redis, and a refund that needs a person's approval is decided here
and carried out by another worker.

    python rq_desk.py        # needs Redis (REDIS_URL, default redis://127.0.0.1:6379/0)

In production you would run the workers yourself: `agents-lite worker --queue desk`.
"""

# example-test: requires=redis
# example-test: timeout=120
# expect: [live] Order 1001 is shipped on 2 January, arriving tomorrow.
# expect: [done] Order 1002 is being packed in the Lyon warehouse.
# expect: [done] Order 1003 is delivered on 28 December.
# expect: [approval needed] refund {"order_id": "1003", "amount_eur": 40}
# expect: [approved] Done: refunded 40.00 EUR on order 1003.
# expect: the refund was decided between two workers: True

import os
import subprocess
import sys
import uuid

from agents_lite.testing.example_support import setup_example

setup_example(__file__, requires=["rq", "redis"])

from redis import Redis  # noqa: E402
from rq import Queue  # noqa: E402

from agents_lite.jobs import enqueue_run  # noqa: E402

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
HERE = os.path.dirname(os.path.abspath(__file__))


def start_workers(queue: str, names: list[str]) -> list[subprocess.Popen]:
    """Worker processes that quit once the queue is empty (`--burst`)."""
    return [
        subprocess.Popen([sys.executable, "-m", "agents_lite", "worker", "--queue", queue,
                          "--url", REDIS_URL, "--burst", "--quiet", "--name", name,
                          "--preload", "desk_agents:support"], cwd=HERE)
        for name in names
    ]


def main() -> None:
    tag = uuid.uuid4().hex[:8]
    redis = Redis.from_url(REDIS_URL)
    queue = Queue(f"desk-{tag}", connection=redis)
    prefix = f"agents-example-{tag}"  # our own key prefix: nothing else in the database is touched
    names = [f"desk-{tag}-{n}" for n in (1, 2, 3)]
    job_ids: list[str] = []
    try:
        # What a web request does: enqueue and return at once. Nothing here runs the agent.
        questions = {
            "1001": "Where is my order 1001?",
            "1002": "Where is my order 1002?",
            "1003": "Where is my order 1003?",
        }
        handles = [enqueue_run(queue, agent="desk_agents:support", input=text,
                               session_id=f"customer-{order}", key_prefix=prefix)
                   for order, text in questions.items()]
        refund = enqueue_run(queue, agent="desk_agents:support",
                             input="Please refund 40 EUR on order 1003, the lamp was broken.",
                             session_id="customer-1003-refund", key_prefix=prefix,
                             run_id=f"refund-{tag}")
        job_ids += [h.job_id for h in (*handles, refund)]
        workers = start_workers(queue.name, names[:2])

        # Another request (or an SSE endpoint) streams a run that executes in a worker process.
        print("[live] ", end="", flush=True)
        for delta in handles[0].text_deltas(timeout=60):
            print(delta, end="", flush=True)
        print()
        for handle in handles[1:]:
            print("[done]", handle.result(timeout=60).final_output)

        # The refund stops for approval; its state waits in Redis, no worker is held.
        waiting = refund.result(timeout=60)
        [pending] = waiting.interruptions
        print(f"[approval needed] {pending.tool_name} {pending.arguments}")
        for process in workers:
            process.wait(60)

        # Later, maybe in another process: a person approves; a fresh worker continues the run.
        continued = refund.approve(pending.call_id)
        job_ids.append(continued.job_id)
        third = start_workers(queue.name, names[2:])
        print("[approved]", continued.result(timeout=60).final_output)
        third[0].wait(60)
        ran_on = [r["worker"] for h in (refund, continued) for r in h.events(timeout=10)
                  if r["type"] == "job_started"]
        print("the refund was decided between two workers:",
              ran_on[0] in names[:2] and ran_on[1] == names[2])
    finally:
        for pattern in (f"{prefix}:*", f"rq:*{queue.name}*", *(f"rq:*{j}*" for j in job_ids)):
            for key in redis.scan_iter(match=pattern, count=1000):
                redis.delete(key)
        redis.srem("rq:queues", f"rq:queue:{queue.name}")
        redis.close()


if __name__ == "__main__":
    main()
