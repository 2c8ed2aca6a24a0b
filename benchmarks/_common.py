"""Shared pieces of the benchmark scripts: statistics, tables, the benchmark server process and
the worker protocol.

Standard library only at import time: `_ref_workloads.py` imports this module inside the
reference SDK's virtualenv, where agents_lite is not installed.

Worker protocol. A worker is a long-lived process (`python <workloads file> --worker`) that reads
one JSON request per line on stdin and answers one JSON line on a private copy of stdout (what
libraries print goes to stderr). Requests:

    {"op": "batch",   "workload": name, "runs": n, "params": {...}}
        -> {"per_run_s": wall seconds per run, "cpu_per_run_s": this process's CPU seconds per
            run, all its threads}                (prepared + warmed up on first use)
    {"op": "samples", "workload": name, "runs": n, "params": {...}}
        -> {"samples": [value returned by each run]}
    {"op": "measure", "workload": name, "params": {...}}
        -> whatever the measurement returns (a JSON object)
    {"op": "info"}  -> {"sdk": ..., "version": ..., "python": ...}

A workload factory takes the params and returns a zero-argument callable: one run.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS_DIR = HERE / "results"

# The replies the benchmark server gives (identical for both SDKs).
REPLY_TEXT = "Sure. Here is a short answer of about a dozen words, as asked."
TOOL_PROMPT = "add 1 and 2"
TOOL_ANSWER = "1 + 2 = 3."
MODEL_NAME = "gpt-4.1"
INSTRUCTIONS = "Be brief."
API_KEY = "sk-bench-not-a-real-key"


# --- statistics and tables ---------------------------------------------------------------------


@dataclass
class Stats:
    """Median, min and max of some samples (in the samples' unit)."""

    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, samples: list[float]) -> Stats:
        if not samples:
            return cls(float("nan"), float("nan"), float("nan"), 0)
        return cls(statistics.median(samples), min(samples), max(samples), len(samples))

    def scaled(self, factor: float) -> Stats:
        return Stats(self.median * factor, self.low * factor, self.high * factor, self.n)

    def to_json(self) -> dict[str, Any]:
        return {"median": self.median, "min": self.low, "max": self.high, "n": self.n}


def fmt(value: Optional[float], digits: Optional[int] = None) -> str:
    """A number with a sensible count of significant digits ("-" for None/NaN)."""
    if value is None or value != value:
        return "-"
    if digits is None:
        magnitude = abs(value)
        digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2 if magnitude >= 1 else 3
    return f"{value:,.{digits}f}"


def markdown_table(headers: list[str], rows: list[list[str]], align: Optional[str] = None) -> str:
    """A GitHub markdown table; `align` is one character per column ("l" or "r")."""
    align = align or "l" + "r" * (len(headers) - 1)
    marks = ["---" if a == "l" else "---:" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(marks) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine_description() -> str:
    """CPU model, core count, memory, OS and Python: the context a reader needs."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal"):
                    memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cpu}, {cores} cores available{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


# --- timing ------------------------------------------------------------------------------------


def time_runs(run: Callable[[], Any], runs: int) -> float:
    """Seconds per run over `runs` back-to-back runs."""
    start = time.perf_counter()
    for _ in range(runs):
        run()
    return (time.perf_counter() - start) / runs


def run_threads(run: Callable[[], Any], threads: int, runs_each: int,
                timeout: float = 30.0) -> dict[str, Any]:
    """`threads` threads each calling `run()` `runs_each` times; errors are counted, not raised.
    Runs still unfinished after `timeout` seconds count as errors ("Hung")."""
    errors: list[str] = []
    finished = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)

    def worker() -> None:
        barrier.wait()
        for _ in range(runs_each):
            try:
                run()
            except Exception as exc:  # the comparison counts failures
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:300])
            with lock:
                finished[0] += 1

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    deadline = start + timeout
    for thread in pool:
        thread.join(max(0.0, deadline - time.perf_counter()))
    wall = time.perf_counter() - start
    total = threads * runs_each
    with lock:
        hung = total - finished[0]
        errors.extend(["Hung: run did not finish within the time limit"] * hung)
    kinds: dict[str, int] = {}
    for error in errors:
        kind = error.split(":", 1)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "wall_s": wall,
        "runs": total,
        "errors": len(errors),
        "ok_runs_per_s": (total - len(errors)) / wall,
        "error_kinds": kinds,
        "first_error": errors[0] if errors else None,
    }


# --- the benchmark server (its own process) ------------------------------------------------------


def _bench_responder(request: Any) -> Any:
    """Replies for the benchmark: a tool call for the tool prompt (until its output is back),
    else the fixed text."""
    from agents_lite.testing.scripted import function_call

    body = request.body if isinstance(request.body, dict) else {}
    items = body.get("input")
    if isinstance(items, list) and items:
        last = items[-1]
        if isinstance(last, dict) and last.get("type") == "function_call_output":
            return TOOL_ANSWER
        if isinstance(last, dict) and last.get("content") == TOOL_PROMPT and body.get("tools"):
            return [function_call("add", {"a": 1, "b": 2})]
    return REPLY_TEXT


def serve_main(argv: list[str]) -> None:
    """`python _common.py serve [--latency S]`: run the benchmark server until killed."""
    import argparse

    sys.path.insert(0, str(ROOT))
    from agents_lite.testing.server import LocalOpenAIServer

    parser = argparse.ArgumentParser(prog="_common.py serve")
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)
    server = LocalOpenAIServer(latency=args.latency)
    server.set_responder(_bench_responder)
    ingested = {"requests": 0, "items": 0}

    def ingest(request: Any) -> dict[str, Any]:
        ingested["requests"] += 1
        if isinstance(request.body, dict):
            ingested["items"] += len(request.body.get("data") or [])
        return {}

    server.add_route("POST", "/v1/traces/ingest", ingest)
    server.add_route("GET", "/bench/ingested", lambda request: dict(ingested))
    server.start()
    print(f"serving {server.base_url}", flush=True)

    def forget() -> None:
        # Tens of thousands of requests: recorded bodies would only grow.
        while True:
            time.sleep(1.0)
            server.clear()

    threading.Thread(target=forget, daemon=True).start()
    try:
        sys.stdin.read()  # until the parent closes our stdin (or dies)
    finally:
        server.stop()


class ServerProcess:
    """The benchmark server running in its own process (so neither SDK pays for it)."""

    def __init__(self, python: str, latency: float = 0.0) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.process = subprocess.Popen(
            [python, str(HERE / "_common.py"), "serve", "--latency", str(latency)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        match = re.search(r"(http://\S+/v1)", line)
        if not match:
            self.close()
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.base_url = match.group(1)

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.close()
                self.process.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait(5)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# --- workers -----------------------------------------------------------------------------------

Factory = Callable[[dict[str, Any]], Callable[[], Any]]
Measure = Callable[[dict[str, Any]], dict[str, Any]]


def worker_main(
    info: Callable[[], dict[str, Any]],
    factories: Mapping[str, Factory],
    measures: Mapping[str, Measure],
    warmup: int = 20,
) -> None:
    """Serve the worker protocol (see the module docstring) until stdin closes."""
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints from libraries must not corrupt the protocol
    sys.stdout = sys.stderr
    prepared: dict[str, Callable[[], Any]] = {}

    def runner(request: dict[str, Any]) -> Callable[[], Any]:
        key = request["workload"] + json.dumps(request.get("params") or {}, sort_keys=True)
        run = prepared.get(key)
        if run is None:
            run = factories[request["workload"]](request.get("params") or {})
            before, after = getattr(run, "before", None), getattr(run, "after", None)
            if before is not None:
                before()
            for _ in range(int(request.get("warmup", warmup))):
                run()
            if after is not None:
                after()
            prepared[key] = run
        return run

    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            op = request["op"]
            if op == "info":
                answer: dict[str, Any] = info()
            elif op in ("batch", "samples"):
                run = runner(request)
                before, after = getattr(run, "before", None), getattr(run, "after", None)
                if before is not None:
                    before()
                try:
                    if op == "batch":
                        cpu = time.process_time()
                        wall = time_runs(run, int(request["runs"]))
                        cpu = (time.process_time() - cpu) / int(request["runs"])
                        answer = {"per_run_s": wall, "cpu_per_run_s": cpu}
                    else:
                        answer = {"samples": [run() for _ in range(int(request["runs"]))]}
                finally:
                    if after is not None:
                        after()
            elif op == "measure":
                answer = measures[request["workload"]](request.get("params") or {})
            else:
                raise ValueError(f"unknown op {op!r}")
            proto.write(json.dumps({"ok": True, "result": answer}) + "\n")
        except Exception as exc:
            import traceback

            traceback.print_exc()
            proto.write(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}) + "\n")


class WorkerError(RuntimeError):
    """A worker could not run a request."""


class Worker:
    """The parent's handle on a worker process."""

    def __init__(self, name: str, python: str, script: Path, env: dict[str, str],
                 log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [python, str(script), "--worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True,
            env=env, bufsize=1,
        )

    def call(self, request: dict[str, Any]) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise WorkerError(f"{self.name} worker died; see {self.log_path}:\n{self.log_tail()}")
        answer = json.loads(line)
        if not answer["ok"]:
            raise WorkerError(f"{self.name}: {answer['error']}; {self.log_path}:\n"
                              f"{self.log_tail()}")
        return answer["result"]

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8").splitlines()[-lines:])
        except OSError:
            return ""

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            try:
                self.process.stdin.close()
                self.process.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait(5)
        self._log.close()


# --- fresh processes ---------------------------------------------------------------------------


def run_child(python: str, code: str, env: dict[str, str], cwd: Optional[str] = None,
              timeout: float = 120.0) -> tuple[float, str]:
    """Run `python -c code` in a fresh process; (wall seconds, its stdout). Raises on failure."""
    start = time.perf_counter()
    done = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"child failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall, done.stdout


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve_main(sys.argv[2:])
    else:
        raise SystemExit("usage: python benchmarks/_common.py serve [--latency S]")
