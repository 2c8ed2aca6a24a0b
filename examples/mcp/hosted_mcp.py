"""Hosted MCP: the model provider calls a remote MCP server itself (Responses API `mcp` tool).

Nothing runs locally: the tool definition names the server, and the provider lists its tools and
calls them. With `require_approval`, the provider first asks; `on_approval_request` answers
(without it, the run stops with an interruption for a human, see `result.interruptions`).
"""

# expect: approval asked for ask_question on deepwiki
# expect: The repository is a Python SDK

from agents_lite import Agent, HostedMCPTool, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


def approve_read_only(request: dict) -> dict:
    """Approve the tools that only read; refuse the rest."""
    print(f"approval asked for {request['name']} on {request['server_label']}")
    allowed = request["name"] in ("ask_question", "read_wiki_structure")
    return {"approve": allowed, "reason": None if allowed else "only read-only tools"}


agent = Agent(
    name="Researcher",
    instructions="Answer questions about GitHub repositories with the deepwiki tools.",
    tools=[
        HostedMCPTool(
            tool_config={
                "type": "mcp",
                "server_label": "deepwiki",
                "server_url": "https://mcp.deepwiki.com/mcp",
                "require_approval": "always",
            },
            on_approval_request=approve_read_only,
        )
    ],
)


def main() -> None:
    result = Runner.run_sync(agent, "What does the repository openai/openai-agents-python do?")
    print(result.final_output)


if __name__ == "__main__":
    main()
