# A notebook cell: top-level await works in Jupyter, not in a script.
from agents import Agent, Runner

agent = Agent(name="Cell", instructions="Answer briefly.")
result = await Runner.run(agent, "2 + 2?")  # noqa: F704
print(result.final_output)

streamed = Runner.run_streamed(agent, "3 + 3?")
async for event in streamed.stream_events():  # noqa: F704
    if event.type == "run_item_stream_event":
        print(event.name)
