"""A voice agent on a live audio stream: each time you stop talking, it answers.

Audio goes to a realtime transcription session, which finds the turns; every turn is answered by
the agent (which keeps the conversation) and spoken back. By default the microphone is the
source and the answers play on the speaker (PyAudio, the `voice` extra); `--wav FILE` streams a
recording instead, and the answers are also written to streamed_answers.wav in a temp folder.
Stop with Ctrl-C (the microphone) or at the end of the file.
"""

# expect: offline: local audio
# expect: [turn 1] Hello there, who are you?
# expect: [turn 2] What can you do?
# expect: Agent: I am a small voice assistant.
# expect: Agent: I can answer short questions.
# expect: 2 answers,

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _offline import last_user_text, serve_offline, speak_to_wav  # noqa: E402

from agents_lite import Agent  # noqa: E402
from agents_lite.voice import (  # noqa: E402
    OpenAIVoiceModelProvider,
    SingleAgentVoiceWorkflow,
    SingleAgentWorkflowCallbacks,
    StreamedAudioInput,
    VoicePipeline,
    VoicePipelineConfig,
)
from agents_lite.voice.wav import read_wav, write_wav  # noqa: E402

QUESTIONS = ["Hello there, who are you?", "What can you do?"]


def respond(body: dict[str, Any]) -> str:
    """What the model says offline."""
    text = last_user_text(body).lower()
    if "who" in text:
        return "I am a small voice assistant. Ask me anything short."
    return "I can answer short questions. That is all for now."


class ShowTurns(SingleAgentWorkflowCallbacks):
    def __init__(self) -> None:
        self.turns = 0

    def on_run(self, workflow: SingleAgentVoiceWorkflow, transcription: str) -> None:
        self.turns += 1
        print(f"[turn {self.turns}] {transcription}", flush=True)


def stream_wav(path: str, source: StreamedAudioInput) -> None:
    """Feed a recording in 100 ms chunks, as a microphone would, then end the stream."""
    wav = read_wav(path)
    chunk = wav.frame_rate // 10 * 2 * wav.channels
    for start in range(0, len(wav.pcm), chunk):
        source.add_audio(wav.pcm[start:start + chunk])
    source.add_audio(None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wav", help="stream this WAV file instead of the microphone")
    parser.add_argument("--no-speaker", action="store_true", help="do not play the answers")
    args = parser.parse_args()

    offline = serve_offline(respond, [q for q in QUESTIONS], streamed=True)
    folder = tempfile.mkdtemp(prefix="voice-streamed-")
    if offline is not None and not args.wav:
        # two spoken questions with a pause after each, so the turns can be told apart
        pieces = [read_wav(speak_to_wav(q, os.path.join(folder, f"q{i}.wav")))
                  for i, q in enumerate(QUESTIONS)]
        silence = b"\x00\x00" * (pieces[0].frame_rate // 2)
        args.wav = os.path.join(folder, "questions.wav")
        write_wav(args.wav, b"".join(p.pcm + silence for p in pieces), pieces[0].frame_rate)
        args.no_speaker = True

    agent = Agent(name="Assistant", instructions="You are a voice assistant. Be very brief.")
    callbacks = ShowTurns()
    provider = OpenAIVoiceModelProvider(
        websocket_base_url=offline.websocket_base_url if offline else None)
    pipeline = VoicePipeline(workflow=SingleAgentVoiceWorkflow(agent, callbacks),
                             config=VoicePipelineConfig(model_provider=provider))

    stop = threading.Event()
    if args.wav:
        source = StreamedAudioInput(frame_rate=read_wav(args.wav).frame_rate)
        result = pipeline.run(source)
        threading.Thread(target=stream_wav, args=(args.wav, source), daemon=True).start()
    else:
        from agents_lite.voice.audio_io import stream_microphone

        source = StreamedAudioInput()
        result = pipeline.run(source)
        stream_microphone(source, stop)  # captures in a thread until `stop` is set
        print("Listening... (Ctrl-C to stop)")

    speaker = None
    if not args.no_speaker:
        from agents_lite.voice.audio_io import Speaker

        speaker = Speaker()
    answers, audio, text = 0, bytearray(), ""
    try:
        for event in result.stream():
            if event.type == "voice_stream_event_audio":
                audio.extend(event.data)
                if speaker is not None:
                    speaker.write(event.data)
            elif event.type == "voice_stream_event_lifecycle" and event.event == "turn_ended":
                answers += 1
                print(f"Agent: {result.total_output_text[len(text):]}", flush=True)
                text = result.total_output_text
    except KeyboardInterrupt:
        pass  # leaving the loop cancels the run
    finally:
        stop.set()
        if speaker is not None:
            speaker.close()
    out = os.path.join(folder, "streamed_answers.wav")
    write_wav(out, bytes(audio))
    print(f"{answers} answers, {len(audio) / 48000:.2f} s of speech -> {out}")


if __name__ == "__main__":
    main()
