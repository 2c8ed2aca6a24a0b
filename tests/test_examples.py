"""Every example under examples/ runs offline and prints what it promises.

An example is a `*.py` file under examples/ with an `if __name__ == "__main__":` block (files and
folders starting with "_" are helpers). Each runs in its own subprocess with no OpenAI key, so it
replays the cassette beside it through a local server, and with the network guard on in that
process and any process it starts: nothing can reach the internet.

Examples declare what the test checks in header comments:

    # expect: <text>                    the output must contain <text> (one line per text; required)
    # example-test: stdin=<text>        fed to the example's stdin ("\\n" for newlines)
    # example-test: args=<a b c>        command-line arguments
    # example-test: requires=redis      a service it needs (fails instead of skipping under CI=true)
    # example-test: timeout=<seconds>   default 60

The first line an example prints must say that it runs offline (`setup_example` prints it).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from agents_lite.testing.example_support import network_guard_env

from conftest import redis_available, require

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
_MAIN_GUARD = re.compile(r"^if __name__ == [\"']__main__[\"']:", re.MULTILINE)
_EXPECT = re.compile(r"^# expect: (.+?)\s*$", re.MULTILINE)
_OPTION = re.compile(r"^# example-test: (\w+)=(.*?)\s*$", re.MULTILINE)
_KNOWN_OPTIONS = {"stdin", "args", "requires", "timeout"}
_REQUIREMENTS = {"redis": (redis_available, "a Redis server (REDIS_URL, default 127.0.0.1:6379)")}


@dataclass
class Example:
    path: Path
    expects: list[str]
    options: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.path.relative_to(EXAMPLES).as_posix()


def _is_helper(path: Path) -> bool:
    parts = path.relative_to(EXAMPLES).parts
    return any(part.startswith(("_", ".")) for part in parts)


def discover() -> list[Example]:
    """Every example script under examples/, with its header declarations."""
    found = []
    for path in sorted(EXAMPLES.rglob("*.py")):
        if _is_helper(path):
            continue
        source = path.read_text(encoding="utf-8")
        if not _MAIN_GUARD.search(source):
            continue  # a module the examples import, not a script
        found.append(Example(path, _EXPECT.findall(source), dict(_OPTION.findall(source))))
    return found


ALL_EXAMPLES = discover()


@pytest.fixture(scope="module")
def offline_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = {
        name: value for name, value in os.environ.items()
        if not name.startswith(("OPENAI_", "AGENTS_LITE_"))
    }
    base["PYTHONUNBUFFERED"] = "1"
    return network_guard_env(str(tmp_path_factory.mktemp("netguard")), base)


def test_examples_are_found() -> None:
    folders = {example.path.relative_to(EXAMPLES).parts[0] for example in ALL_EXAMPLES}
    assert {"basic", "agent_patterns", "handoffs", "memory", "model_providers",
            "customer_service", "research_bot", "financial_research"} <= folders
    assert len(ALL_EXAMPLES) >= 40


@pytest.mark.parametrize("example", ALL_EXAMPLES, ids=lambda e: e.id)
def test_example_runs_offline(example: Example, offline_env: dict[str, str]) -> None:
    assert example.expects, f"{example.id}: declare what it prints with '# expect: ...' lines"
    unknown = set(example.options) - _KNOWN_OPTIONS
    assert not unknown, f"{example.id}: unknown '# example-test:' options {sorted(unknown)}"
    for name in filter(None, example.options.get("requires", "").split(",")):
        check, description = _REQUIREMENTS[name.strip()]
        require(check(), f"{example.id} needs {description}")

    stdin = example.options.get("stdin")
    run = subprocess.run(
        [sys.executable, str(example.path), *shlex.split(example.options.get("args", ""))],
        cwd=example.path.parent,
        env=offline_env,
        input=stdin.replace("\\n", "\n") if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=float(example.options.get("timeout", 60)),
    )
    report = f"--- stdout ---\n{run.stdout}\n--- stderr ---\n{run.stderr}"
    assert run.returncode == 0, f"{example.id} exited with {run.returncode}\n{report}"
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert lines and lines[0].startswith("offline:"), (
        f"{example.id}: the first line must say it runs offline\n{report}")
    missing = [text for text in example.expects if text not in run.stdout]
    assert not missing, f"{example.id}: output lacks {missing}\n{report}"
    assert "NetworkBlockedError" not in run.stderr, report


def test_every_cassette_says_where_it_was_recorded() -> None:
    cassettes = sorted(EXAMPLES.rglob("*.cassette.json"))
    assert cassettes
    for path in cassettes:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data.get("agents_lite_cassette") == 1, path
        against = data.get("recorded_against") or data.get("base_url", "")
        assert "scripted local server" in against or "api.openai.com" in against, (
            f"{path}: the metadata must say what it was recorded against")
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"sk-[A-Za-z0-9_\-]{12,}", text), f"{path} holds something key-like"


def test_examples_run_with_the_network_blocked(offline_env: dict[str, str], tmp_path: Path) -> None:
    # The guard must be on in the example's process and in processes it starts.
    script = tmp_path / "reach_out.py"
    script.write_text(
        "import socket, subprocess, sys\n"
        "try:\n"
        "    socket.create_connection(('example.com', 443), timeout=5)\n"
        "except RuntimeError as exc:\n"
        "    print('blocked:', type(exc).__name__)\n"
        "if len(sys.argv) == 1:\n"
        "    subprocess.run([sys.executable, __file__, 'child'])\n"
    )
    run = subprocess.run([sys.executable, str(script)], env=offline_env, capture_output=True,
                         text=True, timeout=60)
    assert run.stdout.count("blocked: NetworkBlockedError") == 2, run.stdout + run.stderr


def test_cassettes_are_reproduced_by_their_scripted_models(offline_env: dict[str, str]) -> None:
    # Re-recording (in a temporary copy) gives the shipped files back, byte for byte: the
    # cassettes are what the scripted models and our own HTTP stack produce, nothing edited by
    # hand. A sample covers one call, threads (concurrent requests), streams and two processes.
    sample = ["basic/hello_world.py", "agent_patterns/parallelization.py",
              "agent_patterns/routing.py", "agent_patterns/human_in_the_loop_state_file.py",
              "memory/crash_resume_cron.py"]
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / "_record_cassettes.py"), "--check", *sample],
        env=offline_env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    same = [line for line in run.stdout.splitlines() if line.startswith("same ")]
    assert len(same) == len(sample), run.stdout


@pytest.mark.parametrize("changes, complaint", [
    # A different request: the local server answers 400 and names the difference.
    ([("Tell me about recursion in programming.", "Tell me about loops.")], "first difference"),
    # No request at all: the recorded answer is left over.
    ([("    result = Runner.run_sync(agent, ", "    print(agent.name, "),
      ("    print(result.final_output)\n", "")], "never requested"),
])
def test_a_replay_that_drifts_from_its_cassette_fails(
    changes: list[tuple[str, str]], complaint: str, offline_env: dict[str, str], tmp_path: Path
) -> None:
    source = (EXAMPLES / "basic" / "hello_world.py").read_text(encoding="utf-8")
    for old, new in changes:
        assert old in source
        source = source.replace(old, new)
    (tmp_path / "hello_world.py").write_text(source, encoding="utf-8")
    cassette = EXAMPLES / "basic" / "hello_world.cassette.json"
    (tmp_path / cassette.name).write_text(cassette.read_text(encoding="utf-8"), encoding="utf-8")
    run = subprocess.run([sys.executable, str(tmp_path / "hello_world.py")], env=offline_env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "cassette mismatch (hello_world.cassette.json)" in run.stderr
    assert complaint in run.stderr, run.stderr
