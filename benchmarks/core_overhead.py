"""Per-run overhead of the run loop with an in-process scripted model, and cold import time.

    python benchmarks/core_overhead.py [--runs 3000]

Prints a table: median / min / max microseconds per run (plain text, one tool call, streamed),
and the cold `import agents_lite` time in fresh processes. No HTTP: this is the SDK's own cost.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from typing import Callable

from agents_lite import Agent, Runner, function_tool
from agents_lite.testing.fake_model import FakeModel
from agents_lite.testing.scripted import function_call, text_message


@function_tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def _per_run_us(run: Callable[[], object], runs: int, repeats: int = 5) -> list[float]:
    for _ in range(min(200, runs)):
        run()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(runs):
            run()
        samples.append((time.perf_counter() - start) / runs * 1e6)
    return samples


def _cold_import_ms(processes: int) -> list[float]:
    code = "import time; t = time.perf_counter(); import agents_lite; print((time.perf_counter() - t) * 1000)"
    return [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(processes)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=10)
    args = parser.parse_args()

    plain_model = FakeModel(default_output=[text_message("hi")])
    plain_agent = Agent(name="plain", instructions="Be brief.", model=plain_model, tools=[add])

    tool_model = FakeModel(default_output=None)
    tool_agent = Agent(name="tool", instructions="Use tools.", model=tool_model, tools=[add])
    call, answer = function_call("add", {"a": 1, "b": 2}, call_id="c1"), text_message("3")

    def plain() -> object:
        return Runner.run_sync(plain_agent, "hello")

    def with_tool() -> object:
        tool_model.add_multiple_turn_outputs([[call], [answer]])
        return Runner.run_sync(tool_agent, "add 1 and 2")

    def streamed() -> object:
        result = Runner.run_streamed(plain_agent, "hello")
        for _ in result.stream_events():
            pass
        return result

    rows = []
    for name, fn in (("plain run", plain), ("one tool call", with_tool), ("streamed run", streamed)):
        samples = _per_run_us(fn, args.runs)
        plain_model.calls.clear()
        tool_model.calls.clear()
        rows.append((name, statistics.median(samples), min(samples), max(samples), "µs/run"))
    imports = _cold_import_ms(args.processes)
    rows.append(("cold import agents_lite", statistics.median(imports), min(imports), max(imports), "ms"))

    print(f"Python {sys.version.split()[0]}; {args.runs} runs x 5 repeats; {args.processes} import processes")
    print()
    print("| workload | median | min | max | unit |")
    print("|---|---:|---:|---:|---|")
    for name, median, low, high, unit in rows:
        print(f"| {name} | {median:.1f} | {low:.1f} | {high:.1f} | {unit} |")


if __name__ == "__main__":
    main()
