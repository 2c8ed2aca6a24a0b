"""Voice pipeline latency to the first audio chunk, against the local servers.

    python benchmarks/voice.py [--runs 30] [--latency 0.0]

Single turn: from `pipeline.run(AudioInput)` (1 s of audio) to the first audio event and to
"session_ended", with TTSModelSettings.buffer_size 1 and the default 120. Streamed: from adding
the end of a spoken turn (the silence that closes it) to the first audio event of the answer.
The floor is the same three requests (transcription, streamed model answer, speech until the
first audio byte) made back to back with plain `requests` (its "whole run" ends with the first
sentence's speech, so only its first-audio column compares). `--latency` adds that many seconds
to every model request on the local server (the audio endpoints answer at once).
Prints median / p90 / max milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from typing import Any, Callable

import requests

from agents_lite import Agent
from agents_lite.models.http import HTTPClient
from agents_lite.models.openai_responses import OpenAIResponsesModel
from agents_lite.testing.audio_api import install_audio_api, tone_pcm
from agents_lite.testing.realtime_server import RealtimeTestServer
from agents_lite.testing.server import LocalOpenAIServer
from agents_lite.voice import (
    AudioInput,
    OpenAIVoiceModelProvider,
    SingleAgentVoiceWorkflow,
    StreamedAudioInput,
    TTSModelSettings,
    VoicePipeline,
    VoicePipelineConfig,
)
from agents_lite.voice.models.openai_stt import encode_multipart
from agents_lite.voice.wav import wav_bytes

ANSWER = ("Here is the first sentence of the answer. And a second one follows it. "
          "The third closes the reply.")


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"{statistics.median(ordered):8.2f} {p90:8.2f} {ordered[-1]:8.2f}"


def _measure(runs: int, once: Callable[[], tuple[float, float]]) -> tuple[list[float], list[float]]:
    for _ in range(3):
        once()  # warm up connections and imports
    first, total = [], []
    for _ in range(runs):
        a, b = once()
        first.append(a)
        total.append(b)
    return first, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds added to each model request by the local server")
    args = parser.parse_args()

    http = LocalOpenAIServer(latency=args.latency, default_text=ANSWER).start()
    install_audio_api(http)
    ws = RealtimeTestServer().start()
    client = HTTPClient(base_url=http.base_url, max_retries=0)
    agent = Agent(name="Assistant", model=OpenAIResponsesModel("gpt-test", client))
    provider = OpenAIVoiceModelProvider(openai_client=client, websocket_base_url=ws.base_url)
    one_second = tone_pcm(1000)

    def single(buffer_size: int) -> Callable[[], tuple[float, float]]:
        pipeline = VoicePipeline(workflow=SingleAgentVoiceWorkflow(agent), config=VoicePipelineConfig(
            model_provider=provider, tracing_disabled=True,
            tts_settings=TTSModelSettings(buffer_size=buffer_size)))

        def once() -> tuple[float, float]:
            start = time.perf_counter()
            first = None
            for event in pipeline.run(AudioInput(one_second)).stream():
                if first is None and event.type == "voice_stream_event_audio":
                    first = time.perf_counter()
            end = time.perf_counter()
            assert first is not None
            return (first - start) * 1000, (end - start) * 1000

        return once

    def streamed() -> tuple[float, float]:
        pipeline = VoicePipeline(workflow=SingleAgentVoiceWorkflow(agent), config=VoicePipelineConfig(
            model_provider=provider, tracing_disabled=True,
            tts_settings=TTSModelSettings(buffer_size=1)))
        source = StreamedAudioInput()
        result = pipeline.run(source)
        marks: dict[str, float] = {}

        def feed() -> None:
            source.add_audio(one_second)
            marks["end_of_turn"] = time.perf_counter()
            source.add_audio(b"\x00\x00" * 9600)  # 400 ms of silence ends the turn
            source.add_audio(None)

        threading.Thread(target=feed).start()
        first = None
        for event in result.stream():
            if first is None and event.type == "voice_stream_event_audio":
                first = time.perf_counter()
        end = time.perf_counter()
        assert first is not None
        return (first - marks["end_of_turn"]) * 1000, (end - marks["end_of_turn"]) * 1000

    session = requests.Session()
    wav = wav_bytes(one_second)

    def floor() -> tuple[float, float]:
        start = time.perf_counter()
        body, content_type = encode_multipart({"model": "gpt-4o-transcribe"},
                                              {"file": ("audio.wav", wav, "audio/wav")})
        text = session.post(http.base_url + "/audio/transcriptions", data=body,
                            headers={"Content-Type": content_type}).json()["text"]
        answer = ""
        with session.post(http.base_url + "/responses", stream=True, json={
                "model": "gpt-test", "input": [{"role": "user", "content": text}],
                "stream": True}) as response:
            for line in response.iter_lines():
                if line.startswith(b"data: ") and b"output_text.delta" in line:
                    answer += "x"
                    break  # the first sentence is what the pipeline waits for, roughly
            for _ in response.iter_lines():
                pass
        first_sentence = ANSWER.split(". ")[0] + "."
        with session.post(http.base_url + "/audio/speech", stream=True, json={
                "model": "gpt-4o-mini-tts", "voice": "ash", "input": first_sentence,
                "response_format": "pcm"}) as response:
            next(response.iter_content(1024))
            first = time.perf_counter()
            for _ in response.iter_content(65536):
                pass
        return (first - start) * 1000, (time.perf_counter() - start) * 1000

    rows: list[tuple[str, Any]] = [
        ("requests floor (3 calls)", _measure(args.runs, floor)),
        ("single turn, buffer_size=1", _measure(args.runs, single(1))),
        ("single turn, buffer_size=120", _measure(args.runs, single(120))),
        ("streamed, end of turn", _measure(max(5, args.runs // 3), streamed)),
    ]
    print(f"voice pipeline latency, local servers, model latency {args.latency * 1000:.0f} ms, "
          f"{args.runs} runs")
    print(f"{'workload':32} {'first audio ms (median p90 max)':>32}  {'whole run ms':>26}")
    for name, (first, total) in rows:
        print(f"{name:32} {_stats(first):>32}  {_stats(total):>26}")
    ws.stop()
    http.stop()


if __name__ == "__main__":
    main()
