"""Tool filters: offer only some of a server's tools, statically or per agent and run.

- `create_static_tool_filter(allowed_tool_names=..., blocked_tool_names=...)` fixes the list.
- A callable `(ToolFilterContext, tool) -> bool` decides per call of `list_tools`; the context
  carries the run context, the agent and the server name.
"""

# expect: read-only tools: list_directory, read_text_file
# expect: Writer may use write_file: True
# expect: Reader may use write_file: False

from _servers import SAMPLE_FILES, npm_server

from agents_lite import Agent, RunContextWrapper, Runner
from agents_lite.mcp import MCPServerStdio, ToolFilterContext, create_static_tool_filter
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

PARAMS = {**npm_server("@modelcontextprotocol/server-filesystem", "."), "cwd": SAMPLE_FILES}


def writers_only_write(context: ToolFilterContext, tool) -> bool:
    """Agents may read; only the agent named Writer may change files."""
    if tool.name in ("write_file", "edit_file", "move_file", "create_directory"):
        return context.agent.name == "Writer"
    return True


def main() -> None:
    read_only = create_static_tool_filter(allowed_tool_names=["read_text_file", "list_directory"])
    with MCPServerStdio(PARAMS, name="files", tool_filter=read_only) as server:
        print("read-only tools:", ", ".join(sorted(t.name for t in server.list_tools())))
        agent = Agent(name="Reader", instructions="Answer from the files in '.'.",
                      mcp_servers=[server])
        print(Runner.run_sync(agent, "What is on my todo list?").final_output)

    with MCPServerStdio(PARAMS, name="files", tool_filter=writers_only_write) as server:
        context = RunContextWrapper(context=None)
        for name in ("Writer", "Reader"):
            names = {t.name for t in server.list_tools(context, Agent(name=name))}
            print(f"{name} may use write_file: {'write_file' in names}")


if __name__ == "__main__":
    main()
