"""Write traces to a JSON-lines file and print them as a tree, as `agents-lite traces FILE`
does.

`FileSpanExporter` appends one JSON object per trace and span; each process writes its own
file (`agents_lite_traces_<pid>.jsonl`). `set_trace_processors` replaces the default OpenAI
export, so nothing leaves the machine.

    python examples/tracing/file_exporter.py [DIRECTORY]
"""

# expect: wrote
# expect: └── task Agent workflow
# expect: agent Weather agent
# expect: function get_weather
# expect: It is sunny, 21°C in Oslo today.

import sys
import tempfile

from agents_lite import Agent, Runner, function_tool
from agents_lite.testing.example_support import setup_example
from agents_lite.tracing import (
    BatchTraceProcessor,
    FileSpanExporter,
    flush_traces,
    print_trace_tree,
    set_trace_processors,
    set_tracing_disabled,
)

setup_example(__file__)
# Tracing is on by default; this also overrides OPENAI_AGENTS_DISABLE_TRACING=1 where it is set.
set_tracing_disabled(False)


@function_tool
def get_weather(city: str) -> str:
    """The current weather in a city."""
    return "sunny, 21°C"


def main() -> None:
    directory = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="traces-")
    exporter = FileSpanExporter(directory=directory)
    set_trace_processors([BatchTraceProcessor(exporter)])

    agent = Agent(name="Weather agent", instructions="Answer with the tool.", tools=[get_weather])
    result = Runner.run_sync(agent, "What's the weather in Oslo?")
    print(result.final_output)

    flush_traces()  # deliver now instead of within 5 seconds (or at exit)
    print(f"wrote {exporter.path}\n")
    print_trace_tree(exporter.path)


if __name__ == "__main__":
    main()
