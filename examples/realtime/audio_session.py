"""A spoken conversation with a realtime agent: microphone in, speaker out (PyAudio).

Turn detection runs on the server: talk, pause, and the agent answers. Talking over an answer
interrupts it: playback stops at once and, thanks to the playback tracker, the conversation is
truncated at exactly what you heard. `--wav FILE` sends a recording instead of the microphone and
`--out FILE` writes the answers to a WAV file instead of playing them. Ctrl-C ends the session.
"""

# expect: offline: local realtime server
# expect: [you] what is the weather in oslo
# expect: [tool] get_weather(Oslo)
# expect: [assistant] It is sunny and 21 degrees in Oslo.
# expect: heard 1.40 s of answers

from __future__ import annotations

import argparse
import os
import queue
import sys
import tempfile
import threading
from typing import Any, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _offline import function_call, last_user_text, serve_offline, speak_to_wav  # noqa: E402

from agents_lite import function_tool  # noqa: E402
from agents_lite.realtime import (  # noqa: E402
    RealtimeAgent,
    RealtimePlaybackTracker,
    RealtimeRunner,
    RealtimeSession,
)
from agents_lite.voice.pcm import Resampler, to_mono  # noqa: E402
from agents_lite.voice.wav import read_wav, write_wav  # noqa: E402

SLICE = 960  # 20 ms of 24 kHz 16-bit mono: playback stops within this much after a barge-in


@function_tool
def get_weather(city: str) -> str:
    """Today's weather in a city.

    Args:
        city: The city name.
    """
    print(f"[tool] get_weather({city})", flush=True)
    return "sunny and 21 degrees"


def respond(items: list[dict[str, Any]]) -> Any:
    """What the model says offline (spoken: the server streams audio plus a transcript)."""
    from agents_lite.testing.realtime_server import realtime_audio

    last = items[-1] if items else {}
    if last.get("type") == "function_call_output":
        return realtime_audio(f"It is {last['output']} in Oslo.")
    if "weather" in last_user_text(items).lower():
        return [function_call("get_weather", {"city": "Oslo"})]
    return realtime_audio("Sorry, I did not get that.")


class Player:
    """Plays answer audio in a thread, reporting progress to the tracker; `stop()` drops what is
    still queued (used when the user interrupts)."""

    def __init__(self, tracker: RealtimePlaybackTracker, out_path: Optional[str]) -> None:
        self.tracker = tracker
        self.out_path = out_path
        self.heard = bytearray()
        self._queue: queue.Queue[Any] = queue.Queue()
        self._speaker: Any = None
        if out_path is None:
            from agents_lite.voice.audio_io import Speaker

            self._speaker = Speaker()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def add(self, item_id: str, content_index: int, pcm: bytes) -> None:
        for start in range(0, len(pcm), SLICE):
            self._queue.put((item_id, content_index, pcm[start:start + SLICE]))

    def stop(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def _run(self) -> None:
        while True:
            entry = self._queue.get()
            if entry is None:
                return
            item_id, index, pcm = entry
            if self._speaker is not None:
                self._speaker.write(pcm)
            self.heard.extend(pcm)
            self.tracker.on_play_bytes(item_id, index, pcm)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(5)
        if self._speaker is not None:
            self._speaker.close()
        if self.out_path is not None:
            write_wav(self.out_path, bytes(self.heard))


def send_wav(session: RealtimeSession, path: str) -> None:
    """Send a recording as 100 ms chunks of 24 kHz mono, then a second of silence."""
    wav = read_wav(path)
    pcm = Resampler(wav.frame_rate, 24000).process(to_mono(wav.pcm, wav.channels))
    for start in range(0, len(pcm), 4800):
        session.send_audio(pcm[start:start + 4800])
    session.send_audio(b"\x00\x00" * 24000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wav", help="send this recording instead of the microphone")
    parser.add_argument("--out", help="write the answers here instead of playing them")
    args = parser.parse_args()

    offline = serve_offline(respond, transcripts=["what is the weather in oslo"])
    folder = tempfile.mkdtemp(prefix="realtime-audio-")
    if offline is not None:
        args.wav = args.wav or speak_to_wav("What is the weather in Oslo?",
                                            os.path.join(folder, "question.wav"))
        args.out = args.out or os.path.join(folder, "answers.wav")

    agent = RealtimeAgent(name="Assistant", instructions="You are a friendly voice assistant.",
                          tools=[get_weather])
    tracker = RealtimePlaybackTracker()
    player = Player(tracker, args.out)
    stop = threading.Event()
    transcript = ""
    with RealtimeRunner(agent).run(model_config={"playback_tracker": tracker}) as session:
        if args.wav:
            threading.Thread(target=send_wav, args=(session, args.wav), daemon=True).start()
        else:
            from agents_lite.voice.audio_io import stream_microphone

            stream_microphone(session.send_audio, stop)
            print("Talk to the agent (Ctrl-C to stop)", flush=True)
        try:
            for event in session:
                if event.type == "audio":
                    player.add(event.item_id, event.content_index, event.audio.data)
                elif event.type == "audio_interrupted":
                    player.stop()
                    print("[interrupted]", flush=True)
                elif event.type == "raw_model_event":
                    data = event.data
                    if data.type == "input_audio_transcription_completed":
                        print(f"[you] {data.transcript}", flush=True)
                    elif data.type == "transcript_delta":
                        transcript += data.delta
                elif event.type == "error":
                    print(f"[error] {event.error.message}", flush=True)
                elif event.type == "agent_end" and transcript:
                    print(f"[assistant] {transcript}", flush=True)
                    transcript = ""
                    if args.wav:
                        break  # one answer to the recording is enough
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
    player.close()
    print(f"heard {len(player.heard) / 48000:.2f} s of answers"
          + (f" -> {args.out}" if args.out else ""))


if __name__ == "__main__":
    main()
