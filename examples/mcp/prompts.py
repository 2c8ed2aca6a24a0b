"""MCP prompts: the server provides the agent's instructions.

`list_prompts()` shows what a server offers; `get_prompt(name, arguments)` renders one, and its
text becomes the agent's instructions. Resources work the same way (`list_resources()`,
`read_resource(uri)`).
"""

# expect: Prompts: forecaster (style)
# expect: Cities with a forecast: kyoto, lisbon, oslo
# expect: Kyoto: 12°C

from _servers import weather_stdio

from agents_lite import Agent, Runner
from agents_lite.mcp import MCPServerStdio
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


def main() -> None:
    with MCPServerStdio(weather_stdio(), name="weather") as server:
        for prompt in server.list_prompts().prompts:
            arguments = ", ".join(a["name"] for a in prompt.arguments or [])
            print(f"Prompts: {prompt.name} ({arguments})")
        cities = server.read_resource("weather://cities").contents[0].text
        print("Cities with a forecast:", cities)

        rendered = server.get_prompt("forecaster", {"style": "cheerful radio"})
        instructions = rendered.messages[0].content.text
        print("Instructions from the server:", instructions)

        agent = Agent(name="Presenter", instructions=instructions, mcp_servers=[server])
        result = Runner.run_sync(agent, "How is the weather in Kyoto?")
        print(result.final_output)


if __name__ == "__main__":
    main()
