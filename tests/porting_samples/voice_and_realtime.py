"""A voice pipeline and a realtime session."""

import asyncio

from agents import Agent
from agents.realtime import RealtimeAgent, RealtimeRunner
from agents.voice import AudioInput, SingleAgentVoiceWorkflow, VoicePipeline


async def speak(buffer) -> int:
    agent = Agent(name="Talker", instructions="Answer out loud.")
    pipeline = VoicePipeline(workflow=SingleAgentVoiceWorkflow(agent))
    result = await pipeline.run(AudioInput(buffer=buffer))
    received = 0
    async for event in result.stream():
        if event.type == "voice_stream_event_audio":
            received += len(event.data)
    return received


async def chat() -> None:
    runner = RealtimeRunner(RealtimeAgent(name="Live", instructions="Chat."))
    async with await runner.run() as session:
        await session.send_message("Hello there")
        async for event in session:
            print(event.type)
            if event.type == "agent_end":
                break


async def main() -> None:
    print(await speak(b"\x00\x00" * 2400))
    await chat()


if __name__ == "__main__":
    asyncio.run(main())
