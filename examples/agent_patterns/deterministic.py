"""A deterministic flow: plain Python decides what runs next. An outline agent writes, a checker
agent judges with structured output, and only a good sci-fi outline goes on to the story agent."""

# expect: Outline generated
# expect: Outline is good quality and sci-fi, continuing to write the story.
# expect: Story: The lighthouse keeper on Europa

from dataclasses import dataclass

from agents_lite import Agent, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

outline_agent = Agent(
    name="story_outline_agent",
    instructions="Generate a very short story outline based on the user's input.",
)


@dataclass
class OutlineCheckerOutput:
    good_quality: bool
    is_scifi: bool


outline_checker_agent = Agent(
    name="outline_checker_agent",
    instructions="Read the given story outline, and judge the quality. Also, determine if it is "
                 "a scifi story.",
    output_type=OutlineCheckerOutput,
)

story_agent = Agent(
    name="story_agent",
    instructions="Write a short story based on the given outline.",
)


def main() -> None:
    prompt = "A story about a lighthouse keeper on one of Jupiter's moons."

    outline = Runner.run_sync(outline_agent, prompt)
    print("Outline generated:", outline.final_output)

    check = Runner.run_sync(outline_checker_agent, outline.final_output)
    verdict = check.final_output_as(OutlineCheckerOutput, raise_if_incorrect_type=True)
    if not verdict.good_quality:
        print("Outline is not good quality, so we stop here.")
        return
    if not verdict.is_scifi:
        print("Outline is not a sci-fi story, so we stop here.")
        return
    print("Outline is good quality and sci-fi, continuing to write the story.")

    story = Runner.run_sync(story_agent, outline.final_output)
    print(f"Story: {story.final_output}")


if __name__ == "__main__":
    main()
