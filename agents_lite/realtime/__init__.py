"""Realtime (speech-to-speech) agents over one websocket per session (websocket-client, the
`realtime` extra).

    from agents_lite.realtime import RealtimeAgent, RealtimeRunner

    agent = RealtimeAgent(name="Assistant", instructions="Be brief.")
    with RealtimeRunner(agent).run() as session:
        session.send_message("Hello!")
        for event in session:
            if event.type == "audio":
                play(event.audio.data)
            elif event.type == "agent_end":
                break

Importing this package does not import websocket-client; connecting does.
"""

from __future__ import annotations

from .agent import RealtimeAgent, realtime_handoff
from .config import (
    DEFAULT_MODEL_SETTINGS,
    DEFAULT_REALTIME_MODEL,
    RealtimeGuardrailsSettings,
    RealtimeInputAudioTranscriptionConfig,
    RealtimeModelConfig,
    RealtimeModelTracingConfig,
    RealtimeRunConfig,
    RealtimeSessionModelSettings,
    RealtimeTurnDetectionConfig,
    RealtimeUserInput,
    RealtimeUserInputMessage,
    RealtimeUserInputText,
)
from .events import (
    RealtimeAgentEndEvent,
    RealtimeAgentStartEvent,
    RealtimeAudio,
    RealtimeAudioEnd,
    RealtimeAudioInterrupted,
    RealtimeError,
    RealtimeErrorDetails,
    RealtimeEventInfo,
    RealtimeGuardrailTripped,
    RealtimeHandoffEvent,
    RealtimeHistoryAdded,
    RealtimeHistoryUpdated,
    RealtimeModelAudioEvent,
    RealtimeModelEvent,
    RealtimeModelInputAudioTranscriptionCompletedEvent,
    RealtimeModelOutputTextDeltaEvent,
    RealtimeModelRawServerEvent,
    RealtimeModelTranscriptDeltaEvent,
    RealtimeRawModelEvent,
    RealtimeSessionEvent,
    RealtimeToolApprovalRequired,
    RealtimeToolEnd,
    RealtimeToolStart,
)
from .items import (
    AssistantAudio,
    AssistantMessageItem,
    AssistantText,
    InputAudio,
    InputImage,
    InputText,
    RealtimeItem,
    RealtimeMessageItem,
    RealtimeToolCallItem,
    SystemMessageItem,
    UserMessageItem,
)
from .playback import RealtimePlaybackState, RealtimePlaybackTracker
from .runner import RealtimeRunner
from .session import RealtimeSession
from .transport import RealtimeConnectionError, realtime_url

__all__ = [
    "AssistantAudio",
    "AssistantMessageItem",
    "AssistantText",
    "DEFAULT_MODEL_SETTINGS",
    "DEFAULT_REALTIME_MODEL",
    "InputAudio",
    "InputImage",
    "InputText",
    "RealtimeAgent",
    "RealtimeAgentEndEvent",
    "RealtimeAgentStartEvent",
    "RealtimeAudio",
    "RealtimeAudioEnd",
    "RealtimeAudioInterrupted",
    "RealtimeConnectionError",
    "RealtimeError",
    "RealtimeErrorDetails",
    "RealtimeEventInfo",
    "RealtimeGuardrailTripped",
    "RealtimeGuardrailsSettings",
    "RealtimeHandoffEvent",
    "RealtimeHistoryAdded",
    "RealtimeHistoryUpdated",
    "RealtimeInputAudioTranscriptionConfig",
    "RealtimeItem",
    "RealtimeMessageItem",
    "RealtimeModelAudioEvent",
    "RealtimeModelConfig",
    "RealtimeModelEvent",
    "RealtimeModelInputAudioTranscriptionCompletedEvent",
    "RealtimeModelOutputTextDeltaEvent",
    "RealtimeModelRawServerEvent",
    "RealtimeModelTracingConfig",
    "RealtimeModelTranscriptDeltaEvent",
    "RealtimePlaybackState",
    "RealtimePlaybackTracker",
    "RealtimeRawModelEvent",
    "RealtimeRunConfig",
    "RealtimeRunner",
    "RealtimeSession",
    "RealtimeSessionEvent",
    "RealtimeSessionModelSettings",
    "RealtimeToolApprovalRequired",
    "RealtimeToolCallItem",
    "RealtimeToolEnd",
    "RealtimeToolStart",
    "RealtimeTurnDetectionConfig",
    "RealtimeUserInput",
    "RealtimeUserInputMessage",
    "RealtimeUserInputText",
    "SystemMessageItem",
    "UserMessageItem",
    "realtime_handoff",
    "realtime_url",
]
