"""A small incremental parser for server-sent events (the `text/event-stream` format).

Why not parse with sseclient-py: the wire layer needs three things it does not give. A frame cut
off by a dropped connection must be reported as incomplete (sseclient-py dispatches it as if it were
whole); cassettes need each raw frame; and the parser sits on the hot path of every streamed run,
so it works on bytes with one scan per chunk instead of concatenating line by line.

Rules followed (WHATWG HTML, "event stream interpretation"): lines end in LF, CRLF or CR; a blank
line dispatches the frame; lines starting with ":" are comments; `field: value` loses one leading
space; several `data` lines join with "\\n"; a frame without `data` is not dispatched; unknown
fields are ignored. `id` and `retry` are ignored too: model APIs do not resume streams.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple, Optional

__all__ = ["SSEEvent", "SSEParser", "iter_sse_events"]


class SSEEvent(NamedTuple):
    """One dispatched server-sent event."""

    event: str
    """The `event:` field, or "message" when the frame had none (Chat Completions frames)."""
    data: str
    """The `data:` lines joined with newlines."""


class SSEParser:
    """Feed bytes as they arrive; get back the events completed by each chunk.

    `keep_frames=True` also keeps every raw frame (normalised to LF line ends, without the blank
    line that ends it) in `frames`, for recording.
    """

    __slots__ = ("_buf", "_carry_cr", "frames", "_keep", "truncated")

    def __init__(self, keep_frames: bool = False) -> None:
        self._buf = bytearray()
        self._carry_cr = False
        self._keep = keep_frames
        self.frames: list[str] = []
        self.truncated = False
        """Set by `finish()`: the stream ended in the middle of a frame."""

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Parse one chunk; return the events it completed (possibly none)."""
        if self._carry_cr:
            chunk = b"\r" + chunk
            self._carry_cr = False
        if chunk.endswith(b"\r"):
            # A CR at the very end may be the first half of a CRLF split across chunks.
            self._carry_cr = True
            chunk = chunk[:-1]
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        buf = self._buf
        # A frame boundary can straddle the previous chunk's last byte.
        start = max(len(buf) - 1, 0)
        buf += chunk
        events: list[SSEEvent] = []
        pos = 0
        while True:
            end = buf.find(b"\n\n", start)
            if end < 0:
                break
            frame = bytes(buf[pos:end])
            pos = end + 2
            start = pos
            event = self._parse_frame(frame)
            if event is not None:
                events.append(event)
        if pos:
            del buf[:pos]
        return events

    def finish(self) -> list[SSEEvent]:
        """Call at end of stream; returns any event completed by a final CR line ending. Bytes
        of an unfinished frame (a stream cut mid-frame) are discarded, as the spec requires,
        and set `truncated`."""
        events: list[SSEEvent] = []
        if self._carry_cr:
            self._carry_cr = False
            events = self.feed(b"\n")
        self.truncated = bool(bytes(self._buf).strip(b"\n"))
        self._buf.clear()
        return events

    def _parse_frame(self, frame: bytes) -> Optional[SSEEvent]:
        text = frame.decode("utf-8", errors="replace")
        if self._keep:
            self.frames.append(text)
        event = ""
        data: Optional[list[str]] = None
        for line in text.split("\n"):
            if not line or line[0] == ":":
                continue
            name, sep, value = line.partition(":")
            if sep and value[:1] == " ":
                value = value[1:]
            if name == "data":
                if data is None:
                    data = [value]
                else:
                    data.append(value)
            elif name == "event":
                event = value
        if data is None:
            return None
        return SSEEvent(event or "message", data[0] if len(data) == 1 else "\n".join(data))


def iter_sse_events(chunks: Iterable[bytes]) -> Iterator[SSEEvent]:
    """Events from an iterable of byte chunks (convenience for tests and replay)."""
    parser = SSEParser()
    for chunk in chunks:
        yield from parser.feed(chunk)
    yield from parser.finish()
