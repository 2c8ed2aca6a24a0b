"""Watch a function call's arguments arrive while the model writes them."""

from agents_lite import Agent, Runner, function_tool


@function_tool
def save_note(title: str, body: str) -> str:
    """Save a note."""
    return f"saved {title}"


def main():
    agent = Agent(name="Scribe", instructions="Save what the user says.", tools=[save_note])
    result = Runner.run_streamed(agent, input="Note that the meeting moved to 3pm.")

    arguments = ""
    for event in result.stream_events():
        if event.type == "raw_response_event":
            if event.data["type"] == "response.output_item.added":
                if event.data["item"].get("type", None) == "function_call":
                    print(f"call started: {event.data['item']['name']}")
            elif event.data["type"] == "response.function_call_arguments.delta":
                arguments += event.data["delta"]
            elif event.data["type"] == "response.output_item.done" and ("call_id" in event.data["item"]):
                print(f"call finished at index {event.data['output_index']}: {arguments}")
        elif event.type == "run_item_stream_event" and event.item.type == "tool_call_item":
            print("tool:", event.item.raw_item["name"], event.item.raw_item["arguments"].strip())
        elif event.type == "run_item_stream_event" and event.item.type == "message_output_item":
            print("answer:", event.item.raw_item["content"][0]["text"])


if __name__ == "__main__":
    main()
