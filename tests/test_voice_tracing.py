"""Voice runs are traced: one trace per pipeline run, a transcription span, a speech-group span
per spoken answer and a speech span per synthesised segment, next to the agent's own spans."""

from __future__ import annotations

import base64
import threading
from typing import Any

import pytest

from agents_lite import Agent, tracing
from agents_lite.models.http import HTTPClient
from agents_lite.models.openai_responses import OpenAIResponsesModel
from agents_lite.testing.audio_api import install_audio_api
from agents_lite.testing.server import LocalOpenAIServer
from agents_lite.voice import (
    AudioInput,
    OpenAIVoiceModelProvider,
    SingleAgentVoiceWorkflow,
    VoicePipeline,
    VoicePipelineConfig,
)

REPLY = "The first sentence of the answer. The second and last sentence."


class Collector(tracing.TracingProcessor):
    def __init__(self) -> None:
        self.traces: list[Any] = []
        self.spans: list[Any] = []
        self._lock = threading.Lock()

    def on_trace_start(self, trace: Any) -> None:
        with self._lock:
            self.traces.append(trace)

    def on_trace_end(self, trace: Any) -> None:
        pass

    def on_span_start(self, span: Any) -> None:
        pass

    def on_span_end(self, span: Any) -> None:
        with self._lock:
            self.spans.append(span)

    def of_type(self, kind: str) -> list[Any]:
        return [s for s in self.spans if s.span_data.type == kind]


@pytest.fixture
def collector():
    provider = tracing.get_trace_provider()
    saved = (provider.processors, provider._manual_disabled, provider._disabled)
    recorder = Collector()
    tracing.set_trace_processors([recorder])
    tracing.set_tracing_disabled(False)
    try:
        yield recorder
    finally:
        provider.set_processors(list(saved[0]))
        provider._manual_disabled, provider._disabled = saved[1], saved[2]


@pytest.fixture
def env():
    server = LocalOpenAIServer().start()
    audio = install_audio_api(server)
    client = HTTPClient(base_url=server.base_url, max_retries=0)
    agent = Agent(name="Assistant", model=OpenAIResponsesModel("gpt-test", client))

    def pipeline(**config: Any) -> VoicePipeline:
        return VoicePipeline(workflow=SingleAgentVoiceWorkflow(agent), config=VoicePipelineConfig(
            model_provider=OpenAIVoiceModelProvider(openai_client=client), **config))

    yield server, audio, pipeline
    server.stop()


def test_a_voice_run_is_one_trace_with_voice_spans(collector, env):
    server, audio, pipeline = env
    audio.add_transcript("Tell me something.")
    server.add_response(REPLY)
    source = AudioInput(b"\x01\x00\x02\x00" * 500)
    list(pipeline(group_id="group_call42", workflow_name="Phone line").run(source).stream())

    (trace,) = collector.traces
    assert trace.name == "Phone line"
    assert trace.export()["group_id"] == "group_call42"
    assert {s.trace_id for s in collector.spans} == {trace.trace_id}

    (stt,) = collector.of_type("transcription")
    exported = stt.span_data.export()
    assert exported["model"] == "gpt-4o-transcribe" and exported["output"] == "Tell me something."
    assert exported["input"] == {"data": base64.b64encode(source.pcm).decode(), "format": "pcm"}

    (group,) = collector.of_type("speech_group")
    assert group.span_data.input == REPLY
    speeches = collector.of_type("speech")
    assert sorted(s.span_data.input for s in speeches) == sorted(
        ["The first sentence of the answer.", "The second and last sentence."])
    for span in speeches:
        assert span.parent_id == group.span_id
        data = span.span_data.export()
        assert data["model"] == "gpt-4o-mini-tts" and data["first_content_at"]
        assert base64.b64decode(data["output"]["data"]) == audio.expected_speech(
            span.span_data.input)
        assert data["model_config"]["voice"] is None
    # the agent's run joined the same trace
    assert collector.of_type("agent")


def test_sensitive_data_switches(collector, env):
    server, audio, pipeline = env
    audio.add_transcript("private words")
    server.add_response(REPLY)
    config = {"trace_include_sensitive_data": False, "trace_include_sensitive_audio_data": False}
    list(pipeline(**config).run(AudioInput(b"\x00\x00" * 10)).stream())
    (stt,) = collector.of_type("transcription")
    assert stt.span_data.output is None and stt.span_data.input is None
    assert collector.of_type("speech_group")[0].span_data.input == ""
    for span in collector.of_type("speech"):
        assert span.span_data.input == "" and span.span_data.output == ""


def test_tracing_disabled_records_nothing(collector, env):
    server, audio, pipeline = env
    server.add_response(REPLY)
    list(pipeline(tracing_disabled=True).run(AudioInput(b"\x00\x00" * 10)).stream())
    assert collector.traces == [] and collector.spans == []


def test_failed_speech_is_marked_on_its_span(collector, env):
    from agents_lite.exceptions import InternalServerError
    from agents_lite.testing.faults import Fault

    server, audio, pipeline = env
    server.add_response("One sentence only, and it fails.")
    server.add_response(Fault(status=500), path="/v1/audio/speech")
    with pytest.raises(InternalServerError):
        list(pipeline().run(AudioInput(b"\x00\x00")).stream())
    (speech,) = collector.of_type("speech")
    assert speech.export()["error"]["message"]
