"""Microphone and speaker helpers on PyAudio, against ALSA's null device (no sound card needed).

Each check runs in a subprocess whose ALSA_CONFIG_PATH points at a config where the default
device is `null`: streams open, writes are accepted (not paced), reads return frames."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import require

NULL_ALSA = "pcm.!default { type null }\npcm.null { type null }\n"


def _pyaudio_installed() -> bool:
    try:
        import pyaudio  # noqa: F401
    except ImportError:
        return False
    return True


def run_with_alsa(tmp_path, code: str, config: str = NULL_ALSA) -> dict:
    require(_pyaudio_installed(), "PyAudio is not installed (pip install 'agents-lite[voice]')")
    conf = tmp_path / "asound.conf"
    conf.write_text(config)
    env = dict(os.environ, ALSA_CONFIG_PATH=str(conf))
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_speaker_and_microphone_on_the_null_device(tmp_path):
    out = run_with_alsa(tmp_path, """
        import array, json
        from agents_lite.voice.audio_io import Microphone, Speaker, play_pcm, record_pcm
        tone = array.array("h", [1000, -1000] * 12000)
        with Speaker() as speaker:
            written = speaker.write(tone.tobytes()) + speaker.write(tone)  # bytes and array
            played = speaker.played_ms
        with Microphone(frames_per_buffer=240) as mic:
            one = mic.read()
            hundred_ms = mic.read_ms(100)
            chunks = [len(c) for c, _ in zip(mic.chunks(), range(3))]
        play_pcm(tone.tobytes())
        recorded = record_pcm(0.25, frame_rate=16000)
        print(json.dumps({"written": written, "played": played, "one": len(one),
                          "hundred": len(hundred_ms), "chunks": chunks,
                          "recorded": len(recorded)}))
    """)
    assert out == {"written": 96000, "played": 2000.0, "one": 480, "hundred": 4800,
                   "chunks": [480, 480, 480], "recorded": 8000}


def test_numpy_playback_and_stereo(tmp_path):
    require(_pyaudio_installed(), "PyAudio is not installed")
    try:
        import numpy  # noqa: F401
    except ImportError:
        require(False, "numpy is not installed")
    out = run_with_alsa(tmp_path, """
        import json
        import numpy as np
        from agents_lite.voice.audio_io import Speaker
        with Speaker(channels=2, frame_rate=48000) as speaker:
            n = speaker.write(np.zeros((480, 2), dtype=np.int16).ravel())
            f = speaker.write(np.zeros(960, dtype=np.float32))
        print(json.dumps({"n": n, "f": f, "ms": speaker.played_ms}))
    """)
    assert out == {"n": 1920, "f": 1920, "ms": 20.0}


def test_microphone_feeds_a_streamed_input(tmp_path):
    out = run_with_alsa(tmp_path, """
        import json, threading, time
        from agents_lite.voice import StreamedAudioInput
        from agents_lite.voice.audio_io import stream_microphone
        source = StreamedAudioInput()
        stop = threading.Event()
        thread = stream_microphone(source, stop)
        time.sleep(0.2)
        stop.set()
        thread.join(5)
        chunks = []
        while True:
            chunk = source.queue.get(timeout=5)
            if chunk is None:
                break
            chunks.append(len(chunk))
        print(json.dumps({"ended": source.ended, "alive": thread.is_alive(),
                          "count": len(chunks), "sizes": sorted(set(chunks))}))
    """)
    assert out["ended"] is True and out["alive"] is False
    assert out["count"] > 0 and out["sizes"] == [960]


def test_missing_device_is_a_clear_error(tmp_path):
    out = run_with_alsa(tmp_path, """
        import json
        from agents_lite.voice.audio_io import AudioDeviceError, Microphone, Speaker
        messages = []
        for device in (Speaker, Microphone):
            try:
                device()
            except AudioDeviceError as exc:
                messages.append(str(exc))
        print(json.dumps(messages))
    """, config="pcm.!default { type hw card 7 }\n")
    assert len(out) == 2
    assert out[0].startswith("Could not open the output device (rate 24000 Hz")
    assert out[1].startswith("Could not open the input device")


def test_closed_devices_refuse_io(tmp_path):
    out = run_with_alsa(tmp_path, """
        import json
        from agents_lite.exceptions import UserError
        from agents_lite.voice.audio_io import Speaker
        speaker = Speaker()
        speaker.close()
        speaker.close()
        try:
            speaker.write(b"\\x00\\x00")
            result = "wrote"
        except UserError as exc:
            result = str(exc)
        try:
            Speaker().write(b"\\x00")
        except UserError as exc:
            odd = str(exc)
        print(json.dumps({"closed": result, "odd": odd}))
    """)
    assert out["closed"] == "The output device is closed"
    assert "whole number of 2-byte frames" in out["odd"]


@pytest.mark.needs_soundcard
def test_real_soundcard_round_trip():
    """Plays a tone and records a second on the machine's real devices. Skipped unless
    AGENTS_LITE_SOUNDCARD=1 (these machines have no sound card); deselect it with
    `-m "not needs_soundcard"`."""
    if os.environ.get("AGENTS_LITE_SOUNDCARD") != "1":
        pytest.skip("needs a real sound card; set AGENTS_LITE_SOUNDCARD=1 to run it")
    from agents_lite.testing.audio_api import tone_pcm
    from agents_lite.voice.audio_io import play_pcm, record_pcm

    play_pcm(tone_pcm(500))
    assert len(record_pcm(1.0)) == 48000
