"""The wire layer against its floor: agents_lite runs over local HTTP next to raw transports.

    python benchmarks/wire.py [--rounds 9] [--batch-seconds 0.25]

One process, one benchmark server (`LocalOpenAIServer` in its own process, no added latency).
Each round times one batch of every workload, in turn:
- floors: `requests.Session().post(...).json()` (the target's floor), the same request with the
  stdlib's `http.client` (the cheapest Python HTTP there is, for scale), and a streamed request
  read with `requests` + sseclient-py (each event JSON-decoded);
- agents_lite runs: plain, one tool call (two requests), streamed (all events consumed);
- time to the first streamed text delta, raw (`requests` + sseclient-py) and through a run.
Prints median / min / max over rounds and each row's ratio to its floor (a tool-call run is
compared with two floor requests). Target: every run within 1.3x of its floor.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    API_KEY,
    REPLY_TEXT,
    ServerProcess,
    Stats,
    fmt,
    machine_description,
    markdown_table,
    time_runs,
)


def floor_http_client(params: dict[str, Any]) -> Callable[[], Any]:
    """The same POST with the stdlib's `http.client` on one kept-alive connection."""
    from _lite_workloads import _request_body

    url = urlsplit(os.environ["OPENAI_BASE_URL"] + "/responses")
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port)
    payload = json.dumps(_request_body()).encode()
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}

    def run() -> Any:
        conn.request("POST", url.path, payload, headers)
        data = json.loads(conn.getresponse().read())
        assert data["output"][0]["content"][0]["text"] == REPLY_TEXT
        return data

    return run


ROWS = [
    # key, label, workload, per-run value ("batch") or own value ("samples"), floor key, factor
    ("floor", "floor: requests.Session POST + .json()", "floor_requests", "batch", None, 1),
    ("http_client", "stdlib http.client POST (for scale)", "http_client", "batch", None, 1),
    ("floor_sse", "floor: streamed POST, requests + sseclient-py", "floor_sse", "batch", None, 1),
    ("plain", "agents_lite plain run", "http_plain", "batch", "floor", 1),
    ("tool", "agents_lite run with one tool call (2 requests)", "http_tool", "batch", "floor", 2),
    ("streamed", "agents_lite streamed run", "http_streamed", "batch", "floor_sse", 1),
    ("floor_first", "floor: time to first text delta", "floor_first_text", "samples", None, 1),
    ("first", "agents_lite: time to first streamed text event", "http_first_text", "samples",
     "floor_first", 1),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--batch-seconds", type=float, default=0.25)
    args = parser.parse_args()

    with ServerProcess(sys.executable) as server:
        os.environ["OPENAI_BASE_URL"] = server.base_url
        os.environ["OPENAI_API_KEY"] = API_KEY
        import _lite_workloads as lite

        from agents_lite.tracing import set_tracing_disabled

        set_tracing_disabled(True)
        factories = dict(lite.FACTORIES, http_client=floor_http_client)
        runs: dict[str, Callable[[], Any]] = {}
        sizes: dict[str, int] = {}
        for key, _label, workload, _op, _floor, _factor in ROWS:
            run = runs[key] = factories[workload]({})
            for _ in range(50):
                run()
            per_run = time_runs(run, 5)
            sizes[key] = max(5, min(20000, int(args.batch_seconds / max(per_run, 1e-7))))
        values: dict[str, list[float]] = {key: [] for key in runs}
        for _ in range(args.rounds):
            for key, _label, _workload, op, _floor, _factor in ROWS:
                if op == "batch":
                    values[key].append(time_runs(runs[key], sizes[key]) * 1000)
                else:
                    samples = sorted(runs[key]() for _ in range(sizes[key]))
                    values[key].append(samples[len(samples) // 2] * 1000)

    stats = {key: Stats.of(samples) for key, samples in values.items()}
    table_rows = []
    worst = 0.0
    for key, label, _workload, _op, floor_key, factor in ROWS:
        ratio = "-"
        if floor_key is not None:
            x = stats[key].median / (stats[floor_key].median * factor)
            ratio = f"{x:.2f}x"
            if key != "first":
                worst = max(worst, x)
        s = stats[key]
        table_rows.append([label, fmt(s.median), fmt(s.low), fmt(s.high), ratio])
    print(f"Machine: {machine_description()}.")
    print(f"{args.rounds} rounds; one batch of each workload per round (~{args.batch_seconds}s).")
    print()
    print(markdown_table(["workload (local HTTP)", "median ms", "min", "max", "vs floor"],
                         table_rows))
    print()
    verdict = "MET" if worst <= 1.3 else "MISSED"
    print(f"{verdict}: every agents_lite run within 1.3x of its floor (worst {worst:.2f}x).")


if __name__ == "__main__":
    main()
