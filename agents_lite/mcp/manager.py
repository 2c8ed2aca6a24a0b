"""`MCPServerManager`: connect several MCP servers at once and keep going without the broken ones."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any, Optional

from .errors import MCPTimeoutError
from .server import MCPServer

logger = logging.getLogger("agents_lite.mcp")


class MCPServerManager:
    """Connects a group of MCP servers (in parallel threads) and exposes the ones that work.

    >>> with MCPServerManager([]) as manager:
    ...     manager.active_servers
    []

    - `active_servers`: the servers that connected (all of them with `drop_failed_servers=False`).
    - `failed_servers` and `errors` (server -> exception) describe the failures.
    - `strict=True` raises the first failure (after cleaning up what did connect).
    - A connect that takes longer than `connect_timeout_seconds` counts as failed; the server is
      cleaned up, which also stops its half-finished connect.
    - `reconnect(failed_only=True)` retries; leaving the `with` block (or `cleanup_all()`)
      disconnects every server.
    """

    def __init__(
        self,
        servers: Iterable[MCPServer],
        *,
        connect_timeout_seconds: Optional[float] = 10.0,
        cleanup_timeout_seconds: Optional[float] = 10.0,
        drop_failed_servers: bool = True,
        strict: bool = False,
        connect_in_parallel: bool = True,
    ) -> None:
        self._all_servers = list(servers)
        self._active_servers = list(self._all_servers)
        self.connect_timeout_seconds = connect_timeout_seconds
        self.cleanup_timeout_seconds = cleanup_timeout_seconds
        self.drop_failed_servers = drop_failed_servers
        self.strict = strict
        self.connect_in_parallel = connect_in_parallel
        self.failed_servers: list[MCPServer] = []
        """Servers whose last connect attempt failed."""
        self.errors: dict[MCPServer, BaseException] = {}
        """The error of each failed server (and of failed cleanups)."""
        self._connected: list[MCPServer] = []

    @property
    def active_servers(self) -> list[MCPServer]:
        """The servers to give an agent."""
        return list(self._active_servers)

    @property
    def all_servers(self) -> list[MCPServer]:
        """Every managed server."""
        return list(self._all_servers)

    def __enter__(self) -> MCPServerManager:
        self.connect_all()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.cleanup_all()

    # --- connecting ----------------------------------------------------------------------------

    def connect_all(self) -> list[MCPServer]:
        """Connect every server not connected yet; returns `active_servers`."""
        self.failed_servers = []
        self.errors = {}
        todo = [s for s in self._all_servers if s not in self._connected]
        self._connect(todo)
        return self.active_servers

    def reconnect(self, *, failed_only: bool = True) -> list[MCPServer]:
        """Retry the failed servers (or, with `failed_only=False`, reconnect all of them)."""
        if failed_only:
            todo = list(self.failed_servers)
        else:
            self.cleanup_all()
            todo = list(self._all_servers)
        self.failed_servers = [s for s in self.failed_servers if s not in todo]
        for server in todo:
            self.errors.pop(server, None)
        self._connect(todo)
        return self.active_servers

    def _connect(self, servers: list[MCPServer]) -> None:
        if self.connect_in_parallel and len(servers) > 1:
            outcomes = self._run_parallel(servers)
        else:
            outcomes = []
            for server in servers:
                error = self._connect_one(server)
                outcomes.append((server, error))
                if error is not None and self.strict:
                    break
        for server, error in outcomes:
            if error is None:
                if server not in self._connected:
                    self._connected.append(server)
            else:
                logger.error("Failed to connect MCP server %r: %s", server.name, error)
                if server not in self.failed_servers:
                    self.failed_servers.append(server)
                self.errors[server] = error
        self._refresh_active()
        if self.strict and self.failed_servers:
            first = self.failed_servers[0]
            self._cleanup_servers(servers)
            self._refresh_active()
            raise self.errors[first]

    def _run_parallel(self, servers: list[MCPServer]) -> list[tuple[MCPServer, Optional[BaseException]]]:
        results: dict[int, Optional[BaseException]] = {}
        threads = []
        for index, server in enumerate(servers):

            def work(i: int = index, s: MCPServer = server) -> None:
                results[i] = self._connect_one(s)

            thread = threading.Thread(target=work, name=f"mcp-connect-{index}", daemon=True)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
        return [(server, results.get(i)) for i, server in enumerate(servers)]

    def _connect_one(self, server: MCPServer) -> Optional[BaseException]:
        """Connect with a time limit; None on success, else the error."""
        outcome: list[Optional[BaseException]] = []

        def attempt() -> None:
            try:
                server.connect()
                outcome.append(None)
            except BaseException as exc:
                outcome.append(exc)

        worker = threading.Thread(target=attempt, name="mcp-connect", daemon=True)
        worker.start()
        worker.join(self.connect_timeout_seconds)
        if worker.is_alive():
            # Cleaning up closes the transport, which ends the blocked connect as well.
            self._cleanup_one(server)
            worker.join(self.cleanup_timeout_seconds)
            return MCPTimeoutError(
                f"MCP server {server.name!r} did not connect within "
                f"{self.connect_timeout_seconds:g} seconds",
                method="connect",
                timeout_seconds=float(self.connect_timeout_seconds or 0),
            )
        return outcome[0] if outcome else None

    def _refresh_active(self) -> None:
        if self.drop_failed_servers:
            failed = set(map(id, self.failed_servers))
            self._active_servers = [s for s in self._all_servers if id(s) not in failed]
        else:
            self._active_servers = list(self._all_servers)

    # --- cleanup -------------------------------------------------------------------------------

    def cleanup_all(self) -> None:
        """Disconnect every server, in reverse order; failures are logged and kept in `errors`."""
        self._cleanup_servers(self._all_servers)

    def _cleanup_servers(self, servers: list[MCPServer]) -> None:
        for server in reversed(servers):
            self._cleanup_one(server)

    def _cleanup_one(self, server: MCPServer) -> None:
        done = threading.Event()
        errors: list[BaseException] = []

        def work() -> None:
            try:
                server.cleanup()
            except BaseException as exc:
                errors.append(exc)
            finally:
                done.set()

        thread = threading.Thread(target=work, name="mcp-cleanup", daemon=True)
        thread.start()
        if not done.wait(self.cleanup_timeout_seconds):
            errors.append(
                MCPTimeoutError(
                    f"MCP server {server.name!r} did not clean up within "
                    f"{self.cleanup_timeout_seconds:g} seconds",
                    method="cleanup",
                    timeout_seconds=float(self.cleanup_timeout_seconds or 0),
                )
            )
        if server in self._connected:
            self._connected.remove(server)
        if errors:
            logger.error("Failed to clean up MCP server %r: %s", server.name, errors[0])
            self.errors[server] = errors[0]
