"""`agents-lite port`: scripts written for the reference SDK, ported and run offline.

tests/porting_samples/*.py are reference-style scripts written for these tests; their ported
text is in tests/porting_samples/expected/. A few ported scripts are run against a local
OpenAI-compatible server and must print what the original would.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from agents_lite import UserError
from agents_lite.porting import port_file, port_source, run
from agents_lite.testing.scripted import function_call
from agents_lite.testing.server import LocalOpenAIServer

SAMPLES = Path(__file__).parent / "porting_samples"
SAMPLE_NAMES = sorted(p.stem for p in SAMPLES.glob("*.py"))


def test_there_are_enough_samples():
    assert len(SAMPLE_NAMES) >= 8
    assert sorted(p.stem for p in (SAMPLES / "expected").glob("*.py")) == SAMPLE_NAMES


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_ports_to_the_expected_text(name):
    result = port_file(str(SAMPLES / f"{name}.py"))
    expected = (SAMPLES / "expected" / f"{name}.py").read_text()
    assert result.ported == expected
    compile(result.ported, f"{name}.py", "exec")  # plain Python: no top-level await left
    assert "from agents import" not in result.ported
    # Porting the ported text again changes nothing.
    again = port_source(result.ported, f"{name}.py")
    assert again.ported == result.ported and not again.changes


def _issues(name: str) -> list[tuple[int, str]]:
    return [(i.line, i.message) for i in port_file(str(SAMPLES / f"{name}.py")).issues]


def test_what_cannot_be_converted_is_listed_with_line_numbers():
    issues = _issues("parallel_runs")
    lines = [line for line, _ in issues]
    assert lines == [13, 14, 24, 30, 31, 33, 34, 35, 35]
    text = dict(issues)
    assert "ThreadPoolExecutor" in text[24] and "asyncio.gather" in text[24]
    assert text[13].startswith("cannot convert `async with httpx.AsyncClient()`")
    assert "`async def fetch_page` stays async" in text[14]
    assert "summarize stays async (called without await at line 32)" in text[31]
    assert "an async comprehension" in issues[-1][1]
    # The untouched parts still await what is awaitable: Runner.run stays a coroutine.
    ported = port_file(str(SAMPLES / "parallel_runs.py")).ported
    assert "result = await Runner.run(agent" in ported
    assert "asyncio.run(main())" in ported


def test_names_and_modules_agents_lite_lacks_are_listed():
    issues = _issues("imports_and_modules")
    assert (7, "agents_lite has no NotARealAgentsName (imported from agents)") in issues
    assert any(line == 15 and "from openai import" in message for line, message in issues)
    assert not any("ToolContext" in message or "draw_graph" in message for _, message in issues)
    assert _issues("helpers_chain") == [(
        49, "cannot convert `await store.save('done')`: save stays async (called on store at "
            "line 49); `async def main` stays async")]
    for name in ("hello_world", "tools_async", "stream_text", "stream_function_args",
                 "guardrails_hooks",
                 "session_and_approval", "mcp_filesystem", "notebook_cell"):
        assert _issues(name) == [], name


def test_changes_are_reported_per_line():
    result = port_file(str(SAMPLES / "hello_world.py"))
    described = {(c.line, c.description) for c in result.changes}
    assert (15, "await Runner.run(...) -> Runner.run_sync(...)") in described
    assert (20, "asyncio.run(main()) -> main()") in described
    assert (3, "removed `import asyncio` (no longer used)") in described
    assert any(line == 8 and text.startswith("async def main -> def") for line, text in described)


@pytest.mark.parametrize("source, expected", [
    # a coroutine that only awaits what becomes synchronous
    ("from agents import Runner\nasync def f(a):\n    return await  Runner.run(a, 'x')\n",
     "from agents_lite import Runner\ndef f(a):\n    return Runner.run_sync(a, 'x')\n"),
    # Runner not from the reference package: untouched
    ("async def f(Runner, a):\n    return await Runner.run(a)\n",
     "async def f(Runner, a):\n    return await Runner.run(a)\n"),
    # parenthesised await and comments inside the call
    ("import agents\nasync def f(a):\n    r = (await agents.Runner.run(  # go\n        a, 'x'))\n",
     "import agents_lite as agents\ndef f(a):\n    r = (agents.Runner.run_sync(  # go\n        a, 'x'))\n"),
    # aliased package
    ("import agents as ag\nasync def f(a):\n    return await ag.Runner.run(a, 'x')\n",
     "import agents_lite as ag\ndef f(a):\n    return ag.Runner.run_sync(a, 'x')\n"),
    # asyncio.run of a run
    ("import asyncio\nfrom agents import Runner, Agent\n"
     "print(asyncio.run(Runner.run(Agent(name='a'), 'hi')).final_output)\n",
     "from agents_lite import Runner, Agent\n"
     "print(Runner.run_sync(Agent(name='a'), 'hi').final_output)\n"),
    # asyncio still used elsewhere: the import stays, time is added in order
    ("import asyncio\nimport sys\nfrom agents import function_tool\n@function_tool\n"
     "async def t() -> str:\n    await asyncio.sleep(1)\n    return 'x'\nq = asyncio.Queue()\n",
     "import asyncio\nimport sys\nimport time\nfrom agents_lite import function_tool\n"
     "@function_tool\ndef t() -> str:\n    time.sleep(1)\n    return 'x'\nq = asyncio.Queue()\n"),
    # a coroutine function handed to another library stays a coroutine
    ("import asyncio\nasync def job():\n    return 1\nloop_thing(job)\n",
     "import asyncio\nasync def job():\n    return 1\nloop_thing(job)\n"),
    # ... but handed to the SDK it becomes a plain function
    ("from agents import Agent\nasync def instr(ctx, agent):\n    return 'hi'\n"
     "a = Agent(name='x', instructions=instr)\n",
     "from agents_lite import Agent\ndef instr(ctx, agent):\n    return 'hi'\n"
     "a = Agent(name='x', instructions=instr)\n"),
    # sessions bound to parameters by annotation; RedisSession.from_url is a constructor
    ("from agents.extensions.memory import RedisSession\n"
     "async def f(url):\n    s = RedisSession.from_url('u', url=url)\n    await s.close()\n",
     "from agents_lite.extensions.memory import RedisSession\n"
     "def f(url):\n    s = RedisSession.from_url('u', url=url)\n    s.close()\n"),
    # aliases and star imports
    ("from agents import Runner as R, SQLiteSession as S\nasync def f(a):\n"
     "    s = S('x')\n    await s.add_items([])\n    return await R.run(a, 'x')\n",
     "from agents_lite import Runner as R, SQLiteSession as S\ndef f(a):\n"
     "    s = S('x')\n    s.add_items([])\n    return R.run_sync(a, 'x')\n"),
    ("from agents import *\nasync def f(a):\n    async with MCPServerSse(params={}) as m:\n"
     "        return await Runner.run(a, 'x')\n",
     "from agents_lite import *\ndef f(a):\n    with MCPServerSse(params={}) as m:\n"
     "        return Runner.run_sync(a, 'x')\n"),
    # non-ASCII text before the edits on the same line
    ("from agents import Runner\nasync def f(a):\n    x = 'héllo ✓'; return await Runner.run(a, x)\n",
     "from agents_lite import Runner\ndef f(a):\n    x = 'héllo ✓'; return Runner.run_sync(a, x)\n"),
])
def test_small_cases(source, expected):
    result = port_source(source)
    assert result.ported == expected


def test_dict_access_inside_f_strings_uses_the_other_quote():
    source = ("from agents import Runner\nasync def f(a):\n"
              "    async for e in Runner.run_streamed(a, 'x').stream_events():\n"
              "        print(f\"{e.data.type}\", f'{e.data.delta}', f\"\"\"{e.data.item.id}\"\"\")\n")
    ported = port_source(source).ported
    assert ported.splitlines()[-1] == (
        "        print(f\"{e.data['type']}\", f'{e.data[\"delta\"]}', "
        "f\"\"\"{e.data['item']['id']}\"\"\")")
    compile(ported, "x.py", "exec")


def test_field_access_that_cannot_be_rewritten_is_listed_not_broken():
    # Nested f-strings using both quotes leave no quote for a subscript (before Python 3.12).
    source = ("from agents import Runner\nasync def f(a):\n"
              "    async for e in Runner.run_streamed(a, 'x').stream_events():\n"
              "        print(f\"{f'{e.data.delta}'}\")\n")
    result = port_source(source)
    compile(result.ported, "x.py", "exec")
    assert "for e in Runner.run_streamed" in result.ported and "async" not in result.ported
    if sys.version_info >= (3, 12):  # f-strings may reuse their quote: the subscript fits
        assert """e.data["delta"]""" in result.ported and not result.issues
        return
    assert "e.data.delta" in result.ported
    assert [i.line for i in result.issues] == [4]
    assert "by hand" in result.issues[0].message


def test_an_unparsable_file_is_an_error():
    with pytest.raises(UserError, match=r"broken.py:2: cannot parse"):
        port_source("x = 1\ndef (:\n", "broken.py")


def test_write_in_place_and_cli(tmp_path):
    script = tmp_path / "hello.py"
    original = (SAMPLES / "hello_world.py").read_text()
    script.write_text(original)
    before_mode = script.stat().st_mode
    out, err = io.StringIO(), io.StringIO()
    assert run(Namespace(files=[str(tmp_path)], write=False, diff=False), out, err) == 0
    assert script.read_text() == original  # a diff only
    assert out.getvalue().startswith(f"--- a/{script}\n+++ b/{script}\n")
    assert "+    result = Runner.run_sync(agent" in out.getvalue()
    out, err = io.StringIO(), io.StringIO()
    assert run(Namespace(files=[str(script)], write=True, diff=False), out, err) == 0
    assert out.getvalue() == ""
    assert script.read_text() == (SAMPLES / "expected" / "hello_world.py").read_text()
    assert script.stat().st_mode == before_mode
    assert "ported" in err.getvalue() and not list(tmp_path.glob("*.tmp"))
    # A file that cannot be read or parsed: reported, the others still ported, status 1.
    broken = tmp_path / "broken.py"
    broken.write_text("def (:\n")
    out, err = io.StringIO(), io.StringIO()
    status = run(Namespace(files=[str(broken), str(tmp_path / "missing.py")], write=False,
                           diff=False), out, err)
    assert status == 1 and "cannot parse" in err.getvalue() and "missing.py" in err.getvalue()


def test_console_command(tmp_path):
    script = tmp_path / "par.py"
    script.write_text((SAMPLES / "parallel_runs.py").read_text())
    done = subprocess.run([sys.executable, "-m", "agents_lite", "port", str(script)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "-from agents import Agent, Runner\n+from agents_lite import Agent, Runner" in done.stdout
    assert f"{script}:24: cannot convert `await asyncio.gather(" in done.stderr
    done = subprocess.run([sys.executable, "-m", "agents_lite", "port", "--write", "--diff",
                           str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("---")
    assert "from agents_lite import" in script.read_text()


# --- ported scripts run offline ------------------------------------------------------------


def _run_ported(name: str, tmp_path: Path, server: LocalOpenAIServer) -> str:
    ported = port_file(str(SAMPLES / f"{name}.py")).ported
    path = tmp_path / f"{name}.py"
    path.write_text(ported)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-test",
               OPENAI_AGENTS_DISABLE_TRACING="1")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_ported_hello_world_runs(tmp_path):
    with LocalOpenAIServer() as server:
        server.add_response("Calls within calls / ...")
        out = _run_ported("hello_world", tmp_path, server)
        assert out == "Calls within calls / ...\n"
        body = server.requests_to("/v1/responses")[0].body
        assert body["instructions"] == "You answer in haiku only."
        assert body["input"] == [{"role": "user", "content": "Tell me about recursion."}]


def test_ported_async_tools_run(tmp_path):
    with LocalOpenAIServer() as server:
        server.add_responses(
            [function_call("lookup_station", {"city": "Oslo"}, call_id="c1")],
            [function_call("read_station", {"station": "OSLO-01"}, call_id="c2")],
            "It is 21 degrees in Oslo.",
        )
        out = _run_ported("tools_async", tmp_path, server)
        assert out == "It is 21 degrees in Oslo.\ntools used: 2\n"
        last = server.requests_to("/v1/responses")[-1].body["input"]
        outputs = {i["call_id"]: i["output"] for i in last if i.get("type") == "function_call_output"}
        assert outputs == {"c1": "OSLO-01", "c2": '{"station": "OSLO-01", "celsius": 21}'}


def test_ported_streaming_runs(tmp_path):
    with LocalOpenAIServer() as server:
        server.add_response("Why did the compiler quit? Too many errors.")
        out = _run_ported("stream_text", tmp_path, server)
        assert out == ("Why did the compiler quit? Too many errors.\n"
                       "message: Why did the compiler quit? Too many errors.\n")
        assert server.requests_to("/v1/responses")[0].body["stream"] is True


def test_ported_guardrails_and_hooks_run(tmp_path):
    with LocalOpenAIServer() as server:
        server.add_response("A monad wraps values.")
        out = _run_ported("guardrails_hooks", tmp_path, server)
        assert out == ("#1 start Helper\n#2 end Helper: A monad wraps values.\n"
                       "final: A monad wraps values.\nguardrail: {'flagged': False}\n")
        body = server.requests_to("/v1/responses")[0].body
        assert body["instructions"] == "You help Ada. Be brief."


def test_ported_session_and_approval_run(tmp_path):
    with LocalOpenAIServer() as server:
        server.add_responses(
            [function_call("delete_file", {"path": "old.log"}, call_id="d1")],
            "Removed old.log.",
        )
        out = _run_ported("session_and_approval", tmp_path, server)
        assert out == ("needs approval: delete_file\nfinal: Removed old.log.\n"
                       "stored items: 4\npopped: message\nafter clear: 0\n")
        second = server.requests_to("/v1/responses")[1].body["input"]
        assert {"type": "function_call_output", "call_id": "d1",
                "output": "deleted old.log"}.items() <= next(
            i for i in second if i.get("type") == "function_call_output").items()


def test_ported_stream_field_access_runs(tmp_path):
    with LocalOpenAIServer() as server:
        server.add_responses(
            [function_call("save_note", {"title": "meeting", "body": "at 3pm"}, call_id="n1")],
            "Saved your note.",
        )
        out = _run_ported("stream_function_args", tmp_path, server)
        assert out == (
            "call started: save_note\n"
            'call finished at index 0: {"title": "meeting", "body": "at 3pm"}\n'
            'tool: save_note {"title": "meeting", "body": "at 3pm"}\n'
            "answer: Saved your note.\n")


def test_partly_ported_script_still_runs(tmp_path):
    """helpers_chain keeps `async def main` (it awaits a coroutine of its own class); the
    rest became synchronous and the script still works under agents_lite."""
    with LocalOpenAIServer() as server:
        server.add_responses("Tides follow the moon.", "Tides are long waves.")
        out = _run_ported("helpers_chain", tmp_path, server)
        assert out == ("[hooks] start Researcher\nTides follow the moon.\n"
                       "[hooks] start Researcher\nTides are long waves.\n")
