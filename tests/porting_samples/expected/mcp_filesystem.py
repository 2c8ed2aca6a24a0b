"""Agents that use the tools of MCP servers."""

import os

from agents_lite import Agent, Runner
from agents_lite.mcp import MCPServer, MCPServerStdio, MCPServerStreamableHttp


def list_files(server: MCPServer) -> None:
    tools = server.list_tools()
    print("tools:", sorted(tool.name for tool in tools))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with MCPServerStdio(
        name="Files",
        params={"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", here]},
    ) as fs:
        list_files(fs)
        agent = Agent(name="Librarian", instructions="Use the file tools.", mcp_servers=[fs])
        result = Runner.run_sync(agent, "Which files are here?")
        print(result.final_output)

    remote = MCPServerStreamableHttp(name="Remote", params={"url": "http://127.0.0.1:8000/mcp"})
    remote.connect()
    try:
        answer = remote.call_tool("echo", {"message": "hi"})
        print(answer.content)
    finally:
        remote.cleanup()


main()
