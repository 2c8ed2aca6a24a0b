"""Cassettes: record real model traffic to a JSON file once, replay it offline and deterministically.

    from agents_lite.testing import cassettes

    with cassettes.use_cassette("weather.cassette.json") as tape:
        result = Runner.run_sync(agent, "Weather in Oslo?",
                                 run_config=RunConfig(model_provider=tape.provider))

`use_cassette` runs live when `OPENAI_API_KEY` is set and replays the file otherwise; set
`AGENTS_LITE_CASSETTE=record` (or pass `mode="record"`) to (re)record it. `record(path)` and
`replay(path)` are the two halves on their own. Every handle offers `.provider` (a
`ModelProvider` for `RunConfig`), `.client` (an `HTTPClient`, e.g. for
`set_default_openai_client`), `.base_url` and `.mode`.

Recording wraps the HTTP transport (no patching): each request and response is written to the file
as it completes, streams as their list of raw server-sent-event frames. Secrets are scrubbed
before anything is written: auth, organization and project headers are dropped, and the API key
(or anything shaped like an OpenAI key) is replaced wherever it appears in headers, query or body.

Replaying starts a `LocalOpenAIServer` that answers from the file. A request matches a recorded one
when the method, the path (relative to the base URL) and the normalised JSON body are equal; the
body is normalised by parsing it, dropping the keys named in `ignore_body_keys` (at any depth),
and comparing with sorted keys. Each recorded interaction is served once, in recorded order among
equal requests (so a recorded 429 followed by a 200 replays as such). A request the cassette does
not hold gets an HTTP 400 whose message names it and the first difference from the closest
recorded request (the client raises `BadRequestError`), and leaving the `replay` block then raises
`CassetteMismatchError`.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from typing import Any, Optional, Union
from urllib.parse import parse_qsl, urlsplit

from ..exceptions import AgentsException, UserError
from ..models.http import HTTPClient, HTTPRequest, RequestsTransport, Transport, TransportResponse
from ..models.sse import SSEParser
from ..version import __version__

__all__ = [
    "CASSETTE_FORMAT",
    "CassetteMismatchError",
    "CassettePlayer",
    "CassetteRecorder",
    "LiveCassette",
    "RecordingTransport",
    "match_key",
    "record",
    "replay",
    "use_cassette",
]

CASSETTE_FORMAT = 1
SCRUBBED = "<scrubbed>"
_SECRET_HEADERS = frozenset([
    "authorization", "proxy-authorization", "api-key", "x-api-key", "openai-organization",
    "openai-project", "cookie", "set-cookie", "x-goog-api-key",
])
# Whole key names that hold credentials ("max_output_tokens" or a logprob's "token" do not).
_SECRET_NAME = re.compile(
    r"(?i)^(.*api[-_]?key|authorization|.*secret|password|passwd|.*_token|sig|signature)$"
)
_OPENAI_KEY = re.compile(r"sk-[A-Za-z0-9_\-]{12,}")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")
_KEPT_RESPONSE_HEADERS = re.compile(
    r"^(content-type|x-request-id|openai-processing-ms|openai-version|retry-after|retry-after-ms|"
    r"x-should-retry|x-ratelimit-.*)$"
)
_ENV_MODE = "AGENTS_LITE_CASSETTE"


class CassetteMismatchError(AgentsException, AssertionError):
    """A replayed run sent requests the cassette does not hold."""

    def __init__(self, message: str, unmatched: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.unmatched = unmatched


# --- scrubbing -------------------------------------------------------------------------------


class _Scrubber:
    def __init__(self, secrets: list[str]) -> None:
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, SCRUBBED)
        value = _OPENAI_KEY.sub("sk-" + SCRUBBED, value)
        return _BEARER.sub(r"\1" + SCRUBBED, value)

    def value(self, value: Any, key: Optional[str] = None) -> Any:
        if isinstance(value, str):
            if key is not None and _SECRET_NAME.search(key) and value:
                return SCRUBBED
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def request_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {
            name.lower(): self.text(value)
            for name, value in headers.items()
            if name.lower() not in _SECRET_HEADERS
        }

    def response_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {
            name.lower(): self.text(value)
            for name, value in headers.items()
            if _KEPT_RESPONSE_HEADERS.match(name.lower())
        }


def _secrets_from_headers(headers: Mapping[str, str]) -> list[str]:
    secrets = []
    for name, value in headers.items():
        if name.lower() in _SECRET_HEADERS:
            secrets.append(value)
            if " " in value:
                secrets.append(value.split(" ", 1)[1])
    return secrets


# --- matching --------------------------------------------------------------------------------


def _strip_keys(value: Any, ignore: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _strip_keys(v, ignore) for k, v in value.items() if k not in ignore}
    if isinstance(value, list):
        return [_strip_keys(v, ignore) for v in value]
    return value


def match_key(
    method: str, path: str, body: Any, ignore_body_keys: frozenset[str] = frozenset()
) -> str:
    """The string two requests must share to match: method, path and the normalised body."""
    normalised = _strip_keys(body, ignore_body_keys) if ignore_body_keys else body
    if isinstance(normalised, (bytes, bytearray)):
        normalised = normalised.decode("utf-8", errors="replace")
    return f"{method.upper()} {path} " + json.dumps(
        normalised, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def _first_difference(a: Any, b: Any, where: str = "body") -> Optional[str]:
    if type(a) is not type(b):
        return f"{where}: {_short(a)} != {_short(b)}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a:
                return f"{where}.{key}: missing (recorded: {_short(b[key])})"
            if key not in b:
                return f"{where}.{key}: {_short(a[key])} (not in the recording)"
            found = _first_difference(a[key], b[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        for index, (x, y) in enumerate(zip(a, b)):
            found = _first_difference(x, y, f"{where}[{index}]")
            if found:
                return found
        if len(a) != len(b):
            return f"{where}: {len(a)} items (recorded: {len(b)})"
        return None
    return None if a == b else f"{where}: {_short(a)} != recorded {_short(b)}"


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


# --- the file --------------------------------------------------------------------------------


class _CassetteFile:
    """The interactions of one cassette, written atomically after each change."""

    def __init__(self, path: str, meta: dict[str, Any]) -> None:
        self.path = path
        self.meta = meta
        self.interactions: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, interaction: dict[str, Any]) -> None:
        with self._lock:
            self.interactions.append(interaction)
            self._save()

    def _save(self) -> None:
        data = {"agents_lite_cassette": CASSETTE_FORMAT, **self.meta,
                "interactions": self.interactions}
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".cassette-", suffix=".json", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, ensure_ascii=False)
                handle.write("\n")
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


def _load(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise UserError(
            f"No cassette at {path}: record it first (run with OPENAI_API_KEY set and "
            f"{_ENV_MODE}=record, or call cassettes.record({path!r}))"
        ) from None
    except ValueError as exc:
        raise UserError(f"Cassette {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("agents_lite_cassette") != CASSETTE_FORMAT:
        raise UserError(f"{path} is not an agents_lite cassette (format {CASSETTE_FORMAT})")
    return data


# --- recording -------------------------------------------------------------------------------


class _BufferedResponse:
    """A response whose whole body was already read (for recording)."""

    __slots__ = ("status_code", "headers", "_content")

    def __init__(self, status_code: int, headers: Mapping[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self._content = content

    def read(self) -> bytes:
        return self._content

    def iter_bytes(self) -> Iterator[bytes]:
        if self._content:
            yield self._content

    def close(self) -> None:
        pass


class _RecordingStream:
    """Passes a streamed body through, keeping its frames; records them when done or closed."""

    def __init__(self, inner: TransportResponse, finish: Any) -> None:
        self._inner = inner
        self._finish = finish
        self._parser = SSEParser(keep_frames=True)
        self._recorded = False
        self._complete = False
        self.status_code = inner.status_code
        self.headers = inner.headers

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())

    def iter_bytes(self) -> Iterator[bytes]:
        for chunk in self._inner.iter_bytes():
            self._parser.feed(chunk)
            yield chunk
        self._parser.finish()
        self._complete = not self._parser.truncated
        self._record()

    def _record(self) -> None:
        if not self._recorded:
            self._recorded = True
            self._finish(self._parser.frames, self._complete)

    def close(self) -> None:
        self._record()  # a stream cut or closed early is recorded as incomplete
        self._inner.close()


def _body_value(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return content.decode("utf-8", errors="replace")


class RecordingTransport:
    """A `Transport` that forwards to `inner` (default: a `RequestsTransport`) and writes every
    request/response pair to the cassette at `path` (replacing any previous content)."""

    def __init__(
        self,
        path: Union[str, os.PathLike[str]],
        inner: Optional[Transport] = None,
        *,
        use_responses: Optional[bool] = None,
        extra_secrets: tuple[str, ...] = (),
    ) -> None:
        self.path = os.fspath(path)
        self._inner: Transport = inner if inner is not None else RequestsTransport()
        self._extra_secrets = list(extra_secrets)
        self._scrub = _Scrubber(self._extra_secrets)
        meta = {"recorded_with": f"agents-lite/{__version__}", "use_responses": use_responses}
        self.cassette = _CassetteFile(self.path, meta)
        self.cassette._save()

    def configure(self, base_headers: dict[str, str], base_url: str) -> None:
        self._scrub = _Scrubber(self._extra_secrets + _secrets_from_headers(base_headers))
        parts = urlsplit(base_url)
        self.cassette.meta["base_url"] = f"{parts.scheme}://{parts.netloc}{parts.path}"
        self._inner.configure(base_headers, base_url)

    def send(self, request: HTTPRequest) -> TransportResponse:
        scrub = self._scrub
        body = _body_value(request.body or b"")
        query = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
        recorded_request = {
            "method": request.method,
            "path": request.path,
            "query": {
                k: (SCRUBBED if _SECRET_NAME.search(k) else scrub.text(v)) for k, v in query.items()
            },
            "headers": scrub.request_headers(request.headers),
            "body": scrub.value(body),
        }
        response = self._inner.send(request)
        status = response.status_code
        headers = scrub.response_headers(response.headers)

        if request.stream and status < 300:
            def finish(frames: list[str], complete: bool) -> None:
                self.cassette.add({
                    "request": recorded_request,
                    "response": {"status": status, "headers": headers,
                                 "stream": [scrub.text(f) for f in frames], "complete": complete},
                })

            return _RecordingStream(response, finish)
        try:
            content = response.read()
        finally:
            response.close()
        self.cassette.add({
            "request": recorded_request,
            "response": {"status": status, "headers": headers,
                         "body": scrub.value(_body_value(content))},
        })
        return _BufferedResponse(status, response.headers, content)

    def close(self) -> None:
        self._inner.close()


class _Handle:
    """What `record`, `replay`, `use_cassette` hand out: a provider and a client."""

    mode: str = ""
    client: HTTPClient
    use_responses: Optional[bool] = None

    @property
    def base_url(self) -> str:
        """The base URL the client talks to."""
        return self.client.base_url

    @property
    def provider(self) -> Any:
        """An `OpenAIProvider` over `client` (give it to `RunConfig(model_provider=...)`)."""
        provider = getattr(self, "_provider", None)
        if provider is None:
            from ..models.openai_provider import OpenAIProvider

            provider = self._provider = OpenAIProvider(
                client=self.client, use_responses=self.use_responses
            )
        return provider

    def get_model(self, model_name: Optional[str] = None) -> Any:
        """Shortcut for `provider.get_model(name)`."""
        return self.provider.get_model(model_name)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class CassetteRecorder(_Handle):
    """Records live traffic into a cassette (see `record`)."""

    mode = "record"

    def __init__(self, path: str, client: HTTPClient, transport: RecordingTransport,
                 use_responses: Optional[bool]) -> None:
        self.path = path
        self.client = client
        self.transport = transport
        self.use_responses = use_responses

    @property
    def interactions(self) -> list[dict[str, Any]]:
        """What has been recorded so far."""
        return list(self.transport.cassette.interactions)

    def __repr__(self) -> str:
        return f"CassetteRecorder({self.path!r}, interactions={len(self.interactions)})"


def record(
    path: Union[str, os.PathLike[str]],
    *,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    organization: Optional[str] = None,
    project: Optional[str] = None,
    use_responses: Optional[bool] = None,
    timeout: Union[None, float, tuple[float, float]] = None,
    max_retries: int = 2,
    transport: Optional[Transport] = None,
) -> CassetteRecorder:
    """Start recording to `path` (any previous content is replaced).

    Talks to the real API (`api_key` / `base_url` / ... default to the environment, as
    `OpenAIClient` does). Use the returned recorder's `.provider` or `.client`; a `with` block
    closes it. `transport` is the inner transport to wrap (default: `requests`).
    """
    from ..models.defaults import OpenAIClient

    path = os.fspath(path)
    extra = tuple(s for s in (api_key, organization, project) if s)
    recording = RecordingTransport(path, transport, use_responses=use_responses,
                                   extra_secrets=extra)
    client = OpenAIClient(
        api_key=api_key, base_url=base_url, organization=organization, project=project,
        timeout=timeout, max_retries=max_retries, transport=recording,
    )
    return CassetteRecorder(path, client, recording, use_responses)


# --- replaying -------------------------------------------------------------------------------


class CassettePlayer(_Handle):
    """Serves a cassette from a local server (see `replay`)."""

    mode = "replay"

    def __init__(self, path: str, ignore_body_keys: frozenset[str]) -> None:
        from .server import LocalOpenAIServer

        data = _load(path)
        self.path = path
        self.use_responses = data.get("use_responses")
        if self.use_responses is None:
            paths = {i["request"]["path"] for i in data.get("interactions", [])}
            if paths and all(p.startswith("/chat/") for p in paths):
                self.use_responses = False
        self._ignore = ignore_body_keys
        self._interactions: list[dict[str, Any]] = data.get("interactions", [])
        self._keys = [
            match_key(i["request"]["method"], i["request"]["path"], i["request"].get("body"),
                      ignore_body_keys)
            for i in self._interactions
        ]
        self._used = [False] * len(self._interactions)
        self._lock = threading.Lock()
        self.unmatched: list[str] = []
        """Descriptions of the requests the cassette could not answer."""
        self.server = LocalOpenAIServer()
        self.server.add_route("*", "/v1", self._handle)
        self.server.add_route("POST", "/v1/responses", self._handle)
        self.server.add_route("POST", "/v1/chat/completions", self._handle)
        self.server.start()
        self.client = HTTPClient(api_key="cassette-replay", base_url=self.server.base_url)

    def __repr__(self) -> str:
        return f"CassettePlayer({self.path!r}, unused={len(self.unused())})"

    def unused(self) -> list[dict[str, Any]]:
        """Recorded interactions that have not been served."""
        with self._lock:
            return [i for i, used in zip(self._interactions, self._used) if not used]

    def assert_all_used(self) -> None:
        """Raise `CassetteMismatchError` if some recorded interactions were never requested."""
        left = self.unused()
        if left:
            names = [f"{i['request']['method']} {i['request']['path']}" for i in left]
            raise CassetteMismatchError(
                f"Cassette {self.path}: {len(left)} recorded interactions were not used: "
                + ", ".join(names), names)

    def _handle(self, request: Any) -> Any:
        from .replies import Reply

        path = request.path[3:] if request.path.startswith("/v1") else request.path
        key = match_key(request.method, path, request.body, self._ignore)
        with self._lock:
            for index, candidate in enumerate(self._keys):
                if not self._used[index] and candidate == key:
                    self._used[index] = True
                    return self._reply(self._interactions[index]["response"])
            if key in self._keys:
                description = (
                    f"Cassette {self.path}: this {request.method.upper()} {path} request was "
                    "recorded, but its response was already used (each recorded response is "
                    "served once; the run sent it more often than when it was recorded)"
                )
            else:
                description = self._describe_miss(request.method, path, request.body)
            self.unmatched.append(description)
        return Reply(
            400,
            headers={"x-should-retry": "false"},
            body={"error": {"message": description, "type": "cassette_mismatch",
                            "param": None, "code": "cassette_mismatch"}},
        )

    def _describe_miss(self, method: str, path: str, body: Any) -> str:
        same_route = [
            i for i, (interaction, used) in enumerate(zip(self._interactions, self._used))
            if interaction["request"]["method"] == method.upper()
            and interaction["request"]["path"] == path
        ]
        message = (f"Cassette {self.path} holds no recorded response for {method.upper()} {path} "
                   f"with this body")
        unused = [i for i in same_route if not self._used[i]]
        if unused:
            recorded = _strip_keys(self._interactions[unused[0]]["request"].get("body"),
                                   self._ignore)
            diff = _first_difference(_strip_keys(body, self._ignore), recorded)
            if diff:
                message += f"; first difference from the next recorded {method.upper()} {path}: {diff}"
        elif same_route:
            message += f" (all {len(same_route)} recorded {path} requests were already used)"
        else:
            message += f" (it recorded no {path} requests at all)"
        return message + ". Re-record the cassette if the request changed on purpose."

    @staticmethod
    def _reply(response: dict[str, Any]) -> Any:
        from .faults import Fault
        from .replies import Reply

        headers = dict(response.get("headers") or {})
        # Replays are fast: a server-asked delay becomes 1 ms (a refusal to retry is kept).
        asked = headers.pop("retry-after", None)
        asked_ms = headers.pop("retry-after-ms", None)
        if asked is not None or asked_ms is not None:
            try:
                seconds = float(asked_ms) / 1000 if asked_ms is not None else float(asked or 0)
            except ValueError:
                seconds = 1.0
            if seconds > 120:
                headers["retry-after"] = asked or str(seconds)
            else:
                headers["retry-after-ms"] = "1"
        status = int(response.get("status", 200))
        if "stream" in response:
            frames = [(frame + "\n\n").encode("utf-8") for frame in response["stream"]]
            fault = None if response.get("complete", True) else Fault(cut_after_events=len(frames))
            return Reply(status, headers=headers, body=iter(frames), fault=fault)
        return Reply(status, headers=headers, body=response.get("body"))

    def close(self) -> None:
        self.client.close()
        self.server.stop()

    def __exit__(self, exc_type: Any, *exc_info: Any) -> None:
        self.close()
        if exc_type is None and self.unmatched:
            raise CassetteMismatchError(
                f"{len(self.unmatched)} request(s) not found in cassette {self.path}:\n- "
                + "\n- ".join(self.unmatched),
                list(self.unmatched),
            )


def replay(
    path: Union[str, os.PathLike[str]], *, ignore_body_keys: tuple[str, ...] = ()
) -> CassettePlayer:
    """Serve the cassette at `path` offline from a local server; returns the player (use it in
    a `with` block). `ignore_body_keys`: body keys (at any depth) left out when matching."""
    return CassettePlayer(os.fspath(path), frozenset(ignore_body_keys))


class LiveCassette(_Handle):
    """`use_cassette` in live mode: the real API, nothing recorded or replayed."""

    mode = "live"

    def __init__(self, client: HTTPClient, use_responses: Optional[bool]) -> None:
        self.client = client
        self.use_responses = use_responses

    def __repr__(self) -> str:
        return f"LiveCassette(base_url={self.client.base_url!r})"


def use_cassette(
    path: Union[str, os.PathLike[str]],
    *,
    mode: Optional[str] = None,
    use_responses: Optional[bool] = None,
    ignore_body_keys: tuple[str, ...] = (),
    **client_options: Any,
) -> Union[CassetteRecorder, CassettePlayer, LiveCassette]:
    """Live, record or replay, decided once here.

    `mode`: "live", "record", "replay" or None (default). None reads the environment variable
    `AGENTS_LITE_CASSETTE` and otherwise picks "live" when `OPENAI_API_KEY` is set (or an
    `api_key` is passed) and "replay" when it is not. `client_options` (api_key, base_url,
    organization, project, timeout, max_retries) apply to live and record modes.
    """
    if mode is None:
        mode = os.environ.get(_ENV_MODE) or None
    if mode is None:
        has_key = client_options.get("api_key") or os.environ.get("OPENAI_API_KEY")
        mode = "live" if has_key else "replay"
    if mode == "replay":
        return replay(path, ignore_body_keys=ignore_body_keys)
    if mode == "record":
        return record(path, use_responses=use_responses, **client_options)
    if mode == "live":
        from ..models.defaults import OpenAIClient

        return LiveCassette(OpenAIClient(**client_options), use_responses)
    raise UserError(f"Cassette mode must be 'live', 'record' or 'replay', got {mode!r}")
