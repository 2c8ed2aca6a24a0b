"""Port a script written for the reference SDK (`openai-agents`, package `agents`) to agents_lite.

    agents-lite port my_script.py            # print a unified diff
    agents-lite port my_script.py --write    # rewrite the file in place

What changes (comments and formatting are kept: the syntax tree only finds what to change, and
the edits are made in the text):

- imports: `from agents import ...` -> `from agents_lite import ...` (submodules too), `import
  agents` -> `import agents_lite as agents`; names agents_lite lacks are listed;
- `await Runner.run(...)` -> `Runner.run_sync(...)` in code that becomes synchronous, and
  `asyncio.run(main())` -> `main()` once `main` needs no event loop;
- `async for event in result.stream_events():` -> `for event in ...`;
- `async def` functions (tools, guardrails, hooks, instructions, `main`, helpers) whose body
  awaits nothing that stays asynchronous -> `def`; awaits of them are dropped;
- awaits of what is synchronous here: `RunState.from_string/from_json`, session methods, MCP
  server methods (`connect`, `cleanup`, `list_tools`, ...), `async with MCPServerStdio(...)` ->
  `with`, voice pipelines and realtime sessions;
- `await asyncio.sleep(x)` -> `time.sleep(x)` in code that becomes synchronous;
- `isinstance(event.data, ResponseTextDeltaEvent)` -> `event.data["type"] ==
  "response.output_text.delta"` and `event.data.delta` -> `event.data["delta"]` (stream events
  carry plain dicts here); `item.raw_item.name` -> `item.raw_item["name"]`.

What it cannot convert (awaits of other coroutines, `asyncio.gather` of runs, async
comprehensions, ...) is listed with line numbers and left as it is; a function that still awaits
something stays `async def`, which agents_lite's awaitable `Runner.run` keeps working.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import io
import os
import sys
import tokenize
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional, Union

from . import porting_rules as rules
from .exceptions import UserError
from .porting_rules import (
    SourceText,
    StreamDictRules,
    dotted_name,
    module_exists,
    short_text,
    target_has,
)

__all__ = ["PortChange", "PortIssue", "PortResult", "port_source", "port_file", "main"]

_FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]
_Scope = Union[ast.Module, _FunctionNode]


@dataclass
class PortChange:
    """One change the port made, at `line` of the original file."""

    line: int
    description: str


@dataclass
class PortIssue:
    """Something the port could not convert, at `line` of the original file."""

    line: int
    message: str


@dataclass
class PortResult:
    """The outcome of porting one file."""

    filename: str
    original: str
    ported: str
    changes: list[PortChange] = field(default_factory=list)
    issues: list[PortIssue] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the ported text differs from the original."""
        return self.ported != self.original

    def diff(self) -> str:
        """A unified diff from the original to the ported text."""
        return "".join(difflib.unified_diff(
            self.original.splitlines(keepends=True), self.ported.splitlines(keepends=True),
            fromfile=f"a/{self.filename}", tofile=f"b/{self.filename}",
        ))


class _InvalidResult(Exception):
    """The edits produced invalid Python (a bug in a rule, or text it cannot handle)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


# --- the analysis -------------------------------------------------------------------------------


class _Porter(StreamDictRules):
    def __init__(self, source: str, filename: str) -> None:
        self.filename = filename
        self.text = SourceText(source)
        try:
            self.tree = compile(
                source, filename, "exec",
                flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True,
            )
        except SyntaxError as exc:
            raise UserError(f"{filename}:{exc.lineno}: cannot parse: {exc.msg}") from exc
        self.parents: dict[ast.AST, ast.AST] = {}
        self.scope_of: dict[ast.AST, _Scope] = {}
        self.constructs: dict[_Scope, list[ast.AST]] = {self.tree: []}
        self.async_defs: list[ast.AsyncFunctionDef] = []
        self.class_of: dict[ast.AST, ast.ClassDef] = {}
        self._index(self.tree, self.tree, None)
        self.changes: list[PortChange] = []
        self.issues: list[PortIssue] = []
        self.agents_names: dict[str, str] = {}  # local name -> name in the reference package
        self.agents_star = False
        self.module_aliases: set[str] = set()  # names bound to the reference package itself
        self.openai_event_names: dict[str, str] = {}
        self.receivers: dict[str, str] = {}
        self.needs_time = False
        self.pinned: dict[str, str] = {}

    # -- indexing ------------------------------------------------------------------------------

    def _index(self, node: ast.AST, scope: _Scope, klass: Optional[ast.ClassDef]) -> None:
        for child in ast.iter_child_nodes(node):
            self.parents[child] = node
            self.scope_of[child] = scope
            if isinstance(child, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
                self.constructs[scope].append(child)
            elif isinstance(child, ast.comprehension) and child.is_async:
                self.constructs[scope].append(child)
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                self.constructs[child] = []
                if isinstance(child, ast.AsyncFunctionDef):
                    self.async_defs.append(child)
                if klass is not None and self.parents[child] is klass:
                    self.class_of[child] = klass
                self._index(child, child, None)
            else:
                self._index(child, scope, child if isinstance(child, ast.ClassDef) else klass)

    def line(self, node: Any) -> int:
        while node is not None and not hasattr(node, "lineno"):  # comprehensions have none
            node = self.parents.get(node)
        return int(node.lineno) if node is not None else 0

    def note(self, node: Any, description: str) -> None:
        self.changes.append(PortChange(self.line(node), description))

    def problem(self, line: int, message: str) -> None:
        issue = PortIssue(line, message)
        if issue not in self.issues:
            self.issues.append(issue)

    # -- names from the reference package ----------------------------------------------------

    def from_agents(self, node: ast.AST, name: str) -> bool:
        """Whether `node` (a Name or Attribute) refers to the reference's `name`."""
        if isinstance(node, ast.Name):
            if node.id in self.agents_names:
                return self.agents_names[node.id] == name
            return self.agents_star and node.id == name
        if isinstance(node, ast.Attribute) and node.attr == name:
            root = dotted_name(node.value)
            return root is not None and root.split(".")[0] in self.module_aliases
        return False

    def agents_class_name(self, node: ast.AST) -> Optional[str]:
        """The reference class a constructor call/annotation names, if any."""
        if isinstance(node, ast.Subscript):  # Session[...] style annotations
            node = node.value
        if isinstance(node, ast.Name):
            original = self.agents_names.get(node.id, node.id)
            return original if self.from_agents(node, original) else None
        if isinstance(node, ast.Attribute):
            return node.attr if self.from_agents(node, node.attr) else None
        return None

    # -- imports -----------------------------------------------------------------------------

    def port_imports(self) -> None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                top = node.module.split(".")[0]
                if top == rules.REFERENCE_PACKAGE:
                    self._port_import_from(node)
                elif top == "openai":
                    self._note_openai_import(node)
            elif isinstance(node, ast.Import):
                self._port_import(node)

    @staticmethod
    def _map_module(module: str) -> str:
        if module in rules.MODULE_RENAMES:
            return rules.MODULE_RENAMES[module]
        return rules.TARGET_PACKAGE + module[len(rules.REFERENCE_PACKAGE):]

    def _port_import_from(self, node: ast.ImportFrom) -> None:
        assert node.module is not None
        target = self._map_module(node.module)
        tokens = self.text.statement_tokens(node)
        # tokens: from NAME (. NAME)* import ...
        module_tokens = []
        for token in tokens[1:]:
            if token[0].string == "import":
                break
            module_tokens.append(token)
        if not module_tokens:
            self.problem(node.lineno, f"could not rewrite the import of {node.module}")
            return
        self.text.replace(module_tokens[0][1], module_tokens[-1][2], target)
        self.note(node, f"import from {target} instead of {node.module}")
        for alias in node.names:
            if alias.name == "*":
                self.agents_star = True
                continue
            self.agents_names[alias.asname or alias.name] = alias.name
        missing = [alias.name for alias in node.names
                   if alias.name != "*" and not target_has(target, alias.name)]
        if missing:
            self.problem(node.lineno, f"{target} has no {', '.join(missing)} "
                         f"(imported from {node.module})")

    def _port_import(self, node: ast.Import) -> None:
        tokens = self.text.statement_tokens(node)
        index = 1
        for alias in node.names:
            # walk this alias's tokens: NAME (. NAME)* [as NAME] [,]
            first = index
            while index < len(tokens) and tokens[index][0].string not in (",", "as"):
                index += 1
            last = index - 1
            if index < len(tokens) and tokens[index][0].string == "as":
                index += 2
            index += 1  # the comma
            top = alias.name.split(".")[0]
            if top != rules.REFERENCE_PACKAGE or first > last:
                if top == "openai":
                    self.problem(node.lineno, "`import openai` is left as it is: agents_lite "
                                 "does not need the openai package")
                continue
            target = self._map_module(alias.name)
            start, end = tokens[first][1], tokens[last][2]
            if alias.asname is None and alias.name == rules.REFERENCE_PACKAGE:
                self.text.replace(start, end, f"{target} as {rules.REFERENCE_PACKAGE}")
                self.module_aliases.add(rules.REFERENCE_PACKAGE)
            elif alias.asname is None:
                self.text.replace(start, end, target)
                self.module_aliases.add(rules.REFERENCE_PACKAGE)
                self._rename_module_root(alias.name)
            else:
                self.text.replace(start, end, target)
                self.module_aliases.add(alias.asname)
            self.note(node, f"import {target} instead of {alias.name}")
            if not module_exists(target):
                self.problem(node.lineno, f"there is no module {target} (for {alias.name})")

    def _rename_module_root(self, dotted: str) -> None:
        """`import agents.x.y` keeps no alias: uses of `agents.x...` now go through agents_lite."""
        first = dotted.split(".")[1]
        for node in ast.walk(self.tree):
            if (isinstance(node, ast.Attribute) and node.attr == first
                    and isinstance(node.value, ast.Name)
                    and node.value.id == rules.REFERENCE_PACKAGE):
                name = node.value
                self.text.replace(self.text.start(name), self.text.end(name),
                                  rules.TARGET_PACKAGE)

    def _note_openai_import(self, node: ast.ImportFrom) -> None:
        assert node.module is not None
        if node.module.startswith("openai.types"):
            for alias in node.names:
                if alias.name in rules.OPENAI_EVENT_TYPES:
                    self.openai_event_names[alias.asname or alias.name] = alias.name
            return  # checked again once the isinstance tests are rewritten
        self.problem(node.lineno, f"`from {node.module} import ...` is left as it is: agents_lite "
                     "does not need the openai package (models take OpenAIClient / "
                     "set_default_openai_client)")

    # -- tracked receivers -------------------------------------------------------------------

    def track_receivers(self) -> None:
        for _ in range(3):  # results of results (pipeline -> result) need a second pass
            for node in ast.walk(self.tree):
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    self._bind(node.targets[0], node.value)
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    self._bind(node.target, node.value)
                elif isinstance(node, (ast.With, ast.AsyncWith)):
                    for item in node.items:
                        if item.optional_vars is not None:
                            self._bind(item.optional_vars, item.context_expr)
                elif isinstance(node, ast.arg) and node.annotation is not None:
                    kind = rules.RECEIVER_KINDS.get(self.agents_class_name(node.annotation) or "")
                    if kind:
                        self.receivers[node.arg] = kind

    def _bind(self, target: ast.AST, value: ast.AST) -> None:
        key = dotted_name(target)
        kind = self.kind_of_value(value)
        if key is not None and kind is not None:
            self.receivers[key] = kind

    def kind_of_value(self, value: ast.AST) -> Optional[str]:
        if isinstance(value, ast.Await):
            value = value.value
        if not isinstance(value, ast.Call):
            key = dotted_name(value)
            return self.receivers.get(key) if key else None
        func = value.func
        name = self.agents_class_name(func)
        if name is None and isinstance(func, ast.Attribute):  # RedisSession.from_url(...)
            name = self.agents_class_name(func.value)
        if name in rules.RECEIVER_KINDS:
            return rules.RECEIVER_KINDS[name]
        if isinstance(func, ast.Attribute):
            receiver = dotted_name(func.value)
            kind = self.receivers.get(receiver) if receiver else None
            if kind is not None:
                return rules.METHOD_RESULT_KINDS.get((kind, func.attr))
        return None

    def receiver_kind(self, call: ast.Call) -> Optional[str]:
        if not isinstance(call.func, ast.Attribute):
            return None
        key = dotted_name(call.func.value)
        return self.receivers.get(key) if key else None

    # -- classification ----------------------------------------------------------------------

    def is_runner_run(self, call: ast.AST) -> bool:
        return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "run" and self.from_agents(call.func.value, "Runner"))

    @staticmethod
    def asyncio_call(call: ast.AST) -> Optional[str]:
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
            if isinstance(call.func.value, ast.Name) and call.func.value.id == "asyncio":
                return call.func.attr
        return None

    def called_name(self, call: ast.Call) -> Optional[str]:
        """`f` for `f(...)`, `self.f(...)` and `cls.f(...)`: calls that may reach a local def."""
        func = call.func
        if isinstance(func, ast.Name):
            return func.id
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id in ("self", "cls")):
            return func.attr
        return None

    def classify(self, node: ast.AST, sync_names: set[str]) -> tuple[str, str]:
        """("must" | "cond" | "block", reason). "must": synchronous here, so always converted;
        "cond": converted where the enclosing code becomes synchronous; "block": stays."""
        if isinstance(node, ast.Await):
            return self._classify_await(node.value, sync_names)
        if isinstance(node, ast.AsyncFor):
            it = node.iter
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute):
                if it.func.attr == "stream_events":
                    return "must", "stream_events() is a plain generator"
                kind = self.receiver_kind(it)
                if kind and it.func.attr in rules.STREAM_METHODS.get(kind, ()):
                    return "must", f"{it.func.attr}() is a plain generator"
            if isinstance(it, ast.Call) and self.called_name(it) in sync_names:
                return "must", "the generator is synchronous now"
            key = dotted_name(it)
            if key and self.receivers.get(key) in rules.ITERABLE_KINDS:
                return "must", "the session is a plain iterator"
            return "block", f"`async for` over {short_text(it)}"
        if isinstance(node, ast.AsyncWith):
            for item in node.items:
                expr = item.context_expr
                if isinstance(expr, ast.Await):
                    expr = expr.value
                if self.kind_of_value(expr) not in rules.CONTEXT_KINDS:
                    return "block", f"`async with {short_text(item.context_expr)}`"
            return "must", "a plain context manager"
        if isinstance(node, ast.comprehension):
            return "block", f"an async comprehension over {short_text(node.iter)}"
        return "block", "unknown"

    def _classify_await(self, value: ast.AST, sync_names: set[str]) -> tuple[str, str]:
        if not isinstance(value, ast.Call):
            return "block", f"`await {short_text(value)}`"
        func = value.func
        if self.is_runner_run(value):
            return "cond", "Runner.run_sync"
        which = self.asyncio_call(value)
        if which == "sleep":
            return "cond", "time.sleep"
        if which is not None:
            advice = rules.ASYNCIO_ADVICE.get(which, f"asyncio.{which} needs an event loop")
            return "block", f"`await {short_text(value)}`: {advice}"
        if isinstance(func, ast.Attribute):
            if func.attr in rules.RUN_STATE_LOADERS and self.from_agents(func.value, "RunState"):
                return "must", f"RunState.{func.attr} is a plain function"
            if func.attr in rules.SYNC_METHOD_NAMES:
                return "must", f"{func.attr}() is a plain method"
            kind = self.receiver_kind(value)
            if kind and func.attr in rules.SYNC_METHODS[kind]:
                return "must", f"{func.attr}() is a plain method"
        name = self.called_name(value)
        if name is None and isinstance(func, ast.Attribute) and func.attr in self.pinned:
            name = func.attr
        elif name in sync_names:
            return "must", "the function is synchronous now"
        if name is not None and any(fn.name == name for fn in self.async_defs):
            why = self.pinned.get(name)
            return "block", f"`await {short_text(value)}`: {name} stays async" + (
                f" ({why})" if why else "")
        return "block", f"`await {short_text(value)}`"

    # -- which async functions become plain functions ----------------------------------------

    def pinned_names(self) -> dict[str, str]:
        """Async functions that must stay coroutines, with the reason: called without `await`,
        passed to code that is not part of the SDK, or methods of classes outside it."""
        names = {fn.name for fn in self.async_defs}
        methods = {fn.name for fn in self.async_defs if fn in self.class_of}
        pinned: dict[str, str] = {}
        decorated = {fn.name for fn in self.async_defs if self._agent_decorated(fn)}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                name = self.called_name(node)
                if name in names and not self._awaited_or_iterated(node):
                    pinned.setdefault(name, f"called without await at line {node.lineno}")
                func = node.func
                if (name is None and isinstance(func, ast.Attribute) and func.attr in methods):
                    # `other.method()`: which class it reaches is unknown, so keep it a coroutine
                    pinned.setdefault(func.attr, f"called on {short_text(func.value, 30)} at line "
                                                 f"{node.lineno}")
            elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
                name = node.id if isinstance(node, ast.Name) else (
                    node.attr if isinstance(node.value, ast.Name)
                    and node.value.id in ("self", "cls") else None)
                if name not in names or name in decorated:
                    continue
                parent = self.parents.get(node)
                if isinstance(parent, ast.Call) and parent.func is node:
                    continue
                if not self._passed_to_sdk(node):
                    pinned.setdefault(name, f"passed on as a coroutine function at line "  # type: ignore[arg-type]
                                            f"{node.lineno}")
        for fn in self.async_defs:
            klass = self.class_of.get(fn)
            if klass is not None and not self._agent_class(klass):
                pinned.setdefault(fn.name, f"a method of {klass.name}, which is not an SDK class")
        return pinned

    def _agent_decorated(self, fn: ast.AsyncFunctionDef) -> bool:
        for decorator in fn.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            dotted = dotted_name(target)
            if dotted and dotted.split(".")[-1] in rules.AGENT_DECORATORS:
                return True
        return False

    def _agent_class(self, klass: ast.ClassDef) -> bool:
        if not klass.bases:
            return False
        for base in klass.bases:
            if isinstance(base, ast.Subscript):
                base = base.value
            dotted = dotted_name(base)
            if dotted is None or dotted.split(".")[-1] not in rules.AGENT_BASES:
                return False
        return True

    def _awaited_or_iterated(self, call: ast.Call) -> bool:
        parent = self.parents.get(call)
        if isinstance(parent, ast.Await):
            return True
        if isinstance(parent, ast.AsyncFor) and parent.iter is call:
            return True
        return (isinstance(parent, ast.Call) and self.asyncio_call(parent) == "run"
                and parent.args[:1] == [call])

    def _passed_to_sdk(self, node: ast.AST) -> bool:
        child, parent = node, self.parents.get(node)
        while isinstance(parent, (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.keyword,
                                  ast.Starred)):
            child, parent = parent, self.parents.get(parent)
        if isinstance(parent, ast.Call) and parent.func is not child:
            dotted = dotted_name(parent.func)
            return bool(dotted) and dotted.split(".")[-1] in rules.AGENT_CALLABLES  # type: ignore[union-attr]
        return False

    def decide(self) -> tuple[set[ast.AsyncFunctionDef], set[str]]:
        pinned = self.pinned = self.pinned_names()
        by_name: dict[str, list[ast.AsyncFunctionDef]] = {}
        for fn in self.async_defs:
            by_name.setdefault(fn.name, []).append(fn)
        converted: set[ast.AsyncFunctionDef] = set()
        sync_names: set[str] = set()
        changed = True
        while changed:
            changed = False
            for fn in self.async_defs:
                if fn in converted or fn.name in pinned:
                    continue
                if all(self.classify(c, sync_names)[0] != "block" for c in self.constructs[fn]):
                    converted.add(fn)
                    changed = True
                    if all(other in converted for other in by_name[fn.name]):
                        sync_names.add(fn.name)
        return converted, sync_names

    # -- edits -------------------------------------------------------------------------------

    def port_async(self) -> None:
        converted, sync_names = self.decide()
        self.needs_time = False
        for scope, constructs in self.constructs.items():
            sync_scope = not isinstance(scope, ast.AsyncFunctionDef) or scope in converted
            for node in constructs:
                verdict, reason = self.classify(node, sync_names)
                if verdict == "must" or (verdict == "cond" and sync_scope):
                    self._convert(node, reason)
                elif verdict == "block":
                    where = (f"; `async def {scope.name}` stays async"
                             if isinstance(scope, ast.AsyncFunctionDef) else "")
                    self.problem(self.line(node), f"cannot convert {reason}{where}")
        for fn in converted:
            self.text.drop_keyword(self.text.start(fn), "async")
            self.note(fn, f"async def {fn.name} -> def (it awaits nothing asynchronous now)")
        self._unwrap_asyncio_run(sync_names)

    def _convert(self, node: ast.AST, reason: str) -> None:
        if isinstance(node, ast.Await):
            self.text.drop_keyword(self.text.start(node), "await")
            call = node.value
            if self.is_runner_run(call):
                assert isinstance(call, ast.Call)
                self._rename_run(call)
                self.note(node, "await Runner.run(...) -> Runner.run_sync(...)")
            elif self.asyncio_call(call) == "sleep":
                assert isinstance(call, ast.Call)
                self.text.replace(self.text.start(call.func), self.text.end(call.func),
                                  "time.sleep")
                self.needs_time = True
                self.note(node, "await asyncio.sleep(...) -> time.sleep(...)")
            else:
                self.note(node, f"dropped await: {reason}")
        elif isinstance(node, (ast.AsyncFor, ast.AsyncWith)):
            self.text.drop_keyword(self.text.start(node), "async")
            kind = "for" if isinstance(node, ast.AsyncFor) else "with"
            self.note(node, f"async {kind} -> {kind}: {reason}")

    def _rename_run(self, call: ast.Call) -> None:
        end = self.text.end(call.func)
        assert self.text.source[end - 3:end] == "run"
        self.text.replace(end - 3, end, "run_sync")

    def _unwrap_asyncio_run(self, sync_names: set[str]) -> None:
        for node in ast.walk(self.tree):
            if not (isinstance(node, ast.Call) and self.asyncio_call(node) == "run"
                    and len(node.args) == 1 and not node.keywords):
                continue
            inner = node.args[0]
            if not isinstance(inner, ast.Call):
                continue
            if self.is_runner_run(inner):
                self._rename_run(inner)
            elif self.called_name(inner) not in sync_names:
                continue
            self.text.replace(self.text.start(node), self.text.start(inner), "")
            self.text.replace(self.text.end(inner), self.text.end(node), "")
            self.note(node, f"asyncio.run({short_text(inner, 30)}) -> {short_text(inner, 30)}")

    # -- plain-dict stream events and items ----------------------------------------------------

    # -- driver ------------------------------------------------------------------------------

    def run(self, dict_access: bool = True) -> str:
        self.port_imports()
        self.track_receivers()
        self.port_async()
        if dict_access:
            self.port_dict_access()
        ported = self.text.apply()
        return self._tidy_imports(ported)

    def _tidy_imports(self, ported: str) -> str:
        """Second pass on the new text: drop imports nothing uses any more, add `import time`.

        Works on whole lines of top-level import statements (edits before them never change
        line counts, so their numbers are the original file's)."""
        try:
            tree = ast.parse(ported)
        except SyntaxError as exc:  # a bug in the rules above; never write broken code
            raise _InvalidResult(exc.lineno or 0) from exc
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        used_before = {n.id for n in ast.walk(self.tree) if isinstance(n, ast.Name)}
        lines = ported.splitlines(keepends=True)
        delete: set[int] = set()  # 1-based line numbers
        plain_imports: dict[int, str] = {}  # one-line `import x` statements: line -> module
        asyncio_line = 0
        for stmt in tree.body:
            if not isinstance(stmt, (ast.Import, ast.ImportFrom)):
                continue
            lineno, last = stmt.lineno, stmt.end_lineno or stmt.lineno
            if isinstance(stmt, ast.Import) and len(stmt.names) == 1 and lineno == last:
                plain_imports[lineno] = stmt.names[0].name
            if (isinstance(stmt, ast.Import) and [a.name for a in stmt.names] == ["asyncio"]
                    and stmt.names[0].asname is None and "asyncio" not in used
                    and "asyncio" in used_before):
                asyncio_line = lineno
                delete.add(lineno)
                self.changes.append(PortChange(lineno, "removed `import asyncio` (no longer used)"))
            if (isinstance(stmt, ast.ImportFrom) and stmt.module
                    and stmt.module.startswith("openai.types")):
                names = [a.asname or a.name for a in stmt.names]
                still = [name for name in names if name in used]
                if not any(name in used_before for name in names):
                    continue
                if still:
                    self.problem(lineno, f"{', '.join(still)} from {stmt.module}: openai types; "
                                 "agents_lite streams plain dicts (compare event.data['type'])")
                else:
                    delete.update(range(lineno, last + 1))
                    self.changes.append(PortChange(
                        lineno, f"removed `from {stmt.module} import ...` (no longer used)"))
        insert_at = 0
        if self.needs_time and "time" not in plain_imports.values():
            insert_at = rules.time_import_position(plain_imports, asyncio_line, delete, tree)
            self.changes.append(PortChange(asyncio_line or 1, "added `import time` (time.sleep)"))
        out: list[str] = []
        dropped_since_kept = False
        for number, line in enumerate(lines, start=1):
            if number == insert_at:
                out.append("import time\n")
            if number in delete:
                dropped_since_kept = True
                continue
            blank = not line.strip()
            if blank and dropped_since_kept and (not out or not out[-1].strip()):
                continue  # a removed import would leave two blank lines in a row
            dropped_since_kept = False
            out.append(line)
        if insert_at > len(lines):
            out.append("import time\n")
        return "".join(out)


# --- public functions ---------------------------------------------------------------------------


def port_source(source: str, filename: str = "<string>") -> PortResult:
    """Port the text of a script written for the reference SDK. Raises `UserError` when the text
    is not valid Python."""
    porter = _Porter(source, filename)
    try:
        ported = porter.run()
    except _InvalidResult as exc:
        # Field access rewritten where the text does not allow it (nested f-strings and the
        # like): port everything else and say what was left.
        porter = _Porter(source, filename)
        ported = porter.run(dict_access=False)
        porter.problem(exc.line, "stream events and items are plain dicts here: change "
                                 "attribute access on them (`event.data.x`, `raw_item.x`) to "
                                 "subscripts by hand")
    changes = sorted(porter.changes, key=lambda c: c.line)
    issues = sorted(porter.issues, key=lambda i: i.line)
    return PortResult(filename, source, ported, changes, issues)


def port_file(path: str, *, write: bool = False) -> PortResult:
    """Port the script at `path`; with `write=True` the file is rewritten when anything changed
    (written to a temporary file first, then renamed over the original)."""
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        source = raw.decode(encoding)
    except (SyntaxError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from exc
    if source.startswith("\ufeff"):
        source = source[1:]
    result = port_source(source, path)
    if write and result.changed:
        tmp = f"{path}.agents-lite-port.tmp"
        with open(tmp, "w", encoding=encoding, newline="") as handle:
            handle.write(result.ported)
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except OSError:
            pass
        os.replace(tmp, path)
    return result


def _python_files(paths: Iterable[str]) -> Iterator[str]:
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                for name in sorted(files):
                    if name.endswith(".py"):
                        yield os.path.join(root, name)
        else:
            yield path


def build_parser() -> argparse.ArgumentParser:
    """The arguments of `agents-lite port`."""
    parser = argparse.ArgumentParser(
        prog="agents-lite port",
        description="Rewrite scripts written for openai-agents (package `agents`) to agents_lite.")
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `port` arguments to `parser` (shared with the `agents-lite` command)."""
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="Python files (or directories of them) to port")
    parser.add_argument("--write", action="store_true", help="rewrite the files in place")
    parser.add_argument("--diff", action="store_true",
                        help="print the diff (the default without --write)")


def run(args: argparse.Namespace, out: Any = None, err: Any = None) -> int:
    """Port `args.files`; diffs go to `out`, what could not be converted to `err`. Returns 0,
    or 1 when a file could not be read or parsed."""
    out = out or sys.stdout
    err = err or sys.stderr
    status = 0
    for path in _python_files(args.files):
        try:
            result = port_file(path, write=args.write)
        except (OSError, UserError) as exc:
            print(f"agents-lite port: {exc}", file=err)
            status = 1
            continue
        if args.diff or not args.write:
            out.write(result.diff())
        for issue in result.issues:
            print(f"{path}:{issue.line}: {issue.message}", file=err)
        if args.write and result.changed:
            print(f"ported {path} ({len(result.changes)} changes, {len(result.issues)} left "
                  "for you)", file=err)
    return status


def main(argv: Optional[list[str]] = None) -> int:
    """`python -m agents_lite.porting FILE... [--write] [--diff]`."""
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
