"""Agents that use the tools of MCP servers."""

import asyncio
import os

from agents import Agent, Runner
from agents.mcp import MCPServer, MCPServerStdio, MCPServerStreamableHttp


async def list_files(server: MCPServer) -> None:
    tools = await server.list_tools()
    print("tools:", sorted(tool.name for tool in tools))


async def main():
    here = os.path.dirname(os.path.abspath(__file__))
    async with MCPServerStdio(
        name="Files",
        params={"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", here]},
    ) as fs:
        await list_files(fs)
        agent = Agent(name="Librarian", instructions="Use the file tools.", mcp_servers=[fs])
        result = await Runner.run(agent, "Which files are here?")
        print(result.final_output)

    remote = MCPServerStreamableHttp(name="Remote", params={"url": "http://127.0.0.1:8000/mcp"})
    await remote.connect()
    try:
        answer = await remote.call_tool("echo", {"message": "hi"})
        print(answer.content)
    finally:
        await remote.cleanup()


asyncio.run(main())
