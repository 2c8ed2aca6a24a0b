"""MCP over stdio: an agent reads local files through the official filesystem MCP server.

The server (npm `@modelcontextprotocol/server-filesystem`) runs as a subprocess that may only see
`sample_files/`. Its tools become the agent's tools for every turn.
"""

# expect: Tools offered by the server: read_file, read_text_file
# expect: Le Guin

from _servers import SAMPLE_FILES, npm_server

from agents_lite import Agent, Runner
from agents_lite.mcp import MCPServerStdio
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


def main() -> None:
    # The server runs in sample_files/ and may only read there; paths are relative to it.
    params = {**npm_server("@modelcontextprotocol/server-filesystem", "."), "cwd": SAMPLE_FILES}
    with MCPServerStdio(params, name="filesystem", cache_tools_list=True) as server:
        names = [tool.name for tool in server.list_tools()]
        print("Tools offered by the server:", ", ".join(names[:2]), f"... ({len(names)} tools)")
        agent = Agent(
            name="Librarian",
            instructions="Use the tools to read files (paths relative to '.') before answering.",
            mcp_servers=[server],
        )
        for question in ["Which files are there?", "Which author appears twice in my favorite books?"]:
            print(f"\n> {question}")
            result = Runner.run_sync(agent, question)
            print(result.final_output)


if __name__ == "__main__":
    main()
