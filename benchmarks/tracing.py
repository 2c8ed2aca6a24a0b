"""Run overhead of tracing: the same runs with tracing off and on.

    python benchmarks/tracing.py [--runs 2000] [--http-runs 300] [--rounds 5]

"on" means the full default pipeline: every run records its trace and task/agent/turn/generation
spans, and a `BatchTraceProcessor` posts them with `BackendSpanExporter` to a local trace-ingest
endpoint. The local OpenAI server (model replies) and the ingest sink (reads each POST, answers
200 without parsing it, as a remote ingest costs this machine nothing) run in their own
processes, so their work is not counted. Workloads: a plain run with the in-process
`FakeModel` (the SDK's own cost, ~tens of µs, where any extra work shows), and a plain run over
local HTTP (the "plain run" level of the performance budget: target < 5%).

Each round runs both modes in alternating chunks of a few dozen runs (so the load of other
processes weighs on both alike); the table shows the median round's per-run figures. The change
of wall time and run-thread CPU is the median over every pair of neighbouring off/on chunks of
all rounds (a pair runs within milliseconds, so a burst of load elsewhere spoils a pair, not a
round), printed with the middle half of the pairs' changes to show how noisy the machine was;
the change of process CPU is the median of the rounds' own on/off ratios. Wall time and the
run thread's CPU cover the runs only (what a caller waits for and what its thread spends);
process CPU of "on" also covers exporting everything the round queued (the export thread's work
during the round, then a flush of the rest), so it is the whole cost of tracing to this
process. Spans stay queued as they would in a service (exported at the trigger size or by the
flush at the end of the round); the queue drops items only when a burst outruns the export
thread.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any, Callable

from agents_lite import Agent, RunConfig, Runner
from agents_lite.models.openai_provider import OpenAIProvider
from agents_lite.testing.fake_model import FakeModel
from agents_lite.tracing import (
    BackendSpanExporter,
    BatchTraceProcessor,
    flush_traces,
    set_trace_processors,
    set_tracing_disabled,
)


def _start_server() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "agents_lite.testing.server", "--port", "0", "--text", "hi"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"(http://\S+/v1)", line)
    if not match:
        process.kill()
        raise SystemExit(f"local server did not start: {line!r}")
    return process, match.group(1)


def _sink_main() -> None:
    """A minimal HTTP/1.1 keep-alive endpoint answering every POST with 200 `{}`."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(f"sink http://127.0.0.1:{listener.getsockname()[1]}", flush=True)

    def serve(conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = conn.makefile("rb")
        while True:
            length = 0
            line = reader.readline()
            if not line:
                return
            while line not in (b"\r\n", b"\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
                line = reader.readline()
            reader.read(length)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 2\r\n\r\n{}")

    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def _start_sink() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([sys.executable, __file__, "--sink"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().split()[1]


CHUNKS = 20
"""Each round alternates off and on in this many chunks of its runs, so that the machine's
load (other processes come and go) weighs on both modes alike."""

Sample = dict[str, Any]


def _round(
    run: Callable[[], Any], runs: int, off: Callable[[], None], on: Callable[[], None], flip: bool
) -> Sample:
    """One round: `runs` runs per mode, in alternating chunks. Microseconds per run for each
    mode: wall, process CPU, run-thread CPU; and each pair of neighbouring chunks' on/off
    ratios of wall and run-thread CPU. The process CPU of "on" is everything the process spent
    beyond the "off" runs' own CPU (the runs, the export thread's work during the round, and
    the flush of what is still queued at its end); the servers are other processes."""
    totals = {"off": [0.0, 0.0], "on": [0.0, 0.0]}  # wall, run-thread CPU
    pairs: list[tuple[float, float]] = []
    order = [("on", on), ("off", off)] if flip else [("off", off), ("on", on)]
    size = max(1, runs // CHUNKS)
    process = time.process_time()
    done = 0
    while done < runs:
        count = min(size, runs - done)
        chunk: dict[str, tuple[float, float]] = {}
        for mode, setup in order:
            setup()
            wall, own = time.perf_counter(), time.thread_time()
            for _ in range(count):
                run()
            chunk[mode] = (time.perf_counter() - wall, time.thread_time() - own)
            totals[mode][0] += chunk[mode][0]
            totals[mode][1] += chunk[mode][1]
        pairs.append((chunk["on"][0] / chunk["off"][0], chunk["on"][1] / chunk["off"][1]))
        done += count
    on()
    flush_traces()  # the rest of this round's export work
    process = time.process_time() - process
    off_wall, off_own = totals["off"]
    on_wall, on_own = totals["on"]
    scale = 1e6 / runs
    return {
        "off": (off_wall * scale, off_own * scale, off_own * scale),
        "on": (on_wall * scale, (process - off_own) * scale, on_own * scale),
        "pairs": pairs,
    }


Row = tuple[str, str, float, float, float, float, float, float]


def _compare(
    name: str, run: Callable[[], Any], runs: int, rounds: int, off: Callable[[], None],
    on: Callable[[], None],
) -> tuple[list[Row], str]:
    """The table rows of one workload, and the spread of its wall-time change."""
    for setup in (off, on):  # warm up both modes
        setup()
        for _ in range(max(10, runs // 10)):
            run()
    flush_traces()
    samples = [_round(run, runs, off, on, flip=index % 2 == 1) for index in range(rounds)]

    def median(mode: str, column: int) -> float:
        return statistics.median(sample[mode][column] for sample in samples)

    # Wall and run-thread CPU: the median over all pairs of neighbouring chunks (each pair ran
    # within a few milliseconds, so a burst of load elsewhere on the machine spoils one pair,
    # not a whole round's total). Process CPU: per round, since the export work of a round is
    # only complete after its final flush.
    pairs = [pair for sample in samples for pair in sample["pairs"]]
    wall_ratios = sorted((pair[0] - 1) * 100 for pair in pairs)
    own_change = statistics.median((pair[1] - 1) * 100 for pair in pairs)
    wall_change = statistics.median(wall_ratios)
    process_change = statistics.median(
        (sample["on"][1] / sample["off"][1] - 1) * 100 for sample in samples
    )
    quartiles = statistics.quantiles(wall_ratios, n=4)
    spread = (
        f"{name}: wall change {wall_change:+.1f}% (median of {len(pairs)} chunk pairs; middle "
        f"half of the pairs {quartiles[0]:+.1f}% to {quartiles[2]:+.1f}%)"
    )
    return [
        (name, "off", median("off", 0), 0.0, median("off", 1), 0.0, median("off", 2), 0.0),
        (name, "on", median("on", 0), wall_change, median("on", 1), process_change,
         median("on", 2), own_change),
    ], spread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2000, help="FakeModel runs per round")
    parser.add_argument("--http-runs", type=int, default=300, help="HTTP runs per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sink", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        _sink_main()
        return

    server, base_url = _start_server()
    sink, sink_url = _start_sink()
    try:
        exporter = BackendSpanExporter(api_key="sk-bench", endpoint=sink_url + "/v1/traces/ingest")
        processor = BatchTraceProcessor(exporter)

        def off() -> None:
            set_tracing_disabled(True)

        def on() -> None:
            set_tracing_disabled(False)
            set_trace_processors([processor])

        fake_agent: Agent[Any] = Agent(
            name="plain", instructions="Be brief.", model=FakeModel(default_output="hi")
        )
        model = OpenAIProvider(api_key="sk-bench", base_url=base_url).get_model("gpt-4.1")
        http_agent: Agent[Any] = Agent(name="plain", instructions="Be brief.", model=model)
        compact = RunConfig(tracing={"include_task_and_turn_spans": False})

        def fake_run() -> Any:
            fake_agent.model.calls.clear()  # type: ignore[union-attr]
            return Runner.run_sync(fake_agent, "hello")

        def fake_run_compact() -> Any:
            fake_agent.model.calls.clear()  # type: ignore[union-attr]
            return Runner.run_sync(fake_agent, "hello", run_config=compact)

        rows: list[Row] = []
        counts: list[str] = []
        spreads: list[str] = []

        def compare(name: str, run: Callable[[], Any], runs: int, on_mode: Callable[[], None]) -> None:
            exported, dropped = processor.exported, processor.dropped
            new_rows, spread = _compare(name, run, runs, args.rounds, off, on_mode)
            rows.extend(new_rows)
            spreads.append(spread)
            exported, dropped = processor.exported - exported, processor.dropped - dropped
            # Items per run, how often the runs made one, and what exporting one cost (the
            # process CPU beyond the run thread's, per item that was not dropped).
            per_run = (exported + dropped) / (runs * (args.rounds + 0.1))  # + the warm-up
            _, _, on_wall, _, on_cpu, _, on_own, _ = new_rows[1]
            export_cost = (on_cpu - on_own) * (exported + dropped) / max(1, exported) / per_run
            counts.append(
                f"{name}: {per_run:.0f} items per run, one every {on_wall / per_run:.1f} µs of "
                f"the runs' wall time; export ~{export_cost:.1f} µs CPU per item; exported "
                f"{exported}, dropped (queue full) {dropped}"
            )

        compare("FakeModel plain run", fake_run, args.runs, on)
        compare("FakeModel, no task/turn spans", fake_run_compact, args.runs, on)
        compare("HTTP plain run (local server)", lambda: Runner.run_sync(http_agent, "hello"),
                args.http_runs, on)
        flush_traces()
        set_tracing_disabled(False)

        header = f"{'workload':32} {'tracing':8}"
        for title in ("wall", "process CPU", "run-thread CPU"):
            header += f" {title + ' µs/run':>20} {'':>7}"
        print(header)
        for name, mode, *values in rows:
            line = f"{name:32} {mode:8}"
            for value, pct in zip(values[0::2], values[1::2]):
                line += f" {value:20.1f} {'' if mode == 'off' else f'{pct:+.1f}%':>7}"
            print(line)
        print("(µs/run: medians of the rounds; changes: wall and run-thread CPU, median of the")
        print(" neighbouring off/on chunk pairs; process CPU = the run thread plus all export work,")
        print(" median of the rounds)")
        print()
        print("\n".join(spreads))
        print()
        print("\n".join(counts))
        print("(the queue drops items when runs make them faster than the export thread, which")
        print(" shares the GIL with the runs, can send them)")
        print(
            f"in all: exported {processor.exported} items in {exporter.requests_sent} requests; "
            f"dropped {processor.dropped}; export errors {processor.export_errors}"
        )
    finally:
        for process in (server, sink):
            process.terminate()
            process.wait(5)


if __name__ == "__main__":
    main()
