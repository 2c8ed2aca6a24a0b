"""Keeping file access inside a workspace root.

The local tools (`WorkspaceEditor`, `LocalShellExecutor`) take paths chosen by a model. Every such
path goes through `resolve_in_workspace` first: relative paths only, no `..`, and the fully
resolved location (symlinks followed with `os.path.realpath`) must stay under the root.
"""

from __future__ import annotations

import os
import tempfile
from typing import Optional

__all__ = [
    "PathOutsideWorkspaceError",
    "workspace_root",
    "is_within",
    "resolve_in_workspace",
    "atomic_write_bytes",
]


class PathOutsideWorkspaceError(ValueError):
    """A path names something outside the workspace root (or is not a plain relative path)."""


def workspace_root(root: str) -> str:
    """The real (symlink-free, absolute) path of an existing directory."""
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"workspace root must be a path, got {type(root).__name__}")
    real = os.path.realpath(os.fspath(root))
    if not os.path.isdir(real):
        raise FileNotFoundError(f"workspace root {root!s} is not an existing directory")
    return real


def is_within(path: str, root: str) -> bool:
    """Whether the real path `path` is `root` itself or lies below it (both already real)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def resolve_in_workspace(root: str, path: str, *, allow_root: bool = False) -> str:
    """The real path of `path` (relative to `root`), refusing anything that could leave it.

    Refused: empty paths, absolute paths, any `..` component, NUL bytes, and paths whose resolved
    location (following symlinks, including those of parent directories of a file that does not
    exist yet) is outside `root`. `root` must already be real (see `workspace_root`).
    """
    if not isinstance(path, str) or not path.strip():
        raise PathOutsideWorkspaceError("the path is empty")
    if "\x00" in path:
        raise PathOutsideWorkspaceError("the path contains a NUL byte")
    normalised = path.replace("\\", "/")
    if normalised.startswith("/") or os.path.isabs(path) or _has_drive(path):
        raise PathOutsideWorkspaceError(
            f"{path!r} is an absolute path; use a path relative to the workspace"
        )
    parts = [p for p in normalised.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise PathOutsideWorkspaceError(f"{path!r} contains '..'; paths must stay in the workspace")
    if not parts:
        if allow_root:
            return root
        raise PathOutsideWorkspaceError(f"{path!r} names the workspace root, not a file")
    candidate = os.path.join(root, *parts)
    # realpath resolves every existing component (a symlinked parent directory included); the
    # part that does not exist yet is appended as it is, which is safe since it has no '..'.
    real = os.path.realpath(candidate)
    if not is_within(real, root) or (real == root and not allow_root):
        raise PathOutsideWorkspaceError(f"{path!r} resolves outside the workspace")
    return real


def _has_drive(path: str) -> bool:
    return len(path) >= 2 and path[1] == ":" and path[0].isalpha()


def atomic_write_bytes(path: str, data: bytes, *, mode: Optional[int] = None) -> None:
    """Write `data` to `path` atomically: a temporary file in the same directory, flushed and
    fsynced, then `os.replace`d over the target. Readers see the old or the new content, never
    a part; a failure leaves the old file untouched."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".agents-lite-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
