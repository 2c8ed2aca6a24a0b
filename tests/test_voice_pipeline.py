"""VoicePipeline end to end over real HTTP (LocalOpenAIServer with the audio endpoints): speech
to text, an agent, sentence-split text to speech; PCM checked byte for byte."""

from __future__ import annotations

import array
import shutil
import subprocess
import threading
from typing import Any

import pytest

from agents_lite import Agent
from agents_lite.exceptions import BadRequestError, InternalServerError
from agents_lite.models.http import HTTPClient
from agents_lite.models.openai_responses import OpenAIResponsesModel
from agents_lite.testing.audio_api import install_audio_api, parse_multipart
from agents_lite.testing.faults import Fault
from agents_lite.testing.server import LocalOpenAIServer
from agents_lite.voice import (
    AudioInput,
    OpenAITTSModel,
    OpenAIVoiceModelProvider,
    SingleAgentVoiceWorkflow,
    StreamedAudioResult,
    TTSModelSettings,
    VoicePipeline,
    VoicePipelineConfig,
    VoiceWorkflowBase,
)
from agents_lite.voice.models.openai_tts import TTS_CHUNK_SIZE

from conftest import require

REPLY = (
    "Sure, I can help with that today. The weather in Oslo is sunny and mild. "
    "Bring a light jacket."
)
SENTENCES = [
    "Sure, I can help with that today.",
    "The weather in Oslo is sunny and mild.",
    "Bring a light jacket.",
]


class Env:
    def __init__(self, max_retries: int = 0) -> None:
        self.server = LocalOpenAIServer().start()
        self.audio = install_audio_api(self.server)
        self.client = HTTPClient(base_url=self.server.base_url, max_retries=max_retries)
        self.agent = Agent(name="Assistant", instructions="Answer briefly.",
                           model=OpenAIResponsesModel("gpt-test", self.client))

    def pipeline(self, workflow: Any = None, **config: Any) -> VoicePipeline:
        return VoicePipeline(
            workflow=workflow or SingleAgentVoiceWorkflow(self.agent),
            config=VoicePipelineConfig(
                model_provider=OpenAIVoiceModelProvider(openai_client=self.client), **config),
        )

    def close(self) -> None:
        self.server.stop()


@pytest.fixture
def env():
    instance = Env()
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory):
    require(shutil.which("espeak-ng") is not None, "espeak-ng is not installed")
    path = tmp_path_factory.mktemp("speech") / "question.wav"
    subprocess.run(["espeak-ng", "-w", str(path), "What is the weather in Oslo?"], check=True)
    return path


def _drain(result: StreamedAudioResult) -> tuple[list[Any], list[Any]]:
    """(all events, audio data) of a stream."""
    events = list(result.stream())
    return events, [e.data for e in events if e.type == "voice_stream_event_audio"]


def _lifecycle(events: list[Any]) -> list[str]:
    return [e.event for e in events if e.type == "voice_stream_event_lifecycle"]


def test_single_turn_with_real_speech(env, speech_wav):
    env.audio.add_transcript("What is the weather in Oslo?")
    env.server.add_response(REPLY)
    audio_input = AudioInput(str(speech_wav))
    result = env.pipeline(tts_settings=TTSModelSettings(buffer_size=1)).run(audio_input)
    events, chunks = _drain(result)

    # the upload is the speech itself, as audio.wav at its own rate
    (upload,) = env.audio.transcriptions
    assert (upload.filename, upload.content_type) == ("audio.wav", "audio/wav")
    assert upload.frame_rate == 22050 and upload.channels == 1 and upload.sample_width == 2
    assert upload.pcm == audio_input.pcm
    assert upload.fields == {"model": "gpt-4o-transcribe"}
    # the agent got the transcript
    model_request = env.server.requests_to("/v1/responses")[0].body
    assert model_request["input"][-1] == {"role": "user", "content": "What is the weather in Oslo?"}
    # speech is requested sentence by sentence (concurrently) and every byte comes back in order
    assert sorted(r["input"] for r in env.audio.speech_requests) == sorted(SENTENCES)
    expected = b"".join(env.audio.expected_speech(s) for s in SENTENCES)
    assert b"".join(chunks) == expected
    assert all(isinstance(c, bytes) and len(c) <= TTS_CHUNK_SIZE for c in chunks)
    # with buffer_size=1, only a segment's last chunk may be shorter than 1024 bytes
    assert sum(1 for c in chunks if len(c) < TTS_CHUNK_SIZE) <= len(SENTENCES)
    assert _lifecycle(events) == ["turn_started", "turn_ended", "session_ended"]
    assert events[0].event == "turn_started" and events[-1].event == "session_ended"
    assert result.total_output_text == REPLY


def test_default_buffer_size_groups_chunks_per_segment(env):
    env.server.add_response(REPLY)
    _, chunks = _drain(env.pipeline().run(AudioInput(b"\x00\x00" * 2400)))
    # 120 chunks of 1024 bytes exceed each sentence's audio: one event per sentence
    assert [len(c) for c in chunks] == [len(env.audio.expected_speech(s)) for s in SENTENCES]


def test_speech_request_body_and_settings(env):
    env.server.add_response("Just one short sentence here, thanks.")
    settings = TTSModelSettings(voice="coral", speed=1.5, instructions="Speak warmly.")
    _drain(env.pipeline(tts_settings=settings).run(AudioInput(b"\x00\x00" * 10)))
    (body,) = env.audio.speech_requests
    assert body == {"model": "gpt-4o-mini-tts", "voice": "coral",
                    "input": "Just one short sentence here, thanks.", "response_format": "pcm",
                    "instructions": "Speak warmly.", "speed": 1.5}
    request = env.server.requests_to("/v1/audio/speech")[0]
    assert request.headers["accept"] == "application/octet-stream"
    # tts-1 models do not take instructions; the default voice is "ash"
    tts1 = OpenAITTSModel("tts-1", env.client)
    assert "instructions" not in tts1.request_body("hi", TTSModelSettings())
    assert tts1.request_body("hi", TTSModelSettings())["voice"] == "ash"


def test_transcription_settings_are_sent(env):
    from agents_lite.voice import STTModelSettings

    env.audio.add_transcript("hola")
    config = {"stt_settings": STTModelSettings(prompt="Names: Oslo", language="es",
                                               temperature=0.2)}
    _drain(env.pipeline(**config).run(AudioInput(b"\x00\x00" * 10)))
    upload = env.audio.transcriptions[0]
    assert upload.fields == {"model": "gpt-4o-transcribe", "prompt": "Names: Oslo",
                             "language": "es", "temperature": "0.2"}
    raw = env.server.requests_to("/v1/audio/transcriptions")[0]
    parts = parse_multipart(raw.raw_body, raw.headers["content-type"])
    assert parts["file"][0] == "audio.wav"


def test_numpy_input_gives_numpy_output():
    np = _numpy()
    env = Env()
    try:
        env.server.add_response(REPLY)
        samples = (np.sin(np.arange(2400) / 10) * 8000).astype(np.int16)
        result = env.pipeline().run(AudioInput(samples))
        _, chunks = _drain(result)
        assert all(isinstance(c, np.ndarray) and c.dtype == np.int16 for c in chunks)
        joined = np.concatenate(chunks).astype("<i2").tobytes()
        assert joined == b"".join(env.audio.expected_speech(s) for s in SENTENCES)
        assert env.audio.transcriptions[0].pcm == samples.astype("<i2").tobytes()

        env.server.add_response(REPLY)
        result = env.pipeline(tts_settings=TTSModelSettings(dtype=np.float32)).run(
            AudioInput(samples))
        _, floats = _drain(result)
        assert all(c.dtype == np.float32 and c.shape[1] == 1 for c in floats)
        first = env.audio.expected_speech(SENTENCES[0])
        expected = np.frombuffer(first, dtype="<i2").astype(np.float32) / 32767.0
        assert np.allclose(floats[0][:, 0], expected)
    finally:
        env.close()


def _numpy():
    try:
        import numpy
    except ImportError:
        numpy = None
    require(numpy is not None, "numpy is not installed")
    return numpy


def test_float32_bytes_and_transform_data(env):
    env.server.add_response("A single sentence for the float test.")
    seen: list[int] = []

    def transform(data: bytes) -> bytes:
        seen.append(len(data))
        return data[:8]

    settings = TTSModelSettings(dtype="float32", transform_data=transform)
    _, chunks = _drain(env.pipeline(tts_settings=settings).run(AudioInput(b"\x00\x00")))
    pcm = env.audio.expected_speech("A single sentence for the float test.")
    assert seen == [len(pcm) * 2]  # float32 bytes are twice as long as int16
    floats = array.array("f")
    floats.frombytes(chunks[0])
    assert list(floats) == pytest.approx(
        [s / 32767.0 for s in array.array("h", pcm[:4])], abs=1e-6)


def test_empty_transcription_still_runs_the_agent(env):
    env.audio.add_transcript("")
    env.server.add_response("I did not catch that, could you repeat it?")
    events, chunks = _drain(env.pipeline().run(AudioInput(b"\x00\x00" * 100)))
    request = env.server.requests_to("/v1/responses")[0].body
    assert request["input"][-1] == {"role": "user", "content": ""}
    assert b"".join(chunks) == env.audio.expected_speech(
        "I did not catch that, could you repeat it?")
    assert _lifecycle(events) == ["turn_started", "turn_ended", "session_ended"]


def test_tts_500_after_retries_ends_the_session_then_raises():
    env = Env(max_retries=2)
    try:
        env.server.add_response("Only one sentence will be spoken here.")
        for _ in range(3):
            env.server.add_response(Fault(status=500, retry_after_ms=1), path="/v1/audio/speech")
        stream = env.pipeline().run(AudioInput(b"\x00\x00" * 10)).stream()
        seen = []
        with pytest.raises(InternalServerError) as excinfo:
            for event in stream:
                seen.append(event)
        assert excinfo.value.status_code == 500
        assert _lifecycle(seen) == ["turn_started", "session_ended"]
        assert not [e for e in seen if e.type == "voice_stream_event_audio"]
        assert len(env.server.requests_to("/v1/audio/speech")) == 3  # first try + 2 retries
    finally:
        env.close()


def test_tts_retry_recovers(env):
    env2 = Env(max_retries=1)
    try:
        env2.server.add_response("Only one sentence will be spoken here.")
        env2.server.add_response(Fault(status=500, retry_after_ms=1), path="/v1/audio/speech")
        _, chunks = _drain(env2.pipeline().run(AudioInput(b"\x00\x00")))
        assert b"".join(chunks) == env2.audio.expected_speech(
            "Only one sentence will be spoken here.")
    finally:
        env2.close()


def test_transcription_error_yields_error_event_then_raises(env):
    env.server.add_response(Fault(status=400, message="Audio file is too short."),
                            path="/v1/audio/transcriptions")
    seen = []
    with pytest.raises(BadRequestError, match="too short"):
        for event in env.pipeline().run(AudioInput(b"\x00\x00")).stream():
            seen.append(event)
    assert [e.type for e in seen] == ["voice_stream_event_error"]
    assert isinstance(seen[0].error, BadRequestError)
    assert env.server.requests_to("/v1/responses") == []  # the agent never ran


class FailingWorkflow(VoiceWorkflowBase):
    def run(self, transcription: str):
        yield "This first sentence is complete. "
        raise RuntimeError("workflow broke")


def test_workflow_error_after_some_audio(env):
    seen = []
    with pytest.raises(RuntimeError, match="workflow broke"):
        for event in env.pipeline(FailingWorkflow()).run(AudioInput(b"\x00\x00")).stream():
            seen.append(event)
    kinds = [e.type for e in seen]
    assert kinds[-1] == "voice_stream_event_error"
    # the sentence finished before the failure was still spoken
    audio = b"".join(e.data for e in seen if e.type == "voice_stream_event_audio")
    assert audio == env.audio.expected_speech("This first sentence is complete.")


class GatedWorkflow(VoiceWorkflowBase):
    """Yields one sentence, then waits until the test lets it continue."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.closed = threading.Event()

    def run(self, transcription: str):
        try:
            yield "The first sentence is spoken right away. "
            self.gate.wait(5)
            yield "The second sentence must never be synthesised. "
            yield "Nor this one."
        finally:
            self.closed.set()


def test_leaving_the_stream_cancels_the_run(env):
    workflow = GatedWorkflow()
    result = env.pipeline(workflow, tts_settings=TTSModelSettings(buffer_size=1)).run(
        AudioInput(b"\x00\x00"))
    for event in result.stream():
        if event.type == "voice_stream_event_audio":
            break
    assert result.cancelled
    workflow.gate.set()
    assert workflow.closed.wait(5)  # the workflow's generator was closed, not left hanging
    assert [r["input"] for r in env.audio.speech_requests] == [
        "The first sentence is spoken right away."]


def test_conversation_is_kept_across_turns(env):
    workflow = SingleAgentVoiceWorkflow(env.agent)
    pipeline = env.pipeline(workflow)
    env.audio.add_transcripts("My name is Ada.", "What is my name?")
    env.server.add_responses("Nice to meet you, Ada.", "Your name is Ada.")
    _drain(pipeline.run(AudioInput(b"\x00\x00")))
    _drain(pipeline.run(AudioInput(b"\x00\x00")))
    second = env.server.requests_to("/v1/responses")[1].body["input"]
    texts = [(i.get("role"), i["content"] if isinstance(i["content"], str)
              else i["content"][0]["text"]) for i in second]
    assert texts == [("user", "My name is Ada."), ("assistant", "Nice to meet you, Ada."),
                     ("user", "What is my name?")]
    assert [m["role"] for m in workflow.history] == ["user", "assistant", "user", "assistant"]


def test_handoff_switches_the_agent_for_the_next_turn(env):
    from agents_lite.testing.scripted import function_call

    spanish = Agent(name="Spanish", instructions="Habla español.",
                    model=OpenAIResponsesModel("gpt-test", env.client))
    english = env.agent.clone(handoffs=[spanish])
    workflow = SingleAgentVoiceWorkflow(english)
    env.server.add_responses([function_call("transfer_to_spanish", {})], "Hola, ¿qué tal?",
                             "Muy bien, gracias.")
    _drain(env.pipeline(workflow).run(AudioInput(b"\x00\x00")))
    assert workflow.current_agent is spanish
    _drain(env.pipeline(workflow).run(AudioInput(b"\x00\x00")))
    assert env.server.requests_to("/v1/responses")[2].body["instructions"] == "Habla español."


def test_pipeline_rejects_bad_arguments(env):
    from agents_lite.exceptions import UserError

    with pytest.raises(UserError):
        VoicePipeline(workflow="not a workflow")  # type: ignore[arg-type]
    with pytest.raises(UserError):
        VoicePipeline(workflow=SingleAgentVoiceWorkflow(env.agent), stt_model=42)  # type: ignore
    with pytest.raises(UserError):
        env.pipeline().run(b"raw bytes")  # type: ignore[arg-type]
    result = env.pipeline().run(AudioInput(b"\x00\x00"))
    list(result.stream())
    with pytest.raises(UserError, match="only be iterated once"):
        list(result.stream())
    with pytest.raises(UserError):
        TTSModelSettings(dtype="int32")
    with pytest.raises(UserError):
        TTSModelSettings(speed=9)


def test_config_dict_and_model_names(env):
    pipeline = VoicePipeline(
        workflow=SingleAgentVoiceWorkflow(env.agent), stt_model="whisper-1", tts_model="tts-1",
        config={"model_provider": OpenAIVoiceModelProvider(openai_client=env.client)},
    )
    env.server.add_response("A reply that is long enough to speak.")
    _drain(pipeline.run(AudioInput(b"\x00\x00")))
    assert env.audio.transcriptions[0].model == "whisper-1"
    assert env.audio.speech_requests[0]["model"] == "tts-1"
    assert "instructions" not in env.audio.speech_requests[0]


def test_concurrent_pipelines_do_not_mix_audio(env):
    texts = [f"Caller number {i} asked a question. Here is the answer for {i}." for i in range(4)]
    env.server.set_responder(lambda request: texts[int(request.body["input"][-1]["content"])])
    results: dict[int, bytes] = {}

    def run(i: int) -> None:
        env_audio = env.audio
        workflow = SingleAgentVoiceWorkflow(env.agent)

        class Fixed(VoiceWorkflowBase):
            def run(self, transcription: str):
                yield from workflow.run(str(i))

        _, chunks = _drain(env.pipeline(Fixed()).run(AudioInput(b"\x00\x00")))
        results[i] = b"".join(chunks)
        assert env_audio is env.audio

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for i, text in enumerate(texts):
        first, second = text.split(". ", 1)
        assert results[i] == env.audio.expected_speech(first + ".") + env.audio.expected_speech(
            second)


def test_speech_cut_off_mid_audio(env):
    from agents_lite.exceptions import APIConnectionError

    text = "This sentence is long enough to be streamed in several chunks of audio."
    env.server.add_response(text)
    env.server.add_response(Fault(cut_after_events=2), path="/v1/audio/speech")
    seen = []
    with pytest.raises(APIConnectionError):
        for event in env.pipeline(tts_settings=TTSModelSettings(buffer_size=1)).run(
                AudioInput(b"\x00\x00")).stream():
            seen.append(event)
    audio = b"".join(e.data for e in seen if e.type == "voice_stream_event_audio")
    # what arrived before the cut was delivered, and it is a prefix of the real audio
    assert 0 < len(audio) < len(env.audio.expected_speech(text))
    assert env.audio.expected_speech(text).startswith(audio)
    assert _lifecycle(seen) == ["turn_started", "session_ended"]
