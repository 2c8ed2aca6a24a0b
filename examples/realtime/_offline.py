"""Offline mode for the realtime examples: a local server plays the Realtime API.

With `OPENAI_API_KEY` set, `serve_offline()` does nothing and the examples connect to OpenAI.
Without a key it starts a `RealtimeTestServer` (energy-based turn detection, scripted input
transcripts, tone "speech") whose answers come from the example's `respond(items)`, and points
`OPENAI_BASE_URL` at it, which is where realtime sessions connect when no URL is given.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
from typing import Any, Callable, Optional

from agents_lite.testing.audio_api import tone_pcm
from agents_lite.testing.realtime_server import RealtimeTestServer
from agents_lite.testing.realtime_server import realtime_function_call as function_call
from agents_lite.voice.wav import write_wav

__all__ = ["function_call", "last_user_text", "serve_offline", "speak_to_wav"]


def serve_offline(respond: Callable[[list[dict[str, Any]]], Any],
                  transcripts: Optional[list[str]] = None) -> Optional[RealtimeTestServer]:
    """A local realtime server answering with `respond(conversation_items)`, unless an OpenAI
    key is set."""
    if os.environ.get("OPENAI_API_KEY"):
        return None
    server = RealtimeTestServer().start()
    server.set_responder(lambda items, session: respond(items))
    for text in transcripts or []:
        server.add_transcript(text)
    os.environ["OPENAI_BASE_URL"] = server.http_base_url
    atexit.register(server.stop)
    print("offline: local realtime server (set OPENAI_API_KEY to use the OpenAI API)", flush=True)
    return server


def speak_to_wav(text: str, path: str) -> str:
    """`text` spoken by espeak-ng into a WAV file (a tone of similar length without it)."""
    if shutil.which("espeak-ng"):
        subprocess.run(["espeak-ng", "-w", path, text], check=True)
    else:
        write_wav(path, tone_pcm(len(text) * 60.0))
    return path


def last_user_text(items: list[dict[str, Any]]) -> str:
    """What the user said last (typed text or the transcript of their audio)."""
    for item in reversed(items):
        if item.get("type") == "message" and item.get("role") == "user":
            parts = item.get("content") or []
            return " ".join(p.get("text") or p.get("transcript") or "" for p in parts)
    return ""
