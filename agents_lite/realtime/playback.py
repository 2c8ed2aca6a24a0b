"""How much of the assistant's audio the user actually heard, so an interruption truncates the
conversation at the right millisecond."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Optional

__all__ = ["RealtimePlaybackState", "RealtimePlaybackTracker"]

_BYTES_PER_MS = 24000 * 2 / 1000.0  # PCM16 mono at 24 kHz


@dataclass
class RealtimePlaybackState:
    """The item being played and how much of it has been played."""

    current_item_id: Optional[str]
    current_item_content_index: Optional[int]
    elapsed_ms: Optional[float]


class RealtimePlaybackTracker:
    """Fed by your audio player: call `on_play_bytes` (or `on_play_ms`) as audio is actually
    played. Pass it as `model_config={"playback_tracker": tracker}`; without one, the session
    assumes audio is heard as soon as it arrives. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: Optional[tuple[str, int]] = None
        self._elapsed_ms = 0.0

    def on_play_bytes(self, item_id: str, item_content_index: int, audio: bytes) -> None:
        """`audio` (PCM16 24 kHz mono) of this item was played."""
        self.on_play_ms(item_id, item_content_index, len(audio) / _BYTES_PER_MS)

    def on_play_ms(self, item_id: str, item_content_index: int, ms: float) -> None:
        """`ms` milliseconds of this item were played."""
        with self._lock:
            if self._item != (item_id, item_content_index):
                self._item = (item_id, item_content_index)
                self._elapsed_ms = 0.0
            self._elapsed_ms += ms

    def on_interrupted(self) -> None:
        """Playback stopped (the session calls this when it interrupts)."""
        with self._lock:
            self._item = None
            self._elapsed_ms = 0.0

    def get_state(self) -> RealtimePlaybackState:
        """What is playing and for how long."""
        with self._lock:
            if self._item is None:
                return RealtimePlaybackState(None, None, None)
            return RealtimePlaybackState(self._item[0], self._item[1], self._elapsed_ms)
