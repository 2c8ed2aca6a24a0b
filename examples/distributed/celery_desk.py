"""Agent runs as Celery tasks (Redis broker and result backend): this script enqueues runs and
follows them; a Celery worker (prefork pool) runs the agent. Same handle as with RQ: live text
from the worker, results, and an approval that continues the run in a new task.

    python celery_desk.py    # needs Redis (REDIS_URL, default redis://127.0.0.1:6379/0)

In production: `celery -A agents_lite.jobs.celery_app worker -Q agents` with the
AGENTS_LITE_CELERY_* settings in the environment (see agents_lite/jobs/celery_app.py).
"""

# example-test: requires=redis
# example-test: timeout=120
# expect: [live] Order 1002 is being packed in the Lyon warehouse.
# expect: [done] Order 1001 is shipped on 2 January, arriving tomorrow.
# expect: [approval needed] refund {"order_id": "1003", "amount_eur": 40}
# expect: [approved] Done: refunded 40.00 EUR on order 1003.
# expect: [status] completed

import os
import subprocess
import sys
import uuid

from agents_lite.testing.example_support import setup_example

setup_example(__file__, requires=["celery", "redis"])

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
HERE = os.path.dirname(os.path.abspath(__file__))
TAG = uuid.uuid4().hex[:8]
# The worker and this process configure the same app from the environment. A queue and a key
# prefix of our own keep this example apart from anything else using the database.
os.environ.update(
    AGENTS_LITE_CELERY_BROKER_URL=REDIS_URL,
    AGENTS_LITE_CELERY_QUEUE=f"desk-{TAG}",
    AGENTS_LITE_CELERY_KEY_PREFIX=f"celery-example-{TAG}:",
)

from agents_lite.jobs.celery_app import enqueue_run  # noqa: E402


def main() -> None:
    prefix = f"agents-example-{TAG}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "agents_lite.jobs.celery_app", "worker",
         "--pool=prefork", "--concurrency=2", "-Q", f"desk-{TAG}", "-n", f"desk-{TAG}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "error"],
        cwd=HERE, env={**os.environ, "PYTHONPATH": HERE},
        stdout=subprocess.DEVNULL,  # its start-up banner; errors still go to stderr
    )
    try:
        first = enqueue_run(agent="desk_agents:support", input="Where is my order 1001?",
                            session_id="customer-1001", key_prefix=prefix)
        second = enqueue_run(agent="desk_agents:support", input="Where is my order 1002?",
                             session_id="customer-1002", key_prefix=prefix)
        refund = enqueue_run(agent="desk_agents:support",
                             input="Please refund 40 EUR on order 1003, the lamp was broken.",
                             key_prefix=prefix)

        print("[live] ", end="", flush=True)
        for delta in second.text_deltas(timeout=60):
            print(delta, end="", flush=True)
        print()
        print("[done]", first.result(timeout=60).final_output)

        [pending] = refund.result(timeout=60).interruptions
        print(f"[approval needed] {pending.tool_name} {pending.arguments}")
        continued = refund.approve(pending.call_id)
        print("[approved]", continued.result(timeout=60).final_output)
        print("[status]", continued.status())
    finally:
        worker.terminate()  # a warm shutdown: the worker finishes what it runs
        worker.wait(30)
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for pattern in (f"{prefix}:*", f"celery-example-{TAG}:*"):
            for key in client.scan_iter(match=pattern, count=1000):
                client.delete(key)
        client.close()


if __name__ == "__main__":
    main()
