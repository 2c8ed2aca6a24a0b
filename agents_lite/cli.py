"""The `agents-lite` command (also `python -m agents_lite`).

    agents-lite demo [--live]            a multi-agent run over HTTP, offline by default
    agents-lite run "prompt" [--stream]  one run with a plain agent (needs a model: OPENAI_API_KEY
                                         or OPENAI_BASE_URL)
    agents-lite chat                     a terminal chat (run_demo_loop)
    agents-lite serve [--port N]         the local OpenAI-compatible server
    agents-lite traces FILE.jsonl        print traces written by FileSpanExporter as trees
    agents-lite graph module:attr        draw an agent's graph (--format dot|svg|png|mermaid, -o FILE)
    agents-lite worker --queue NAME      an RQ worker for agent run jobs (agents_lite.jobs)
    agents-lite port FILE... [--write]   port scripts written for openai-agents (prints a diff)
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, Optional


def _agent(args: argparse.Namespace) -> Any:
    from .agent import Agent

    return Agent(
        name=args.name,
        instructions=args.instructions,
        model=args.model or os.environ.get("OPENAI_DEFAULT_MODEL") or None,
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    if args.live and not os.environ.get("OPENAI_API_KEY"):
        print("agents-lite demo --live needs OPENAI_API_KEY", file=sys.stderr)
        return 2
    run_demo(live=args.live, model=args.model)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from .run import Runner

    agent = _agent(args)
    if args.stream:
        result = Runner.run_streamed(agent, args.prompt)
        for event in result.stream_events():
            if event.type == "raw_response_event" and event.data.get("type") == "response.output_text.delta":
                sys.stdout.write(event.data["delta"])
                sys.stdout.flush()
        sys.stdout.write("\n")
    else:
        print(Runner.run_sync(agent, args.prompt).final_output)
    return 0


def _cmd_chat(args: argparse.Namespace) -> int:
    from .repl import run_demo_loop

    run_demo_loop(_agent(args), stream=not args.no_stream)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .testing.server import load_script, serve

    script = load_script(args.script) if args.script else None
    serve(args.host, args.port, latency=args.latency, default_text=args.text, script=script)
    return 0


def _cmd_traces(args: argparse.Namespace) -> int:
    from .tracing.viewer import print_trace_tree

    try:
        print_trace_tree(args.file, trace_id=args.trace_id)
    except OSError as exc:
        print(f"agents-lite traces: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


def _load_object(spec: str) -> Any:
    """`package.module:attr` or `path/to/file.py:attr` (attr may be dotted)."""
    import importlib
    import importlib.util

    module_name, sep, attr = spec.rpartition(":")
    if not sep or not module_name or not attr:
        raise SystemExit(f"agents-lite: expected module:attribute, got {spec!r}")
    if module_name.endswith(".py") or os.sep in module_name:
        path = os.path.abspath(module_name)
        if not os.path.isfile(path):
            raise SystemExit(f"agents-lite: no such file: {module_name}")
        sys.path.insert(0, os.path.dirname(path))
        loaded = importlib.util.spec_from_file_location("_agents_lite_graph_target", path)
        assert loaded is not None and loaded.loader is not None
        module = importlib.util.module_from_spec(loaded)
        loaded.loader.exec_module(module)
    else:
        sys.path.insert(0, os.getcwd())
        module = importlib.import_module(module_name)
    value: Any = module
    for part in attr.split("."):
        if not hasattr(value, part):
            raise SystemExit(f"agents-lite: {module_name} has no attribute {attr!r}")
        value = getattr(value, part)
    return value


def _cmd_graph(args: argparse.Namespace) -> int:
    from .exceptions import UserError
    from .extensions.visualization import draw_graph, mermaid_graph

    agent = _load_object(args.target)
    try:
        if args.format == "mermaid":
            data: Any = mermaid_graph(agent)
        elif args.format == "dot":
            data = str(draw_graph(agent))
        else:
            data = draw_graph(agent).pipe(args.format)
    except UserError as exc:
        print(f"agents-lite graph: {exc}", file=sys.stderr)
        return 1
    if args.output:
        with open(args.output, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    elif isinstance(data, str):
        sys.stdout.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    from .jobs.worker_cli import main as worker_main

    return worker_main(args)


def _cmd_port(args: argparse.Namespace) -> int:
    from .porting import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `agents-lite` command."""
    parser = argparse.ArgumentParser(prog="agents-lite", description="agents_lite command line")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the multi-agent demo (offline unless --live)")
    demo.add_argument("--live", action="store_true", help="use the real OpenAI API (OPENAI_API_KEY)")
    demo.add_argument("--model", default=None, help="model name for --live")
    demo.set_defaults(func=_cmd_demo)

    for name, helptext, func in (
        ("run", "run one prompt through an agent", _cmd_run),
        ("chat", "chat with an agent in the terminal", _cmd_chat),
    ):
        cmd = sub.add_parser(name, help=helptext)
        if name == "run":
            cmd.add_argument("prompt")
            cmd.add_argument("--stream", action="store_true", help="print text as it arrives")
        else:
            cmd.add_argument("--no-stream", action="store_true", help="print whole answers")
        cmd.add_argument("--model", default=None, help="model name (default: OPENAI_DEFAULT_MODEL)")
        cmd.add_argument("--instructions", default="You are a helpful assistant.")
        cmd.add_argument("--name", default="Assistant")
        cmd.set_defaults(func=func)

    serve = sub.add_parser("serve", help="serve the local OpenAI-compatible test server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8123)
    serve.add_argument("--latency", type=float, default=0.0, help="seconds added to each model reply")
    serve.add_argument("--text", default=None, help="fixed reply text (default: echo the user)")
    serve.add_argument("--script", default=None, help="JSON file with a list of scripted replies")
    serve.set_defaults(func=_cmd_serve)

    traces = sub.add_parser("traces", help="print a JSONL trace file as indented trees")
    traces.add_argument("file")
    traces.add_argument("--trace-id", default=None, help="print only this trace")
    traces.set_defaults(func=_cmd_traces)

    graph = sub.add_parser("graph", help="draw an agent's graph (agents, tools, handoffs)")
    graph.add_argument("target", help="module:attribute or path/to/file.py:attribute of an Agent")
    graph.add_argument("--format", default="dot", choices=["dot", "svg", "png", "mermaid"])
    graph.add_argument("-o", "--output", default=None, help="write here instead of stdout")
    graph.set_defaults(func=_cmd_graph)

    from .jobs.worker_cli import add_worker_arguments

    worker = sub.add_parser("worker", help="run an RQ worker for agent run jobs")
    add_worker_arguments(worker)
    worker.set_defaults(func=_cmd_worker)

    port = sub.add_parser("port", help="rewrite openai-agents scripts for agents_lite")
    port.add_argument("files", nargs="+", metavar="FILE",
                      help="Python files (or directories of them) to port")
    port.add_argument("--write", action="store_true", help="rewrite the files in place")
    port.add_argument("--diff", action="store_true",
                      help="print the diff (the default without --write)")
    port.set_defaults(func=_cmd_port)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point of the `agents-lite` console script."""
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
