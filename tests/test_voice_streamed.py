"""Streamed voice input: audio pushed into a StreamedAudioInput goes over a real websocket to the
local realtime transcription server (energy-based turn detection on real espeak-ng speech);
each detected turn is answered by the agent over HTTP and spoken back."""

from __future__ import annotations

import shutil
import subprocess
import threading
from typing import Any

import pytest

from agents_lite import Agent
from agents_lite.models.http import HTTPClient
from agents_lite.models.openai_responses import OpenAIResponsesModel
from agents_lite.testing.audio_api import install_audio_api
from agents_lite.testing.realtime_server import (
    RealtimeTestServer,
    realtime_close,
    realtime_error,
    realtime_raw,
)
from agents_lite.testing.server import LocalOpenAIServer
from agents_lite.voice import (
    OpenAIVoiceModelProvider,
    SingleAgentVoiceWorkflow,
    StreamedAudioInput,
    STTModelSettings,
    STTWebsocketConnectionError,
    VoicePipeline,
    VoicePipelineConfig,
    VoiceWorkflowBase,
)
from agents_lite.voice.pcm import Resampler
from agents_lite.voice.wav import read_wav

from conftest import require

SILENCE_22K = b"\x00\x00" * 11025  # half a second at 22050 Hz

@pytest.fixture(autouse=True)
def _websocket_client_installed():
    try:
        import websocket  # noqa: F401
    except ImportError:
        require(False, "websocket-client is not installed (pip install 'agents-lite[realtime]')")


@pytest.fixture(scope="module")
def utterances(tmp_path_factory):
    """Two real spoken sentences (16-bit mono 22050 Hz PCM)."""
    require(shutil.which("espeak-ng") is not None, "espeak-ng is not installed")
    folder = tmp_path_factory.mktemp("utterances")
    pcm = []
    for index, text in enumerate(["Hello there, how are you?", "What is the weather in Oslo?"]):
        path = folder / f"u{index}.wav"
        subprocess.run(["espeak-ng", "-w", str(path), text], check=True)
        wav = read_wav(path)
        assert wav.frame_rate == 22050
        pcm.append(wav.pcm)
    return pcm


class Env:
    def __init__(self) -> None:
        self.http = LocalOpenAIServer().start()
        self.audio = install_audio_api(self.http)
        self.ws = RealtimeTestServer().start()
        self.client = HTTPClient(base_url=self.http.base_url, max_retries=0)
        self.agent = Agent(name="Assistant", model=OpenAIResponsesModel("gpt-test", self.client))

    def pipeline(self, workflow: Any = None, **config: Any) -> VoicePipeline:
        provider = OpenAIVoiceModelProvider(openai_client=self.client,
                                            websocket_base_url=self.ws.base_url)
        return VoicePipeline(workflow=workflow or SingleAgentVoiceWorkflow(self.agent),
                             config=VoicePipelineConfig(model_provider=provider, **config))

    def close(self) -> None:
        self.ws.stop()
        self.http.stop()


@pytest.fixture
def env():
    instance = Env()
    yield instance
    instance.close()


def _feed(stream: StreamedAudioInput, pieces: list[bytes], chunk: int = 4410) -> threading.Thread:
    def pump() -> None:
        for pcm in pieces:
            for start in range(0, len(pcm), chunk):
                stream.add_audio(pcm[start:start + chunk])
        stream.add_audio(None)

    thread = threading.Thread(target=pump)
    thread.start()
    return thread


def _lifecycle(events: list[Any]) -> list[str]:
    return [e.event for e in events if e.type == "voice_stream_event_lifecycle"]


def test_two_spoken_turns_are_transcribed_and_answered(env, utterances):
    env.ws.add_transcript("hello there how are you")
    env.ws.add_transcript("what is the weather in oslo")
    env.http.add_responses("I am fine, thank you for asking.", "It is sunny in Oslo today.")
    source = StreamedAudioInput(frame_rate=22050)
    result = env.pipeline().run(source)
    feeder = _feed(source, [utterances[0], SILENCE_22K, utterances[1], SILENCE_22K])
    events = list(result.stream())
    feeder.join(5)

    assert _lifecycle(events) == ["turn_started", "turn_ended", "turn_started", "turn_ended",
                                  "session_ended"]
    audio = b"".join(e.data for e in events if e.type == "voice_stream_event_audio")
    assert audio == (env.audio.expected_speech("I am fine, thank you for asking.")
                     + env.audio.expected_speech("It is sunny in Oslo today."))
    # each answer saw the conversation so far
    requests = [r.body["input"] for r in env.http.requests_to("/v1/responses")]
    assert requests[0][-1] == {"role": "user", "content": "hello there how are you"}
    assert requests[1][-1] == {"role": "user", "content": "what is the weather in oslo"}
    assert len(requests[1]) == 3

    # the websocket: transcription intent, the GA session.update, and every audio byte
    handshake = env.ws.handshakes[0]
    assert handshake["path"] == "/v1/realtime"
    assert handshake["query"] == {"intent": "transcription"}
    assert handshake["headers"]["openai-log-session"] == "1"
    conn = env.ws.connections[0]
    update = conn.events_of_type("session.update")[0]["session"]
    assert update == {"type": "transcription", "audio": {"input": {
        "format": {"type": "audio/pcm", "rate": 24000},
        "transcription": {"model": "gpt-4o-transcribe"},
        "turn_detection": {"type": "semantic_vad"}}}}
    sent = Resampler(22050, 24000).process(b"".join(
        [utterances[0], SILENCE_22K, utterances[1], SILENCE_22K]))
    assert env.ws.audio_of(0) == sent
    assert conn.client_close_code == 1000  # closed normally once the input ended


def test_trailing_speech_without_silence_is_committed_at_the_end(env, utterances):
    env.ws.add_transcript("hello there how are you")
    env.http.add_response("Fine, and you, my friend?")
    source = StreamedAudioInput(frame_rate=22050)
    result = env.pipeline(stt_settings=STTModelSettings(language="en", prompt="greetings")).run(
        source)
    _feed(source, [utterances[0]])  # no silence: the server's VAD never ends the turn
    events = list(result.stream())
    assert _lifecycle(events).count("turn_ended") == 1
    conn = env.ws.connections[0]
    assert [e["type"] for e in conn.received if e["type"] != "input_audio_buffer.append"] == [
        "session.update", "input_audio_buffer.commit"]
    transcription = conn.events_of_type("session.update")[0]["session"]["audio"]["input"][
        "transcription"]
    assert transcription == {"model": "gpt-4o-transcribe", "language": "en",
                             "prompt": "greetings"}


def test_silence_only_gives_no_turns(env):
    source = StreamedAudioInput()
    result = env.pipeline().run(source)
    _feed(source, [b"\x00\x00" * 24000])
    events = list(result.stream())
    assert _lifecycle(events) == ["session_ended"]
    assert env.http.requests_to("/v1/responses") == []


class Greeter(VoiceWorkflowBase):
    def on_start(self):
        yield "Welcome to the weather line."

    def run(self, transcription: str):
        yield f"You said: {transcription}."


def test_intro_is_spoken_before_the_first_turn(env, utterances):
    env.ws.add_transcript("hello")
    source = StreamedAudioInput(frame_rate=22050)
    result = env.pipeline(Greeter()).run(source)
    _feed(source, [utterances[0], SILENCE_22K])
    events = list(result.stream())
    assert _lifecycle(events) == ["turn_started", "turn_ended", "turn_started", "turn_ended",
                                  "session_ended"]
    audio = b"".join(e.data for e in events if e.type == "voice_stream_event_audio")
    assert audio == (env.audio.expected_speech("Welcome to the weather line.")
                     + env.audio.expected_speech("You said: hello."))


def _failing_stream(env: Env, pieces: list[bytes]) -> list[Any]:
    source = StreamedAudioInput(frame_rate=22050)
    result = env.pipeline().run(source)
    _feed(source, pieces)
    seen: list[Any] = []
    with pytest.raises(STTWebsocketConnectionError) as excinfo:
        for event in result.stream():
            seen.append(event)
    assert seen[-1].type == "voice_stream_event_error"
    assert seen[-1].error is excinfo.value
    return seen


def test_error_event_from_the_transcription_server(env, utterances):
    env.ws.connect_steps = [realtime_error("Invalid model", code="model_not_found")]
    _failing_stream(env, [utterances[0]])


def test_transcription_server_dropping_the_connection(env, utterances):
    env.ws.connect_steps = [realtime_close()]  # TCP closed without a close frame
    _failing_stream(env, [utterances[0]])


def test_transcription_server_never_confirming_the_session(env):
    env.ws.send_session_created = False
    provider = OpenAIVoiceModelProvider(openai_client=env.client, websocket_base_url=env.ws.base_url)
    session = provider.get_stt_model(None).create_session(
        StreamedAudioInput(), STTModelSettings(), True, True)
    session.setup_timeout = 0.3
    with pytest.raises(STTWebsocketConnectionError, match="Timed out waiting for session.created"):
        list(session.transcribe_turns())
    assert env.ws.wait_for_connection(0).wait_ended(5)  # the socket was closed on the way out


def test_refused_handshake(env, utterances):
    env.ws.reject_next(401)
    seen = _failing_stream(env, [utterances[0]])
    assert "401" in str(seen[-1].error)


def test_malformed_frames_are_ignored(env, utterances):
    env.ws.connect_steps = [realtime_raw("{this is not json"), realtime_raw("[1, 2")]
    env.ws.add_transcript("hello there")
    env.http.add_response("Hello to you as well, friend.")
    source = StreamedAudioInput(frame_rate=22050)
    result = env.pipeline().run(source)
    _feed(source, [utterances[0], SILENCE_22K])
    events = list(result.stream())
    assert _lifecycle(events) == ["turn_started", "turn_ended", "session_ended"]


def test_breaking_out_closes_the_websocket(env, utterances):
    env.ws.add_transcript("hello there")
    env.http.add_response("This answer is long enough to be spoken aloud.")
    source = StreamedAudioInput(frame_rate=22050)
    result = env.pipeline().run(source)
    for start in range(0, len(utterances[0]), 4410):
        source.add_audio(utterances[0][start:start + 4410])
    source.add_audio(SILENCE_22K)  # the stream stays open: the user may speak again
    for event in result.stream():
        if event.type == "voice_stream_event_audio":
            break
    conn = env.ws.wait_for_connection(0)
    assert conn.wait_ended(5)
    assert conn.client_close_code == 1000


def test_numpy_chunks_give_numpy_audio(env, utterances):
    try:
        import numpy as np
    except ImportError:
        np = None
    require(np is not None, "numpy is not installed")
    env.ws.add_transcript("hello")
    env.http.add_response("Numbers in, numbers out, as promised.")
    source = StreamedAudioInput(frame_rate=22050)
    result = env.pipeline().run(source)
    speech = np.frombuffer(utterances[0] + SILENCE_22K, dtype="<i2")
    for start in range(0, len(speech), 2205):
        source.add_audio(speech[start:start + 2205])
    source.add_audio(None)
    chunks = [e.data for e in result.stream() if e.type == "voice_stream_event_audio"]
    assert chunks and all(isinstance(c, np.ndarray) for c in chunks)
    assert np.concatenate(chunks).astype("<i2").tobytes() == env.audio.expected_speech(
        "Numbers in, numbers out, as promised.")
