"""Offline mode for the voice examples: local servers play OpenAI's audio endpoints.

With `OPENAI_API_KEY` set, `serve_offline()` does nothing and the examples talk to the OpenAI API.
Without a key it starts a `LocalOpenAIServer` with the audio endpoints (scripted transcripts; the
"speech" is a tone as long as the text) and, for streamed input, a `RealtimeTestServer` for the
transcription websocket. Model requests are answered by the example's `respond(body)`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any, Callable, Optional

from agents_lite.testing.audio_api import AudioAPI, install_audio_api, tone_pcm
from agents_lite.testing.realtime_server import RealtimeTestServer
from agents_lite.testing.server import LocalOpenAIServer
from agents_lite.voice.wav import write_wav


@dataclass
class Offline:
    http: LocalOpenAIServer
    audio: AudioAPI
    realtime: Optional[RealtimeTestServer] = None

    @property
    def websocket_base_url(self) -> Optional[str]:
        return self.realtime.base_url if self.realtime else None


def serve_offline(respond: Callable[[dict[str, Any]], Any], transcripts: list[str], *,
                  streamed: bool = False) -> Optional[Offline]:
    """Local servers answering like OpenAI would, unless an OpenAI key is set."""
    if os.environ.get("OPENAI_API_KEY"):
        return None
    from agents_lite.models.defaults import OpenAIClient, set_default_openai_client
    from agents_lite.tracing import set_tracing_disabled

    http = LocalOpenAIServer().start()
    http.set_responder(lambda request: respond(request.body))
    audio = install_audio_api(http)
    realtime = None
    if streamed:
        realtime = RealtimeTestServer().start()
        for text in transcripts:
            realtime.add_transcript(text)
        atexit.register(realtime.stop)
    else:
        audio.add_transcripts(*transcripts)
    set_default_openai_client(OpenAIClient(base_url=http.base_url, api_key="sk-offline"),
                              use_for_tracing=False)
    set_tracing_disabled(True)
    os.environ["OPENAI_BASE_URL"] = http.base_url
    atexit.register(http.stop)
    print("offline: local audio and model servers (set OPENAI_API_KEY to use the OpenAI API)",
          flush=True)
    return Offline(http, audio, realtime)


def speak_to_wav(text: str, path: str) -> str:
    """`text` spoken by espeak-ng into a WAV file (a tone of similar length without it)."""
    if shutil.which("espeak-ng"):
        subprocess.run(["espeak-ng", "-w", path, text], check=True)
    else:
        write_wav(path, tone_pcm(len(text) * 60.0) + b"\x00\x00" * 4800)
    return path


def last_user_text(body: dict[str, Any]) -> str:
    """The text of the last user message of a Responses request."""
    for item in reversed(body.get("input") or []):
        if item.get("role") == "user":
            content = item.get("content")
            return content if isinstance(content, str) else content[0].get("text", "")
    return ""


def tool_outputs(body: dict[str, Any]) -> list[str]:
    """Outputs of the tool calls made since the last user message."""
    outputs: list[str] = []
    for item in body.get("input") or []:
        if item.get("role") == "user":
            outputs = []
        elif item.get("type") == "function_call_output":
            outputs.append(str(item.get("output")))
    return outputs
