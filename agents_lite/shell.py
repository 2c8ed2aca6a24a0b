"""Shell tools: the model asks for commands, an executor you supply runs them.

- `ShellTool`: the Responses API `shell` tool. The model sends `shell_call` items with a list of
  command strings; the answer is a `shell_call_output` with stdout, stderr and the outcome (exit
  code or timeout) of each command.
- `LocalShellTool`: the older `local_shell` tool. `local_shell_call` items carry one command as
  an argv list; the answer is a `local_shell_call_output` whose `output` is a JSON string.
- `LocalShellExecutor`: a ready-made executor for both, on `subprocess`, confined to a working
  directory, with a hard timeout that kills the whole process group and output capped while it is
  read.
"""

from __future__ import annotations

import json
import logging
import os
import re
import selectors
import shlex
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, Union

from .exceptions import ModelBehaviorError, UserError
from .items import to_jsonable
from .local_tool import ApprovalSetting, LocalTool, OnApprovalFunction, call_id_of
from .tool import _run_maybe_async
from .workspace import (
    PathOutsideWorkspaceError,
    is_within,
    resolve_in_workspace,
    workspace_root,
)

if TYPE_CHECKING:
    from .agent import Agent
    from .run_context import RunContextWrapper, ToolContext

__all__ = [
    "ShellCallOutcome",
    "ShellCommandOutput",
    "ShellResult",
    "ShellActionRequest",
    "ShellCallData",
    "ShellCommandRequest",
    "LocalShellCommandRequest",
    "CommandResult",
    "CommandRefusedError",
    "LocalShellExecutor",
    "ShellTool",
    "LocalShellTool",
]

logger = logging.getLogger("agents_lite")

_READ_CHUNK = 65536
_EXIT_GRACE_SECONDS = 0.2
"""How long to keep reading after the command exited while something it started still holds
its output open; then the rest of its process group is killed."""
_POLL_SECONDS = 0.1
_SHELL_SYNTAX = re.compile(r"[|&;<>()$`*?\[\]{}~\n\r]")
EXIT_CANNOT_RUN = 126
EXIT_NOT_FOUND = 127


# --- values --------------------------------------------------------------------------------------


@dataclass
class ShellCallOutcome:
    """How a command ended: it exited (with `exit_code`) or was killed at the timeout."""

    type: Literal["exit", "timeout"]
    exit_code: Optional[int] = None


@dataclass
class ShellCommandOutput:
    """The captured output of one command of a shell call."""

    stdout: str = ""
    stderr: str = ""
    outcome: ShellCallOutcome = field(default_factory=lambda: ShellCallOutcome(type="exit"))
    command: Optional[str] = None
    provider_data: Optional[dict[str, Any]] = None

    @property
    def exit_code(self) -> Optional[int]:
        """The exit code (None after a timeout)."""
        return self.outcome.exit_code

    @property
    def status(self) -> Literal["completed", "timeout"]:
        """"timeout" if the command was killed at the timeout, else "completed"."""
        return "timeout" if self.outcome.type == "timeout" else "completed"


@dataclass
class ShellResult:
    """What a shell executor returns for a shell call: one output per command."""

    output: list[ShellCommandOutput]
    max_output_length: Optional[int] = None
    """An extra cap (characters of stdout + stderr per command) applied before sending."""
    provider_data: Optional[dict[str, Any]] = None


@dataclass
class ShellActionRequest:
    """The `action` of a `shell_call`: commands to run in order, with optional limits."""

    commands: list[str]
    timeout_ms: Optional[int] = None
    max_output_length: Optional[int] = None


@dataclass
class ShellCallData:
    """A `shell_call`, as given to executors."""

    call_id: str
    action: ShellActionRequest
    status: Optional[str] = None
    raw: Any = None
    """The call item as the model sent it."""


@dataclass
class ShellCommandRequest:
    """What a `ShellTool` executor receives."""

    ctx_wrapper: RunContextWrapper[Any]
    data: ShellCallData


@dataclass
class LocalShellCommandRequest:
    """What a `LocalShellTool` executor receives; `data` is the `local_shell_call` item."""

    ctx_wrapper: RunContextWrapper[Any]
    data: dict[str, Any]


@dataclass
class CommandResult:
    """The outcome of one command run by `LocalShellExecutor.run`."""

    stdout: str
    stderr: str
    exit_code: Optional[int]
    """The exit code; 128+N when killed by signal N; None after a timeout."""
    timed_out: bool = False
    stdout_dropped_bytes: int = 0
    """Bytes of stdout beyond the cap, counted but not kept."""
    stderr_dropped_bytes: int = 0
    duration_seconds: float = 0.0


class CommandRefusedError(ValueError):
    """The executor will not run a command (shell syntax not allowed, directory outside the
    workspace, bad command). The message is meant for the model."""


ShellExecutor = Callable[[ShellCommandRequest], Union[str, ShellResult]]
LocalShellExecutorFunction = Callable[[LocalShellCommandRequest], str]


# --- the executor --------------------------------------------------------------------------------


def _truncation_marker(dropped: int) -> str:
    return f"\n[... output truncated: {dropped} more bytes not shown ...]"


class LocalShellExecutor:
    """Runs commands with `subprocess` inside `workdir`. Use it as the executor of a `ShellTool`
    or a `LocalShellTool`, or call `run()` directly.

    - Argv lists run without a shell. A string command runs through `/bin/sh -c` only with
      `allow_shell_strings=True`; otherwise it is split like a shell would (`shlex`) and refused
      if it uses shell syntax (pipes, redirections, `$`, globs, `;`, `&&`, ...).
    - Each command starts in a new session (its own process group); at `timeout` seconds the
      whole group is killed with SIGKILL. Processes a command leaves running are killed when it
      exits.
    - stdout and stderr are read in chunks as they come; each keeps its first `max_output_bytes`
      bytes, the rest is counted and replaced by a truncation marker.
    - The working directory is `workdir` or a directory inside it; anything else is refused.
    - The environment is minimal (`PATH`, `HOME`=workdir, `LANG`) unless `env` is given.
      Variables the model asks for (`local_shell` calls) are added on top.
    """

    def __init__(
        self,
        workdir: Union[str, os.PathLike[str]],
        timeout: float = 30.0,
        max_output_bytes: int = 64_000,
        env: Optional[dict[str, str]] = None,
        allow_shell_strings: bool = False,
    ) -> None:
        try:
            self.workdir = workspace_root(os.fspath(workdir))
        except (FileNotFoundError, TypeError) as exc:
            raise UserError(f"LocalShellExecutor: {exc}") from exc
        if not timeout or timeout <= 0:
            raise UserError("LocalShellExecutor: timeout must be positive")
        if max_output_bytes <= 0:
            raise UserError("LocalShellExecutor: max_output_bytes must be positive")
        self.timeout = float(timeout)
        self.max_output_bytes = int(max_output_bytes)
        self.env = dict(env) if env is not None else None
        self.allow_shell_strings = allow_shell_strings

    def __repr__(self) -> str:
        return (
            f"LocalShellExecutor(workdir={self.workdir!r}, timeout={self.timeout:g}, "
            f"max_output_bytes={self.max_output_bytes})"
        )

    # --- entry points ---------------------------------------------------------------------------

    def __call__(
        self, request: Union[ShellCommandRequest, LocalShellCommandRequest]
    ) -> Union[ShellResult, str]:
        """Serve a `ShellTool` request (returns a `ShellResult`) or a `LocalShellTool` request
        (returns the JSON text of a `local_shell_call_output`)."""
        if isinstance(request, ShellCommandRequest):
            return self._shell_call(request.data)
        if isinstance(request, LocalShellCommandRequest):
            return self._local_shell_call(request.data)
        raise UserError(f"LocalShellExecutor cannot serve a {type(request).__name__}")

    def run(
        self,
        command: Union[str, Sequence[str]],
        *,
        working_directory: Optional[str] = None,
        env: Optional[dict[str, str]] = None,
        timeout: Optional[float] = None,
    ) -> CommandResult:
        """Run one command and capture its output. Raises `CommandRefusedError` for commands it
        will not run; a missing program gives exit code 127."""
        argv, use_shell = self._argv(command)
        cwd = self._cwd(working_directory)
        limit = self.timeout if timeout is None else max(0.0, min(timeout, self.timeout))
        full_env = self._env(env)
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=full_env,
                shell=use_shell,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                close_fds=True,
            )
        except FileNotFoundError:
            return CommandResult("", f"command not found: {argv[0]}", EXIT_NOT_FOUND)
        except PermissionError:
            return CommandResult("", f"permission denied: {argv[0]}", EXIT_CANNOT_RUN)
        except OSError as exc:
            return CommandResult("", f"cannot run {argv[0]}: {exc.strerror or exc}", EXIT_CANNOT_RUN)
        return self._collect(proc, started, limit)

    # --- helpers --------------------------------------------------------------------------------

    def _argv(self, command: Union[str, Sequence[str]]) -> tuple[Any, bool]:
        if isinstance(command, str):
            if not command.strip():
                raise CommandRefusedError("the command is empty")
            if self.allow_shell_strings:
                return command, True
            if _SHELL_SYNTAX.search(command):
                raise CommandRefusedError(
                    f"shell syntax is not allowed here (pipes, redirections, variables, globs, "
                    f"command lists): {command!r}. Run one program with plain arguments."
                )
            try:
                argv = shlex.split(command)
            except ValueError as exc:
                raise CommandRefusedError(f"cannot parse the command {command!r}: {exc}") from None
            if not argv:
                raise CommandRefusedError("the command is empty")
            return argv, False
        if isinstance(command, (list, tuple)) and command and all(
            isinstance(part, str) for part in command
        ):
            if "\x00" in "".join(command):
                raise CommandRefusedError("the command contains a NUL byte")
            return list(command), False
        raise CommandRefusedError(f"a command must be a string or a list of strings, got {command!r}")

    def _cwd(self, working_directory: Optional[str]) -> str:
        if working_directory in (None, "", "."):
            return self.workdir
        assert working_directory is not None
        try:
            if os.path.isabs(working_directory):
                real = os.path.realpath(working_directory)
                if not is_within(real, self.workdir):
                    raise PathOutsideWorkspaceError(
                        f"{working_directory!r} is outside the workspace"
                    )
            else:
                real = resolve_in_workspace(self.workdir, working_directory, allow_root=True)
        except PathOutsideWorkspaceError as exc:
            raise CommandRefusedError(f"working directory refused: {exc}") from None
        if not os.path.isdir(real):
            raise CommandRefusedError(f"working directory {working_directory!r} does not exist")
        return real

    def _env(self, extra: Optional[dict[str, str]]) -> dict[str, str]:
        if self.env is not None:
            env = dict(self.env)
        else:
            env = {
                "PATH": os.environ.get("PATH", os.defpath),
                "HOME": self.workdir,
                "LANG": "C.UTF-8",
            }
        for key, value in (extra or {}).items():
            if isinstance(key, str) and isinstance(value, str) and key and "=" not in key:
                env[key] = value
        return env

    def _collect(self, proc: subprocess.Popen[bytes], started: float, limit: float) -> CommandResult:
        deadline = started + limit
        cap = self.max_output_bytes
        kept: dict[int, bytearray] = {}
        dropped: dict[int, int] = {}
        selector = selectors.DefaultSelector()
        streams = [s for s in (proc.stdout, proc.stderr) if s is not None]
        out_fd = proc.stdout.fileno() if proc.stdout is not None else -1
        err_fd = proc.stderr.fileno() if proc.stderr is not None else -1
        for stream in streams:
            selector.register(stream.fileno(), selectors.EVENT_READ)
            kept[stream.fileno()] = bytearray()
            dropped[stream.fileno()] = 0
        timed_out = False
        exited_at: Optional[float] = None
        try:
            while selector.get_map():
                now = time.monotonic()
                if now >= deadline:
                    timed_out = proc.poll() is None
                    break
                if exited_at is None and proc.poll() is not None:
                    exited_at = now
                if exited_at is not None and now - exited_at > _EXIT_GRACE_SECONDS:
                    break  # a leftover process keeps the pipe open; it is killed below
                for key, _ in selector.select(timeout=min(deadline - now, _POLL_SECONDS)):
                    chunk = os.read(key.fd, _READ_CHUNK)
                    if not chunk:
                        selector.unregister(key.fd)
                        continue
                    buffer = kept[key.fd]
                    room = cap - len(buffer)
                    if room > 0:
                        buffer += chunk[:room]
                    dropped[key.fd] += max(0, len(chunk) - max(room, 0))
            if not timed_out and proc.poll() is None:
                # Output closed; let the command finish its exit before cleaning up its group
                # (Linux keeps the group id reserved while any member lives, so no reuse).
                try:
                    proc.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    timed_out = True
        finally:
            selector.close()
            self._kill_group(proc)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not fail
                logger.warning("shell command (pid %s) did not die after SIGKILL", proc.pid)
            for stream in streams:
                stream.close()
        code = proc.returncode
        exit_code: Optional[int] = None
        if not timed_out and code is not None:
            exit_code = code if code >= 0 else 128 - code
        return CommandResult(
            stdout=self._text(kept.get(out_fd, b""), dropped.get(out_fd, 0)),
            stderr=self._text(kept.get(err_fd, b""), dropped.get(err_fd, 0)),
            exit_code=exit_code,
            timed_out=timed_out,
            stdout_dropped_bytes=dropped.get(out_fd, 0),
            stderr_dropped_bytes=dropped.get(err_fd, 0),
            duration_seconds=time.monotonic() - started,
        )

    @staticmethod
    def _kill_group(proc: subprocess.Popen[bytes]) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # the group is already gone

    @staticmethod
    def _text(data: Union[bytes, bytearray], dropped: int) -> str:
        text = bytes(data).decode("utf-8", errors="replace")
        return text + _truncation_marker(dropped) if dropped else text

    def _shell_call(self, data: ShellCallData) -> ShellResult:
        budget = self.timeout
        if data.action.timeout_ms:
            budget = min(budget, max(data.action.timeout_ms, 1) / 1000.0)
        deadline = time.monotonic() + budget
        outputs: list[ShellCommandOutput] = []
        for command in data.action.commands:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                outputs.append(ShellCommandOutput(
                    stderr="not run: the call's time limit was used up by earlier commands",
                    outcome=ShellCallOutcome(type="timeout"), command=command))
                continue
            try:
                result = self.run(command, timeout=remaining)
            except CommandRefusedError as exc:
                outputs.append(ShellCommandOutput(
                    stderr=f"refused: {exc}",
                    outcome=ShellCallOutcome(type="exit", exit_code=EXIT_CANNOT_RUN),
                    command=command))
                continue
            outcome = (ShellCallOutcome(type="timeout") if result.timed_out
                       else ShellCallOutcome(type="exit", exit_code=result.exit_code))
            outputs.append(ShellCommandOutput(result.stdout, result.stderr, outcome, command))
        return ShellResult(output=outputs, max_output_length=data.action.max_output_length)

    def _local_shell_call(self, call: dict[str, Any]) -> str:
        action = call.get("action") or {}
        timeout = self.timeout
        if isinstance(action.get("timeout_ms"), int) and action["timeout_ms"] > 0:
            timeout = min(timeout, action["timeout_ms"] / 1000.0)
        try:
            result = self.run(
                action.get("command") or "",
                working_directory=action.get("working_directory"),
                env=action.get("env") if isinstance(action.get("env"), dict) else None,
                timeout=timeout,
            )
        except CommandRefusedError as exc:
            return json.dumps({"output": f"refused: {exc}",
                               "metadata": {"exit_code": EXIT_CANNOT_RUN, "duration_seconds": 0}})
        text = result.stdout + result.stderr
        metadata: dict[str, Any] = {
            "exit_code": result.exit_code,
            "duration_seconds": round(result.duration_seconds, 3),
        }
        if result.timed_out:
            metadata["timed_out"] = True
            text += f"\n[command timed out after {timeout:g} seconds and was killed]"
        return json.dumps({"output": text, "metadata": metadata})


# --- the tools -----------------------------------------------------------------------------------


def _shell_action(call: dict[str, Any]) -> ShellActionRequest:
    action = call.get("action")
    if not isinstance(action, dict):
        raise ModelBehaviorError("shell_call has no action object")
    commands = action.get("commands")
    if isinstance(commands, str):
        commands = [commands]
    if not isinstance(commands, list) or not all(isinstance(c, str) for c in commands):
        raise ModelBehaviorError(f"shell_call action.commands must be a list of strings: {commands!r}")
    timeout_ms = action.get("timeout_ms")
    max_length = action.get("max_output_length")
    return ShellActionRequest(
        commands=list(commands),
        timeout_ms=timeout_ms if isinstance(timeout_ms, int) and timeout_ms > 0 else None,
        max_output_length=max_length if isinstance(max_length, int) and max_length >= 0 else None,
    )


def _cap_outputs(outputs: list[ShellCommandOutput], limit: int) -> list[ShellCommandOutput]:
    """Keep at most `limit` characters of stdout + stderr per command (stdout first)."""
    capped = []
    for item in outputs:
        stdout = item.stdout[:limit]
        stderr = item.stderr[: max(0, limit - len(stdout))]
        if len(stdout) + len(stderr) < len(item.stdout) + len(item.stderr):
            dropped = len(item.stdout) + len(item.stderr) - len(stdout) - len(stderr)
            note = f"\n[... {dropped} more characters not shown ...]"
            if stderr or not stdout:
                stderr += note
            else:
                stdout += note
        capped.append(ShellCommandOutput(stdout, stderr, item.outcome, item.command,
                                         item.provider_data))
    return capped


def _outcome_wire(outcome: ShellCallOutcome) -> dict[str, Any]:
    if outcome.type == "timeout":
        return {"type": "timeout"}
    return {"type": "exit", "exit_code": outcome.exit_code if outcome.exit_code is not None else 0}


def _render(outputs: list[ShellCommandOutput]) -> str:
    parts: list[str] = []
    for item in outputs:
        if item.command:
            parts.append(f"$ {item.command}")
        if item.stdout:
            parts.append(item.stdout.rstrip("\n"))
        if item.stderr:
            parts.append(item.stderr.rstrip("\n"))
        if item.outcome.type == "timeout":
            parts.append("[timed out]")
        else:
            parts.append(f"[exit code {item.outcome.exit_code}]")
    return "\n".join(parts)


class ShellTool(LocalTool):
    """The Responses API `shell` tool, executed here by `executor`.

    Args:
        executor: `(ShellCommandRequest) -> ShellResult | str`, e.g. `LocalShellExecutor(dir)`;
            required (shell commands never run without an executor you chose).
        name: the tool name used for approvals and hooks.
        needs_approval: True, or `(run_context, action: ShellActionRequest, call_id) -> bool`, to
            stop the run for a human decision (`result.interruptions`) before running.
        on_approval: `(run_context, approval_item) -> {"approve": bool, "reason": str}` decides at
            once when approval is needed.
        environment: the wire `environment`; only `{"type": "local"}` (the default) is supported.
        tool_input_guardrails / tool_output_guardrails: tool guardrails; they see the action as
            JSON in `context.tool_arguments` and the rendered output text.

    An executor that raises sends its error to the model as stderr with exit code 1.
    """

    call_item_type = "shell_call"

    def __init__(
        self,
        executor: Optional[ShellExecutor] = None,
        *,
        name: str = "shell",
        needs_approval: ApprovalSetting = False,
        on_approval: Optional[OnApprovalFunction] = None,
        environment: Optional[dict[str, Any]] = None,
        tool_input_guardrails: Optional[list[Any]] = None,
        tool_output_guardrails: Optional[list[Any]] = None,
    ) -> None:
        env = dict(environment) if environment is not None else {"type": "local"}
        env.setdefault("type", "local")
        if env["type"] != "local":
            raise UserError(
                f"ShellTool: the hosted environment {env['type']!r} is not supported; use a local "
                "executor (environment={'type': 'local'})"
            )
        if executor is None or not callable(executor):
            raise UserError("ShellTool needs an executor, e.g. ShellTool(LocalShellExecutor(dir))")
        self.executor = executor
        self.environment = env
        self._init_common(name, needs_approval, on_approval, tool_input_guardrails,
                          tool_output_guardrails)

    @property
    def type(self) -> str:
        """The tool type on the wire."""
        return "shell"

    def to_wire(self) -> dict[str, Any]:
        """The Responses API tool definition."""
        return {"type": "shell", "environment": dict(self.environment)}

    def approval_params(self, call: dict[str, Any]) -> ShellActionRequest:
        """The call's action (what a `needs_approval` callable receives)."""
        return _shell_action(call)

    def rejection_output(self, call: dict[str, Any], message: str) -> dict[str, Any]:
        """A `shell_call_output` whose stderr carries `message` (exit code 1)."""
        return {
            "type": "shell_call_output",
            "call_id": call_id_of(call),
            "output": [{"stdout": "", "stderr": message,
                        "outcome": {"type": "exit", "exit_code": 1}}],
        }

    def run_call(
        self, tool_context: ToolContext[Any], agent: Agent[Any], call: dict[str, Any]
    ) -> tuple[dict[str, Any], Any]:
        """Run the call's commands with the executor."""
        action = _shell_action(call)
        data = ShellCallData(call_id=call_id_of(call), action=action, status=call.get("status"),
                             raw=call)
        limit = action.max_output_length
        try:
            result = _run_maybe_async(self.executor, ShellCommandRequest(tool_context, data))
            if isinstance(result, ShellResult):
                outputs = list(result.output)
                if result.max_output_length is not None:
                    limit = (result.max_output_length if limit is None
                             else min(limit, result.max_output_length))
            else:
                outputs = [ShellCommandOutput(stdout=str(result))]
        except Exception as exc:  # the executor's failure is the model's feedback
            logger.debug("shell executor failed: %s", exc)
            outputs = [ShellCommandOutput(
                stderr=f"{type(exc).__name__}: {exc}",
                outcome=ShellCallOutcome(type="exit", exit_code=1))]
        if limit is not None:
            outputs = _cap_outputs(outputs, limit)
        raw: dict[str, Any] = {
            "type": "shell_call_output",
            "call_id": data.call_id,
            "output": [
                {"stdout": o.stdout, "stderr": o.stderr, "outcome": _outcome_wire(o.outcome)}
                for o in outputs
            ],
        }
        if limit is not None:
            raw["max_output_length"] = limit
        return raw, _render(outputs)


def _local_action(call: dict[str, Any]) -> dict[str, Any]:
    action = call.get("action")
    if not isinstance(action, dict):
        raise ModelBehaviorError("local_shell_call has no action object")
    if action.get("type", "exec") != "exec":
        raise ModelBehaviorError(f"Unsupported local_shell action type: {action.get('type')!r}")
    command = action.get("command")
    if not isinstance(command, list) or not command or not all(isinstance(c, str) for c in command):
        raise ModelBehaviorError(
            f"local_shell_call action.command must be a non-empty list of strings: {command!r}"
        )
    return action


class LocalShellTool(LocalTool):
    """The Responses API `local_shell` tool, executed here by `executor`.

    `executor(LocalShellCommandRequest) -> str` returns the output text sent back (a
    `LocalShellExecutor` returns JSON `{"output": ..., "metadata": {"exit_code": ...}}`).
    `needs_approval` may be a callable `(run_context, action: dict, call_id) -> bool`.
    """

    call_item_type = "local_shell_call"

    def __init__(
        self,
        executor: Optional[LocalShellExecutorFunction] = None,
        *,
        name: str = "local_shell",
        needs_approval: ApprovalSetting = False,
        on_approval: Optional[OnApprovalFunction] = None,
        tool_input_guardrails: Optional[list[Any]] = None,
        tool_output_guardrails: Optional[list[Any]] = None,
    ) -> None:
        if executor is None or not callable(executor):
            raise UserError(
                "LocalShellTool needs an executor, e.g. LocalShellTool(LocalShellExecutor(dir))"
            )
        self.executor = executor
        self._init_common(name, needs_approval, on_approval, tool_input_guardrails,
                          tool_output_guardrails)

    def to_wire(self) -> dict[str, Any]:
        """The Responses API tool definition."""
        return {"type": "local_shell"}

    def approval_params(self, call: dict[str, Any]) -> dict[str, Any]:
        """The call's `action` (command, working_directory, env, timeout_ms, user)."""
        return _local_action(call)

    def rejection_output(self, call: dict[str, Any], message: str) -> dict[str, Any]:
        """A `local_shell_call_output` carrying `message`."""
        return {
            "type": "local_shell_call_output",
            "call_id": call_id_of(call),
            "output": json.dumps({"output": message, "metadata": {"exit_code": 1}}),
        }

    def run_call(
        self, tool_context: ToolContext[Any], agent: Agent[Any], call: dict[str, Any]
    ) -> tuple[dict[str, Any], Any]:
        """Run the command with the executor."""
        _local_action(call)
        try:
            result = _run_maybe_async(self.executor, LocalShellCommandRequest(tool_context, call))
            text = result if isinstance(result, str) else json.dumps(to_jsonable(result))
        except Exception as exc:  # the executor's failure is the model's feedback
            logger.debug("local shell executor failed: %s", exc)
            text = json.dumps({"output": f"{type(exc).__name__}: {exc}",
                               "metadata": {"exit_code": 1}})
        raw = {"type": "local_shell_call_output", "call_id": call_id_of(call), "output": text}
        return raw, text
