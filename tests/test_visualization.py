"""Agent graphs: DOT and Mermaid text, rendering with Graphviz's `dot`, and `agents-lite graph`."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import textwrap

import pytest

from agents_lite import Agent, UserError, WebSearchTool, function_tool, handoff
from agents_lite.extensions.visualization import (
    GraphvizNotFoundError,
    build_graph,
    draw_graph,
    mermaid_graph,
    render_dot,
)

from conftest import require

HAS_DOT = shutil.which("dot") is not None


class StandInMCPServer:
    """Only what the graph reads from an MCP server: its name."""

    def __init__(self, name: str) -> None:
        self.name = name


@function_tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


def _cyclic_agents() -> Agent:
    """Triage <-> Spanish (a cycle), Triage -> English (via handoff()), English -> English."""
    spanish = Agent(name="Spanish agent")
    english = Agent(name="English agent")
    triage = Agent(
        name="Triage agent",
        tools=[get_weather, WebSearchTool()],
        mcp_servers=[StandInMCPServer("Filesystem Server")],
        handoffs=[spanish, handoff(english)],
    )
    spanish.handoffs.append(triage)
    english.handoffs.append(english)
    return triage


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert chunk == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def test_dot_of_a_cyclic_graph_with_tools_and_mcp_servers():
    dot = draw_graph(_cyclic_agents())
    assert isinstance(dot, str) and dot.source == dot
    lines = [line.strip() for line in dot.splitlines()]
    assert lines[0] == "digraph G {" and lines[-1] == "}"
    # Every node exactly once, with the kind's style.
    nodes = [line for line in lines if "[label=" in line]
    assert nodes == [
        '"__start__" [label="__start__", shape=ellipse, style=filled, fillcolor=lightblue, '
        "width=0.5, height=0.3];",
        '"__end__" [label="__end__", shape=ellipse, style=filled, fillcolor=lightblue, '
        "width=0.5, height=0.3];",
        '"Triage agent" [label="Triage agent", shape=box, style=filled, fillcolor=lightyellow, '
        "width=1.5, height=0.8];",
        '"get_weather" [label="get_weather", shape=ellipse, style=filled, fillcolor=lightgreen, '
        "width=0.5, height=0.3];",
        '"web_search" [label="web_search", shape=ellipse, style=filled, fillcolor=lightgreen, '
        "width=0.5, height=0.3];",
        '"Filesystem Server" [label="Filesystem Server", shape=box, style=filled, '
        "fillcolor=lightgrey, width=1, height=0.5];",
        '"Spanish agent" [label="Spanish agent", shape=box, style=filled, fillcolor=lightyellow, '
        "width=1.5, height=0.8];",
        '"English agent" [label="English agent", shape=box, style=filled, fillcolor=lightyellow, '
        "width=1.5, height=0.8];",
    ]
    edges = [line for line in lines if "->" in line]
    assert edges == [
        '"__start__" -> "Triage agent";',
        '"Triage agent" -> "get_weather" [style=dotted, penwidth=1.5];',
        '"get_weather" -> "Triage agent" [style=dotted, penwidth=1.5];',
        '"Triage agent" -> "web_search" [style=dotted, penwidth=1.5];',
        '"web_search" -> "Triage agent" [style=dotted, penwidth=1.5];',
        '"Triage agent" -> "Filesystem Server" [style=dashed, penwidth=1.5];',
        '"Filesystem Server" -> "Triage agent" [style=dashed, penwidth=1.5];',
        '"Triage agent" -> "Spanish agent";',
        '"Triage agent" -> "English agent";',
        '"Spanish agent" -> "Triage agent";',
        '"English agent" -> "English agent";',
    ]
    # Every agent here hands off, so nothing reaches the end node.
    assert not any(edge.endswith('"__end__";') for edge in edges)


def test_agents_without_handoffs_reach_the_end_node_and_shared_tools_are_one_node():
    a = Agent(name="A", tools=[get_weather])
    b = Agent(name="B", tools=[get_weather])
    root = Agent(name="Root", handoffs=[a, b, a])  # a listed twice: one edge
    graph = build_graph(root)
    assert list(graph.nodes) == [
        ("start", "__start__"), ("end", "__end__"), ("agent", "Root"), ("agent", "A"),
        ("agent", "B"), ("tool", "get_weather"),
    ]
    dot = draw_graph(root)
    assert dot.count('"Root" -> "A";') == 1
    assert '"A" -> "__end__";' in dot and '"B" -> "__end__";' in dot
    assert '"Root" -> "__end__"' not in dot
    assert dot.count('"get_weather" [label=') == 1


def test_a_handoff_to_an_agent_without_the_agent_object_is_still_drawn():
    target = Agent(name="Refunds")
    built = handoff(target, tool_name_override="refund_now")
    built._agent = None  # a hand-made Handoff carries only the name
    dot = draw_graph(Agent(name="Desk", handoffs=[built]))
    assert '"Desk" -> "Refunds";' in dot
    assert '"Refunds" -> "__end__"' not in dot  # its own handoffs are unknown


def test_names_shared_by_an_agent_and_a_tool_get_distinct_ids_and_quotes_are_escaped():
    researcher = Agent(name="researcher")
    lead = Agent(
        name='Lead "quoted" \\ agent',
        tools=[researcher.as_tool(tool_name="researcher", tool_description="Research.")],
        handoffs=[researcher],
    )
    dot = draw_graph(lead)
    assert '"agent:researcher" [label="researcher", shape=box' in dot
    assert '"tool:researcher" [label="researcher", shape=ellipse' in dot
    assert '"Lead \\"quoted\\" \\\\ agent" -> "agent:researcher";' in dot
    if HAS_DOT:  # Graphviz accepts the escaped text
        svg = render_dot(dot, "svg").decode()
        assert "Lead &quot;quoted&quot;" in svg


def test_a_long_handoff_chain_does_not_recurse():
    agents = [Agent(name=f"step {i}") for i in range(3000)]
    for first, second in zip(agents, agents[1:]):
        first.handoffs.append(second)
    dot = draw_graph(agents[0])
    assert '"step 2999" -> "__end__";' in dot
    # start -> step 0, 2999 handoffs, step 2999 -> end
    assert dot.count(" -> ") == 3001


def test_mermaid_text():
    text = mermaid_graph(_cyclic_agents())
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    body = [line.strip() for line in lines[1:]]
    assert 'Triage_agent["Triage agent"]' in body
    assert 'tool_get_weather(("get_weather"))' in body
    assert 'mcp_Filesystem_Server[("Filesystem Server")]' in body
    assert '__start__(["__start__"])' in body
    assert "__start__ --> Triage_agent" in body
    assert "Triage_agent -.-> tool_get_weather" in body
    assert "mcp_Filesystem_Server -.-> Triage_agent" in body
    assert "Spanish_agent --> Triage_agent" in body
    assert "English_agent --> English_agent" in body
    assert "style mcp_Filesystem_Server fill:lightgrey" in body
    assert sum(1 for line in body if line.startswith("Triage_agent[")) == 1


def test_mermaid_ids_are_safe_and_unique():
    root = Agent(
        name="end",
        handoffs=[Agent(name="a-b"), Agent(name="a b"), Agent(name='say "hi"'), Agent(name="9x")],
    )
    body = [line.strip() for line in mermaid_graph(root).splitlines()[1:]]
    assert 'end_["end"]' in body  # `end` is a Mermaid keyword
    assert 'a_b["a-b"]' in body and 'a_b_2["a b"]' in body
    assert 'say__hi_["say #quot;hi#quot;"]' in body
    assert 'n_9x["9x"]' in body


def test_bad_arguments():
    with pytest.raises(UserError, match="needs an Agent"):
        draw_graph("not an agent")
    with pytest.raises(UserError, match="needs an Agent"):
        mermaid_graph(None)
    with pytest.raises(UserError, match="needs filename"):
        draw_graph(Agent(name="A"), format="png")
    with pytest.raises(UserError, match="Not a Graphviz output format"):
        render_dot("digraph G {}", "../../etc")


def test_renders_a_valid_png(tmp_path):
    require(HAS_DOT, "Graphviz's dot is not installed")
    target = tmp_path / "graph.png"
    source = draw_graph(_cyclic_agents(), filename=str(target))
    data = target.read_bytes()
    assert len(data) > 1024
    width, height = _png_size(data)
    assert 200 <= width <= 5000 and 100 <= height <= 5000, (width, height)
    assert source.pipe("png")[:8] == data[:8]


def test_filename_extension_picks_the_format(tmp_path):
    require(HAS_DOT, "Graphviz's dot is not installed")
    agent = _cyclic_agents()
    draw_graph(agent, str(tmp_path / "g.svg"))
    svg = (tmp_path / "g.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "Triage agent" in svg
    draw_graph(agent, str(tmp_path / "plain"))  # no extension: PNG beside the name
    _png_size((tmp_path / "plain.png").read_bytes())
    draw_graph(agent, str(tmp_path / "g.dot"))
    assert (tmp_path / "g.dot").read_text() == draw_graph(agent)
    draw_graph(agent, str(tmp_path / "forced.out"), format="svg")
    assert "<svg" in (tmp_path / "forced.out").read_text()
    assert "<svg" in draw_graph(agent)._repr_svg_()


def test_unknown_format_is_reported_by_dot(tmp_path):
    require(HAS_DOT, "Graphviz's dot is not installed")
    with pytest.raises(UserError, match="failed to render format 'nosuchformat'"):
        draw_graph(Agent(name="A"), str(tmp_path / "x.nosuchformat"))
    assert not (tmp_path / "x.nosuchformat").exists()


def test_missing_dot_is_a_clear_error_but_text_still_works(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot here
    agent = _cyclic_agents()
    dot = draw_graph(agent)
    assert '"__start__" -> "Triage agent";' in dot
    assert mermaid_graph(agent).startswith("flowchart TD")
    assert dot._repr_svg_() is None
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        draw_graph(agent, str(tmp_path / "graph.png"))
    assert not (tmp_path / "graph.png").exists()
    with pytest.raises(GraphvizNotFoundError):
        dot.pipe("svg")
    draw_graph(agent, str(tmp_path / "graph.dot"))  # writing DOT needs no Graphviz
    assert (tmp_path / "graph.dot").read_text() == dot
    assert issubclass(GraphvizNotFoundError, UserError)


def _graph_cli(tmp_path, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "my_agents.py").write_text(textwrap.dedent("""
        from agents_lite import Agent

        billing = Agent(name="Billing")
        triage = Agent(name="Triage", handoffs=[billing])
        billing.handoffs.append(triage)
        not_an_agent = 42
    """))
    return subprocess.run(
        [sys.executable, "-m", "agents_lite", "graph", *args], cwd=tmp_path,
        capture_output=True, timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def test_cli_graph_text_formats(tmp_path):
    done = _graph_cli(tmp_path, "my_agents:triage", "--format", "mermaid")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert out.startswith("flowchart TD") and "Billing --> Triage" in out
    done = _graph_cli(tmp_path, f"{tmp_path / 'my_agents.py'}:triage")  # by path, DOT default
    assert done.returncode == 0, done.stderr
    assert '"Triage" -> "Billing";' in done.stdout.decode()


def test_cli_graph_png_file_and_errors(tmp_path):
    require(HAS_DOT, "Graphviz's dot is not installed")
    done = _graph_cli(tmp_path, "my_agents:triage", "--format", "png", "-o", "out.png")
    assert done.returncode == 0, done.stderr
    data = (tmp_path / "out.png").read_bytes()
    assert len(data) > 1024 and _png_size(data)[0] > 50
    done = _graph_cli(tmp_path, "my_agents:not_an_agent")
    assert done.returncode == 1 and b"needs an Agent" in done.stderr
    done = _graph_cli(tmp_path, "my_agents:missing")
    assert done.returncode != 0 and b"no attribute 'missing'" in done.stderr
    done = _graph_cli(tmp_path, "no_colon_here")
    assert done.returncode != 0 and b"expected module:attribute" in done.stderr
