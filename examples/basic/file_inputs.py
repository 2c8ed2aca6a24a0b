"""File inputs: send a local PDF (base64) and a PDF by URL in the user's message."""

# expect: 129.00 EUR
# expect: Attention Is All You Need

import base64
import os

from agents_lite import Agent, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

PDF_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "media", "invoice.pdf")
PDF_URL = "https://arxiv.org/pdf/1706.03762"


def main() -> None:
    agent = Agent(name="Reader", instructions="Answer questions about the attached documents.")

    with open(PDF_PATH, "rb") as handle:
        pdf_data = base64.b64encode(handle.read()).decode("ascii")
    local = [{
        "role": "user",
        "content": [
            {"type": "input_file", "filename": "invoice.pdf",
             "file_data": f"data:application/pdf;base64,{pdf_data}"},
            {"type": "input_text", "text": "What is the invoice total and when is it due?"},
        ],
    }]
    print("Local PDF:", Runner.run_sync(agent, local).final_output)

    remote = [{
        "role": "user",
        "content": [
            {"type": "input_file", "file_url": PDF_URL},
            {"type": "input_text", "text": "What is the title of this paper?"},
        ],
    }]
    print("PDF by URL:", Runner.run_sync(agent, remote).final_output)


if __name__ == "__main__":
    main()
