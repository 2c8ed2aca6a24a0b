"""A voice agent on a recorded question: WAV in, WAV out.

The question is transcribed, a weather agent answers it (calling a tool), and the answer is
spoken sentence by sentence into answer.wav. Pass your own recording as the first argument
(any PCM WAV; 16-bit mono 24 kHz is what the API likes best) and an output path as the second.
"""

# expect: offline: local audio
# expect: You said: What is the weather in Oslo?
# expect: [tool] get_weather(Oslo)
# expect: Agent: It is sunny and 21 degrees in Oslo. Enjoy your day!
# expect: Answer audio: 2.00 s at 24000 Hz mono

from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _offline import last_user_text, serve_offline, speak_to_wav, tool_outputs  # noqa: E402

from agents_lite import Agent, function_tool  # noqa: E402
from agents_lite.voice import (  # noqa: E402
    AudioInput,
    SingleAgentVoiceWorkflow,
    SingleAgentWorkflowCallbacks,
    VoicePipeline,
)
from agents_lite.voice.wav import read_wav, write_wav  # noqa: E402


@function_tool
def get_weather(city: str) -> str:
    """Today's weather in a city.

    Args:
        city: The city name.
    """
    print(f"[tool] get_weather({city})")
    return json.dumps({"city": city, "sky": "sunny", "celsius": 21})


def respond(body: dict[str, Any]) -> Any:
    """What the model says offline."""
    from agents_lite.testing.scripted import function_call

    outputs = tool_outputs(body)
    if not outputs and "weather" in last_user_text(body).lower():
        return [function_call("get_weather", {"city": "Oslo"})]
    report = json.loads(outputs[-1]) if outputs else {"city": "Oslo", "sky": "unknown"}
    return (f"It is {report['sky']} and {report.get('celsius', '?')} degrees in "
            f"{report['city']}. Enjoy your day!")


class PrintTranscript(SingleAgentWorkflowCallbacks):
    def on_run(self, workflow: SingleAgentVoiceWorkflow, transcription: str) -> None:
        print(f"You said: {transcription}")


def main() -> None:
    serve_offline(respond, ["What is the weather in Oslo?"])
    folder = tempfile.mkdtemp(prefix="voice-static-")
    question = sys.argv[1] if len(sys.argv) > 1 else speak_to_wav(
        "What is the weather in Oslo?", os.path.join(folder, "question.wav"))
    answer_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(folder, "answer.wav")

    agent = Agent(name="Weather", instructions="Answer in one or two short sentences.",
                  tools=[get_weather])
    pipeline = VoicePipeline(workflow=SingleAgentVoiceWorkflow(agent, PrintTranscript()))
    result = pipeline.run(AudioInput.from_wav(question))

    audio = bytearray()
    turns = 0
    for event in result.stream():
        if event.type == "voice_stream_event_audio":
            audio.extend(event.data)
        elif event.type == "voice_stream_event_lifecycle" and event.event == "turn_ended":
            turns += 1
    print(f"Agent: {result.total_output_text}")
    write_wav(answer_path, bytes(audio))
    wav = read_wav(answer_path)
    print(f"Answer audio: {wav.duration_ms / 1000:.2f} s at {wav.frame_rate} Hz mono, "
          f"{turns} turn -> {answer_path}")


if __name__ == "__main__":
    main()
