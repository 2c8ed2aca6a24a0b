"""Stream function-call arguments: watch a tool's JSON arguments arrive piece by piece."""

# expect: Function call: write_file
# expect: Function call: create_config
# expect: Arguments of create_config: {"project_name"
# expect: Both files written:

import json

from agents_lite import Agent, Runner, function_tool
from agents_lite.testing.example_support import setup_example

setup_example(__file__)


@function_tool
def write_file(filename: str, content: str) -> str:
    """Write content to a file.

    Args:
        filename: The file name.
        content: What to write into it.
    """
    return f"File {filename} written ({len(content)} characters)."


@function_tool
def create_config(project_name: str, version: str, dependencies: list[str]) -> str:
    """Create a project configuration file.

    Args:
        project_name: The project's name.
        version: Its version.
        dependencies: The packages it depends on.
    """
    return f"Config for {project_name} v{version} with {len(dependencies)} dependencies created."


def main() -> None:
    agent = Agent(
        name="Code generator",
        instructions="You write files and configurations with your tools.",
        tools=[write_file, create_config],
    )
    result = Runner.run_streamed(
        agent,
        "Create a Python web project called 'my-app' with FastAPI, version 1.0.0, and a main.py "
        "that prints hello.",
    )
    names: dict[str, str] = {}  # item id -> function name
    arguments: dict[str, str] = {}  # item id -> arguments so far
    for event in result.stream_events():
        if event.type != "raw_response_event":
            continue
        data = event.data
        if data["type"] == "response.output_item.added" and data["item"]["type"] == "function_call":
            names[data["item"]["id"]] = data["item"]["name"]
            arguments[data["item"]["id"]] = ""
            print(f"\nFunction call: {data['item']['name']}")
        elif data["type"] == "response.function_call_arguments.delta":
            arguments[data["item_id"]] += data["delta"]
            print(data["delta"], end="", flush=True)
    print()
    for item_id, text in arguments.items():
        print(f"Arguments of {names[item_id]}: {json.dumps(json.loads(text))}")
    print(result.final_output)


if __name__ == "__main__":
    main()
