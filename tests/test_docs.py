"""Every ```python block of docs/*.md and README.md runs, offline, so the docs cannot rot.

The blocks of one page run in order in one namespace (like a notebook: a later block may use what
an earlier one defined), in a subprocess per page with the network guard on. In that process a
`LocalOpenAIServer` answers model requests: `OPENAI_BASE_URL` points at it and `OPENAI_API_KEY` is
a dummy. Its default reply echoes the last user message; a request for structured output gets a
small value that fits the requested JSON schema.

HTML comments right before a block (blank lines allowed) adjust how it runs:

    <!-- docs-test: skip -->                  an illustrative fragment, not run (keep these rare)
    <!-- docs-test: replies [...] -->         model replies for this block, in order, as JSON: a
                                              string (a text message), {"json": value} (a text
                                              message holding that JSON), {"call": name,
                                              "arguments": {...}} (a function call), or a list of
                                              those (one reply with several output items);
                                              every reply must be used by the block
    <!-- docs-test: expect TEXT -->           the block's output must contain TEXT
    <!-- docs-test: setup                      hidden code run before the block (e.g. to make a
    code                                       fragment runnable), in the same namespace
    -->
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import traceback
import types
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_DIRECTIVE = re.compile(r"<!--\s*docs-test:\s*(\w[\w-]*)(.*?)-->", re.DOTALL)
_TRAILING_COMMENTS = re.compile(r"(?:<!--(?:(?!-->).)*-->\s*)+\Z", re.DOTALL)
_KNOWN = {"skip", "replies", "expect", "setup"}


@dataclass
class Block:
    page: str
    line: int
    code: str
    skip: bool = False
    replies: list[Any] = field(default_factory=list)
    expects: list[str] = field(default_factory=list)
    setup: str = ""


def _page_id(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:  # pages made up by the tests below
        return path.name


def parse_page(path: Path) -> list[Block]:
    """The python blocks of a Markdown page, with the directives written before each."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()]
        line = before.count("\n") + 2  # the first line of code
        block = Block(page=_page_id(path), line=line, code=match.group(1))
        trailing = _TRAILING_COMMENTS.search(before.rstrip() + "\n")
        for directive in _DIRECTIVE.finditer(trailing.group(0) if trailing else ""):
            name, argument = directive.group(1), directive.group(2).strip()
            where = f"{block.page}:{line}"
            if name not in _KNOWN:
                raise ValueError(f"{where}: unknown directive docs-test: {name}")
            if name == "skip":
                block.skip = True
            elif name == "replies":
                replies = json.loads(argument)
                if not isinstance(replies, list):
                    raise ValueError(f"{where}: docs-test: replies takes a JSON list")
                block.replies.extend(replies)
            elif name == "expect":
                block.expects.append(argument)
            else:
                block.setup += argument + "\n"
        blocks.append(block)
    return blocks


def pages() -> list[Path]:
    found = sorted((ROOT / "docs").glob("*.md"))
    readme = ROOT / "README.md"
    return found + ([readme] if readme.exists() else [])


# --- the test ----------------------------------------------------------------------------------


def test_pages_are_found() -> None:
    names = {path.name for path in pages()}
    assert {"README.md", "index.md", "quickstart.md", "agents.md"} <= names


_LINK = re.compile(r"\]\(([^)#\s]+\.md)(#[^)]*)?\)")


def test_index_links_every_page() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    linked = set(_LINK.findall(index) and [m[0] for m in _LINK.findall(index)])
    missing = [p.name for p in sorted((ROOT / "docs").glob("*.md"))
               if p.name != "index.md" and p.name not in linked]
    assert not missing, f"docs/index.md does not link {missing}"


def test_links_between_pages_resolve() -> None:
    broken = []
    for page in pages():
        for target, _ in _LINK.findall(page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            if not (page.parent / target).exists():
                broken.append(f"{_page_id(page)} -> {target}")
    assert not broken, "links to missing pages:\n" + "\n".join(broken)


def _run_page(path: Path, tmp_path: Path) -> None:
    from agents_lite.testing.example_support import network_guard_env

    blocks = parse_page(path)
    if not blocks:
        return  # prose only: nothing to run
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps([asdict(block) for block in blocks]), encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AGENTS_LITE_"))}
    env = network_guard_env(str(tmp_path / "guard"), base)
    work = tmp_path / "work"
    work.mkdir()
    run = subprocess.run(
        [sys.executable, __file__, "--run-plan", str(plan)],
        cwd=work, env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, (
        f"{_page_id(path)}: a block failed\n--- output ---\n{run.stdout}\n--- stderr ---\n"
        f"{run.stderr}"
    )


def pytest_generate_tests(metafunc: Any) -> None:
    if "page" in metafunc.fixturenames:
        metafunc.parametrize("page", pages(), ids=_page_id)


def test_page_blocks_run(page: Path, tmp_path: Path) -> None:
    _run_page(page, tmp_path)


def test_directives_are_parsed(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Text\n\n<!-- docs-test: skip -->\n```python\nraise SystemExit(1)\n```\n\n"
        "<!-- docs-test: replies [\"hi\", {\"call\": \"f\", \"arguments\": {}}] -->\n"
        "<!-- docs-test: expect hello -->\n<!-- docs-test: setup\nx = 1\n-->\n\n"
        "```python\nprint('hello')\n```\n"
    )
    first, second = parse_page(page)
    assert first.skip and not second.skip
    assert second.replies == ["hi", {"call": "f", "arguments": {}}]
    assert second.expects == ["hello"] and second.setup.strip() == "x = 1"
    assert second.code == "print('hello')\n" and second.line == 15


def test_a_failing_block_fails_the_page(tmp_path: Path) -> None:
    # The runner must report a broken block (and unused scripted replies) as a failure.
    import pytest

    bad = tmp_path / "docs_bad.md"
    bad.write_text("```python\nraise ValueError('boom')\n```\n")
    unused = tmp_path / "docs_unused.md"
    unused.write_text('<!-- docs-test: replies ["never asked"] -->\n```python\nx = 1\n```\n')
    for page, message in ((bad, "ValueError: boom"), (unused, "never used")):
        (tmp_path / page.stem).mkdir()
        with pytest.raises(AssertionError, match=message):
            _run_page(page, tmp_path / page.stem)


def test_blocks_talk_to_the_local_server_only(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- docs-test: expect Hello there -->\n"
        "<!-- docs-test: expect 127.0.0.1 -->\n"
        "```python\nimport os\nfrom agents_lite import Agent, Runner\n"
        "print(Runner.run_sync(Agent(name='a'), 'Hello there').final_output)\n"
        "print(os.environ['OPENAI_BASE_URL'])\n```\n"
        "<!-- docs-test: expect blocked -->\n"
        "```python\nimport socket\ntry:\n    socket.create_connection(('example.com', 80))\n"
        "except RuntimeError:\n    print('blocked')\n```\n"
    )
    (tmp_path / "run").mkdir()
    _run_page(page, tmp_path / "run")


# --- the runner (in the subprocess) -----------------------------------------------------------


def _example_value(schema: Any, defs: dict[str, Any]) -> Any:
    """A small value that fits a JSON schema (enough for structured-output snippets)."""
    if not isinstance(schema, dict):
        return None
    if "$ref" in schema:
        return _example_value(defs.get(schema["$ref"].rsplit("/", 1)[-1], {}), defs)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _example_value(options[0], defs)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        return {name: _example_value(sub, defs)
                for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        if isinstance(schema.get("prefixItems"), list):
            return [_example_value(s, defs) for s in schema["prefixItems"]]
        return [_example_value(schema.get("items", {"type": "string"}), defs)]
    return {"string": "example", "integer": 1, "number": 1.5, "boolean": True,
            "null": None}.get(kind, "example")


def _schema_responder(request: Any) -> Any:
    body = request.body if isinstance(request.body, dict) else {}
    fmt = (body.get("text") or {}).get("format") or {}
    schema = fmt.get("schema") if fmt.get("type") == "json_schema" else None
    if schema is None:
        response_format = body.get("response_format") or {}
        schema = (response_format.get("json_schema") or {}).get("schema")
    if schema is None:
        return None  # the default reply: an echo of the last user message
    return json.dumps(_example_value(schema, schema.get("$defs", {})))


def _scripted(reply: Any) -> Any:
    from agents_lite.testing.scripted import function_call, text_message

    if isinstance(reply, str):
        return reply
    if isinstance(reply, dict) and "json" in reply:
        return [text_message(json.dumps(reply["json"]))]
    if isinstance(reply, dict) and "call" in reply:
        return [function_call(reply["call"], reply.get("arguments") or {})]
    if isinstance(reply, list):
        items: list[Any] = []
        for part in reply:
            converted = _scripted(part)
            items.extend([text_message(converted)] if isinstance(converted, str) else converted)
        return items
    raise ValueError(f"docs-test: cannot script the reply {reply!r}")


def run_plan(plan_path: str) -> int:
    """Run a page's blocks (from the JSON plan) against a local server; 0 when all pass."""
    from agents_lite.testing import LocalOpenAIServer

    blocks = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    server = LocalOpenAIServer().start()
    server.set_responder(_schema_responder)
    os.environ["OPENAI_BASE_URL"] = server.base_url
    os.environ["OPENAI_API_KEY"] = "sk-docs-test-not-a-real-key"
    # The blocks run in a fresh `__main__` module, as a script would: classes they define look
    # their annotations up there.
    main_module = types.ModuleType("__main__")
    sys.modules["__main__"] = main_module
    namespace = main_module.__dict__
    # As if each page were a script in the working directory (a temporary one).
    namespace["__file__"] = os.path.join(os.getcwd(), "docs_page.py")
    failures = 0
    for block in blocks:
        where = f"{block['page']}:{block['line']}"
        if block["skip"]:
            print(f"skipped {where}")
            continue
        for reply in block["replies"]:
            server.add_response(_scripted(reply))
        output = io.StringIO()
        try:
            with contextlib.redirect_stdout(output):
                if block["setup"]:
                    exec(compile(block["setup"], f"{where} (setup)", "exec", dont_inherit=True),
                         namespace)
                code = "\n" * (block["line"] - 1) + block["code"]  # tracebacks show page lines
                exec(compile(code, block["page"], "exec", dont_inherit=True), namespace)
            missing = [text for text in block["expects"] if text not in output.getvalue()]
            if missing:
                raise AssertionError(f"the output lacks {missing}")
            if server.pending:
                raise AssertionError(f"{server.pending} scripted replies were never used")
        except BaseException as exc:  # SystemExit too: a block must not end the page
            failures += 1
            print(f"FAILED {where}\n{output.getvalue()}")
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stdout)
            server.clear()
        else:
            print(f"ok {where}\n{output.getvalue()}")
        if server.errors:
            failures += 1
            print(f"FAILED {where}: the local server's responder raised {server.errors!r}")
            server.clear()
    server.stop()
    return 1 if failures else 0


if __name__ == "__main__" and sys.argv[1:2] == ["--run-plan"]:
    sys.exit(run_plan(sys.argv[2]))
