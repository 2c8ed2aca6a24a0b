"""MCP over Streamable HTTP: an agent uses the tools of a server at http://.../mcp.

The example starts its own weather server (written with the `mcp` package) on a free port.
"""

# expect: Connected to weather (protocol 2025-06-18)
# expect: Oslo: 4°C, light snow

from _servers import weather_http

from agents_lite import Agent, Runner
from agents_lite.mcp import MCPServerStreamableHttp
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


def main() -> None:
    with weather_http("streamable-http") as url:
        with MCPServerStreamableHttp({"url": url, "timeout": 10}, name="weather") as server:
            info = server.server_initialize_result
            print(f"Connected to {info.server_info['name']} (protocol {info.protocol_version})")
            agent = Agent(
                name="Assistant",
                instructions="Use the tools to answer.",
                mcp_servers=[server],
            )
            result = Runner.run_sync(agent, "What's the weather in Oslo? And what is 17 + 25?")
            print(result.final_output)


if __name__ == "__main__":
    main()
