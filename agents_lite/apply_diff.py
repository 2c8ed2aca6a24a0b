"""Applying the V4A diffs that the Responses API `apply_patch` tool sends.

A V4A diff is a list of hunks. A hunk may start with `@@` header lines: `@@ <text>` names a line
that comes before the change (a function or class line, say) and narrows where the hunk applies;
a bare `@@` only separates hunks. The body lines start with `' '` (context, kept), `'-'` (removed)
or `'+'` (added); an empty line is an empty context line. A hunk followed by `*** End of File`
must match at the end of the file. A diff for a new file has only `'+'` lines.

Context is matched exactly first, then ignoring trailing whitespace, then ignoring surrounding
whitespace; context lines keep the file's own text. Hunks apply in order, each after the previous
one. Anything that does not match raises `DiffError`, and nothing is changed.

>>> apply_diff("a\\nb\\nc\\n", " a\\n-b\\n+B\\n c\\n")
'a\\nB\\nc\\n'
>>> apply_diff("", "+hello\\n+world\\n", mode="create")
'hello\\nworld\\n'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Literal

__all__ = ["DiffError", "apply_diff", "parse_diff", "Hunk"]

ApplyDiffMode = Literal["default", "create"]

_END_OF_FILE = "*** End of File"
_ENVELOPE = ("*** Begin Patch", "*** End Patch")
# A unified-diff header ("@@ -3,7 +3,8 @@ def f():") is accepted as a plain hunk separator.
_UNIFIED_HEADER = re.compile(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@ ?(.*)$")
_SHOWN_LINES = 8


class DiffError(ValueError):
    """A diff that cannot be parsed, or whose hunks do not match the text."""


@dataclass
class Hunk:
    """One hunk: the anchor lines before it, its body, and whether it ends the file."""

    anchors: list[str] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)
    """(kind, text) with kind ' ' (context), '-' (removed) or '+' (added)."""
    at_end_of_file: bool = False

    @property
    def old_lines(self) -> list[str]:
        """The lines this hunk expects in the file (context and removed)."""
        return [text for kind, text in self.lines if kind != "+"]


def _diff_lines(diff: str) -> list[str]:
    if not isinstance(diff, str):
        raise DiffError(f"the diff must be a string, got {type(diff).__name__}")
    lines = [line.rstrip("\r") for line in diff.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    if lines and lines[0].strip() == _ENVELOPE[0]:
        lines.pop(0)
    if lines and lines[-1].strip() == _ENVELOPE[1]:
        lines.pop()
    return lines


def parse_diff(diff: str) -> list[Hunk]:
    """The hunks of an update diff. Raises `DiffError` for malformed lines or empty hunks."""
    hunks: list[Hunk] = []
    current: Hunk | None = None
    for number, line in enumerate(_diff_lines(diff), start=1):
        if line.startswith("@@"):
            if current is None or current.lines or current.at_end_of_file:
                current = Hunk()
                hunks.append(current)
            unified = _UNIFIED_HEADER.match(line)
            anchor = unified.group(1) if unified else line[2:]
            if anchor.startswith(" "):
                anchor = anchor[1:]
            if anchor.strip():
                current.anchors.append(anchor)
            continue
        if line.strip() == _END_OF_FILE:
            if current is None or not current.lines:
                raise DiffError(f"line {number}: '{_END_OF_FILE}' must follow a hunk")
            current.at_end_of_file = True
            continue
        if line.startswith("***"):
            raise DiffError(f"line {number}: unexpected line {line!r}")
        if current is None or current.at_end_of_file:
            if current is not None:
                raise DiffError(f"line {number}: text after '{_END_OF_FILE}' needs a new '@@' hunk")
            current = Hunk()
            hunks.append(current)
        kind, text = (" ", "") if line == "" else (line[0], line[1:])
        if kind not in (" ", "-", "+"):
            raise DiffError(
                f"line {number}: a diff line must start with ' ', '-' or '+', got {line!r}"
            )
        current.lines.append((kind, text))
    for index, hunk in enumerate(hunks, start=1):
        if not hunk.lines:
            raise DiffError(f"hunk {index} has no lines")
    if not hunks:
        raise DiffError("the diff is empty")
    return hunks


_MATCHERS: tuple[Callable[[str], str], ...] = (
    lambda s: s,
    lambda s: s.rstrip(),
    lambda s: s.strip(),
)


def _find_block(lines: list[str], block: list[str], start: int, at_end: bool) -> int:
    """Index where `block` occurs in `lines` at or after `start` (at the very end if `at_end`),
    trying exact matching first and then whitespace-tolerant matching; -1 if it does not."""
    last = len(lines) - len(block)
    if last < start:
        return -1
    candidates = [last] if at_end else range(start, last + 1)
    for norm in _MATCHERS:
        wanted = [norm(line) for line in block]
        for index in candidates:
            if all(norm(lines[index + k]) == wanted[k] for k in range(len(block))):
                return index
    return -1


def _find_line(lines: list[str], anchor: str, start: int) -> int:
    for norm in _MATCHERS:
        wanted = norm(anchor)
        for index in range(start, len(lines)):
            if norm(lines[index]) == wanted:
                return index
    return -1


def _shown(block: list[str]) -> str:
    shown = block[:_SHOWN_LINES]
    text = "\n".join(f"  |{line}" for line in shown)
    if len(block) > _SHOWN_LINES:
        text += f"\n  ... ({len(block) - _SHOWN_LINES} more lines)"
    return text


def _create(diff: str) -> str:
    out: list[str] = []
    for number, line in enumerate(_diff_lines(diff), start=1):
        if not line.startswith("+"):
            raise DiffError(
                f"line {number}: a new file's diff may only contain '+' lines, got {line!r}"
            )
        out.append(line[1:])
    return "\n".join(out) + "\n" if out else ""


def apply_diff(text: str, diff: str, mode: ApplyDiffMode = "default") -> str:
    """Apply a V4A diff to `text` and return the new text (see the module docs).

    `mode="create"` builds a new file from a diff of `'+'` lines (ending with a newline).
    CRLF text keeps its line endings; a final newline is kept or left out as it was.
    Raises `DiffError` when the diff is malformed or a hunk does not match.
    """
    if mode == "create":
        return _create(diff)
    if mode != "default":
        raise DiffError(f"unknown mode {mode!r}")
    if not isinstance(text, str):
        raise DiffError(f"the text must be a string, got {type(text).__name__}")
    newline = "\r\n" if "\r\n" in text else "\n"
    body = text.replace("\r\n", "\n")
    final_newline = body.endswith("\n")
    if final_newline:
        body = body[:-1]
    lines = body.split("\n") if (body or final_newline) else []

    out: list[str] = []
    cursor = 0
    for number, hunk in enumerate(parse_diff(diff), start=1):
        search_from = cursor
        for anchor in hunk.anchors:
            found = _find_line(lines, anchor, search_from)
            if found < 0:
                raise DiffError(
                    f"hunk {number} does not apply: its '@@ {anchor}' line was not found"
                    + (" after the previous hunk" if cursor else "")
                )
            search_from = found + 1
        old = hunk.old_lines
        if old:
            position = _find_block(lines, old, search_from, hunk.at_end_of_file)
        else:  # a pure insertion goes right after its anchor (or at the end of the file)
            position = len(lines) if hunk.at_end_of_file else search_from
        if position < 0:
            where = " at the end of the file" if hunk.at_end_of_file else ""
            raise DiffError(
                f"hunk {number} does not apply: these lines were not found{where}"
                f"{' after the previous hunk' if cursor else ''}:\n{_shown(old)}"
            )
        out.extend(lines[cursor:position])
        source = position
        for kind, line_text in hunk.lines:
            if kind == " ":
                out.append(lines[source])  # the file's own text, whatever whitespace matched
                source += 1
            elif kind == "-":
                source += 1
            else:
                out.append(line_text)
        cursor = source
    out.extend(lines[cursor:])
    result = "\n".join(out)
    if final_newline and out:
        result += "\n"
    return result.replace("\n", newline) if newline != "\n" else result
