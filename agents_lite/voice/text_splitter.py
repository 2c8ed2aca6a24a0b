"""Splitting streamed text into pieces worth sending to text-to-speech."""

from __future__ import annotations

import re
from typing import Callable

__all__ = ["TextSplitter", "get_sentence_based_splitter"]

TextSplitter = Callable[[str], "tuple[str, str]"]
"""`splitter(buffer) -> (text_ready_to_speak, text_to_keep_buffering)`."""

# A sentence ends at . ! ? (or their full-width forms), optionally followed by closing quotes or
# brackets, and then whitespace.
_SENTENCE_END = re.compile(r"(?<=[.!?\u3002\uff01\uff1f])[\"')\]\u201d\u2019]*\s+")


def get_sentence_based_splitter(min_sentence_length: int = 20) -> TextSplitter:
    """A splitter that releases whole sentences once they add up to `min_sentence_length`
    characters, keeping the unfinished last sentence buffered.

    Short sentences are held back and joined with the next ones, so speech is not synthesised in
    tiny fragments.

    >>> split = get_sentence_based_splitter(10)
    >>> split("Hi. How are you doing today? I am")
    ('Hi. How are you doing today?', 'I am')
    >>> split("Hi. Ok")
    ('', 'Hi. Ok')
    """

    def split(text: str) -> tuple[str, str]:
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        if not ends:
            return "", text
        cut = ends[-1]
        ready = text[:cut].strip()
        if len(ready) < min_sentence_length:
            return "", text
        return ready, text[cut:]

    return split
