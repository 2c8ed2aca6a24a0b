"""Make a script run against the real API when a key is set, and offline from a cassette when not.

The examples shipped with agents_lite start with one line:

    from agents_lite.testing.example_support import setup_example

    setup_example(__file__)

and are otherwise plain user code. What that line does depends on the environment:

- `OPENAI_API_KEY` set: nothing at all; the script talks to the OpenAI API as usual.
- `OPENAI_API_KEY` set and `AGENTS_LITE_CASSETTE=record`: the script still talks to the API (or
  to `OPENAI_BASE_URL`), and every model request and response is written to the cassette beside
  the script (`hello_world.py` -> `hello_world.cassette.json`), API keys scrubbed.
- no key (or `AGENTS_LITE_CASSETTE=replay`): the cassette is served by a local OpenAI-compatible
  server (`agents_lite.testing.cassettes.replay`), the process's default OpenAI client points at
  it, and the first line printed says so. Nothing leaves the machine.

A replay that does not match the cassette (the script sent a request that was never recorded, or
stopped before using every recorded response) makes the process exit with status 1 and a message
on stderr naming the difference, so a script that drifted from its recording cannot pass quietly.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = [
    "ExampleEnvironment",
    "MODE_ENV",
    "cassette_path_for",
    "network_guard_env",
    "setup_example",
]

MODE_ENV = "AGENTS_LITE_CASSETTE"
"""Environment variable forcing the mode: "live", "record" or "replay"."""
_UPSTREAM_ENV = "AGENTS_LITE_RECORD_UPSTREAM"
# Where a recording proxy forwards to. Set by the first recording process, so scripts it starts
# (which inherit OPENAI_BASE_URL pointing at its proxy) record the real API, not the proxy.

_MODES = ("live", "record", "replay")


@dataclass
class ExampleEnvironment:
    """What `setup_example` set up.

    `mode` is "live", "record" or "replay". `base_url` is the OpenAI base URL the default client
    talks to (None in live mode: the usual environment applies). `client` is that client (None in
    live mode); `cassette` the cassette file used (None in live mode).
    """

    mode: str
    cassette: Optional[str] = None
    base_url: Optional[str] = None
    client: Any = None
    _handle: Any = field(default=None, repr=False)

    @property
    def offline(self) -> bool:
        """True when the script replays a cassette."""
        return self.mode == "replay"

    def provider(self, *, use_responses: Optional[bool] = None) -> Any:
        """An `OpenAIProvider` over this environment's client (live: the default provider's
        settings, from the environment)."""
        from ..models.openai_provider import OpenAIProvider

        if self.client is None:
            return OpenAIProvider(use_responses=use_responses)
        return OpenAIProvider(client=self.client, use_responses=use_responses)


def cassette_path_for(script: str, name: Optional[str] = None) -> str:
    """The cassette of `script`: `<dir>/<name or script stem>.cassette.json`."""
    directory = os.path.dirname(os.path.abspath(script))
    stem = name or os.path.splitext(os.path.basename(script))[0]
    if not stem.endswith(".cassette.json"):
        stem += ".cassette.json"
    return os.path.join(directory, stem)


def _choose_mode() -> str:
    forced = (os.environ.get(MODE_ENV) or "").strip().lower()
    if forced:
        if forced not in _MODES:
            from ..exceptions import UserError

            raise UserError(f"{MODE_ENV} must be one of {', '.join(_MODES)}, got {forced!r}")
        if forced == "record" and not os.environ.get("OPENAI_API_KEY"):
            from ..exceptions import UserError

            raise UserError(f"{MODE_ENV}=record needs OPENAI_API_KEY (recording talks to the API)")
        return forced
    return "live" if os.environ.get("OPENAI_API_KEY") else "replay"


def setup_example(
    script: str, *, cassette: Optional[str] = None, requires: Sequence[str] = ()
) -> ExampleEnvironment:
    """Point this process's default OpenAI client at the right place for an example script.

    `script` is the example's `__file__`; `cassette` names another cassette beside it (without or
    with the `.cassette.json` suffix), for scripts that replay several. `requires` lists optional
    packages the example needs: when one is not installed, this says so and exits with status 0.
    See the module docstring for the three modes. Returns an `ExampleEnvironment`.
    """
    from ..models.defaults import OpenAIClient, set_default_openai_api, set_default_openai_client

    mode = _choose_mode()
    path = cassette_path_for(script, cassette)
    name = os.path.basename(path)
    missing = [package for package in requires if importlib.util.find_spec(package) is None]
    if missing:
        if mode == "replay":
            print(f"offline: not replaying {name}: this example needs {', '.join(missing)}")
        print(f"{', '.join(missing)} is not installed (pip install {' '.join(missing)}); "
              "nothing to run.", flush=True)
        sys.exit(0)
    if mode == "live":
        return ExampleEnvironment(mode="live")
    from . import cassettes

    if mode == "record":
        proxy = _RecordingProxy(path)
        os.environ["OPENAI_BASE_URL"] = proxy.base_url
        client = OpenAIClient(base_url=proxy.base_url)
        set_default_openai_client(client, use_for_tracing=False)
        atexit.register(proxy.close)
        print(f"recording: writing {name}", file=sys.stderr, flush=True)
        return ExampleEnvironment(
            mode="record", cassette=path, base_url=proxy.base_url, client=client, _handle=proxy
        )

    player = cassettes.replay(path)
    set_default_openai_client(player.client, use_for_tracing=False)
    if player.use_responses is False:
        set_default_openai_api("chat_completions")
    # Providers and clients the script builds itself (OpenAIProvider(), OpenAIClient()) read
    # OPENAI_BASE_URL; pointing it at the player keeps them offline too.
    os.environ["OPENAI_BASE_URL"] = player.base_url
    atexit.register(_finish_replay, player)
    print(f"offline: replaying {name} through a local server "
          "(set OPENAI_API_KEY to call the OpenAI API)", flush=True)
    return ExampleEnvironment(
        mode="replay", cassette=path, base_url=player.base_url, client=player.client,
        _handle=player,
    )


class _RecordingProxy:
    """A local server that forwards every request to the real API through a cassette recorder.

    Clients of the script (the default one and any the script builds from `OPENAI_BASE_URL`) talk
    to it, so everything they send is recorded, whichever client sent it. Trace exports are
    forwarded without being recorded (a replay exports no traces).
    """

    _DROPPED = frozenset(["host", "content-length", "connection", "authorization", "user-agent",
                          "accept-encoding", "openai-organization", "openai-project",
                          "transfer-encoding"])
    _KEPT = ("content-type", "x-request-id", "retry-after", "retry-after-ms", "x-should-retry",
             "openai-processing-ms", "openai-version")

    def __init__(self, path: str) -> None:
        from ..models.defaults import OpenAIClient
        from .cassettes import record
        from .server import LocalOpenAIServer

        # Both talk to the real upstream (OPENAI_BASE_URL, else OpenAI), read before the script's
        # OPENAI_BASE_URL is redirected to this proxy.
        if _UPSTREAM_ENV in os.environ:
            upstream = os.environ[_UPSTREAM_ENV] or None
        else:
            upstream = os.environ.get("OPENAI_BASE_URL") or None
        os.environ[_UPSTREAM_ENV] = upstream or ""
        self.recorder = record(path, base_url=upstream)
        self.plain = OpenAIClient(base_url=upstream)
        self.server = LocalOpenAIServer()
        # The server's own model routes are longer prefixes than "/v1": replace them too.
        for method, prefix in (("*", "/v1"), ("POST", "/v1/responses"),
                               ("POST", "/v1/chat/completions"),
                               ("POST", "/v1/traces/ingest"), ("GET", "/v1/models")):
            self.server.add_route(method, prefix, self._forward)
            self.server.add_route("*", prefix, self._forward)
        self.server.start()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def _forward(self, request: Any) -> Any:
        from urllib.parse import urlencode

        from ..models.http import HTTPRequest
        from .replies import Reply

        path = request.path[3:] if request.path.startswith("/v1") else request.path
        client = self.plain if path.startswith("/traces") else self.recorder.client
        url = client.base_url + path
        if request.query:
            url += "?" + urlencode(request.query)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in self._DROPPED}
        outgoing = HTTPRequest(request.method, url, path, headers, request.raw_body or None,
                               request.stream, client.timeout)
        response = client.transport.send(outgoing)
        kept = {k: v for k, v in response.headers.items() if k.lower() in self._KEPT}
        if request.stream and response.status_code < 300:
            def chunks() -> Any:
                try:
                    yield from response.iter_bytes()
                finally:
                    response.close()

            return Reply(response.status_code, headers=kept, body=chunks())
        try:
            content = response.read()
        finally:
            response.close()
        return Reply(response.status_code, headers=kept, body=content)

    def close(self) -> None:
        self.server.stop()
        self.recorder.close()
        self.plain.close()


def _finish_replay(player: Any) -> None:
    """At exit: stop the server; a replay that drifted from its cassette fails the process."""
    problems = list(player.unmatched)
    unused = player.unused()
    player.close()
    if unused:
        problems.append(
            f"{len(unused)} recorded response(s) were never requested (the script stopped early "
            "or sent fewer requests than when it was recorded)"
        )
    if not problems:
        return
    sys.stdout.flush()
    print(f"\ncassette mismatch ({os.path.basename(player.path)}):", file=sys.stderr)
    for problem in problems:
        print(f"- {problem}", file=sys.stderr)
    print("Re-record it: python examples/_record_cassettes.py", file=sys.stderr)
    sys.stderr.flush()
    os._exit(1)


_GUARD_ENV = "AGENTS_LITE_BLOCK_NETWORK"
_SITECUSTOMIZE = '''\
# Written by agents_lite.testing.example_support.network_guard_env: blocks every connection to
# a non-local host in each Python process started with this directory on PYTHONPATH.
import os

if os.environ.get("{env}") == "1":
    from agents_lite.testing.netguard import block_network

    block_network().start()
'''


def network_guard_env(directory: str, env: Optional[dict[str, str]] = None) -> dict[str, str]:
    """An environment for subprocesses in which the network guard is on from interpreter start.

    Writes a `sitecustomize.py` into `directory` (a temporary directory you own) and returns a
    copy of `env` (default: `os.environ`) with that directory first on `PYTHONPATH`. Every Python
    process started with it, and every Python process those start, then runs under
    `agents_lite.testing.netguard.block_network()`: connections to hosts other than 127.0.0.1,
    localhost and ::1 raise `NetworkBlockedError`.
    """
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "sitecustomize.py"), "w", encoding="utf-8") as handle:
        handle.write(_SITECUSTOMIZE.format(env=_GUARD_ENV))
    result = dict(os.environ if env is None else env)
    paths = [directory] + [p for p in result.get("PYTHONPATH", "").split(os.pathsep) if p]
    result["PYTHONPATH"] = os.pathsep.join(paths)
    result[_GUARD_ENV] = "1"
    return result
