"""A voice pipeline and a realtime session."""

from agents_lite import Agent
from agents_lite.realtime import RealtimeAgent, RealtimeRunner
from agents_lite.voice import AudioInput, SingleAgentVoiceWorkflow, VoicePipeline


def speak(buffer) -> int:
    agent = Agent(name="Talker", instructions="Answer out loud.")
    pipeline = VoicePipeline(workflow=SingleAgentVoiceWorkflow(agent))
    result = pipeline.run(AudioInput(buffer=buffer))
    received = 0
    for event in result.stream():
        if event.type == "voice_stream_event_audio":
            received += len(event.data)
    return received


def chat() -> None:
    runner = RealtimeRunner(RealtimeAgent(name="Live", instructions="Chat."))
    with runner.run() as session:
        session.send_message("Hello there")
        for event in session:
            print(event.type)
            if event.type == "agent_end":
                break


def main() -> None:
    print(speak(b"\x00\x00" * 2400))
    chat()


if __name__ == "__main__":
    main()
