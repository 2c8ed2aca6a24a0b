"""The `apply_patch` tool: the model edits files through an editor you supply.

The model sends `apply_patch_call` items whose `operation` creates, updates or deletes one file
(with a V4A diff for create/update, see `agents_lite.apply_diff`). `ApplyPatchTool` hands each
operation to an `ApplyPatchEditor` and answers with an `apply_patch_call_output` whose status is
"completed" or "failed". `WorkspaceEditor` is the ready-made editor: it works inside one directory
and refuses everything outside it.
"""

from __future__ import annotations

import abc
import logging
import os
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Optional, Union

from .apply_diff import DiffError, apply_diff
from .exceptions import ModelBehaviorError, UserError
from .local_tool import ApprovalSetting, LocalTool, OnApprovalFunction, call_id_of
from .tool import _run_maybe_async
from .workspace import (
    PathOutsideWorkspaceError,
    atomic_write_bytes,
    resolve_in_workspace,
    workspace_root,
)

if TYPE_CHECKING:
    from .agent import Agent
    from .run_context import RunContextWrapper, ToolContext

__all__ = [
    "ApplyPatchOperation",
    "ApplyPatchResult",
    "ApplyPatchEditor",
    "WorkspaceEditor",
    "ApplyPatchTool",
]

logger = logging.getLogger("agents_lite")

ApplyPatchOperationType = Literal["create_file", "update_file", "delete_file"]
_OPERATION_TYPES = ("create_file", "update_file", "delete_file")
_NEW_FILE_MODE = 0o644
_BINARY_SNIFF_BYTES = 8192


@dataclass
class ApplyPatchOperation:
    """One file operation the model asked for."""

    type: ApplyPatchOperationType
    path: str
    """Relative to the workspace root."""
    diff: Optional[str] = None
    """The V4A diff (create_file: only '+' lines; update_file: hunks); None for delete_file."""
    ctx_wrapper: Optional[RunContextWrapper[Any]] = None
    """The run context (set when the tool runs the operation)."""


@dataclass
class ApplyPatchResult:
    """What an editor reports for an operation; `status` None means "completed"."""

    status: Optional[Literal["completed", "failed"]] = None
    output: Optional[str] = None


EditorReturn = Union[ApplyPatchResult, str, None]


class ApplyPatchEditor(abc.ABC):
    """Applies the model's file operations. Each method returns an `ApplyPatchResult`, a string
    (a completed operation's log text) or None; raising an exception fails the operation and its
    message is sent to the model. Methods may also be coroutine functions."""

    @abc.abstractmethod
    def create_file(self, operation: ApplyPatchOperation) -> EditorReturn:
        """Create `operation.path` from `operation.diff`."""

    @abc.abstractmethod
    def update_file(self, operation: ApplyPatchOperation) -> EditorReturn:
        """Apply `operation.diff` to the existing file `operation.path`."""

    @abc.abstractmethod
    def delete_file(self, operation: ApplyPatchOperation) -> EditorReturn:
        """Delete the file `operation.path`."""


def _failed(message: str) -> ApplyPatchResult:
    return ApplyPatchResult(status="failed", output=message)


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


class WorkspaceEditor(ApplyPatchEditor):
    """An editor confined to the directory `root`.

    Paths must be relative; absolute paths, `..` and symlinks that lead outside `root` (also
    through a parent directory of a file to create) are refused. Files are written atomically
    (temporary file + rename), so a failed operation leaves the file as it was. Binary files
    (a NUL byte, or not UTF-8) are not updated, nor are files larger than `max_file_bytes`.
    Every failure comes back as an `ApplyPatchResult` with status "failed" and a message for the
    model; nothing outside `root` is read or written.
    """

    def __init__(self, root: Union[str, os.PathLike[str]], *, max_file_bytes: int = 10_000_000):
        try:
            self.root = workspace_root(os.fspath(root))
        except (FileNotFoundError, TypeError) as exc:
            raise UserError(f"WorkspaceEditor: {exc}") from exc
        if max_file_bytes <= 0:
            raise UserError("WorkspaceEditor: max_file_bytes must be positive")
        self.max_file_bytes = max_file_bytes

    def __repr__(self) -> str:
        return f"WorkspaceEditor(root={self.root!r})"

    def _resolve(self, operation: ApplyPatchOperation) -> str:
        return resolve_in_workspace(self.root, operation.path)

    def create_file(self, operation: ApplyPatchOperation) -> ApplyPatchResult:
        """Create a new file (refused when it exists); missing parent directories are made."""
        return self._guarded("create", operation, self._create)

    def update_file(self, operation: ApplyPatchOperation) -> ApplyPatchResult:
        """Apply the diff to an existing text file."""
        return self._guarded("update", operation, self._update)

    def delete_file(self, operation: ApplyPatchOperation) -> ApplyPatchResult:
        """Delete an existing file (not a directory)."""
        return self._guarded("delete", operation, self._delete)

    def _guarded(self, verb: str, operation: ApplyPatchOperation, action: Any) -> ApplyPatchResult:
        try:
            return action(operation)  # type: ignore[no-any-return]
        except PathOutsideWorkspaceError as exc:
            return _failed(f"Cannot {verb} {operation.path!r}: {exc}")
        except DiffError as exc:
            return _failed(f"Cannot {verb} {operation.path}: {exc}. The file was not changed.")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            return _failed(f"Cannot {verb} {operation.path}: {reason}")

    def _create(self, operation: ApplyPatchOperation) -> ApplyPatchResult:
        target = self._resolve(operation)
        if os.path.lexists(target):
            return _failed(
                f"Cannot create {operation.path}: it already exists (use update_file to change it)"
            )
        content = apply_diff("", operation.diff or "", mode="create")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        atomic_write_bytes(target, content.encode("utf-8"), mode=_NEW_FILE_MODE)
        return ApplyPatchResult(status="completed", output=f"Created {operation.path}")

    def _update(self, operation: ApplyPatchOperation) -> ApplyPatchResult:
        target = self._resolve(operation)
        info = self._existing_file(target, operation.path, "update")
        if isinstance(info, ApplyPatchResult):
            return info
        if info.st_size > self.max_file_bytes:
            return _failed(
                f"Cannot update {operation.path}: it is larger than {self.max_file_bytes} bytes"
            )
        with open(target, "rb") as handle:
            data = handle.read(self.max_file_bytes + 1)
        if _looks_binary(data):
            return _failed(f"Cannot update {operation.path}: it is a binary file")
        new_text = apply_diff(data.decode("utf-8"), operation.diff or "")
        atomic_write_bytes(target, new_text.encode("utf-8"), mode=stat.S_IMODE(info.st_mode))
        return ApplyPatchResult(status="completed", output=f"Updated {operation.path}")

    def _delete(self, operation: ApplyPatchOperation) -> ApplyPatchResult:
        target = self._resolve(operation)
        info = self._existing_file(target, operation.path, "delete")
        if isinstance(info, ApplyPatchResult):
            return info
        os.unlink(target)
        return ApplyPatchResult(status="completed", output=f"Deleted {operation.path}")

    @staticmethod
    def _existing_file(target: str, path: str, verb: str) -> Union[os.stat_result, ApplyPatchResult]:
        try:
            info = os.stat(target)
        except FileNotFoundError:
            return _failed(f"Cannot {verb} {path}: no such file")
        if not stat.S_ISREG(info.st_mode):
            return _failed(f"Cannot {verb} {path}: not a regular file")
        return info


def _operation_from_call(call: dict[str, Any]) -> ApplyPatchOperation:
    operation = call.get("operation")
    if not isinstance(operation, dict):
        raise ModelBehaviorError("apply_patch_call has no operation object")
    kind = operation.get("type")
    if kind not in _OPERATION_TYPES:
        raise ModelBehaviorError(f"Unsupported apply_patch operation type: {kind!r}")
    path = operation.get("path")
    if not isinstance(path, str) or not path:
        raise ModelBehaviorError(f"apply_patch {kind} operation has no path")
    diff = operation.get("diff")
    if kind != "delete_file" and not isinstance(diff, str):
        raise ModelBehaviorError(f"apply_patch {kind} operation for {path!r} has no diff")
    return ApplyPatchOperation(type=kind, path=path, diff=diff if isinstance(diff, str) else None)


class ApplyPatchTool(LocalTool):
    """Lets the model create, update and delete files through `editor`.

    Args:
        editor: an `ApplyPatchEditor` (e.g. `WorkspaceEditor(root)`); required.
        name: the tool name used for approvals and hooks.
        needs_approval: True, or `(run_context, operation: ApplyPatchOperation, call_id) -> bool`,
            to stop the run for a human decision (`result.interruptions`) before editing.
        on_approval: `(run_context, approval_item) -> {"approve": bool, "reason": str}` decides at
            once when approval is needed.
        tool_input_guardrails / tool_output_guardrails: tool guardrails; they see the operation
            as JSON in `context.tool_arguments` and the log text as output.
    """

    call_item_type = "apply_patch_call"

    def __init__(
        self,
        editor: ApplyPatchEditor,
        *,
        name: str = "apply_patch",
        needs_approval: ApprovalSetting = False,
        on_approval: Optional[OnApprovalFunction] = None,
        tool_input_guardrails: Optional[list[Any]] = None,
        tool_output_guardrails: Optional[list[Any]] = None,
    ) -> None:
        missing = [m for m in ("create_file", "update_file", "delete_file")
                   if not callable(getattr(editor, m, None))]
        if editor is None or missing:
            raise UserError(
                "ApplyPatchTool needs an editor with create_file, update_file and delete_file "
                "(e.g. WorkspaceEditor(root))"
            )
        self.editor = editor
        self._init_common(name, needs_approval, on_approval, tool_input_guardrails,
                          tool_output_guardrails)

    @property
    def type(self) -> str:
        """The tool type on the wire."""
        return "apply_patch"

    def to_wire(self) -> dict[str, Any]:
        """The Responses API tool definition."""
        return {"type": "apply_patch"}

    def approval_params(self, call: dict[str, Any]) -> ApplyPatchOperation:
        """The operation (what a `needs_approval` callable receives)."""
        return _operation_from_call(call)

    def rejection_output(self, call: dict[str, Any], message: str) -> dict[str, Any]:
        """A failed `apply_patch_call_output` carrying `message`."""
        return {
            "type": "apply_patch_call_output",
            "call_id": call_id_of(call),
            "status": "failed",
            "output": message,
        }

    def run_call(
        self, tool_context: ToolContext[Any], agent: Agent[Any], call: dict[str, Any]
    ) -> tuple[dict[str, Any], Any]:
        """Run the operation with the editor; editor errors become a failed output."""
        operation = _operation_from_call(call)
        operation.ctx_wrapper = tool_context
        method = getattr(self.editor, operation.type)
        status = "completed"
        try:
            result = _run_maybe_async(method, operation)
            if isinstance(result, ApplyPatchResult):
                status = result.status or "completed"
                text = result.output or ""
            elif result is None:
                text = ""
            else:
                text = str(result)
        except Exception as exc:  # the editor's failure is the model's feedback
            logger.debug("apply_patch editor failed on %s: %s", operation.path, exc)
            status = "failed"
            text = str(exc) or type(exc).__name__
        if status not in ("completed", "failed"):
            text = text or f"the editor returned an invalid status {status!r}"
            status = "failed"
        raw: dict[str, Any] = {
            "type": "apply_patch_call_output",
            "call_id": call_id_of(call),
            "status": status,
        }
        if text:
            raw["output"] = text
        return raw, text
