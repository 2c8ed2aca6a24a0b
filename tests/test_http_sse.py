"""The server-sent-events parser: framing rules, chunk boundaries anywhere, cut streams."""

from __future__ import annotations

import pytest

from agents_lite.models.sse import SSEEvent, SSEParser, iter_sse_events

STREAM = (
    b": a comment\n"
    b"event: response.created\n"
    b'data: {"a": 1}\n'
    b"\n"
    b"data: first line\n"
    b"data: second line\n"
    b"id: 7\n"
    b"retry: 100\n"
    b"\n"
    b"event: only-an-event\n"
    b"\n"
    b"data:no-space\n"
    b"unknown-field: x\n"
    b"\n"
    b"data: [DONE]\n\n"
)
EXPECTED = [
    SSEEvent("response.created", '{"a": 1}'),
    SSEEvent("message", "first line\nsecond line"),
    SSEEvent("message", "no-space"),
    SSEEvent("message", "[DONE]"),
]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_framing_rules_with_every_line_ending(newline):
    data = STREAM.replace(b"\n", newline)
    assert list(iter_sse_events([data])) == EXPECTED


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_any_chunking_gives_the_same_events(newline):
    data = STREAM.replace(b"\n", newline)
    for size in (1, 2, 3, 5, 7, 16):
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        assert list(iter_sse_events(chunks)) == EXPECTED, size


def test_utf8_split_across_chunks():
    data = 'data: {"t": "h\u00e9llo \u2603"}\n\n'.encode()
    chunks = [data[i:i + 1] for i in range(len(data))]
    assert list(iter_sse_events(chunks)) == [SSEEvent("message", '{"t": "h\u00e9llo \u2603"}')]


def test_finish_reports_a_cut_frame_and_drops_it():
    parser = SSEParser()
    assert parser.feed(b'event: x\ndata: {"done": true}\n\nevent: y\ndata: {"par') == [
        SSEEvent("x", '{"done": true}')
    ]
    assert parser.finish() == []
    assert parser.truncated is True
    clean = SSEParser()
    clean.feed(b"data: 1\n\n")
    assert clean.finish() == [] and clean.truncated is False
    split_crlf = SSEParser()
    assert split_crlf.feed(b"data: 1\r\n\r") == []
    assert split_crlf.feed(b"\n") == [SSEEvent("message", "1")]
    cr_only = SSEParser()
    assert cr_only.feed(b"data: 2\r\r") == []  # the last CR could still start a CRLF
    assert cr_only.finish() == [SSEEvent("message", "2")]
    assert cr_only.truncated is False


def test_keep_frames_for_recording():
    parser = SSEParser(keep_frames=True)
    parser.feed(b"event: a\r\ndata: 1\r\n\r\n: ping\n\n")
    assert parser.frames == ["event: a\ndata: 1", ": ping"]
