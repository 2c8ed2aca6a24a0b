"""Record the examples' cassettes against scripted local servers (no OpenAI key needed).

    python examples/_record_cassettes.py                  # every example that has a script
    python examples/_record_cassettes.py basic/hello_world.py memory
    python examples/_record_cassettes.py --check basic     # re-record in a temporary copy and
                                                          # compare with the shipped cassettes

For each `Recording` listed in a folder's `_cassette_scripts.py` (`RECORDINGS = [...]`), this
starts a `LocalOpenAIServer` whose responder plays the model (see `_scripting.py`), runs the
example in record mode against it (`AGENTS_LITE_CASSETTE=record`, a dummy key, `OPENAI_BASE_URL`
pointing at the server, the network blocked), so the cassette holds the real requests and
responses of agents_lite's own HTTP stack. Then it makes the files reproducible (fixed
timestamps, no port numbers), notes in each cassette's metadata that it was recorded against a
scripted local server and not the OpenAI API, and replays the example offline to check it.

Recorded with a real key instead (`AGENTS_LITE_CASSETTE=record OPENAI_API_KEY=sk-...
python examples/basic/hello_world.py`), a cassette holds real OpenAI traffic.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _scripting import Recording, responder  # noqa: E402

from agents_lite.testing import LocalOpenAIServer  # noqa: E402
from agents_lite.testing.cassettes import match_key  # noqa: E402
from agents_lite.testing.example_support import network_guard_env  # noqa: E402

DUMMY_KEY = "sk-recording-against-a-local-server"
FIXED_TIME = 1767225600  # 2026-01-01T00:00:00Z: recorded timestamps are fixed for stable files
_TIMESTAMP = re.compile(r'"(created_at|created)":\s*\d+')


def load_recordings() -> list[tuple[str, Recording]]:
    """Every (folder, Recording) declared in examples/*/_cassette_scripts.py."""
    found: list[tuple[str, Recording]] = []
    for path in sorted(glob.glob(os.path.join(HERE, "*", "_cassette_scripts.py"))):
        folder = os.path.dirname(path)
        name = "cassette_scripts_" + os.path.basename(folder)
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for recording in getattr(module, "RECORDINGS", []):
            found.append((folder, recording))
    return found


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (FIXED_TIME if k in ("created_at", "created") and isinstance(v, int)
                    else _normalise(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def finish_cassette(path: str, folder: str, concurrent: bool = False) -> None:
    """Fix timestamps, drop the port, and say where the recording came from; with `concurrent`,
    put the interactions in a reproducible order."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if concurrent:
        data["interactions"].sort(key=lambda i: match_key(
            i["request"]["method"], i["request"]["path"], i["request"].get("body")))
    for interaction in data.get("interactions", []):
        response = interaction["response"]
        if "body" in response:
            response["body"] = _normalise(response["body"])
        if "stream" in response:
            response["stream"] = [_TIMESTAMP.sub(lambda m: f'"{m.group(1)}":{FIXED_TIME}', frame)
                                  for frame in response["stream"]]
    data["base_url"] = "http://127.0.0.1/v1"
    data["recorded_against"] = (
        "a scripted local server (agents_lite.testing.LocalOpenAIServer answering with the "
        f"responder in examples/{os.path.basename(folder)}/_cassette_scripts.py), not the "
        "OpenAI API; timestamps fixed for reproducible files"
    )
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, ensure_ascii=False)
        handle.write("\n")


def record(folder: str, recording: Recording, guard_dir: str, check: bool = False) -> bool:
    """Record one example, then replay it offline. Returns whether both worked. With `check`,
    record in a temporary copy of the folder and compare with the shipped cassettes instead."""
    if check:
        with tempfile.TemporaryDirectory() as scratch:
            copy = os.path.join(scratch, os.path.basename(folder))
            shutil.copytree(folder, copy)
            shipped = {os.path.basename(p): p for p in glob.glob(os.path.join(folder, "*.cassette.json"))}
            if not record(copy, recording, guard_dir):
                return False
            label = os.path.relpath(os.path.join(folder, recording.script), HERE)
            stem = os.path.splitext(recording.script)[0]
            for path in sorted(glob.glob(os.path.join(copy, stem + ".*cassette.json"))
                               + glob.glob(os.path.join(copy, stem + ".cassette.json"))):
                name = os.path.basename(path)
                with open(path, encoding="utf-8") as fresh:
                    fresh_text = fresh.read()
                if name not in shipped:
                    print(f"DIFF {label}: {name} is not shipped")
                    return False
                with open(shipped[name], encoding="utf-8") as old:
                    if old.read() != fresh_text:
                        print(f"DIFF {label}: {name} differs from a fresh recording")
                        return False
            print(f"same {label}")
            return True
    script = os.path.join(folder, recording.script)
    label = os.path.relpath(script, os.path.dirname(folder))
    before = {p: os.path.getmtime(p) for p in glob.glob(os.path.join(folder, "*.cassette.json"))}
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AGENTS_LITE_"))}
    env = network_guard_env(guard_dir, base)
    with LocalOpenAIServer() as server:
        server.set_responder(responder(recording.model))
        env.update(OPENAI_API_KEY=DUMMY_KEY, OPENAI_BASE_URL=server.base_url,
                   AGENTS_LITE_CASSETTE="record", OPENAI_AGENTS_DISABLE_TRACING="1",
                   **recording.env)
        started = time.time()
        run = subprocess.run([sys.executable, script, *recording.args], cwd=folder, env=env,
                             input=recording.stdin, capture_output=True, text=True, timeout=300)
        if server.errors:
            print(f"FAIL {label}: the scripted model raised {server.errors[0]!r}")
            return False
    if run.returncode != 0:
        print(f"FAIL {label}: recording exited with {run.returncode}\n{run.stdout}\n{run.stderr}")
        return False
    written = [p for p in glob.glob(os.path.join(folder, "*.cassette.json"))
               if before.get(p) != os.path.getmtime(p) and os.path.getmtime(p) >= started - 1]
    for path in written:
        finish_cassette(path, folder, recording.concurrent)
    offline = {k: v for k, v in env.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL",
                                                         "AGENTS_LITE_CASSETTE")}
    replayed = subprocess.run([sys.executable, script, *recording.args], cwd=folder, env=offline,
                              input=recording.stdin, capture_output=True, text=True, timeout=300)
    names = ", ".join(os.path.basename(p) for p in written) or "no cassette"
    if replayed.returncode != 0:
        print(f"FAIL {label}: replay exited with {replayed.returncode}\n{replayed.stdout}\n"
              f"{replayed.stderr}")
        return False
    print(f"ok   {label} -> {names}")
    return True


def main(argv: list[str]) -> int:
    check = "--check" in argv
    argv = [a for a in argv if a != "--check"]
    selected = load_recordings()
    if argv:
        wanted = [a.rstrip("/") for a in argv]
        selected = [
            (folder, rec) for folder, rec in selected
            if any(os.path.relpath(os.path.join(folder, rec.script), HERE).startswith(w)
                   for w in wanted)
        ]
    if not selected:
        print("nothing to record")
        return 1
    failures = 0
    with tempfile.TemporaryDirectory() as guard_dir:
        for folder, recording in selected:
            failures += not record(folder, recording, guard_dir, check)
    print(f"{len(selected) - failures} {'checked' if check else 'recorded'}, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
