"""MCPServerManager: connect several MCP servers at once and carry on without the broken ones.

Servers connect in parallel threads; `active_servers` holds those that worked, `failed_servers`
and `errors` say what went wrong. Leaving the `with` block disconnects all of them.
"""

# expect: connected: files, weather
# expect: failed: broken (MCPServerCommandNotFoundError)
# expect: Lisbon

from _servers import SAMPLE_FILES, npm_server, weather_stdio

from agents_lite import Agent, Runner
from agents_lite.mcp import MCPServerManager, MCPServerStdio
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


def main() -> None:
    servers = [
        MCPServerStdio({**npm_server("@modelcontextprotocol/server-filesystem", "."),
                        "cwd": SAMPLE_FILES}, name="files"),
        MCPServerStdio(weather_stdio(), name="weather"),
        MCPServerStdio({"command": "no-such-mcp-server"}, name="broken"),
    ]
    with MCPServerManager(servers, connect_timeout_seconds=20) as manager:
        print("connected:", ", ".join(s.name for s in manager.active_servers))
        for server in manager.failed_servers:
            print(f"failed: {server.name} ({type(manager.errors[server]).__name__})")
        agent = Agent(
            name="Assistant",
            instructions="Use the tools. Paths are relative to '.'.",
            mcp_servers=manager.active_servers,
        )
        result = Runner.run_sync(agent, "Look at my favorite cities, then tell me the weather in the first one.")
        print(result.final_output)


if __name__ == "__main__":
    main()
