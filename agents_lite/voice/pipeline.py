"""`VoicePipeline`: speech to text, a workflow, text to speech."""

from __future__ import annotations

import logging
from typing import Any, Optional, Union

from ..exceptions import UserError
from .input import AudioInput, StreamedAudioInput
from .model import STTModel, TTSModel
from .pipeline_config import VoicePipelineConfig
from .result import StreamedAudioResult
from .workflow import VoiceWorkflowBase

__all__ = ["VoicePipeline"]

logger = logging.getLogger("agents_lite")


class VoicePipeline:
    """A voice agent in three steps: transcribe the audio, run the `workflow` on the transcript,
    synthesise the workflow's text sentence by sentence.

    >>> pipeline = VoicePipeline(workflow=SingleAgentVoiceWorkflow(agent))  # doctest: +SKIP
    >>> result = pipeline.run(AudioInput.from_wav("question.wav"))          # doctest: +SKIP
    >>> for event in result.stream():                                      # doctest: +SKIP
    ...     if event.type == "voice_stream_event_audio":
    ...         speaker.write(event.data)

    A pipeline may be shared by threads as long as its workflow is (`SingleAgentVoiceWorkflow`
    keeps one conversation, so give each conversation its own pipeline).
    """

    def __init__(
        self,
        *,
        workflow: VoiceWorkflowBase,
        stt_model: Union[STTModel, str, None] = None,
        tts_model: Union[TTSModel, str, None] = None,
        config: Union[VoicePipelineConfig, dict[str, Any], None] = None,
    ) -> None:
        """`stt_model` / `tts_model` are models or model names resolved by
        `config.model_provider` (None: the provider's defaults, gpt-4o-transcribe and
        gpt-4o-mini-tts for OpenAI). `config` may be a `VoicePipelineConfig` or a dict of its
        fields."""
        if not isinstance(workflow, VoiceWorkflowBase):
            raise UserError(
                f"VoicePipeline needs a VoiceWorkflowBase workflow, got {type(workflow).__name__}"
            )
        for name, model, kind in (("stt_model", stt_model, STTModel),
                                  ("tts_model", tts_model, TTSModel)):
            if model is not None and not isinstance(model, (str, kind)):
                raise UserError(f"{name} must be a {kind.__name__}, a model name or None")
        self.workflow = workflow
        self.stt_model: Optional[STTModel] = stt_model if isinstance(stt_model, STTModel) else None
        self.tts_model: Optional[TTSModel] = tts_model if isinstance(tts_model, TTSModel) else None
        self._stt_model_name = stt_model if isinstance(stt_model, str) else None
        self._tts_model_name = tts_model if isinstance(tts_model, str) else None
        if config is None:
            config = VoicePipelineConfig()
        elif isinstance(config, dict):
            config = VoicePipelineConfig(**config)
        elif not isinstance(config, VoicePipelineConfig):
            raise UserError(f"config must be a VoicePipelineConfig, got {type(config).__name__}")
        self.config = config

    def _get_stt_model(self) -> STTModel:
        if self.stt_model is None:
            self.stt_model = self.config.model_provider.get_stt_model(self._stt_model_name)
        return self.stt_model

    def _get_tts_model(self) -> TTSModel:
        if self.tts_model is None:
            self.tts_model = self.config.model_provider.get_tts_model(self._tts_model_name)
        return self.tts_model

    def run(self, audio_input: Union[AudioInput, StreamedAudioInput]) -> StreamedAudioResult:
        """Start a run. Iterate `result.stream()` for its events; the work begins then.

        An `AudioInput` is one turn. A `StreamedAudioInput` is a conversation: each turn the
        transcription session detects is answered in order until the input ends.
        """
        if isinstance(audio_input, AudioInput):
            return self._run_single_turn(audio_input)
        if isinstance(audio_input, StreamedAudioInput):
            return self._run_multi_turn(audio_input)
        raise UserError(
            f"VoicePipeline.run needs an AudioInput or StreamedAudioInput, got "
            f"{type(audio_input).__name__}"
        )

    def _run_single_turn(self, audio_input: AudioInput) -> StreamedAudioResult:
        result = StreamedAudioResult(
            self._get_tts_model(), self.config.tts_settings, self.config,
            numpy_output=audio_input.is_numpy,
        )
        stt_model = self._get_stt_model()
        config = self.config

        def produce(output: StreamedAudioResult) -> None:
            transcript = stt_model.transcribe(
                audio_input,
                config.stt_settings,
                config.trace_include_sensitive_data,
                config.trace_include_sensitive_audio_data,
            )
            output.check_cancelled()
            _answer(self.workflow.run(transcript), output)
            output._done()

        result._set_producer(produce)
        return result

    def _run_multi_turn(self, audio_input: StreamedAudioInput) -> StreamedAudioResult:
        result = StreamedAudioResult(
            self._get_tts_model(), self.config.tts_settings, self.config,
            numpy_output=audio_input.saw_numpy,
        )
        stt_model = self._get_stt_model()
        config = self.config

        def produce(output: StreamedAudioResult) -> None:
            # numpy chunks may only arrive after run() was called
            output._numpy_output = output._numpy_output or audio_input.saw_numpy
            try:
                _answer(self.workflow.on_start(), output)
            except Exception as exc:  # an intro is optional: a failing one is logged, not fatal
                if output.cancelled:
                    raise
                logger.warning("voice workflow on_start failed: %s", exc)
            session = stt_model.create_session(
                audio_input,
                config.stt_settings,
                config.trace_include_sensitive_data,
                config.trace_include_sensitive_audio_data,
            )
            output._register_closable(session)
            try:
                for transcript in session.transcribe_turns():
                    output.check_cancelled()
                    output._numpy_output = output._numpy_output or audio_input.saw_numpy
                    _answer(self.workflow.run(transcript), output)
            finally:
                session.close()
            output._done()

        result._set_producer(produce)
        return result


def _answer(texts: Any, output: StreamedAudioResult) -> None:
    """Feed one turn's text to the output and end the turn; closes the text iterator early if
    the run is cancelled."""
    try:
        for text in texts:
            output._add_text(text)
    finally:
        close = getattr(texts, "close", None)
        if close is not None:
            close()
    output._turn_done()
