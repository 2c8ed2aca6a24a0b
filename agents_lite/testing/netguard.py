"""A network guard for tests: any socket connection to a non-local host raises at once.

    with block_network():
        ...  # talking to 127.0.0.1 works; api.openai.com raises NetworkBlockedError

The guard wraps `socket.getaddrinfo`, `socket.create_connection` and `socket.socket.connect` /
`connect_ex` for the whole process while it is active, so it catches `requests`, `http.client`,
`urllib`, websocket clients and anything else built on the `socket` module. Unix-domain sockets
are never blocked. Guards nest: a host must be allowed by every active guard.

`NetworkBlockedError` is a `RuntimeError`, deliberately not an `OSError` nor an
`AgentsException`: HTTP clients and the SDK's retry logic turn OSErrors into connection errors and
retry them, which would hide the mistake; a RuntimeError passes through them untouched and fails
the test with a message that names the host.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterable, Iterator
from typing import Any, Callable, Optional

__all__ = ["NetworkBlockedError", "block_network", "network_guard_fixture", "DEFAULT_ALLOWED_HOSTS"]

DEFAULT_ALLOWED_HOSTS = ("127.0.0.1", "localhost", "::1")

_install_lock = threading.Lock()
_active: list[block_network] = []  # process-wide by nature: the socket module is process-wide
_originals: dict[str, Any] = {}


class NetworkBlockedError(RuntimeError):
    """Raised when code under a `block_network` guard tries to reach a host that is not allowed."""

    def __init__(self, host: str, port: Any = None, allowed: Iterable[str] = ()) -> None:
        self.host = host
        self.port = port
        where = f"{host}:{port}" if port is not None else host
        super().__init__(
            f"Network access to {where} is blocked by agents_lite.testing.netguard "
            f"(allowed hosts: {', '.join(allowed) or 'none'}). Point the client at a "
            "LocalOpenAIServer, or add the host to allow_hosts."
        )


class block_network:
    """Block socket connections to every host except `allow_hosts`.

    Entries of `allow_hosts` are host names (matched case-insensitively), IP addresses, or
    networks in CIDR form ("10.0.0.0/8"). Addresses that an allowed host name resolves to while
    the guard is active are allowed too. Use it as a context manager, or call `start()` and
    `stop()`.
    """

    def __init__(self, allow_hosts: Iterable[str] = DEFAULT_ALLOWED_HOSTS) -> None:
        self.allow_hosts = tuple(allow_hosts)
        self._names: set[str] = set()
        self._networks: list[Any] = []
        for entry in self.allow_hosts:
            try:
                self._networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self._names.add(entry.lower().rstrip("."))
        self._resolved: set[str] = set()
        self._started = False

    def allows(self, host: Any) -> bool:
        """Whether this guard lets a connection to `host` (name or address) through."""
        if host is None:
            return True
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        name = str(host).lower().rstrip(".")
        if name.startswith("[") and name.endswith("]"):
            name = name[1:-1]
        if name in self._names or name in self._resolved:
            return True
        try:
            address = ipaddress.ip_address(name.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self._networks)

    def start(self) -> block_network:
        """Activate the guard (idempotent); returns self."""
        with _install_lock:
            if self._started:
                return self
            if not _active:
                _install()
            _active.append(self)
            self._started = True
        return self

    def stop(self) -> None:
        """Deactivate the guard; the socket functions are restored when the last guard stops."""
        with _install_lock:
            if not self._started:
                return
            _active.remove(self)
            self._started = False
            if not _active:
                _uninstall()

    def __enter__(self) -> block_network:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def _check(host: Any, port: Any = None) -> None:
    for guard in list(_active):
        if not guard.allows(host):
            raise NetworkBlockedError(str(host), port, guard.allow_hosts)


def _note_resolved(host: Any, results: Any) -> None:
    # Remember what an allowed name resolved to, so connecting to that address passes too.
    for guard in list(_active):
        for info in results:
            try:
                guard._resolved.add(str(info[4][0]).lower())
            except (IndexError, TypeError):
                pass


def _address_host(address: Any) -> tuple[Any, Any]:
    if isinstance(address, tuple) and len(address) >= 2:
        return address[0], address[1]
    return None, None  # AF_UNIX paths and other families are not network hosts


def _install() -> None:
    original_getaddrinfo = socket.getaddrinfo
    original_create_connection = socket.create_connection
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    _originals.update(
        getaddrinfo=original_getaddrinfo,
        create_connection=original_create_connection,
        connect=original_connect,
        connect_ex=original_connect_ex,
    )

    def guarded_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        _check(host, port)
        results = original_getaddrinfo(host, port, *args, **kwargs)
        if host is not None:
            _note_resolved(host, results)
        return results

    def guarded_create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        _check(*_address_host(address))
        return original_create_connection(address, *args, **kwargs)

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _check(*_address_host(address))
        return original_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _check(*_address_host(address))
        return original_connect_ex(self, address)

    socket.getaddrinfo = guarded_getaddrinfo  # type: ignore[assignment]
    socket.create_connection = guarded_create_connection  # type: ignore[assignment]
    socket.socket.connect = guarded_connect  # type: ignore[method-assign, assignment]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign, assignment]


def _uninstall() -> None:
    socket.getaddrinfo = _originals["getaddrinfo"]
    socket.create_connection = _originals["create_connection"]
    socket.socket.connect = _originals["connect"]  # type: ignore[method-assign, assignment]
    socket.socket.connect_ex = _originals["connect_ex"]  # type: ignore[method-assign, assignment]
    _originals.clear()


def network_guard_fixture(
    allow_hosts: Iterable[str] = DEFAULT_ALLOWED_HOSTS,
    *,
    autouse: bool = True,
    name: str = "network_guard",
    scope: str = "function",
) -> Callable[..., Any]:
    """A pytest fixture that runs each test under `block_network(allow_hosts)`.

    In a conftest.py:

        from agents_lite.testing.netguard import network_guard_fixture
        network_guard = network_guard_fixture()

    Tests marked `@pytest.mark.allow_network` run without the guard. The fixture yields the
    active `block_network` (or None for such tests).
    """
    import pytest

    allowed = tuple(allow_hosts)

    def _guard(request: Any) -> Iterator[Optional[block_network]]:
        if request.node.get_closest_marker("allow_network") is not None:
            yield None
            return
        with block_network(allowed) as guard:
            yield guard

    _guard.__name__ = name
    return pytest.fixture(autouse=autouse, name=name, scope=scope)(_guard)  # type: ignore[call-overload, no-any-return]
