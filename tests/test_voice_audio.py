"""Audio plumbing of the voice package: PCM conversion, WAV files, inputs, sentence splitting.

Real audio comes from espeak-ng (speech) and sox (re-encoding to other sample widths)."""

from __future__ import annotations

import array
import shutil
import subprocess
import sys
import wave

import pytest

from agents_lite.exceptions import UserError
from agents_lite.voice import AudioInput, StreamedAudioInput, get_sentence_based_splitter
from agents_lite.voice.pcm import Resampler, convert_sample_width, resample, to_mono, to_pcm16
from agents_lite.voice.wav import read_wav, wav_bytes, write_wav

from conftest import require


def _numpy():
    try:
        import numpy
    except ImportError:
        numpy = None
    require(numpy is not None, "numpy is not installed")
    return numpy


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory):
    """A real spoken sentence (espeak-ng writes 16-bit mono 22050 Hz WAV)."""
    require(shutil.which("espeak-ng") is not None, "espeak-ng is not installed")
    path = tmp_path_factory.mktemp("speech") / "hello.wav"
    subprocess.run(["espeak-ng", "-w", str(path), "Hello, this is a voice test."], check=True)
    return path


def _sox(source, target, *args):
    require(shutil.which("sox") is not None, "sox is not installed")
    subprocess.run(["sox", str(source), *args, str(target)], check=True)
    return target


def test_espeak_wav_reads_as_16_bit_pcm(speech_wav):
    wav = read_wav(speech_wav)
    with wave.open(str(speech_wav)) as reader:
        frames = reader.readframes(reader.getnframes())
        rate = reader.getframerate()
    assert wav.frame_rate == rate == 22050
    assert wav.channels == 1 and wav.source_sample_width == 2
    assert wav.pcm == frames  # 16-bit input passes through byte for byte
    assert 1000 < wav.duration_ms < 5000
    assert max(abs(s) for s in array.array("h", wav.pcm)) > 1000  # real speech, not silence


@pytest.mark.parametrize("bits", [8, 24, 32])
def test_other_sample_widths_convert_to_16_bit(speech_wav, tmp_path, bits):
    converted = _sox(speech_wav, tmp_path / f"speech{bits}.wav", "-b", str(bits))
    original = array.array("h", read_wav(speech_wav).pcm)
    wav = read_wav(converted)
    assert wav.source_sample_width == bits // 8
    samples = array.array("h", wav.pcm)
    assert len(samples) == len(original)
    # 24/32-bit keep the 16 most significant bits exactly; 8-bit keeps the top 8 (sox dithers).
    tolerance = 0 if bits > 16 else 600
    assert max(abs(a - b) for a, b in zip(samples, original)) <= tolerance


def test_audio_input_from_wav_path_uses_the_file_format(speech_wav):
    audio = AudioInput(str(speech_wav))
    assert audio.frame_rate == 22050 and audio.channels == 1
    assert audio.pcm == read_wav(speech_wav).pcm
    name, upload, content_type = audio.to_audio_file()
    assert (name, content_type) == ("audio.wav", "audio/wav")
    back = read_wav(upload.getvalue())
    assert back.frame_rate == 22050 and back.pcm == audio.pcm


def test_audio_input_accepts_bytes_array_and_numpy():
    pcm = array.array("h", [0, 1000, -1000, 32767, -32768, 5]).tobytes()
    assert AudioInput(pcm).pcm == pcm
    assert AudioInput(array.array("h", [0, 1000, -1000, 32767, -32768, 5])).pcm == pcm
    np = _numpy()
    arr = np.array([0, 1000, -1000, 32767, -32768, 5], dtype=np.int16)
    audio = AudioInput(arr)
    assert audio.pcm == pcm and audio.is_numpy
    floats = AudioInput(np.array([0.0, 0.5, -0.5, 2.0], dtype=np.float32))
    assert array.array("h", floats.pcm).tolist() == [0, 16383, -16383, 32767]


def test_audio_input_rejects_wrong_sample_width_and_types():
    with pytest.raises(UserError, match="whole number of 2-byte frames"):
        AudioInput(b"\x00\x01\x02")  # an odd number of bytes cannot be 16-bit samples
    with pytest.raises(UserError, match="whole number of 4-byte frames"):
        AudioInput(b"\x00" * 6, channels=2)
    with pytest.raises(UserError, match="sample_width"):
        AudioInput(b"\x00" * 10, sample_width=5)
    with pytest.raises(UserError, match="array.array audio must have typecode"):
        AudioInput(array.array("i", [1, 2]))
    with pytest.raises(UserError, match="16-bit PCM bytes"):
        AudioInput([1, 2, 3])
    with pytest.raises(UserError, match="frame_rate"):
        AudioInput(b"\x00\x00", frame_rate=0)
    np = _numpy()
    with pytest.raises(UserError, match="int16 samples or floats"):
        AudioInput(np.zeros(4, dtype=np.int32))


def test_audio_input_rejects_files_that_are_not_wav(tmp_path):
    bogus = tmp_path / "notes.wav"
    bogus.write_bytes(b"this is not a wav file at all")
    with pytest.raises(UserError, match="Not a PCM WAV file"):
        AudioInput(str(bogus))
    with pytest.raises(UserError, match="not found"):
        AudioInput(str(tmp_path / "missing.wav"))


def test_explicit_sample_widths_of_raw_bytes():
    assert convert_sample_width(bytes([128, 255, 0]), 1) == bytes([0, 0, 0, 127, 0, 128])
    # 24-bit little-endian 0x123456 keeps its top two bytes 0x1234
    assert convert_sample_width(bytes([0x56, 0x34, 0x12]), 3) == bytes([0x34, 0x12])
    assert convert_sample_width(bytes([0x78, 0x56, 0x34, 0x12]), 4) == bytes([0x34, 0x12])
    assert to_pcm16(bytes([0x56, 0x34, 0x12]) * 2, sample_width=3) == bytes([0x34, 0x12]) * 2


def test_wav_round_trip_and_stereo_downmix(tmp_path):
    stereo = array.array("h", [100, 300, -200, -400, 32767, 32767]).tobytes()
    path = tmp_path / "stereo.wav"
    write_wav(str(path), stereo, 16000, channels=2)
    wav = read_wav(str(path))
    assert (wav.frame_rate, wav.channels, wav.pcm) == (16000, 2, stereo)
    assert array.array("h", to_mono(stereo, 2)).tolist() == [200, -300, 32767]
    with pytest.raises(UserError):
        wav_bytes(b"\x00\x00\x00", 24000)


def test_resampler_is_independent_of_chunking(speech_wav):
    pcm = read_wav(speech_wav).pcm
    whole = Resampler(22050, 24000).process(pcm)
    chunked_resampler = Resampler(22050, 24000)
    pieces = [pcm[i:i + 999] for i in range(0, len(pcm), 999)]  # odd sizes split samples
    chunked = b"".join(chunked_resampler.process(p) for p in pieces)
    assert chunked == whole
    expected_samples = len(pcm) // 2 * 24000 / 22050
    assert abs(len(whole) // 2 - expected_samples) <= 2
    assert resample(pcm, 24000, 24000) == pcm


def test_streamed_input_converts_to_24k_mono_and_rejects_bad_chunks(speech_wav):
    wav = read_wav(speech_wav)
    stream = StreamedAudioInput(frame_rate=22050)
    for i in range(0, len(wav.pcm), 4410):
        stream.add_audio(wav.pcm[i:i + 4410])
    with pytest.raises(UserError):
        stream.add_audio(b"\x01")  # not a whole sample
    stream.add_audio(None)
    chunks = []
    while True:
        chunk = stream.queue.get_nowait()
        if chunk is None:
            break
        chunks.append(chunk)
    assert b"".join(chunks) == Resampler(22050, 24000).process(wav.pcm)
    with pytest.raises(UserError, match="already ended"):
        stream.add_audio(b"\x00\x00")


def test_streamed_input_remembers_numpy():
    np = _numpy()
    stream = StreamedAudioInput()
    assert not stream.saw_numpy
    stream.add_audio(np.zeros(10, dtype=np.int16))
    assert stream.saw_numpy and stream.queue.get_nowait() == b"\x00" * 20


def test_sentence_splitter():
    split = get_sentence_based_splitter(min_sentence_length=20)
    assert split("Hello") == ("", "Hello")
    assert split("Hi. Ok. ") == ("", "Hi. Ok. ")  # too short to send yet
    assert split("This is one sentence. And another one is") == (
        "This is one sentence.", "And another one is")
    assert split("What a day! Are you sure? Yes") == ("What a day! Are you sure?", "Yes")
    assert split('He said "stop." Then left') == ("", 'He said "stop." Then left')
    assert split('He said "no way, never." Then he left') == (
        'He said "no way, never."', "Then he left")


def test_importing_voice_loads_no_optional_dependencies():
    code = (
        "import sys, agents_lite, agents_lite.voice, agents_lite.realtime\n"
        "bad = [m for m in ('pyaudio', 'websocket', 'numpy', 'asyncio') if m in sys.modules]\n"
        "print(bad)\n"
        "import agents_lite as a\n"
        "print([m for m in sys.modules if m.startswith(('agents_lite.voice', "
        "'agents_lite.realtime'))][:1])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.splitlines()[0] == "[]"
    top = subprocess.run(
        [sys.executable, "-c", "import sys, agents_lite; print(sorted(m for m in sys.modules if "
         "m.startswith(('agents_lite.voice', 'agents_lite.realtime', 'pyaudio', 'websocket', "
         "'numpy'))))"], capture_output=True, text=True, check=True)
    assert top.stdout.strip() == "[]"
