"""Image inputs: send a local image (as a data URL) and an image by URL in the user's message."""

# expect: a yellow sun
# expect: lighthouse

import base64
import os

from agents_lite import Agent, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

IMAGE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "media", "sun.png")
IMAGE_URL = "https://upload.wikimedia.org/wikipedia/commons/5/5b/Cape_Hatteras_Lighthouse.jpg"


def image_as_data_url(path: str) -> str:
    with open(path, "rb") as handle:
        return "data:image/png;base64," + base64.b64encode(handle.read()).decode("ascii")


def main() -> None:
    agent = Agent(name="Describer", instructions="Describe images in one sentence.")

    local = [{
        "role": "user",
        "content": [
            {"type": "input_image", "image_url": image_as_data_url(IMAGE_PATH), "detail": "auto"},
            {"type": "input_text", "text": "What is in this image?"},
        ],
    }]
    print("Local image:", Runner.run_sync(agent, local).final_output)

    remote = [{
        "role": "user",
        "content": [
            {"type": "input_image", "image_url": IMAGE_URL, "detail": "low"},
            {"type": "input_text", "text": "What is in this image?"},
        ],
    }]
    print("Image by URL:", Runner.run_sync(agent, remote).final_output)


if __name__ == "__main__":
    main()
