"""MCP over the legacy HTTP+SSE transport (servers at http://.../sse).

Newer servers speak Streamable HTTP (see streamable_http.py); many deployed ones still offer SSE.
"""

# expect: get_weather: Today's weather for a city.
# expect: Lisbon: 19°C, sunny

from _servers import weather_http

from agents_lite import Agent, Runner
from agents_lite.mcp import MCPServerSse
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


def main() -> None:
    with weather_http("sse") as url:
        with MCPServerSse({"url": url, "sse_read_timeout": 60}, name="weather") as server:
            for tool in server.list_tools():
                print(f"{tool.name}: {tool.description}")
            agent = Agent(name="Assistant", instructions="Use the tools to answer.",
                          mcp_servers=[server])
            result = Runner.run_sync(agent, "Should I bring sunglasses to Lisbon today?")
            print(result.final_output)


if __name__ == "__main__":
    main()
