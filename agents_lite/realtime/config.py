"""Realtime configuration: session settings, run config, model (connection) config, and the
`session.update` payload built from them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, TypedDict, Union

from ..exceptions import UserError

if TYPE_CHECKING:
    from ..guardrail import OutputGuardrail

__all__ = [
    "DEFAULT_MODEL_SETTINGS",
    "DEFAULT_REALTIME_MODEL",
    "RealtimeGuardrailsSettings",
    "RealtimeInputAudioTranscriptionConfig",
    "RealtimeModelConfig",
    "RealtimeModelTracingConfig",
    "RealtimeRunConfig",
    "RealtimeSessionModelSettings",
    "RealtimeTurnDetectionConfig",
    "RealtimeUserInput",
    "RealtimeUserInputMessage",
    "RealtimeUserInputText",
    "session_payload",
]

DEFAULT_REALTIME_MODEL = "gpt-realtime"


class RealtimeInputAudioTranscriptionConfig(TypedDict, total=False):
    """Transcription of the user's audio."""

    model: str
    language: str
    prompt: str


class RealtimeTurnDetectionConfig(TypedDict, total=False):
    """Voice activity detection: when the user's turn ends (and whether that interrupts the
    model and starts a response)."""

    type: Literal["semantic_vad", "server_vad"]
    create_response: bool
    interrupt_response: bool
    eagerness: Literal["auto", "low", "medium", "high"]
    prefix_padding_ms: int
    silence_duration_ms: int
    threshold: float
    idle_timeout_ms: int


class RealtimeModelTracingConfig(TypedDict, total=False):
    """Server-side tracing of the session."""

    workflow_name: str
    group_id: str
    metadata: dict[str, Any]


class RealtimeSessionModelSettings(TypedDict, total=False):
    """Settings of the realtime session (flat names, as in the reference SDK)."""

    model_name: str
    instructions: str
    prompt: dict[str, Any]
    modalities: list[Literal["text", "audio"]]
    """Output modalities: ["audio"] (speech with a transcript) or ["text"]."""
    voice: str
    speed: float
    input_audio_format: Union[str, dict[str, Any]]
    """"pcm16" (24 kHz), "g711_ulaw", "g711_alaw", or a GA format object."""
    output_audio_format: Union[str, dict[str, Any]]
    input_audio_transcription: Optional[RealtimeInputAudioTranscriptionConfig]
    input_audio_noise_reduction: Optional[dict[str, Any]]
    turn_detection: Optional[RealtimeTurnDetectionConfig]
    """None turns server-side turn detection off: commit audio yourself."""
    tool_choice: Any
    tools: list[Any]
    handoffs: list[Any]
    tracing: Union[RealtimeModelTracingConfig, Literal["auto"], None]
    max_output_tokens: Union[int, Literal["inf"]]


class RealtimeGuardrailsSettings(TypedDict, total=False):
    """How often output guardrails run."""

    debounce_text_length: int
    """Run the guardrails each time the transcript of an item grows by this many characters
    (default 100), and once more on its complete text."""


class RealtimeRunConfig(TypedDict, total=False):
    """Configuration of a realtime run."""

    model_settings: RealtimeSessionModelSettings
    output_guardrails: list[OutputGuardrail[Any]]
    guardrails_settings: RealtimeGuardrailsSettings
    tracing_disabled: bool


class RealtimeModelConfig(TypedDict, total=False):
    """How to connect.

    `url`: the websocket URL (default: derived from `OPENAI_BASE_URL`, else
    wss://api.openai.com/v1, plus `/realtime?model=…`). `api_key`: a key or a function
    returning one (default: the configured OpenAI key). `headers`: sent instead of the
    Authorization header. `initial_model_settings`: session settings that win over the
    agent's. `playback_tracker`: a `RealtimePlaybackTracker` fed by your audio player, so an
    interruption truncates exactly what was heard. `connect_timeout`: seconds (default 10).
    """

    url: str
    api_key: Union[str, Callable[[], str]]
    headers: dict[str, str]
    initial_model_settings: RealtimeSessionModelSettings
    playback_tracker: Any
    connect_timeout: float


class RealtimeUserInputText(TypedDict):
    """A text part of a user message."""

    type: Literal["input_text"]
    text: str


class RealtimeUserInputMessage(TypedDict):
    """A user message with text (and image) parts."""

    type: Literal["message"]
    role: Literal["user"]
    content: list[dict[str, Any]]


RealtimeUserInput = Union[str, RealtimeUserInputMessage]
"""What `send_message` accepts."""


DEFAULT_MODEL_SETTINGS: RealtimeSessionModelSettings = {
    "voice": "ash",
    "modalities": ["audio"],
    "input_audio_format": "pcm16",
    "output_audio_format": "pcm16",
    "input_audio_transcription": {"model": "gpt-4o-mini-transcribe"},
    "turn_detection": {"type": "semantic_vad", "interrupt_response": True},
}


def _audio_format(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    formats: dict[str, dict[str, Any]] = {
        "pcm16": {"type": "audio/pcm", "rate": 24000},
        "audio/pcm": {"type": "audio/pcm", "rate": 24000},
        "g711_ulaw": {"type": "audio/pcmu"},
        "audio/pcmu": {"type": "audio/pcmu"},
        "g711_alaw": {"type": "audio/pcma"},
        "audio/pcma": {"type": "audio/pcma"},
    }
    if value not in formats:
        raise UserError(f"Unknown realtime audio format {value!r}")
    return formats[value]


def tool_definition(tool: Any) -> dict[str, Any]:
    """A function tool (or handoff) as the realtime session declares it (no `strict`)."""
    from ..handoffs import Handoff
    from ..tool import FunctionTool

    if isinstance(tool, Handoff):
        return {"type": "function", "name": tool.tool_name, "description": tool.tool_description,
                "parameters": tool.input_json_schema}
    if isinstance(tool, FunctionTool):
        return {"type": "function", "name": tool.name, "description": tool.description,
                "parameters": tool.params_json_schema}
    raise UserError(
        f"Realtime sessions support function tools only, got {type(tool).__name__}"
    )


def session_payload(settings: RealtimeSessionModelSettings, model: str) -> dict[str, Any]:
    """The `session` object of a `session.update` (GA shape) for `settings`."""
    session: dict[str, Any] = {"type": "realtime", "model": model}
    if "instructions" in settings:
        session["instructions"] = settings["instructions"] or ""
    if settings.get("prompt") is not None:
        session["prompt"] = settings["prompt"]
    if "modalities" in settings:
        session["output_modalities"] = list(settings["modalities"])
    audio_in: dict[str, Any] = {}
    audio_out: dict[str, Any] = {}
    if "input_audio_format" in settings:
        audio_in["format"] = _audio_format(settings["input_audio_format"])
    if "input_audio_transcription" in settings:
        audio_in["transcription"] = settings["input_audio_transcription"]
    if "input_audio_noise_reduction" in settings:
        audio_in["noise_reduction"] = settings["input_audio_noise_reduction"]
    if "turn_detection" in settings:
        audio_in["turn_detection"] = settings["turn_detection"]
    if "output_audio_format" in settings:
        audio_out["format"] = _audio_format(settings["output_audio_format"])
    if "voice" in settings:
        audio_out["voice"] = settings["voice"]
    if "speed" in settings:
        audio_out["speed"] = settings["speed"]
    if audio_in or audio_out:
        session["audio"] = {k: v for k, v in (("input", audio_in), ("output", audio_out)) if v}
    tools = [tool_definition(t) for t in settings.get("tools") or []]
    tools += [tool_definition(h) for h in settings.get("handoffs") or []]
    if "tools" in settings or "handoffs" in settings:
        names = [t["name"] for t in tools]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise UserError(f"Duplicate tool names in the realtime session: {duplicates}")
        session["tools"] = tools
    if "tool_choice" in settings:
        choice = settings["tool_choice"]
        session["tool_choice"] = (
            {"type": "function", "name": choice}
            if isinstance(choice, str) and choice not in ("auto", "none", "required") else choice
        )
    if "max_output_tokens" in settings:
        session["max_output_tokens"] = settings["max_output_tokens"]
    if "tracing" in settings:
        session["tracing"] = settings["tracing"]
    json.dumps(session)  # fail here, not in the reader thread, if something is not JSON
    return session
