"""`MemoryComputer`: a `Computer` that lives in memory, for tests and offline demos.

It has an RGB pixel buffer and draws what the model does on it: a click leaves a square (red for
the left button, blue for the right one), a double click a bigger one, a drag a line, typed text a
row of small blocks. It records every action in `actions` and the typed text in `typed`.
`screenshot()` encodes the buffer as a PNG with the standard library (zlib), no imaging library.
"""

from __future__ import annotations

import base64
import struct
import threading
import zlib
from typing import Any, Optional

from ..computer import Button, Computer, Environment

__all__ = ["MemoryComputer", "encode_png", "decode_png"]

Color = tuple[int, int, int]
_BACKGROUND: Color = (255, 255, 255)
_CLICK_COLORS: dict[str, Color] = {
    "left": (220, 30, 30), "right": (30, 30, 220), "wheel": (30, 160, 30),
    "back": (120, 120, 120), "forward": (60, 60, 60),
}
_DOUBLE: Color = (200, 120, 0)
_DRAG: Color = (0, 0, 0)
_TEXT: Color = (40, 40, 40)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode_png(width: int, height: int, rgb: bytes) -> bytes:
    """An 8-bit RGB PNG of `rgb` (row-major, 3 bytes per pixel)."""
    if len(rgb) != width * height * 3:
        raise ValueError("rgb must hold width * height * 3 bytes")
    stride = width * 3
    rows = b"".join(b"\x00" + rgb[y * stride:(y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (_PNG_SIGNATURE + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows, 6)) + _chunk(b"IEND", b""))


def decode_png(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, rgb) of a PNG written by `encode_png` (8-bit RGB, filter 0 only)."""
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG")
    pos, width, height, idat = len(_PNG_SIGNATURE), 0, 0, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if zlib.crc32(kind + body) & 0xFFFFFFFF != struct.unpack(">I", data[pos + 8 + length:
                                                                       pos + 12 + length])[0]:
            raise ValueError(f"bad CRC in {kind!r} chunk")
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            if (depth, color) != (8, 2):
                raise ValueError("only 8-bit RGB PNGs are supported")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 3
    rows = []
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        if line[0] != 0:
            raise ValueError("only PNG filter type 0 is supported")
        rows.append(line[1:])
    return width, height, b"".join(rows)


class MemoryComputer(Computer):
    """An in-memory screen of `width` x `height` pixels (thread-safe)."""

    def __init__(self, width: int = 256, height: int = 160, environment: Environment = "browser"):
        if width <= 0 or height <= 0:
            raise ValueError("width and height must be positive")
        self._width, self._height, self._environment = width, height, environment
        self._pixels = bytearray(bytes(_BACKGROUND) * (width * height))
        self._lock = threading.Lock()
        self.actions: list[tuple[Any, ...]] = []
        """Every action, in order, e.g. ("click", 10, 20, "left")."""
        self.typed = ""
        """All text typed so far."""
        self.pointer: tuple[int, int] = (0, 0)
        self.scroll_offset: tuple[int, int] = (0, 0)
        self.screenshots_taken = 0
        self._text_cursor = (4, 4)

    @property
    def environment(self) -> Environment:
        return self._environment

    @property
    def dimensions(self) -> tuple[int, int]:
        return (self._width, self._height)

    # --- drawing ---------------------------------------------------------------------------------

    def _set(self, x: int, y: int, color: Color) -> None:
        if 0 <= x < self._width and 0 <= y < self._height:
            index = (y * self._width + x) * 3
            self._pixels[index:index + 3] = bytes(color)

    def _square(self, x: int, y: int, radius: int, color: Color) -> None:
        for dy in range(-radius, radius + 1):
            for dx in range(-radius, radius + 1):
                self._set(x + dx, y + dy, color)

    def _line(self, a: tuple[int, int], b: tuple[int, int], color: Color) -> None:
        steps = max(abs(b[0] - a[0]), abs(b[1] - a[1]), 1)
        for i in range(steps + 1):
            self._set(round(a[0] + (b[0] - a[0]) * i / steps),
                      round(a[1] + (b[1] - a[1]) * i / steps), color)

    def pixel(self, x: int, y: int) -> Color:
        """The colour at (x, y)."""
        with self._lock:
            index = (y * self._width + x) * 3
            r, g, b = self._pixels[index:index + 3]
            return (r, g, b)

    # --- the Computer interface ------------------------------------------------------------------

    def screenshot(self) -> str:
        with self._lock:
            self.screenshots_taken += 1
            self.actions.append(("screenshot",))
            png = encode_png(self._width, self._height, bytes(self._pixels))
        return base64.b64encode(png).decode("ascii")

    def click(self, x: int, y: int, button: Button = "left") -> None:
        with self._lock:
            self.actions.append(("click", x, y, button))
            self.pointer = (x, y)
            self._square(x, y, 2, _CLICK_COLORS.get(button, _CLICK_COLORS["left"]))

    def double_click(self, x: int, y: int) -> None:
        with self._lock:
            self.actions.append(("double_click", x, y))
            self.pointer = (x, y)
            self._square(x, y, 4, _DOUBLE)

    def scroll(self, x: int, y: int, scroll_x: int, scroll_y: int) -> None:
        with self._lock:
            self.actions.append(("scroll", x, y, scroll_x, scroll_y))
            self.pointer = (x, y)
            self.scroll_offset = (self.scroll_offset[0] + scroll_x,
                                  self.scroll_offset[1] + scroll_y)

    def type(self, text: str) -> None:
        with self._lock:
            self.actions.append(("type", text))
            self.typed += text
            x, y = self._text_cursor
            for char in text:
                if char == "\n" or x + 4 >= self._width:
                    x, y = 4, y + 6
                if char.strip():
                    self._square(x + 1, y + 1, 1, _TEXT)
                x += 4
            self._text_cursor = (x, y)

    def wait(self) -> None:
        with self._lock:
            self.actions.append(("wait",))

    def move(self, x: int, y: int) -> None:
        with self._lock:
            self.actions.append(("move", x, y))
            self.pointer = (x, y)

    def keypress(self, keys: list[str]) -> None:
        with self._lock:
            self.actions.append(("keypress", tuple(keys)))

    def drag(self, path: list[tuple[int, int]]) -> None:
        with self._lock:
            self.actions.append(("drag", tuple(path)))
            for a, b in zip(path, path[1:]):
                self._line(a, b, _DRAG)
            if path:
                self.pointer = path[-1]

    def reset(self, color: Optional[Color] = None) -> None:
        """Clear the screen (to white, or `color`) and forget the recorded actions."""
        with self._lock:
            self._pixels[:] = bytes(color or _BACKGROUND) * (self._width * self._height)
            self.actions.clear()
            self.typed = ""
            self._text_cursor = (4, 4)
