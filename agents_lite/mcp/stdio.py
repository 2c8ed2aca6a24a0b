"""The stdio transport: an MCP server as a subprocess speaking newline-delimited JSON.

A reader thread parses stdout and delivers messages; another keeps the last lines of stderr
(also logged at DEBUG on the "agents_lite.mcp" logger) for error messages. Lines on stdout that
are not JSON are skipped with a warning and remembered, so a timeout can say what the server
printed instead of answering. Closing follows the MCP spec: close stdin, wait, SIGTERM, wait,
SIGKILL, and always reap the process.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from typing import Any, Callable, Optional

from ..exceptions import UserError
from .errors import MCPConnectionError, MCPServerCommandNotFoundError

logger = logging.getLogger("agents_lite.mcp")

DEFAULT_INHERITED_ENV_VARS = (
    [
        "APPDATA", "HOMEDRIVE", "HOMEPATH", "LOCALAPPDATA", "PATH", "PATHEXT", "PROCESSOR_ARCHITECTURE",
        "SYSTEMDRIVE", "SYSTEMROOT", "TEMP", "USERNAME", "USERPROFILE",
    ]
    if sys.platform == "win32"
    else ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER"]
)
"""Variables a stdio server inherits from this process when no `env` is given (and under any
`env` that is given). Everything else, API keys included, stays out."""

SHUTDOWN_GRACE_SECONDS = 2.0
"""How long to wait after closing stdin, and again after SIGTERM, before escalating."""

_STDERR_LINES_KEPT = 200
_NON_JSON_WARNINGS = 3


def default_environment() -> dict[str, str]:
    """The minimal environment a stdio server gets."""
    env = {}
    for key in DEFAULT_INHERITED_ENV_VARS:
        value = os.environ.get(key)
        if value is not None and not value.startswith("()"):  # skip exported shell functions
            env[key] = value
    return env


class StdioTransport:
    """Runs `command args...` and talks to it over stdin/stdout."""

    def __init__(
        self,
        command: str,
        args: Optional[list[str]] = None,
        *,
        env: Optional[dict[str, str]] = None,
        cwd: Optional[str] = None,
        encoding: str = "utf-8",
        encoding_error_handler: str = "strict",
    ) -> None:
        if not command or not isinstance(command, str):
            raise UserError("MCPServerStdio needs params['command'] (a non-empty string)")
        self.command = command
        self.args = [str(a) for a in (args or [])]
        self.env = {**default_environment(), **(env or {})}
        self.cwd = None if cwd is None else os.fspath(cwd)
        self.encoding = encoding
        self.encoding_error_handler = encoding_error_handler
        self.process: Optional[subprocess.Popen[bytes]] = None
        self.stderr_lines: collections.deque[str] = collections.deque(maxlen=_STDERR_LINES_KEPT)
        """The last lines the server wrote to stderr."""
        self.non_json_lines: collections.deque[str] = collections.deque(maxlen=10)
        """The last lines on stdout that were not JSON."""
        self._write_lock = threading.Lock()
        self._close_lock = threading.Lock()
        self._closing = False
        self._threads: list[threading.Thread] = []
        self._non_json_count = 0

    def describe(self) -> str:
        """The command line, for messages."""
        return " ".join([self.command, *self.args])

    # --- start ---------------------------------------------------------------------------------

    def _resolve_command(self) -> str:
        if self.cwd is not None and not os.path.isdir(self.cwd):
            raise UserError(f"MCP stdio server: working directory {self.cwd!r} does not exist")
        search_path = self.env.get("PATH", os.defpath)
        if os.path.dirname(self.command):
            candidate = self.command
            if self.cwd is not None and not os.path.isabs(candidate):
                candidate = os.path.join(self.cwd, candidate)
            found = candidate if os.path.isfile(candidate) else None
        else:
            found = shutil.which(self.command, path=search_path)
        if found is None:
            raise MCPServerCommandNotFoundError(
                f"MCP server command not found: {self.command!r} (searched PATH={search_path!r})",
                command=self.command,
            )
        return self.command

    def start(self, deliver: Callable[[Any], None], closed: Callable[[Exception], None]) -> None:
        """Spawn the process and start the reader threads."""
        command = self._resolve_command()
        try:
            self.process = subprocess.Popen(
                [command, *self.args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.env,
                cwd=self.cwd,
                bufsize=0,
                # Own process group: signals at shutdown reach helpers the server started too.
                start_new_session=sys.platform != "win32",
            )
        except FileNotFoundError as exc:
            raise MCPServerCommandNotFoundError(
                f"MCP server command not found: {self.command!r} ({exc.strerror})",
                command=self.command,
            ) from exc
        except PermissionError as exc:
            raise MCPServerCommandNotFoundError(
                f"MCP server command is not executable: {self.command!r} ({exc.strerror})",
                command=self.command,
            ) from exc
        except OSError as exc:
            raise MCPConnectionError(f"Could not start MCP server {self.describe()!r}: {exc}") from exc
        if self._closing:  # closed by another thread while starting
            self._closing = False
            self.close()
            raise MCPConnectionError(f"MCP server {self.describe()!r}: closed while starting")
        name = os.path.basename(self.command)
        for target, label in (
            (lambda: self._read_stdout(deliver, closed), "stdout"),
            (self._read_stderr, "stderr"),
        ):
            thread = threading.Thread(target=target, name=f"mcp-{name}-{label}", daemon=True)
            thread.start()
            self._threads.append(thread)

    # --- reading -------------------------------------------------------------------------------

    def _read_stdout(self, deliver: Callable[[Any], None], closed: Callable[[Exception], None]) -> None:
        process = self.process
        assert process is not None and process.stdout is not None
        error: Optional[BaseException] = None
        try:
            for raw in iter(process.stdout.readline, b""):
                line = raw.decode(self.encoding, self.encoding_error_handler).strip()
                if not line:
                    continue
                try:
                    message = json.loads(line)
                except ValueError:
                    self._note_non_json(line)
                    continue
                deliver(message)
        except Exception as exc:  # a decode error or a closed pipe
            error = exc
        closed(self._exit_error(error))

    def _note_non_json(self, line: str) -> None:
        self.non_json_lines.append(line[:500])
        self._non_json_count += 1
        level = logging.WARNING if self._non_json_count <= _NON_JSON_WARNINGS else logging.DEBUG
        logger.log(level, "MCP server %r wrote a non-JSON line to stdout: %.200s", self.describe(), line)

    def _read_stderr(self) -> None:
        process = self.process
        assert process is not None and process.stderr is not None
        try:
            for raw in iter(process.stderr.readline, b""):
                line = raw.decode(self.encoding, "replace").rstrip("\r\n")
                self.stderr_lines.append(line)
                logger.debug("[%s stderr] %s", os.path.basename(self.command), line)
        except (OSError, ValueError):
            pass

    def _exit_error(self, error: Optional[BaseException]) -> MCPConnectionError:
        if self._closing:
            return MCPConnectionError(f"MCP server {self.describe()!r}: connection closed")
        process = self.process
        code = None
        if process is not None:
            try:
                code = process.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                code = None
        if code is not None:
            # Let the stderr reader catch up: the last lines usually say why it exited.
            for thread in self._threads[1:]:
                thread.join(timeout=0.5)
            what = f"exited with code {code}"
        else:
            what = "closed its stdout" if error is None else f"stdout failed: {error}"
        message = f"MCP server {self.describe()!r} {what}"
        tail = self.stderr_tail()
        if tail:
            message += f"; stderr: {tail}"
        return MCPConnectionError(message)

    def stderr_tail(self, lines: int = 5, limit: int = 500) -> str:
        """The last lines of stderr, joined with ' | ' and cut to `limit` characters."""
        text = " | ".join(list(self.stderr_lines)[-lines:])
        return text if len(text) <= limit else "..." + text[-limit:]

    def diagnostics(self) -> str:
        """What to add to a timeout message: non-JSON output seen on stdout, if any."""
        if not self.non_json_lines:
            return ""
        return f"the server wrote non-JSON to stdout, last: {self.non_json_lines[-1][:200]!r}"

    # --- writing -------------------------------------------------------------------------------

    def send(self, message: dict[str, Any], *, timeout: Optional[float] = None) -> None:
        """Write one message as a line on the server's stdin."""
        process = self.process
        if process is None or process.stdin is None:
            raise MCPConnectionError(f"MCP server {self.describe()!r} is not running")
        data = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode(self.encoding)
        try:
            with self._write_lock:
                process.stdin.write(data + b"\n")
                process.stdin.flush()
        except (BrokenPipeError, ValueError, OSError) as exc:
            raise MCPConnectionError(
                f"MCP server {self.describe()!r} is gone (writing to it failed: {exc})"
            ) from exc

    # --- shutdown ------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the server: close stdin, then SIGTERM, then SIGKILL; reap it; join the threads."""
        with self._close_lock:
            if self._closing:
                return
            self._closing = True
        process = self.process
        if process is None:
            return
        try:
            if process.stdin is not None:
                try:
                    process.stdin.close()
                except OSError:
                    pass
            if not _wait(process, SHUTDOWN_GRACE_SECONDS):
                _signal(process, signal.SIGTERM)
                if not _wait(process, SHUTDOWN_GRACE_SECONDS):
                    _signal(process, getattr(signal, "SIGKILL", signal.SIGTERM))
                    process.wait()
        finally:
            for thread in self._threads:
                if thread is not threading.current_thread():
                    thread.join(timeout=2.0)
            for stream in (process.stdout, process.stderr):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass


def _wait(process: subprocess.Popen[bytes], seconds: float) -> bool:
    try:
        process.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        return False


def _signal(process: subprocess.Popen[bytes], sig: int) -> None:
    try:
        if sys.platform != "win32":
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
    except (ProcessLookupError, PermissionError, OSError):
        pass
