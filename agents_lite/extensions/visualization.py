"""Draw an agent graph: agents, their tools, MCP servers and handoffs, as Graphviz DOT or Mermaid.

    >>> from agents_lite import Agent
    >>> from agents_lite.extensions.visualization import draw_graph, mermaid_graph
    >>> billing = Agent(name="Billing")
    >>> triage = Agent(name="Triage", handoffs=[billing])
    >>> '"Triage" -> "Billing"' in draw_graph(triage)
    True
    >>> print(mermaid_graph(triage).splitlines()[0])
    flowchart TD

The graph has a `__start__` node pointing at the starting agent and an `__end__` node that every
agent without handoffs points to. Agents are yellow boxes, tools green ellipses (dotted edges both
ways), MCP servers grey boxes (dashed edges both ways), handoffs solid arrows. Handoff cycles are
followed once.

Rendering to SVG, PNG (or any other Graphviz output format) runs Graphviz's `dot` program; the
`graphviz` Python package is not needed. Producing DOT or Mermaid text needs nothing at all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any, Optional

from ..exceptions import UserError

__all__ = [
    "GraphvizNotFoundError",
    "GraphSource",
    "AgentGraph",
    "build_graph",
    "draw_graph",
    "mermaid_graph",
    "render_dot",
]

# Node kinds and the DOT attributes that draw them.
_DOT_STYLE = {
    "start": "shape=ellipse, style=filled, fillcolor=lightblue, width=0.5, height=0.3",
    "end": "shape=ellipse, style=filled, fillcolor=lightblue, width=0.5, height=0.3",
    "agent": "shape=box, style=filled, fillcolor=lightyellow, width=1.5, height=0.8",
    "tool": "shape=ellipse, style=filled, fillcolor=lightgreen, width=0.5, height=0.3",
    "mcp": "shape=box, style=filled, fillcolor=lightgrey, width=1, height=0.5",
}
_DOT_EDGE_STYLE = {
    "handoff": "",
    "tool": " [style=dotted, penwidth=1.5]",
    "mcp": " [style=dashed, penwidth=1.5]",
}
_MERMAID_SHAPE = {
    "start": ("([", "])"),
    "end": ("([", "])"),
    "agent": ("[", "]"),
    "tool": ("((", "))"),
    "mcp": ("[(", ")]"),
}
_MERMAID_FILL = {
    "start": "lightblue",
    "end": "lightblue",
    "agent": "lightyellow",
    "tool": "lightgreen",
    "mcp": "lightgrey",
}
_TEXT_FORMATS = frozenset({"dot", "gv"})
_FORMAT_NAME = re.compile(r"^[a-z0-9_]+(:[a-z0-9_]+)*$")


class GraphvizNotFoundError(UserError):
    """Rendering an image needs Graphviz's `dot` program, and it was not found."""


@dataclass
class AgentGraph:
    """The nodes and edges of an agent graph, independent of how it is drawn.

    `nodes` maps a key `(kind, name)` to its label, in insertion order; kinds are "start", "end",
    "agent", "tool" and "mcp". `edges` are `(source key, target key, kind)` with kind "handoff",
    "tool" or "mcp", in insertion order and without duplicates.
    """

    nodes: dict[tuple[str, str], str] = field(default_factory=dict)
    edges: list[tuple[tuple[str, str], tuple[str, str], str]] = field(default_factory=list)

    def add_node(self, kind: str, name: str) -> tuple[str, str]:
        key = (kind, name)
        self.nodes.setdefault(key, name)
        return key

    def add_edge(self, source: tuple[str, str], target: tuple[str, str], kind: str) -> None:
        edge = (source, target, kind)
        if edge not in self.edges:
            self.edges.append(edge)

    def node_ids(self) -> dict[tuple[str, str], str]:
        """A distinct id per node: the name, or `kind:name` when several kinds share a name."""
        kinds_by_name: dict[str, set[str]] = {}
        for kind, name in self.nodes:
            kinds_by_name.setdefault(name, set()).add(kind)
        return {
            (kind, name): name if len(kinds_by_name[name]) == 1 else f"{kind}:{name}"
            for kind, name in self.nodes
        }


def _name_of(thing: Any) -> str:
    name = getattr(thing, "name", None)
    return name if isinstance(name, str) and name else type(thing).__name__


def build_graph(agent: Any) -> AgentGraph:
    """Walk `agent`, its tools, MCP servers and handoffs (recursively, each agent once)."""
    from ..agent import Agent
    from ..handoffs import Handoff

    if not isinstance(agent, Agent):
        raise UserError(f"draw_graph() needs an Agent, got {type(agent).__name__}")
    graph = AgentGraph()
    start = graph.add_node("start", "__start__")
    end = graph.add_node("end", "__end__")
    graph.add_edge(start, graph.add_node("agent", agent.name), "handoff")
    visited: set[int] = set()
    pending: list[Any] = [agent]
    while pending:  # an explicit stack: deep handoff chains cannot hit the recursion limit
        current = pending.pop(0)
        if id(current) in visited:
            continue
        visited.add(id(current))
        here = graph.add_node("agent", current.name)
        for tool in current.tools:
            tool_key = graph.add_node("tool", _name_of(tool))
            graph.add_edge(here, tool_key, "tool")
            graph.add_edge(tool_key, here, "tool")
        for server in current.mcp_servers:
            server_key = graph.add_node("mcp", _name_of(server))
            graph.add_edge(here, server_key, "mcp")
            graph.add_edge(server_key, here, "mcp")
        for target in current.handoffs:
            if isinstance(target, Handoff):
                target_agent = target._agent
                target_name = target_agent.name if target_agent is not None else target.agent_name
            else:
                target_agent, target_name = target, _name_of(target)
            graph.add_edge(here, graph.add_node("agent", target_name), "handoff")
            if isinstance(target_agent, Agent) and id(target_agent) not in visited:
                pending.append(target_agent)
        if not current.handoffs:
            graph.add_edge(here, end, "handoff")
    return graph


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class GraphSource(str):
    """DOT source text (a `str`) that can also render itself with Graphviz's `dot`.

    Offers the parts of `graphviz.Source` that matter here: `source`, `pipe(format)`,
    `render(filename, format)`, and an SVG view in Jupyter when `dot` is installed.
    """

    @property
    def source(self) -> str:
        """The DOT text."""
        return str(self)

    def pipe(self, format: str = "png") -> bytes:
        """The graph rendered by `dot` in `format` ("svg", "png", "pdf", ...)."""
        return render_dot(str(self), format)

    def render(self, filename: str, format: Optional[str] = None) -> str:
        """Write the graph to `filename` (see `draw_graph`); returns the path written."""
        return _write(str(self), filename, format)

    def _repr_svg_(self) -> Optional[str]:
        if shutil.which("dot") is None:
            return None
        return self.pipe("svg").decode("utf-8")


def _to_dot(graph: AgentGraph) -> str:
    ids = graph.node_ids()
    lines = [
        "digraph G {",
        "    graph [splines=true];",
        '    node [fontname="Arial"];',
        "    edge [penwidth=1.5];",
    ]
    for key, label in graph.nodes.items():
        lines.append(f"    {_dot_quote(ids[key])} [label={_dot_quote(label)}, {_DOT_STYLE[key[0]]}];")
    for source, target, kind in graph.edges:
        lines.append(
            f"    {_dot_quote(ids[source])} -> {_dot_quote(ids[target])}{_DOT_EDGE_STYLE[kind]};"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_dot(source: str, format: str = "png", *, dot: Optional[str] = None) -> bytes:
    """Run Graphviz's `dot` on DOT `source` and return the output in `format`.

    `dot` is the program to run (default: `dot` found on PATH). Raises `GraphvizNotFoundError`
    when it is missing and `UserError` when it rejects the format or the source.
    """
    fmt = _check_format(format)
    program = dot or shutil.which("dot")
    if program is None:
        raise GraphvizNotFoundError(
            "Rendering a graph needs Graphviz's `dot` program, which is not on PATH "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz). "
            "The DOT source (draw_graph(agent)) and mermaid_graph(agent) work without it."
        )
    try:
        done = subprocess.run(
            [program, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=60
        )
    except FileNotFoundError as exc:
        raise GraphvizNotFoundError(f"Graphviz's dot program {program!r} was not found") from exc
    except subprocess.TimeoutExpired as exc:
        raise UserError("Graphviz's dot did not finish rendering within 60 seconds") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise UserError(f"Graphviz's dot failed to render format {fmt!r}: {message}")
    return done.stdout


def _check_format(format: str) -> str:
    fmt = (format or "").strip().lower()
    if not _FORMAT_NAME.match(fmt):
        raise UserError(f"Not a Graphviz output format: {format!r} (try 'svg' or 'png')")
    return fmt


def _write(source: str, filename: str, format: Optional[str]) -> str:
    stem, ext = os.path.splitext(filename)
    ext = ext[1:].lower()
    if format is not None:
        fmt = _check_format(format)
        path = filename
    elif ext:
        fmt = _check_format(ext)
        path = filename
    else:  # no extension, as the reference takes it: a PNG next to the name
        fmt, path = "png", filename + ".png"
    if fmt in _TEXT_FORMATS:
        data = source.encode("utf-8")
    else:
        data = render_dot(source, fmt)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def draw_graph(agent: Any, filename: Optional[str] = None, format: Optional[str] = None) -> GraphSource:
    """The DOT source of `agent`'s graph; with `filename`, also written to that file.

    The output format is `format` when given, else the file's extension ("graph.svg",
    "graph.png", "graph.dot", ...); a filename without an extension gets ".png" added. Images
    are rendered by Graphviz's `dot` (`GraphvizNotFoundError` when it is missing); "dot"/"gv"
    write the source itself. The returned value is a `str` with `pipe(format)` and
    `render(filename)` for rendering later.
    """
    if format is not None and filename is None:
        raise UserError(
            "draw_graph(format=...) needs filename=...; for the image bytes use "
            "draw_graph(agent).pipe(format)"
        )
    source = GraphSource(_to_dot(build_graph(agent)))
    if filename is not None:
        _write(source, filename, format)
    return source


def _mermaid_label(text: str) -> str:
    return '"' + text.replace('"', "#quot;").replace("\n", " ") + '"'


def _mermaid_ids(graph: AgentGraph) -> dict[tuple[str, str], str]:
    ids: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for kind, name in graph.nodes:
        base = re.sub(r"[^0-9A-Za-z_]", "_", name) or kind
        if kind not in ("start", "end", "agent"):
            base = f"{kind}_{base}"
        if base[0].isdigit():
            base = "n_" + base
        if base.lower() in ("end", "graph", "subgraph", "style", "class", "click", "flowchart"):
            base += "_"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        taken.add(candidate)
        ids[(kind, name)] = candidate
    return ids


def mermaid_graph(agent: Any) -> str:
    """`agent`'s graph as a Mermaid flowchart (the same nodes and edges as `draw_graph`).

    Paste it into a Markdown ```` ```mermaid ```` block (GitHub and many editors draw it).
    """
    graph = build_graph(agent)
    ids = _mermaid_ids(graph)
    lines = ["flowchart TD"]
    for key, label in graph.nodes.items():
        left, right = _MERMAID_SHAPE[key[0]]
        lines.append(f"    {ids[key]}{left}{_mermaid_label(label)}{right}")
    for source, target, kind in graph.edges:
        arrow = "-->" if kind == "handoff" else "-.->"
        lines.append(f"    {ids[source]} {arrow} {ids[target]}")
    for key in graph.nodes:
        lines.append(f"    style {ids[key]} fill:{_MERMAID_FILL[key[0]]}")
    return "\n".join(lines) + "\n"
