"""What `agents_lite.porting` works from: tables of which reference modules, classes and methods
become what in agents_lite, the text tools the porter edits with (positions, tokens, edits,
checks of what agents_lite provides), and the rewrites of attribute access on stream events and
items, which are plain dicts here."""

from __future__ import annotations

import ast
import importlib
import io
import re
import tokenize
from typing import Any, Optional

REFERENCE_PACKAGE = "agents"
TARGET_PACKAGE = "agents_lite"

MODULE_RENAMES: dict[str, str] = {
    # Reference modules that live elsewhere here; every other `agents.X` maps to `agents_lite.X`.
    "agents.tool_context": "agents_lite.run_context",
    "agents.extensions.models.litellm_model": "agents_lite.extensions.litellm_model",
    "agents.extensions.memory.redis_session": "agents_lite.extensions.memory",
    "agents.memory.redis_session": "agents_lite.memory.redis_session",
    "agents.mcp.server": "agents_lite.mcp.server",
    "agents.tracing.processors": "agents_lite.tracing.processors",
}

# Objects whose async methods are plain methods in agents_lite, by constructor name. A variable
# bound to one of these (`x = Ctor(...)`, `async with Ctor(...) as x`, a parameter annotated with
# the class) has the methods below made synchronous when awaited.
RECEIVER_KINDS: dict[str, str] = {
    "MCPServerStdio": "mcp",
    "MCPServerSse": "mcp",
    "MCPServerStreamableHttp": "mcp",
    "MCPServer": "mcp",
    "MCPServerManager": "mcp",
    "SQLiteSession": "session",
    "RedisSession": "session",
    "InMemorySession": "session",
    "OpenAIConversationsSession": "session",
    "Session": "session",
    "SessionABC": "session",
    "VoicePipeline": "voice_pipeline",
    "RealtimeRunner": "realtime_runner",
    "RealtimeSession": "realtime_session",
}

SYNC_METHODS: dict[str, frozenset[str]] = {
    "mcp": frozenset({
        "connect", "cleanup", "list_tools", "call_tool", "list_prompts", "get_prompt",
        "list_resources", "list_resource_templates", "read_resource",
    }),
    "session": frozenset({"get_items", "add_items", "pop_item", "clear_session", "close"}),
    "voice_pipeline": frozenset({"run"}),
    "voice_result": frozenset(),
    "realtime_runner": frozenset({"run"}),
    "realtime_session": frozenset({
        "send_message", "send_audio", "interrupt", "update_agent", "close", "enter",
        "approve_tool_call", "reject_tool_call", "model_config",
    }),
}

# What awaiting `receiver.method()` gives, for receivers whose results are tracked too.
METHOD_RESULT_KINDS: dict[tuple[str, str], str] = {
    ("voice_pipeline", "run"): "voice_result",
    ("realtime_runner", "run"): "realtime_session",
}

# Kinds usable in `async with` (which becomes `with`) and in `async for` (which becomes `for`).
CONTEXT_KINDS = frozenset({"mcp", "realtime_session"})
ITERABLE_KINDS = frozenset({"realtime_session"})
STREAM_METHODS: dict[str, frozenset[str]] = {"voice_result": frozenset({"stream"})}

# Awaited calls of these method names are synchronous in agents_lite whatever the receiver:
# session methods, and reference coroutines that are plain functions here.
SYNC_METHOD_NAMES = frozenset({
    "get_items", "add_items", "pop_item", "clear_session",
    "get_system_prompt", "get_all_tools", "get_mcp_tools", "get_all_function_tools",
    "get_function_tools", "on_invoke_tool",
})

RUN_STATE_LOADERS = frozenset({"from_string", "from_json"})

# Calls that take agent callables (tools, guardrails, instructions, hooks): passing an async
# function to them does not stop it from becoming a plain function.
AGENT_CALLABLES = frozenset({
    "Agent", "RealtimeAgent", "function_tool", "handoff", "input_guardrail", "output_guardrail",
    "tool_input_guardrail", "tool_output_guardrail", "InputGuardrail", "OutputGuardrail",
    "ToolInputGuardrail", "ToolOutputGuardrail", "FunctionTool", "RunConfig", "clone", "as_tool",
    "StopAtTools", "SingleAgentVoiceWorkflow",
})

# Decorators that turn a function into an agents object (the name then no longer refers to the
# coroutine function, so passing it around cannot break).
AGENT_DECORATORS = frozenset({
    "function_tool", "input_guardrail", "output_guardrail", "tool_input_guardrail",
    "tool_output_guardrail",
})

# Base classes whose async methods are plain methods in agents_lite; methods of other classes
# stay async (who calls them is unknown).
AGENT_BASES = frozenset({
    "RunHooks", "AgentHooks", "RunHooksBase", "AgentHooksBase", "Model", "ModelProvider",
    "Session", "SessionABC", "TracingProcessor", "TracingExporter", "MCPServer",
    "VoiceWorkflowBase", "SingleAgentVoiceWorkflow", "RealtimeRunHooks", "Generic",
})

# openai.types.responses stream event classes, and the `type` of the dict agents_lite streams.
OPENAI_EVENT_TYPES: dict[str, str] = {
    "ResponseTextDeltaEvent": "response.output_text.delta",
    "ResponseTextDoneEvent": "response.output_text.done",
    "ResponseFunctionCallArgumentsDeltaEvent": "response.function_call_arguments.delta",
    "ResponseFunctionCallArgumentsDoneEvent": "response.function_call_arguments.done",
    "ResponseCreatedEvent": "response.created",
    "ResponseInProgressEvent": "response.in_progress",
    "ResponseCompletedEvent": "response.completed",
    "ResponseFailedEvent": "response.failed",
    "ResponseIncompleteEvent": "response.incomplete",
    "ResponseOutputItemAddedEvent": "response.output_item.added",
    "ResponseOutputItemDoneEvent": "response.output_item.done",
    "ResponseContentPartAddedEvent": "response.content_part.added",
    "ResponseContentPartDoneEvent": "response.content_part.done",
    "ResponseRefusalDeltaEvent": "response.refusal.delta",
    "ResponseReasoningSummaryTextDeltaEvent": "response.reasoning_summary_text.delta",
    "ResponseReasoningSummaryPartAddedEvent": "response.reasoning_summary_part.added",
}

DICT_METHODS = frozenset({"get", "keys", "items", "values", "copy", "pop", "setdefault",
                          "update"})

ASYNCIO_ADVICE: dict[str, str] = {
    "gather": "asyncio.gather runs coroutines concurrently; with agents_lite run "
              "Runner.run_sync calls in threads (concurrent.futures.ThreadPoolExecutor().map)",
    "create_task": "asyncio.create_task schedules a coroutine; with agents_lite start a thread "
                   "(concurrent.futures.ThreadPoolExecutor().submit(Runner.run_sync, ...))",
    "wait_for": "asyncio.wait_for puts a timeout on a coroutine; agents_lite runs block, so "
                "use a thread with a timeout, or the model's timeout settings",
    "to_thread": "asyncio.to_thread runs a blocking call in a thread; once the caller is "
                 "synchronous, call the function directly",
}


# --- text positions and edits -------------------------------------------------------------


class SourceText:
    """The source text with (line, UTF-8 column) -> character offset conversion and edits."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))
        self.edits: dict[tuple[int, int], str] = {}

    def offset(self, lineno: int, col: int) -> int:
        """The character offset of line `lineno` (1-based), UTF-8 byte column `col`."""
        line = self.lines[lineno - 1] if lineno - 1 < len(self.lines) else ""
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", "replace"))

    def start(self, node: Any) -> int:
        """Where a syntax tree node starts."""
        return self.offset(node.lineno, node.col_offset)

    def end(self, node: Any) -> int:
        """Where a syntax tree node ends."""
        return self.offset(node.end_lineno, node.end_col_offset)

    def replace(self, start: int, end: int, text: str) -> None:
        """Plan replacing `source[start:end]` with `text` (applied by `apply`)."""
        self.edits[(start, end)] = text

    def drop_keyword(self, start: int, keyword: str) -> None:
        """Delete `keyword` at `start` and the spaces after it."""
        if self.source[start:start + len(keyword)] != keyword:
            raise AssertionError(f"expected {keyword!r} at offset {start}")
        end = start + len(keyword)
        while end < len(self.source) and self.source[end] in " \t":
            end += 1
        self.replace(start, end, "")

    def statement_tokens(self, node: ast.stmt) -> list[tuple[tokenize.TokenInfo, int, int]]:
        """The statement's tokens with absolute start/end offsets."""
        segment_start = self.start(node)
        segment = self.source[segment_start:self.end(node)]
        result = []
        base_line, base_col = node.lineno, node.col_offset
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(segment).readline))
        except (tokenize.TokenError, IndentationError):
            return []
        for token in tokens:
            if token.type in (tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER,
                              tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                continue
            (srow, scol), (erow, ecol) = token.start, token.end
            start = self._segment_offset(base_line, base_col, srow, scol)
            end = self._segment_offset(base_line, base_col, erow, ecol)
            result.append((token, start, end))
        return result

    def _segment_offset(self, base_line: int, base_col: int, row: int, col: int) -> int:
        # tokenize columns are in characters; the first row is shifted by the statement's column
        line_start = self.starts[base_line + row - 2]
        if row == 1:
            prefix = self.offset(base_line, base_col) - line_start
            return line_start + prefix + col
        return line_start + col

    def apply(self) -> str:
        """The source with every planned edit made; overlapping edits are a bug."""
        out, last = [], 0
        for (start, end), text in sorted(self.edits.items()):
            if start < last:
                raise AssertionError(f"overlapping edits at offset {start}")
            out.append(self.source[last:start])
            out.append(text)
            last = end
        out.append(self.source[last:])
        return "".join(out)


def dotted_name(node: ast.AST) -> Optional[str]:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def short_text(node: ast.AST, limit: int = 60) -> str:
    """A node's code on one line, cut at `limit` characters (for messages)."""
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def time_import_position(plain_imports: dict[int, str], asyncio_line: int,
                          delete: set[int], tree: ast.Module) -> int:
    """The line before which `import time` goes: in alphabetical order within the block of
    one-line `import x` statements around `import asyncio` (or the first such block)."""
    anchor = asyncio_line or min(plain_imports, default=0)
    if not anchor:
        first = next((s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))),
                     None)
        return first.lineno if first is not None else 1
    start = end = anchor
    while start - 1 in plain_imports:
        start -= 1
    while end + 1 in plain_imports:
        end += 1
    for number in range(start, end + 1):
        if number not in delete and plain_imports[number] > "time":
            return number
    return end + 1


# --- stream events and items are dicts here ---------------------------------------------------


class StreamDictRules:
    """The porter's rewrites of attribute access on stream event and item dicts (a mixin: the
    porter provides the text, the syntax tree and the notes)."""

    tree: ast.Module
    text: SourceText
    parents: dict[ast.AST, ast.AST]
    openai_event_names: dict[str, str]

    def note(self, node: Any, description: str) -> None:
        """Record a change made at `node` (provided by the porter)."""
        raise NotImplementedError

    def problem(self, line: int, message: str) -> None:
        """Record something left unconverted (provided by the porter)."""
        raise NotImplementedError

    def port_dict_access(self) -> None:
        """Stream events and items carry plain dicts here: attribute access on them becomes
        subscripts. The dicts are `event.data` of stream-event loops and of isinstance checks
        against openai event classes, and `<item>.raw_item`."""
        subjects: set[str] = set()
        for node in ast.walk(self.tree):
            if (isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.target, ast.Name)
                    and isinstance(node.iter, ast.Call)
                    and isinstance(node.iter.func, ast.Attribute)
                    and node.iter.func.attr == "stream_events"):
                subjects.add(f"{node.target.id}.data")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "isinstance" and len(node.args) == 2
                    and isinstance(node.args[1], ast.Name)
                    and node.args[1].id in self.openai_event_names):
                event_type = OPENAI_EVENT_TYPES[self.openai_event_names[node.args[1].id]]
                subject = node.args[0]
                self.text.replace(self.text.start(node), self.text.start(subject), "")
                q = self._quote_for(node)
                self.text.replace(self.text.end(subject), self.text.end(node),
                                  f"[{q}type{q}] == {q}{event_type}{q}")
                subjects.add(ast.unparse(subject))
                self.note(node, f"isinstance(..., {node.args[1].id}) -> a check of the event "
                          "dict's type")

        def on_dict(expr: ast.AST) -> bool:
            text = ast.unparse(expr)
            if re.search(r"\.raw_item(?:$|[.\[])", text):
                return True
            return any(text == s or text.startswith((s + ".", s + "[")) for s in subjects)

        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
                    node.func.id in ("getattr", "hasattr") and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)
                    and isinstance(node.args[1].value, str) and on_dict(node.args[0])):
                self._port_getattr(node)
            if not isinstance(node, ast.Attribute) or not isinstance(node.ctx, ast.Load):
                continue
            base = node.value
            if not on_dict(base):
                continue
            parent = self.parents.get(node)
            if isinstance(parent, ast.Call) and parent.func is node:
                continue  # a method call (`.get(...)`, `.strip()`), not a field
            if node.attr in ("model_dump", "model_dump_json", "to_dict", "to_json"):
                self.problem(node.lineno, f"`{short_text(node)}`: items and events are plain "
                             "dicts in agents_lite; use the dict (json.dumps for text)")
                continue
            q = self._quote_for(node)
            self.text.replace(self.text.end(base), self.text.end(node), f"[{q}{node.attr}{q}]")
            self.note(node, f".{node.attr} -> [{q}{node.attr}{q}] (a plain dict here)")

    def _quote_for(self, node: ast.AST) -> str:
        """The quote to write string literals with at `node`: inside an f-string, the one its
        delimiters do not use (before Python 3.12 the same quote would end the f-string)."""
        parent = self.parents.get(node)
        while parent is not None and not isinstance(parent, ast.JoinedStr):
            parent = self.parents.get(parent)
        if parent is None or not hasattr(parent, "lineno"):
            return '"'
        text = self.text.source[self.text.start(parent):self.text.start(parent) + 8]
        delimiter = text.lstrip("rRfFbBuU")[:1]
        return "'" if delimiter == '"' else '"'

    def _port_getattr(self, call: ast.Call) -> None:
        """`getattr(d, "k", x)` -> `d.get("k", x)`, `hasattr(d, "k")` -> `("k" in d)`."""
        target, key = call.args[0], call.args[1]
        key_text = self.text.source[self.text.start(key):self.text.end(key)]
        if isinstance(call.func, ast.Name) and call.func.id == "hasattr":
            self.text.replace(self.text.start(call), self.text.start(target), f"({key_text} in ")
            self.text.replace(self.text.end(target), self.text.end(call), ")")
            self.note(call, "hasattr on a dict -> `in`")
            return
        default = ", None"
        if len(call.args) > 2:
            extra = call.args[2]
            default = ", " + self.text.source[self.text.start(extra):self.text.end(extra)]
        self.text.replace(self.text.start(call), self.text.start(target), "")
        self.text.replace(self.text.end(target), self.text.end(call),
                          f".get({key_text}{default})")
        self.note(call, "getattr on a dict -> .get")


# --- what agents_lite provides ---------------------------------------------------------------


def module_exists(module: str) -> bool:
    """Whether `module` can be found (it is not imported, so optional dependencies do not
    matter)."""
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a parent package is missing
        return False


def target_has(module: str, name: str) -> bool:
    """Whether `from module import name` works in agents_lite."""
    try:
        loaded = importlib.import_module(module)
    except Exception:
        return False
    try:
        getattr(loaded, name)
    except Exception:
        try:
            importlib.import_module(f"{module}.{name}")
        except Exception:
            return False
    return True
