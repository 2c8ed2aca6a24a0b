"""Read a function's docstring: its description and the description of each parameter.

Understands the three common styles (Google `Args:`, NumPy `Parameters` + dashes, Sphinx
`:param x:`) and guesses the style when not told. No third-party parser is needed.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any, Callable, Literal, Optional

from .exceptions import UserError

DocstringStyle = Literal["google", "numpy", "sphinx"]


@dataclass
class FuncDocumentation:
    """What a function's docstring says about it."""

    name: str
    """The function's `__name__`."""
    description: Optional[str]
    """The text before the parameter/return sections, or None without a docstring."""
    param_descriptions: Optional[dict[str, str]]
    """Parameter name -> description (None when the docstring documents no parameter)."""


def generate_func_documentation(
    func: Callable[..., Any], style: Optional[str] = None
) -> FuncDocumentation:
    """Parse `func`'s docstring in the given style ("google", "numpy", "sphinx"; guessed when None).

    >>> def greet(name: str) -> str:
    ...     '''Say hello.
    ...
    ...     Args:
    ...         name: Who to greet.
    ...     '''
    >>> generate_func_documentation(greet)
    FuncDocumentation(name='greet', description='Say hello.', param_descriptions={'name': 'Who to greet.'})
    """
    name = _func_name(func)
    doc = inspect.getdoc(func)
    if not doc:
        return FuncDocumentation(name=name, description=None, param_descriptions=None)
    if style is None:
        style = detect_docstring_style(doc)
    elif style not in _PARSERS:
        raise UserError(f"Unknown docstring style {style!r}; use 'google', 'numpy' or 'sphinx'")
    description, params = _PARSERS[style](doc.expandtabs().splitlines())
    return FuncDocumentation(name=name, description=description, param_descriptions=params or None)


def detect_docstring_style(doc: str) -> DocstringStyle:
    """Guess the style from its section markers; Google when nothing gives it away.

    On a tie the more distinctive marker wins: Sphinx, then NumPy, then Google.
    """
    scores = {
        "sphinx": sum(bool(p.search(doc)) for p in _SPHINX_HINTS),
        "numpy": sum(bool(p.search(doc)) for p in _NUMPY_HINTS),
        "google": sum(bool(p.search(doc)) for p in _GOOGLE_HINTS),
    }
    best = max(scores.values())
    if best == 0:
        return "google"
    for style in ("sphinx", "numpy", "google"):
        if scores[style] == best:
            return style  # type: ignore[return-value]
    return "google"


_SPHINX_HINTS = [
    re.compile(p, re.M)
    for p in (r"^\s*:param\s", r"^\s*:type\s", r"^\s*:returns?:", r"^\s*:rtype:", r"^\s*:raises?\s")
]
_NUMPY_HINTS = [
    re.compile(rf"^\s*{title}\s*\n\s*-{{3,}}\s*$", re.M)
    for title in ("Parameters", "Returns", "Yields", "Raises", "Other Parameters")
]
_GOOGLE_HINTS = [
    re.compile(p, re.M)
    for p in (r"^\s*(Args|Arguments|Params|Parameters):\s*$", r"^\s*Returns?:", r"^\s*Raises:")
]


def _func_name(func: Callable[..., Any]) -> str:
    name = getattr(func, "__name__", None)
    if isinstance(name, str):
        return name
    inner = getattr(func, "func", None)  # functools.partial
    if inner is not None:
        return _func_name(inner)
    return type(func).__name__


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _join_text(lines: list[str]) -> Optional[str]:
    text = "\n".join(line.strip() for line in lines).strip()
    # Collapse runs of blank lines left by removed sections.
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text or None


def _clean_name(raw: str) -> str:
    return raw.strip().lstrip("*").strip()


# --- Google -------------------------------------------------------------------------------------

_GOOGLE_SECTIONS = {
    "args", "arguments", "params", "parameters", "keyword args", "keyword arguments",
    "other args", "other arguments", "other params", "other parameters", "kwargs",
    "returns", "return", "yields", "yield", "raises", "raise", "except", "exceptions",
    "examples", "example", "note", "notes", "attributes", "warning", "warnings", "warns",
    "see also", "todo", "references", "methods", "receives",
}  # fmt: skip
_GOOGLE_PARAM_SECTIONS = {
    "args", "arguments", "params", "parameters", "keyword args", "keyword arguments",
    "other args", "other arguments", "other params", "other parameters", "kwargs",
}  # fmt: skip
_GOOGLE_HEADER = re.compile(r"^([A-Za-z][A-Za-z ]*):\s*$")
_GOOGLE_ITEM = re.compile(r"^(\*{0,2}[A-Za-z_]\w*)\s*(?:\(([^)]*)\))?\s*:(.*)$")


def _google_header(line: str) -> Optional[str]:
    match = _GOOGLE_HEADER.match(line.strip())
    if match and match.group(1).strip().lower() in _GOOGLE_SECTIONS:
        return match.group(1).strip().lower()
    return None


def _parse_google(lines: list[str]) -> tuple[Optional[str], dict[str, str]]:
    description: list[str] = []
    params: dict[str, str] = {}
    i = 0
    n = len(lines)
    while i < n and _google_header(lines[i]) is None:
        description.append(lines[i])
        i += 1
    while i < n:
        header = _google_header(lines[i])
        header_indent = _indent(lines[i])
        i += 1
        body: list[str] = []
        # A section runs until the next line indented no deeper than its header.
        while i < n and (not lines[i].strip() or _indent(lines[i]) > header_indent):
            body.append(lines[i])
            i += 1
        if header in _GOOGLE_PARAM_SECTIONS:
            params.update(_google_items(body))
        # Free text between sections is not part of the description, like other parsers.
        while i < n and _google_header(lines[i]) is None:
            i += 1
    return _join_text(description), params


def _google_items(body: list[str]) -> dict[str, str]:
    items: dict[str, list[str]] = {}
    content = [line for line in body if line.strip()]
    if not content:
        return {}
    item_indent = _indent(content[0])
    current: Optional[list[str]] = None
    for line in body:
        if line.strip() and _indent(line) <= item_indent:
            match = _GOOGLE_ITEM.match(line.strip())
            if match:
                current = items.setdefault(_clean_name(match.group(1)), [])
                current.append(match.group(3))
                continue
            current = None
        elif current is not None:
            current.append(line)
    return {name: _join_text(text) or "" for name, text in items.items()}


# --- NumPy --------------------------------------------------------------------------------------

_NUMPY_PARAM_SECTIONS = {"parameters", "other parameters", "params", "arguments", "args"}
_DASHES = re.compile(r"^\s*-{3,}\s*$")


def _numpy_header_at(lines: list[str], i: int) -> Optional[str]:
    if i + 1 < len(lines) and lines[i].strip() and _DASHES.match(lines[i + 1]):
        return lines[i].strip().lower()
    return None


def _parse_numpy(lines: list[str]) -> tuple[Optional[str], dict[str, str]]:
    description: list[str] = []
    params: dict[str, str] = {}
    i = 0
    n = len(lines)
    while i < n and _numpy_header_at(lines, i) is None:
        description.append(lines[i])
        i += 1
    while i < n:
        header = _numpy_header_at(lines, i) or ""
        i += 2
        body: list[str] = []
        while i < n and _numpy_header_at(lines, i) is None:
            body.append(lines[i])
            i += 1
        if header in _NUMPY_PARAM_SECTIONS:
            params.update(_numpy_items(body))
    return _join_text(description), params


def _numpy_items(body: list[str]) -> dict[str, str]:
    content = [line for line in body if line.strip()]
    if not content:
        return {}
    item_indent = _indent(content[0])
    items: dict[str, list[str]] = {}
    current: list[list[str]] = []
    for line in body:
        if line.strip() and _indent(line) <= item_indent:
            names_part = line.split(":", 1)[0]
            current = []
            for raw in names_part.split(","):
                name = _clean_name(raw)
                if name:
                    current.append(items.setdefault(name, []))
        else:
            for text in current:
                text.append(line)
    return {name: _join_text(text) or "" for name, text in items.items()}


# --- Sphinx -------------------------------------------------------------------------------------

_SPHINX_FIELD = re.compile(r"^:([A-Za-z]+)([^:]*):(.*)$")
_SPHINX_PARAM_FIELDS = {"param", "parameter", "arg", "argument", "key", "keyword"}


def _parse_sphinx(lines: list[str]) -> tuple[Optional[str], dict[str, str]]:
    description: list[str] = []
    params: dict[str, list[str]] = {}
    current: Optional[list[str]] = None
    seen_field = False
    for line in lines:
        match = _SPHINX_FIELD.match(line.strip()) if _indent(line) == 0 or not seen_field else None
        if match:
            seen_field = True
            kind, spec, text = match.group(1).lower(), match.group(2).split(), match.group(3)
            if kind in _SPHINX_PARAM_FIELDS and spec:
                # ":param int x:" names the type before the parameter; the name comes last.
                current = params.setdefault(_clean_name(spec[-1]), [])
                current.append(text)
            else:
                current = None
        elif not seen_field:
            description.append(line)
        elif current is not None:
            current.append(line)
    return _join_text(description), {k: _join_text(v) or "" for k, v in params.items()}


_PARSERS: dict[str, Callable[[list[str]], tuple[Optional[str], dict[str, str]]]] = {
    "google": _parse_google,
    "numpy": _parse_numpy,
    "sphinx": _parse_sphinx,
}
