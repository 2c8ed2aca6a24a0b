"""Events of a realtime session (what iterating a `RealtimeSession` yields) and the model-layer
events they carry in `raw_model_event`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Optional, Union

from ..run_context import RunContextWrapper

if TYPE_CHECKING:
    from ..guardrail import OutputGuardrailResult
    from .agent import RealtimeAgent
    from .items import RealtimeItem

__all__ = [
    "RealtimeAgentEndEvent",
    "RealtimeAgentStartEvent",
    "RealtimeAudio",
    "RealtimeAudioEnd",
    "RealtimeAudioInterrupted",
    "RealtimeError",
    "RealtimeErrorDetails",
    "RealtimeEventInfo",
    "RealtimeGuardrailTripped",
    "RealtimeHandoffEvent",
    "RealtimeHistoryAdded",
    "RealtimeHistoryUpdated",
    "RealtimeModelAudioEvent",
    "RealtimeModelEvent",
    "RealtimeModelInputAudioTranscriptionCompletedEvent",
    "RealtimeModelOutputTextDeltaEvent",
    "RealtimeModelRawServerEvent",
    "RealtimeModelTranscriptDeltaEvent",
    "RealtimeRawModelEvent",
    "RealtimeSessionEvent",
    "RealtimeToolApprovalRequired",
    "RealtimeToolEnd",
    "RealtimeToolStart",
]


@dataclass
class RealtimeEventInfo:
    """Shared by every event: the session's run context."""

    context: RunContextWrapper[Any]


@dataclass
class RealtimeErrorDetails:
    """An error reported by the server (its `error` object) or by the session itself."""

    message: str
    type: Optional[str] = None
    """e.g. "invalid_request_error", "server_error"; the session's own: "connection_closed",
    "malformed_server_event", "tool_error", "guardrail_error"."""
    code: Optional[str] = None
    event_id: Optional[str] = None
    """The client event that caused it, when the server says."""
    param: Optional[str] = None

    @classmethod
    def from_server(cls, error: Any) -> RealtimeErrorDetails:
        """From a server `error` object (tolerates missing or odd fields)."""
        if not isinstance(error, dict):
            return cls(message=str(error) if error is not None else "unknown error")
        code = error.get("code")
        return cls(
            message=str(error.get("message") or "unknown error"),
            type=error.get("type"),
            code=str(code) if code is not None else None,
            event_id=error.get("event_id"),
            param=error.get("param"),
        )


# --- model-layer events (inside raw_model_event) ------------------------------------------------


@dataclass
class RealtimeModelRawServerEvent:
    """A server event exactly as it arrived (every frame produces one)."""

    data: dict[str, Any]
    type: Literal["raw_server_event"] = "raw_server_event"


@dataclass
class RealtimeModelTranscriptDeltaEvent:
    """A piece of the transcript of the assistant's speech."""

    item_id: str
    delta: str
    response_id: str
    type: Literal["transcript_delta"] = "transcript_delta"


@dataclass
class RealtimeModelOutputTextDeltaEvent:
    """A piece of the assistant's text (text-only sessions)."""

    item_id: str
    delta: str
    response_id: str
    type: Literal["output_text_delta"] = "output_text_delta"


@dataclass
class RealtimeModelInputAudioTranscriptionCompletedEvent:
    """The transcript of something the user said."""

    item_id: str
    transcript: str
    type: Literal["input_audio_transcription_completed"] = "input_audio_transcription_completed"


@dataclass
class RealtimeModelAudioEvent:
    """A chunk of the assistant's audio (PCM16 24 kHz mono for the default format)."""

    data: bytes
    response_id: str
    item_id: str
    content_index: int
    type: Literal["audio"] = "audio"


RealtimeModelEvent = Union[
    RealtimeModelRawServerEvent,
    RealtimeModelTranscriptDeltaEvent,
    RealtimeModelOutputTextDeltaEvent,
    RealtimeModelInputAudioTranscriptionCompletedEvent,
    RealtimeModelAudioEvent,
]


# --- session events ------------------------------------------------------------------------------


@dataclass
class RealtimeAgentStartEvent:
    """The agent started answering (a response began)."""

    agent: RealtimeAgent[Any]
    info: RealtimeEventInfo
    type: Literal["agent_start"] = "agent_start"


@dataclass
class RealtimeAgentEndEvent:
    """The agent finished answering (the response is done)."""

    agent: RealtimeAgent[Any]
    info: RealtimeEventInfo
    type: Literal["agent_end"] = "agent_end"


@dataclass
class RealtimeHandoffEvent:
    """The session switched agents."""

    from_agent: RealtimeAgent[Any]
    to_agent: RealtimeAgent[Any]
    info: RealtimeEventInfo
    type: Literal["handoff"] = "handoff"


@dataclass
class RealtimeToolStart:
    """A tool call is starting."""

    agent: RealtimeAgent[Any]
    tool: Any
    arguments: str
    info: RealtimeEventInfo
    type: Literal["tool_start"] = "tool_start"


@dataclass
class RealtimeToolEnd:
    """A tool call finished; `output` is the tool's raw return value (or the error text sent
    to the model when it failed)."""

    agent: RealtimeAgent[Any]
    tool: Any
    output: Any
    arguments: str
    info: RealtimeEventInfo
    type: Literal["tool_end"] = "tool_end"


@dataclass
class RealtimeToolApprovalRequired:
    """A tool call waits for `session.approve_tool_call(call_id)` / `reject_tool_call`."""

    agent: RealtimeAgent[Any]
    tool: Any
    call_id: str
    arguments: str
    info: RealtimeEventInfo
    type: Literal["tool_approval_required"] = "tool_approval_required"


@dataclass
class RealtimeRawModelEvent:
    """A model-layer event: every server frame (`raw_server_event`), transcript and text
    deltas, input transcriptions."""

    data: Any
    info: RealtimeEventInfo
    type: Literal["raw_model_event"] = "raw_model_event"


@dataclass
class RealtimeAudio:
    """Audio to play. `audio.data` is PCM bytes."""

    audio: RealtimeModelAudioEvent
    item_id: str
    content_index: int
    info: RealtimeEventInfo
    type: Literal["audio"] = "audio"


@dataclass
class RealtimeAudioEnd:
    """The assistant finished the audio of an item."""

    item_id: str
    content_index: int
    info: RealtimeEventInfo
    type: Literal["audio_end"] = "audio_end"


@dataclass
class RealtimeAudioInterrupted:
    """The assistant's audio was interrupted: stop playback now (what is still buffered was
    not heard)."""

    item_id: str
    content_index: int
    info: RealtimeEventInfo
    type: Literal["audio_interrupted"] = "audio_interrupted"


@dataclass
class RealtimeError:
    """An error from the server or the session. The session keeps running unless the
    connection itself ended."""

    error: RealtimeErrorDetails
    info: RealtimeEventInfo
    type: Literal["error"] = "error"


@dataclass
class RealtimeHistoryUpdated:
    """The history changed; `history` is the whole of it."""

    history: list[RealtimeItem]
    info: RealtimeEventInfo
    type: Literal["history_updated"] = "history_updated"


@dataclass
class RealtimeHistoryAdded:
    """An item joined the history."""

    item: RealtimeItem
    info: RealtimeEventInfo
    type: Literal["history_added"] = "history_added"


@dataclass
class RealtimeGuardrailTripped:
    """An output guardrail tripped on the agent's transcript; the answer was interrupted."""

    guardrail_results: list[OutputGuardrailResult]
    message: str
    info: RealtimeEventInfo
    type: Literal["guardrail_tripped"] = "guardrail_tripped"


RealtimeSessionEvent = Union[
    RealtimeAgentStartEvent,
    RealtimeAgentEndEvent,
    RealtimeHandoffEvent,
    RealtimeToolStart,
    RealtimeToolEnd,
    RealtimeToolApprovalRequired,
    RealtimeRawModelEvent,
    RealtimeAudio,
    RealtimeAudioEnd,
    RealtimeAudioInterrupted,
    RealtimeError,
    RealtimeHistoryUpdated,
    RealtimeHistoryAdded,
    RealtimeGuardrailTripped,
]
"""Any event a realtime session yields."""
