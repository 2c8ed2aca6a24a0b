"""Throughput of agent runs as queue jobs with 1, 2 and 4 worker processes.

    python benchmarks/scale_out.py [--runs 40] [--latency 0.05] [--workers 1,2,4] [--engine rq]

Each run is one tool call and a confirmation: two model requests to the local OpenAI server,
each delayed by `--latency` seconds (50 ms by default), streamed, with a Redis session, a
checkpoint after every step and every event published to the run's Redis stream. Workers are
started first and waited for, then the runs are enqueued and timed until the last result is in.
The first row is the floor: the same runs one after another in this process, without a queue.
Needs Redis (env REDIS_URL, default 127.0.0.1:6379) and the `rq` (or `celery`) extra.

This file is also the agent module the workers import ("scale_out:agent").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Optional

from agents_lite import Agent, function_tool

HERE = Path(__file__).resolve().parent


@function_tool
def reserve(city: str) -> str:
    """Reserve a table in a city."""
    return f"reserved in {city}"


agent = Agent(name="concierge", instructions="Reserve tables.", tools=[reserve],
              model="fake-model")
"""The benchmark's agent (imported by the workers as "scale_out:agent")."""


def responder(request: Any) -> Any:
    """"reserve X" → a `reserve` call; after its output → a confirmation."""
    from agents_lite.testing.replies import last_user_text
    from agents_lite.testing.scripted import function_call

    items = request.body.get("input") or []
    if items and items[-1].get("type") == "function_call_output":
        return f"Confirmed: {items[-1].get('output')}."
    words = (last_user_text(request.body) or "").split()
    return [function_call("reserve", {"city": words[-1] if words else "Rome"})]


def _worker_env(base_url: str, extra: Optional[dict[str, str]] = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="sk-bench",
               PYTHONPATH=os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    env.update(extra or {})
    return env


def _in_process(runs: int) -> float:
    from agents_lite import Runner

    start = time.perf_counter()
    for i in range(runs):
        Runner.run_sync(agent, f"reserve city{i}")
    return time.perf_counter() - start


def _stop(processes: list[subprocess.Popen[Any]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _rq_round(url: str, base_url: str, workers: int, runs: int) -> tuple[float, list[float]]:
    from redis import Redis
    from rq import Queue, Worker

    from agents_lite.jobs import enqueue_run

    redis = Redis.from_url(url)
    name = f"bench-{uuid.uuid4().hex[:8]}"
    prefix = f"agents-bench-{name}"
    queue = Queue(name, connection=redis)
    command = [sys.executable, "-m", "agents_lite", "worker", "--queue", name, "--url", url,
               "--quiet", "--preload", "scale_out:agent"]
    processes = [
        subprocess.Popen(command + ["--name", f"{name}-{n}"], env=_worker_env(base_url),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=str(HERE))
        for n in range(workers)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(Worker.all(queue=queue)) < workers:
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not start")
            time.sleep(0.05)
        start = time.perf_counter()
        handles = [enqueue_run(queue, agent="scale_out:agent", input=f"reserve city{i}",
                               key_prefix=prefix, session_id=f"guest{i}") for i in range(runs)]
        for handle in handles:
            handle.result(timeout=300)
        elapsed = time.perf_counter() - start
        from rq.job import Job

        latencies = []
        for handle in handles:
            job = Job.fetch(handle.job_id, connection=redis)
            latencies.append((job.ended_at - job.enqueued_at).total_seconds())
            job.delete()
        return elapsed, latencies
    finally:
        _stop(processes)
        for pattern in (f"{prefix}:*", f"rq:*{name}*"):
            keys = list(redis.scan_iter(match=pattern, count=1000))
            if keys:
                redis.delete(*keys)
        redis.srem("rq:queues", f"rq:queue:{name}")


def _celery_round(url: str, base_url: str, workers: int, runs: int) -> tuple[float, list[float]]:
    from celery import Celery

    from agents_lite.jobs.celery_app import configure, enqueue_run, register

    tag = uuid.uuid4().hex[:8]
    queue, prefix, celery_prefix = f"bench-{tag}", f"agents-bench-{tag}", f"celery-bench-{tag}:"
    app = Celery("bench", broker=url, backend=url)
    configure(app, key_prefix=celery_prefix, default_queue=queue)
    register(app)
    env = _worker_env(base_url, {"AGENTS_LITE_CELERY_BROKER_URL": url,
                                 "AGENTS_LITE_CELERY_KEY_PREFIX": celery_prefix})
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "agents_lite.jobs.celery_app", "worker",
         "--pool=prefork", f"--concurrency={workers}", "-Q", queue, "-n", f"{tag}@bench",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "error"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=str(HERE),
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[f"{tag}@bench"], timeout=0.5):
            if time.monotonic() > deadline:
                raise RuntimeError("the Celery worker did not start")
        start = time.perf_counter()
        handles = [enqueue_run(app=app, agent="scale_out:agent", input=f"reserve city{i}",
                               key_prefix=prefix, session_id=f"guest{i}") for i in range(runs)]
        for handle in handles:
            handle.result(timeout=300)
        return time.perf_counter() - start, []
    finally:
        _stop([process])
        import redis as redis_module

        client = redis_module.Redis.from_url(url)
        for pattern in (f"{prefix}:*", f"{celery_prefix}*"):
            keys = list(client.scan_iter(match=pattern, count=1000))
            if keys:
                client.delete(*keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.05,
                        help="seconds added to every model request")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--engine", choices=["rq", "celery", "both"], default="rq")
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    counts = [int(n) for n in args.workers.split(",")]

    from agents_lite.testing.server import LocalOpenAIServer

    with LocalOpenAIServer(latency=args.latency) as server:
        server.set_responder(responder)
        os.environ.update(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-bench")
        sys.path.insert(0, str(HERE))
        print(f"{args.runs} runs, 2 model requests each, {args.latency * 1000:.0f} ms per "
              f"request (local server); {os.cpu_count()} CPUs")
        print(f"{'engine':<8}{'workers':>8}{'seconds':>10}{'runs/s':>10}{'speed-up':>10}"
              f"{'p50 s':>9}")  # p50: enqueue to finish, per run
        floor = _in_process(args.runs)
        print(f"{'inline':<8}{'-':>8}{floor:>10.2f}{args.runs / floor:>10.1f}{'':>10}"
              f"{floor / args.runs:>9.3f}")
        engines = ["rq", "celery"] if args.engine == "both" else [args.engine]
        for engine in engines:
            base: Optional[float] = None
            for workers in counts:
                round_ = _rq_round if engine == "rq" else _celery_round
                elapsed, latencies = round_(url, server.base_url, workers, args.runs)
                base = base or elapsed
                p50 = f"{statistics.median(latencies):.3f}" if latencies else "-"
                print(f"{engine:<8}{workers:>8}{elapsed:>10.2f}{args.runs / elapsed:>10.1f}"
                      f"{base / elapsed:>9.2f}x{p50:>9}")


if __name__ == "__main__":
    main()
