"""agents_lite side by side with the reference OpenAI Agents SDK, in one run.

    python benchmarks/compare.py            # the full comparison (about 4 minutes on 2 cores)
    python benchmarks/compare.py --quick    # fewer rounds and processes (a smoke test)

Run it with the interpreter that has agents_lite's dependencies (the dev virtualenv). On first
use it creates two git-ignored virtualenvs under benchmarks/: `.ref-venv` with the reference
(`openai-agents`, pinned: REFERENCE_VERSION) and `.lite-venv` with a regular (non-editable)
install of this checkout, refreshed on every run.

Both SDKs talk to the same benchmark server (`LocalOpenAIServer` with a fixed responder, in its
own process, so neither side pays for it) and run identical workloads (`_lite_workloads.py`,
`_ref_workloads.py`) in long-lived worker processes. Measurements alternate between the two
(A/B, the side that goes first switching every round), after warm-up runs. Per-run rows: one
batch of runs per side per round (sized to take about `--batch-seconds`); median, min and max
are over the rounds' batch means. Fresh-process rows: median, min and max over processes, also
alternated.

The markdown table goes to stdout (progress to stderr), the raw numbers to
benchmarks/results/compare-<time>.json (and compare-latest.json).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    API_KEY,
    HERE,
    REPLY_TEXT,
    RESULTS_DIR,
    ROOT,
    ServerProcess,
    Stats,
    Worker,
    WorkerError,
    fmt,
    machine_description,
    markdown_table,
    run_child,
)

REFERENCE_PACKAGE = "openai-agents"
REFERENCE_VERSION = "0.24.0"
REF_VENV = HERE / ".ref-venv"
LITE_VENV = HERE / ".lite-venv"
THREADS_LATENCY = 0.020
THREADS, RUNS_EACH = 8, 25

LITE, REF = "agents_lite", "reference"
LOG_DIR = Path(tempfile.mkdtemp(prefix="agents-lite-compare-"))
"""Workers' stderr (its tail is shown when a worker fails; removed after a successful run)."""


def log(message: str) -> None:
    print(f"[compare {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- virtualenvs -------------------------------------------------------------------------------


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _make_venv(venv: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    # The virtualenv ignores itself, whatever the repository's .gitignore says.
    (venv / ".gitignore").write_text("*\n", encoding="utf-8")
    return _venv_python(venv)


def _pip_install(python: Path, *args: str) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"pip install {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def ensure_reference_venv() -> Path:
    """`benchmarks/.ref-venv` with the pinned reference SDK (created when missing or stale)."""
    python = _venv_python(REF_VENV)
    if python.exists():
        done = subprocess.run(
            [str(python), "-c", "from importlib.metadata import version; "
             f"print(version({REFERENCE_PACKAGE!r}))"],
            capture_output=True, text=True,
        )
        if done.returncode == 0 and done.stdout.strip() == REFERENCE_VERSION:
            return python
    log(f"creating {REF_VENV.relative_to(ROOT)}: pip install "
        f"{REFERENCE_PACKAGE}=={REFERENCE_VERSION} ...")
    python = _make_venv(REF_VENV)
    _pip_install(python, f"{REFERENCE_PACKAGE}=={REFERENCE_VERSION}")
    return python


def ensure_lite_regular_install() -> Path:
    """`benchmarks/.lite-venv`: this checkout installed the way users get it (not editable).

    Built from a copy of the sources, so the build leaves nothing in the working tree."""
    python = _venv_python(LITE_VENV)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        shutil.copytree(ROOT / "agents_lite", source / "agents_lite",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for name in ("setup.py", "pyproject.toml", "README.md"):
            if (ROOT / name).exists():
                shutil.copy2(ROOT / name, source / name)
        if not python.exists():
            log(f"creating {LITE_VENV.relative_to(ROOT)}: pip install . (regular install) ...")
            python = _make_venv(LITE_VENV)
            _pip_install(python, str(source))
        else:
            log(f"refreshing the regular install in {LITE_VENV.relative_to(ROOT)} ...")
            _pip_install(python, "--no-deps", "--force-reinstall", str(source))
    return python


# --- results -----------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: the same measurement for both SDKs."""

    section: str
    name: str
    unit: str
    lite: Optional[Stats]
    ref: Optional[Stats]
    higher_is_better: bool = False
    floor: Optional[float] = None
    """The transport floor for this workload (same unit), when there is one."""

    def ratio(self) -> Optional[float]:
        """How many times better agents_lite is: reference / agents_lite (inverted for
        throughputs)."""
        if self.lite is None or self.ref is None:
            return None
        if not (self.lite.median > 0 and self.ref.median > 0):  # e.g. a cost lost in noise
            return None
        if self.higher_is_better:
            return self.lite.median / self.ref.median
        return self.ref.median / self.lite.median

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section, "name": self.name, "unit": self.unit,
            "agents_lite": self.lite.to_json() if self.lite else None,
            "reference": self.ref.to_json() if self.ref else None,
            "ratio": self.ratio(), "higher_is_better": self.higher_is_better,
            "floor": self.floor,
        }


def _cells(stats: Optional[Stats], digits: Optional[int]) -> list[str]:
    if stats is None:
        return ["-", "-", "-"]
    return [fmt(stats.median, digits), fmt(stats.low, digits), fmt(stats.high, digits)]


def render_table(rows: list[Row]) -> str:
    headers = ["workload", "unit", "agents_lite median", "min", "max", "reference median",
               "min", "max", "ref / lite", "vs floor (lite; ref)"]
    lines = []
    for row in rows:
        digits = 0 if row.unit in ("runs", "errors", "modules") else None
        ratio = row.ratio()
        shown = "-" if ratio is None else f"{ratio:.1f}x"
        if row.higher_is_better and ratio is not None:
            shown += " (higher)"
        floor = "-"
        if row.floor:
            parts = [f"{s.median / row.floor:.2f}x" if s else "-" for s in (row.lite, row.ref)]
            floor = "; ".join(parts)
        lines.append([f"{row.section} {row.name}", row.unit, *_cells(row.lite, digits),
                      *_cells(row.ref, digits), shown, floor])
    return markdown_table(headers, lines, "ll" + "r" * 8)


# --- fresh processes ---------------------------------------------------------------------------

# Peak RSS is VmHWM of this process's own memory: ru_maxrss would also count the parent's pages
# when the child was started with vfork (Linux keeps the pre-exec high-water mark).
_IMPORT_CODE = """\
import time
t0 = time.perf_counter()
import {module}
t1 = time.perf_counter()
import json, sys
try:
    with open("/proc/self/status") as status:
        rss_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except OSError:
    import resource
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"import_s": t1 - t0, "modules": len(sys.modules), "rss_kb": rss_kb}}))
"""

_BARE_CODE = """\
try:
    with open("/proc/self/status") as status:
        print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")))
except OSError:
    print(0)
"""

_JOB_CODE = """\
from {module} import Agent, Runner
agent = Agent(name="cron", instructions="Be brief.", model="gpt-4.1")
print(Runner.run_sync(agent, "hello").final_output)
"""


def fresh_processes(pythons: dict[str, str], env: dict[str, str], processes: int,
                    cwd: str) -> dict[str, dict[str, list[float]]]:
    """Cold import and one-run jobs in fresh processes, sides alternated."""
    modules = {name: ("agents" if name == REF else "agents_lite") for name in pythons}
    out: dict[str, dict[str, list[float]]] = {
        name: {"import_ms": [], "import_wall_ms": [], "rss_mb": [], "modules": [],
               "job_ms": [], "bare_ms": [], "bare_rss_mb": []}
        for name in pythons
    }
    names = list(pythons)
    for i in range(processes + 1):  # the first round warms the OS file cache and is dropped
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            python, module = pythons[name], modules[name]
            wall, stdout = run_child(python, _IMPORT_CODE.format(module=module), env, cwd)
            data = json.loads(stdout)
            job_wall, job_out = run_child(python, _JOB_CODE.format(module=module), env, cwd)
            if job_out.strip() != REPLY_TEXT:
                raise RuntimeError(f"{name}: the one-run job printed {job_out!r}")
            bare_wall, bare_out = run_child(python, _BARE_CODE, env, cwd)
            if i == 0:
                continue
            sample = out[name]
            sample["import_ms"].append(data["import_s"] * 1000)
            sample["import_wall_ms"].append(wall * 1000)
            sample["rss_mb"].append(data["rss_kb"] / 1024)
            sample["modules"].append(data["modules"])
            sample["job_ms"].append(job_wall * 1000)
            sample["bare_ms"].append(bare_wall * 1000)
            sample["bare_rss_mb"].append(int(bare_out) / 1024)
    return out


# --- per-run workloads in workers --------------------------------------------------------------


@dataclass
class Spec:
    """A per-run workload measured in the workers."""

    key: str
    section: str
    name: str
    unit: str
    scale: float  # seconds -> unit
    workload: str
    params: dict[str, Any]
    sides: tuple[str, ...] = (LITE, REF)
    op: str = "batch"  # or "samples" (each run returns its own value, in seconds)
    warmup: int = 20
    optional: bool = False
    """Left out (with a note) when a side cannot prepare it, instead of failing the run."""


def _sized_runs(per_run_s: float, batch_seconds: float, low: int = 5, high: int = 20000) -> int:
    return max(low, min(high, int(batch_seconds / max(per_run_s, 1e-7))))


def per_run_rounds(workers: dict[str, Worker], specs: list[Spec], rounds: int,
                   batch_seconds: float, ingest: Callable[[], int]) -> dict[str, Any]:
    """Every spec, every round, A/B alternated; returns per spec and side the round values."""
    values: dict[str, dict[str, list[float]]] = {s.key: {LITE: [], REF: []} for s in specs}
    cpu: dict[str, dict[str, list[float]]] = {s.key: {LITE: [], REF: []} for s in specs}
    runs: dict[tuple[str, str], int] = {}
    exported: dict[str, int] = {LITE: 0, REF: 0}
    skipped: dict[str, str] = {}
    for spec in list(specs):  # prepare, warm up and size every batch
        for side in spec.sides:
            request = {"op": "batch", "workload": spec.workload, "runs": 5,
                       "params": spec.params, "warmup": spec.warmup}
            try:
                per_run = workers[side].call(request)["per_run_s"]
            except WorkerError as exc:
                if not spec.optional:
                    raise
                log(f"left out {spec.key!r}: {side} cannot run it: {str(exc).splitlines()[0]}")
                skipped[spec.key] = f"{side}: {str(exc).splitlines()[0]}"
                specs.remove(spec)
                break
            runs[(spec.key, side)] = _sized_runs(per_run, batch_seconds)
    for round_no in range(rounds):
        log(f"per-run workloads: round {round_no + 1}/{rounds}")
        order = (LITE, REF) if round_no % 2 == 0 else (REF, LITE)
        for spec in specs:
            for side in order:
                if side not in spec.sides:
                    continue
                n = runs[(spec.key, side)]
                before = ingest() if spec.params.get("tracing") else 0
                result = workers[side].call({"op": spec.op, "workload": spec.workload,
                                             "runs": n, "params": spec.params})
                if spec.params.get("tracing"):
                    exported[side] += ingest() - before
                if spec.op == "batch":
                    value = result["per_run_s"]
                    cpu[spec.key][side].append(result["cpu_per_run_s"] * spec.scale)
                else:
                    samples = sorted(result["samples"])
                    value = samples[len(samples) // 2]
                values[spec.key][side].append(value * spec.scale)
    return {"values": values, "cpu": cpu, "runs": {f"{k}/{s}": n for (k, s), n in runs.items()},
            "trace_items_exported": exported, "skipped": skipped}


def thread_rounds(pythons: dict[str, str], scripts: dict[str, Path], env: dict[str, str],
                  base_url: str, rounds: int) -> dict[str, dict[str, list[Any]]]:
    """Single-thread and 8-thread runs against the latency server, in fresh workers."""
    out: dict[str, dict[str, list[Any]]] = {
        side: {"single": [], "multi": []} for side in pythons
    }
    workers = {side: Worker(f"{side}-threads", pythons[side], scripts[side], env,
                            LOG_DIR / f"worker-{side}-threads.log") for side in pythons}
    try:
        for round_no in range(rounds):
            log(f"threads: round {round_no + 1}/{rounds}")
            order = (LITE, REF) if round_no % 2 == 0 else (REF, LITE)
            for side in order:
                for kind, threads in (("single", 1), ("multi", THREADS)):
                    result = workers[side].call({"op": "measure", "workload": "threads",
                                                 "params": {"base_url": base_url,
                                                            "threads": threads,
                                                            "runs_each": RUNS_EACH}})
                    out[side][kind].append(result)
    finally:
        for worker in workers.values():
            worker.close()
    return out


def _session_items() -> list[dict[str, Any]]:
    items = []
    for i in range(100):
        if i % 2:
            items.append({"type": "message", "role": "assistant", "status": "completed",
                          "id": f"msg_{i}", "content": [{"type": "output_text",
                                                         "text": f"answer number {i} " * 4,
                                                         "annotations": []}]})
        else:
            items.append({"role": "user", "content": f"question number {i}, please answer"})
    return items


# --- targets -----------------------------------------------------------------------------------


def target_lines(rows: dict[str, Row], threads: dict[str, Any]) -> list[str]:
    def ratio(key: str) -> float:
        value = rows[key].ratio()
        return float("nan") if value is None else value

    lines = []

    def check(name: str, ok: bool, detail: str) -> None:
        lines.append(f"- {'MET' if ok else 'MISSED'}: {name} — {detail}")

    r = ratio("import")
    check("cold import >= 10x faster", r >= 10,
          f"{r:.1f}x (regular install; editable dev install {ratio('import_dev'):.1f}x)")
    r = ratio("job")
    check("fresh-process one-run job >= 5x faster", r >= 5,
          f"{r:.1f}x (regular install; editable dev install {ratio('job_dev'):.1f}x)")
    fake = {key: ratio(key) for key in ("fake_plain", "fake_tool", "fake_streamed")}
    check("in-process per-run overhead >= 10x lower", min(fake.values()) >= 10,
          ", ".join(f"{key[5:]} {value:.1f}x" for key, value in fake.items()))
    http = []
    worst = 0.0
    for key in ("http_plain", "http_tool", "http_streamed"):
        row = rows[key]
        if row.lite and row.floor:
            lite_x = row.lite.median / row.floor
            ref_x = row.ref.median / row.floor if row.ref else float("nan")
            worst = max(worst, lite_x)
            http.append(f"{key[5:]} {lite_x:.2f}x (reference {ref_x:.2f}x)")
    check("over local HTTP within 1.3x of the raw floor", worst <= 1.3, ", ".join(http))
    lite = threads[LITE]
    check(f"{THREADS}-thread run: zero errors and >= 6x the single-thread throughput",
          lite["errors"] == 0 and lite["speedup"] >= 6,
          f"{lite['errors']} errors, {lite['speedup']:.1f}x (reference: "
          f"{threads[REF]['errors']} errors of {threads[REF]['runs']}, "
          f"{threads[REF]['speedup']:.1f}x)")
    rss = rows["rss"]
    if rss.lite and rss.ref:
        share = rss.lite.median / rss.ref.median
        check("peak RSS after import <= 1/3 of the reference's", share <= 1 / 3,
              f"{share:.2f} of it ({rss.lite.median:.1f} MB vs {rss.ref.median:.1f} MB)")
    return lines


# --- main --------------------------------------------------------------------------------------


def _git_commit() -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--",
                            "agents_lite"], capture_output=True, text=True)
    commit = done.stdout.strip() or "unknown"
    return commit + ("+uncommitted changes" if dirty.stdout.strip() else "")


def _ingest_counter(base_url: str) -> Callable[[], int]:
    url = base_url.rsplit("/v1", 1)[0] + "/bench/ingested"

    def count() -> int:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(json.loads(response.read())["items"])

    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 rounds, 4 processes")
    parser.add_argument("--rounds", type=int, default=None, help="per-run rounds (default 9)")
    parser.add_argument("--processes", type=int, default=None,
                        help="fresh processes per side (default 12)")
    parser.add_argument("--batch-seconds", type=float, default=None,
                        help="target duration of one batch (default 0.25)")
    parser.add_argument("--thread-rounds", type=int, default=None, help="default 3")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 9)
    processes = args.processes or (4 if args.quick else 12)
    batch_seconds = args.batch_seconds or (0.1 if args.quick else 0.25)
    thread_rounds_n = args.thread_rounds or (1 if args.quick else 3)
    started = time.perf_counter()
    try:
        import jsonschema  # noqa: F401
        import requests  # noqa: F401
        import sseclient  # noqa: F401
    except ImportError as exc:
        raise SystemExit(f"Run this with an interpreter that has agents_lite's dependencies "
                         f"(pip install -e .): {exc}") from None

    RESULTS_DIR.mkdir(exist_ok=True)
    ref_python = str(ensure_reference_venv())
    regular_python = str(ensure_lite_regular_install())
    dev_python = sys.executable
    scripts = {LITE: HERE / "_lite_workloads.py", REF: HERE / "_ref_workloads.py"}
    pythons = {LITE: dev_python, REF: ref_python}

    with ServerProcess(dev_python) as server, \
            ServerProcess(dev_python, latency=THREADS_LATENCY) as slow_server, \
            tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        for name in ("OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_DEFAULT_MODEL", "PYTHONPATH",
                     "PYTHONDONTWRITEBYTECODE", "OPENAI_AGENTS_DISABLE_TRACING"):
            env.pop(name, None)
        env.update(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=API_KEY)
        child_env = dict(env, OPENAI_AGENTS_DISABLE_TRACING="1")
        log(f"servers: {server.base_url} (no latency), {slow_server.base_url} "
            f"({THREADS_LATENCY * 1000:.0f} ms latency)")

        workers = {side: Worker(side, pythons[side], scripts[side], env,
                                LOG_DIR / f"worker-{side}.log") for side in pythons}
        try:
            versions = {side: workers[side].call({"op": "info"}) for side in workers}
            log(f"reference: {REFERENCE_PACKAGE} {versions[REF]['version']} "
                f"(openai {versions[REF]['openai']}); agents_lite {versions[LITE]['version']}")

            log(f"fresh processes: {processes} per side and kind, alternated")
            fresh = fresh_processes(
                {LITE: regular_python, "dev": dev_python, REF: ref_python},
                child_env, processes, tmp,
            )

            ingest_url = server.base_url + "/traces/ingest"
            specs = [
                Spec("fake_plain", "3.", "in-process: plain run", "µs", 1e6, "fake_plain", {},
                     warmup=200),
                Spec("fake_traced", "7.", "in-process plain run, tracing on (batch export "
                     "to local ingest)", "µs", 1e6, "fake_plain",
                     {"tracing": True, "ingest_url": ingest_url}, warmup=200, optional=True),
                Spec("fake_tool", "3.", "in-process: one tool call", "µs", 1e6, "fake_tool", {},
                     warmup=200),
                Spec("fake_streamed", "3.", "in-process: streamed run", "µs", 1e6,
                     "fake_streamed", {}, warmup=200),
                Spec("floor", "4.", "HTTP floor: requests.Session POST + .json()", "ms", 1e3,
                     "floor_requests", {}, sides=(LITE,), warmup=50),
                Spec("floor_sse", "4.", "HTTP floor: streamed POST read with sseclient-py",
                     "ms", 1e3, "floor_sse", {}, sides=(LITE,), warmup=50),
                Spec("http_plain", "4.", "HTTP: plain run", "ms", 1e3, "http_plain", {},
                     warmup=50),
                Spec("traced", "7.", "HTTP plain run, tracing on (batch export to local "
                     "ingest)", "ms", 1e3, "http_plain",
                     {"tracing": True, "ingest_url": ingest_url}, warmup=50, optional=True),
                Spec("http_tool", "4.", "HTTP: one tool call (2 requests)", "ms", 1e3,
                     "http_tool", {}, warmup=50),
                Spec("http_streamed", "4.", "HTTP: streamed run", "ms", 1e3, "http_streamed",
                     {}, warmup=50),
                Spec("floor_first", "4.", "HTTP floor: time to first text delta", "ms", 1e3,
                     "floor_first_text", {}, sides=(LITE,), op="samples", warmup=50),
                Spec("http_first", "4.", "HTTP: time to first streamed text event", "ms", 1e3,
                     "http_first_text", {}, op="samples", warmup=50),
                Spec("session", "6.", "SQLite session: new session, add 100 items, get them",
                     "ms", 1e3, "session_sqlite", {"dir": tmp, "items": _session_items()},
                     warmup=20),
            ]
            log(f"per-run workloads: {rounds} rounds, batches of ~{batch_seconds}s")
            per_run = per_run_rounds(workers, specs, rounds, batch_seconds,
                                     _ingest_counter(server.base_url))
        finally:
            for worker in workers.values():
                worker.close()

        log(f"threads: {THREADS} x {RUNS_EACH} runs and 1 x {RUNS_EACH}, server latency "
            f"{THREADS_LATENCY * 1000:.0f} ms")
        threads_raw = thread_rounds(pythons, scripts, env, slow_server.base_url,
                                    thread_rounds_n)

    # --- assemble ---------------------------------------------------------------------------
    rows: dict[str, Row] = {}

    def fresh_row(key: str, section: str, name: str, unit: str, metric: str,
                  lite_side: str = LITE) -> None:
        rows[key] = Row(section, name, unit, Stats.of(fresh[lite_side][metric]),
                        Stats.of(fresh[REF][metric]))

    fresh_row("import", "1.", "cold import (in-process time), regular install", "ms",
              "import_ms")
    fresh_row("import_dev", "1.", "cold import (in-process time), editable dev install", "ms",
              "import_ms", "dev")
    fresh_row("import_wall", "1.", "python -c 'import ...' process wall time, regular install",
              "ms", "import_wall_ms")
    fresh_row("import_wall_dev", "1.", "python -c 'import ...' process wall time, editable "
              "dev install", "ms", "import_wall_ms", "dev")
    fresh_row("rss", "1.", "peak RSS after import", "MB", "rss_mb")
    fresh_row("bare_rss", "1.", "peak RSS of a bare interpreter, for scale", "MB",
              "bare_rss_mb")
    fresh_row("modules", "1.", "modules in sys.modules after import", "modules", "modules")
    fresh_row("bare", "1.", "bare interpreter start (python -c ...), for scale", "ms",
              "bare_ms")
    fresh_row("job", "2.", "fresh process: import, one run over HTTP, exit; regular install",
              "ms", "job_ms")
    fresh_row("job_dev", "2.", "fresh process job, editable dev install", "ms", "job_ms", "dev")

    values = per_run["values"]
    floors = {"http_plain": "floor", "http_tool": "floor", "http_streamed": "floor_sse",
              "http_first": "floor_first"}
    for spec in specs:
        lite = Stats.of(values[spec.key][LITE]) if LITE in spec.sides else None
        ref = Stats.of(values[spec.key][REF]) if REF in spec.sides else None
        floor = None
        if spec.key in floors:
            floor = Stats.of(values[floors[spec.key]][LITE]).median
            if spec.key == "http_tool":
                floor *= 2  # two requests
        rows[spec.key] = Row(spec.section, spec.name, spec.unit, lite, ref, floor=floor)
    cpu = per_run["cpu"]
    for key in ("http_plain", "http_tool", "http_streamed"):
        spec = next(s for s in specs if s.key == key)
        rows[key + "_cpu"] = Row(spec.section, spec.name + ": CPU of the client process", "ms",
                                 Stats.of(cpu[key][LITE]), Stats.of(cpu[key][REF]))
    for key, base_key, traced_key, label, unit in (
        ("fake_trace_cost", "fake_plain", "fake_traced", "in-process", "µs"),
        ("trace_cost", "http_plain", "traced", "HTTP", "ms"),
    ):
        if traced_key not in rows:
            continue
        for suffix, source, what in (("", values, "wall"), ("_cpu", cpu, "process CPU")):
            cost = {
                side: [on - off for on, off in zip(source[traced_key][side],
                                                     source[base_key][side])]
                for side in (LITE, REF)
            }
            rows[key + suffix] = Row(
                "7.", f"tracing cost per {label} run, {what} (on - off, same round)", unit,
                Stats.of(cost[LITE]), Stats.of(cost[REF]),
            )

    threads: dict[str, Any] = {}
    for side in (LITE, REF):
        singles, multis = threads_raw[side]["single"], threads_raw[side]["multi"]
        single_tp = Stats.of([r["ok_runs_per_s"] for r in singles])
        multi_tp = Stats.of([r["ok_runs_per_s"] for r in multis])
        errors = sum(r["errors"] for r in multis) + sum(r["errors"] for r in singles)
        kinds: dict[str, int] = {}
        for result in singles + multis:
            for kind, count in result["error_kinds"].items():
                kinds[kind] = kinds.get(kind, 0) + count
        threads[side] = {
            "single": single_tp, "multi": multi_tp,
            "wall": Stats.of([r["wall_s"] for r in multis]),
            "errors": errors, "runs": sum(r["runs"] for r in singles + multis),
            "error_kinds": kinds,
            "first_error": next((r["first_error"] for r in multis + singles
                                 if r["first_error"]), None),
            "speedup": multi_tp.median / single_tp.median if single_tp.median else 0.0,
        }
    lt, rt = threads[LITE], threads[REF]
    rows["threads_wall"] = Row("5.", f"{THREADS} threads x {RUNS_EACH} runs, 20 ms latency: "
                               "wall", "s", lt["wall"], rt["wall"])
    rows["threads_tp"] = Row("5.", f"{THREADS} threads: successful runs per second", "runs/s",
                             lt["multi"], rt["multi"], higher_is_better=True)
    rows["single_tp"] = Row("5.", f"1 thread x {RUNS_EACH} runs: runs per second", "runs/s",
                            lt["single"], rt["single"], higher_is_better=True)
    rows["threads_err"] = Row("5.", f"errors (all rounds, {lt['runs']} runs per side)", "errors",
                              Stats.of([lt["errors"]]), Stats.of([rt["errors"]]))

    order = ["import", "import_dev", "import_wall", "import_wall_dev", "rss", "bare_rss",
             "modules", "bare", "job", "job_dev",
             "fake_plain", "fake_tool", "fake_streamed", "floor", "floor_sse", "http_plain",
             "http_tool", "http_streamed", "http_plain_cpu", "http_tool_cpu", "http_streamed_cpu",
             "floor_first", "http_first", "threads_wall", "threads_tp", "single_tp",
             "threads_err", "session", "fake_traced", "fake_trace_cost", "fake_trace_cost_cpu",
             "traced", "trace_cost", "trace_cost_cpu"]
    table = render_table([rows[key] for key in order if key in rows])
    targets = target_lines(rows, threads)
    elapsed = time.perf_counter() - started

    header = [
        f"Machine: {machine_description()}.",
        f"agents_lite {versions[LITE]['version']} (commit {_git_commit()}); reference "
        f"{REFERENCE_PACKAGE} {versions[REF]['version']} (openai {versions[REF]['openai']}); "
        f"Python {versions[LITE]['python']}.",
        f"{rounds} A/B rounds of per-run batches (~{batch_seconds}s each), {processes} fresh "
        f"processes per side, {thread_rounds_n} thread round(s); took {elapsed:.0f} s.",
    ]
    print("\n".join(header))
    print()
    print(table)
    print()
    print(f"Thread errors of the reference: {rt['error_kinds'] or 'none'}"
          + (f"; first: {rt['first_error']}" if rt["first_error"] else ""))
    print(f"Trace items received by the local ingest: {per_run['trace_items_exported']}")
    for key, why in per_run["skipped"].items():
        print(f"Left out {key}: {why}")
    print()
    print("Targets:")
    print("\n".join(targets))

    stamp = time.strftime("%Y%m%d-%H%M%S")
    data = {
        "machine": machine_description(), "header": header, "versions": versions,
        "commit": _git_commit(), "elapsed_s": elapsed,
        "settings": {"rounds": rounds, "processes": processes, "batch_seconds": batch_seconds,
                     "thread_rounds": thread_rounds_n, "threads_latency_s": THREADS_LATENCY},
        "rows": {key: row.to_json() for key, row in rows.items()},
        "fresh_processes": fresh, "per_run": per_run,
        "threads": {side: {k: (v.to_json() if isinstance(v, Stats) else v)
                           for k, v in info.items()} for side, info in threads.items()},
        "threads_raw": threads_raw, "targets": targets, "table": table,
    }
    for name in (f"compare-{stamp}.json", "compare-latest.json"):
        (RESULTS_DIR / name).write_text(json.dumps(data, indent=1), encoding="utf-8")
    log(f"wrote {RESULTS_DIR.relative_to(ROOT)}/compare-{stamp}.json")
    shutil.rmtree(LOG_DIR, ignore_errors=True)  # kept only when a run fails


if __name__ == "__main__":
    main()
