"""The one HTTP client layer every model talks through: sessions, retries, errors, SSE.

`HTTPClient` posts JSON to an OpenAI-compatible API and returns either the decoded body or a stream
of server-sent events. It is safe to share across threads: the default transport gives each thread
its own `requests` connection adapter with a small, bounded pool. Retries follow the OpenAI
client's policy (see `ModelRetrySettings`); a stream is never retried once its response started.

The bytes travel through a `Transport` (see `transport.py`), by default `RequestsTransport`.
Cassettes wrap it to record traffic without patching `requests`.

The API key is held privately and never printed: not in a repr, not in a log line, not in an
exception message (error texts from the server or from `requests` are scrubbed of it).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Generator, Mapping
from typing import Any, Callable, Optional, Union
from urllib.parse import urlencode

from ..exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    ModelBehaviorError,
    UserError,
    status_error_class,
)
from ..model_settings import ModelRetrySettings
from ..version import __version__
from .sse import SSEEvent, SSEParser
from .transport import (
    HTTPRequest,
    RequestsTransport,
    Transport,
    TransportResponse,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "HTTPClient",
    "HTTPRequest",
    "RequestsTransport",
    "SSEStream",
    "Transport",
    "TransportResponse",
    "USER_AGENT",
    "error_from_payload",
]

logger = logging.getLogger("agents_lite")

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 600.0)
"""(connect, read) seconds: the OpenAI client's defaults."""
USER_AGENT = f"agents-lite/{__version__}"
MAX_HONOURED_RETRY_AFTER = 120.0
"""A server asking to wait longer than this many seconds is not retried at all."""
_DEFAULT_RETRY = ModelRetrySettings()


# --- secrets ---------------------------------------------------------------------------------

_SECRET_HEADERS = frozenset(
    ["authorization", "api-key", "x-api-key", "proxy-authorization", "x-goog-api-key"]
)
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")


class _Redactor:
    """Removes secrets (the API key, any bearer token) from text that may be shown."""

    __slots__ = ("_secrets",)

    def __init__(self, secrets: list[str]) -> None:
        self._secrets = [s for s in secrets if s and len(s) >= 4]

    def text(self, value: str) -> str:
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, "***")
        if "earer" in value or "EARER" in value:
            value = _BEARER.sub(r"\1***", value)
        return value

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def exception(self, exc: APIError) -> APIError:
        """Scrub an exception's message in place; drop its cause if that mentions a secret."""
        message = self.text(exc.message)
        if message != exc.message:
            exc.message = message
            exc.args = (message,)
        cause = exc.__cause__
        if cause is not None and self.text(str(cause)) != str(cause):
            exc.__cause__ = None
            exc.__suppress_context__ = True
        return exc


# --- retries --------------------------------------------------------------------------------


def _retry_after_seconds(headers: Mapping[str, str]) -> Optional[float]:
    """The delay a server asked for: `retry-after-ms`, else `retry-after` (seconds or an HTTP
    date). None when absent or unparsable."""
    value = headers.get("retry-after-ms")
    if value:
        try:
            return float(value) / 1000.0
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    import email.utils  # rare path: keep the email package out of the import of this module

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return when.timestamp() - time.time()


def _should_retry_status(
    status: int, headers: Mapping[str, str], settings: ModelRetrySettings
) -> bool:
    retry_after = _retry_after_seconds(headers)
    if retry_after is not None and retry_after > MAX_HONOURED_RETRY_AFTER:
        return False
    should = headers.get("x-should-retry")
    if should == "true":
        return True
    if should == "false":
        return False
    if settings.retry_on_status is not None:
        return status in settings.retry_on_status
    return status in (408, 409, 429) or status >= 500


def _retry_delay(
    retries_taken: int, headers: Optional[Mapping[str, str]], settings: ModelRetrySettings
) -> float:
    if headers is not None:
        asked = _retry_after_seconds(headers)
        if asked is not None and 0 < asked <= MAX_HONOURED_RETRY_AFTER:
            return min(asked, settings.max_retry_after)
    import random

    delay = min(settings.initial_delay * (2.0**retries_taken), settings.max_delay)
    return max(delay * (1.0 - settings.jitter * random.random()), 0.0)


# --- errors ---------------------------------------------------------------------------------


def _status_error(
    status: int, headers: Mapping[str, str], content: bytes, redactor: _Redactor
) -> APIStatusError:
    body: Any
    try:
        body = json.loads(content) if content else None
    except ValueError:
        body = content.decode("utf-8", errors="replace")[:2000]
    inner = body.get("error") if isinstance(body, dict) else None
    if isinstance(inner, dict):
        detail = inner.get("message") or json.dumps(inner)
        code, param, err_type = inner.get("code"), inner.get("param"), inner.get("type")
        body = inner
    else:
        detail = body if isinstance(body, str) else json.dumps(body)
        code = param = err_type = None
    body = redactor.value(body)
    message = redactor.text(f"Error code: {status} - {detail}")
    return status_error_class(status)(
        message,
        status_code=status,
        body=body,
        request_id=headers.get("x-request-id"),
        code=code if isinstance(code, str) else (str(code) if code is not None else None),
        param=param,
        type=err_type,
    )


# --- streams --------------------------------------------------------------------------------


class SSEStream:
    """Server-sent events of one streamed response. Iterate it for `SSEEvent(event, data)`;
    `close()` (or leaving a `with` block) closes the HTTP response.

    After iteration ends, `truncated` tells whether the connection ended in the middle of a
    frame. Errors while reading raise `APIConnectionError` / `APITimeoutError`; they are never
    retried, since events may already have been handed out.
    """

    __slots__ = (
        "_response", "_iter", "_redactor", "status_code", "headers", "request_id",
        "events_delivered", "truncated", "finished",
    )

    def __init__(self, response: TransportResponse, redactor: _Redactor) -> None:
        self._response = response
        self._redactor = redactor
        self.status_code = response.status_code
        self.headers = response.headers
        self.request_id: Optional[str] = response.headers.get("x-request-id")
        self.events_delivered = 0
        self.truncated = False
        self.finished = False
        self._iter = self._events()

    def __repr__(self) -> str:
        return f"SSEStream(request_id={self.request_id!r}, events={self.events_delivered})"

    def __iter__(self) -> SSEStream:
        return self

    def __next__(self) -> SSEEvent:
        return next(self._iter)

    def _events(self) -> Generator[SSEEvent, None, None]:
        parser = SSEParser()
        try:
            for chunk in self._response.iter_bytes():
                for event in parser.feed(chunk):
                    self.events_delivered += 1
                    yield event
        except APIError as exc:
            raise self._redactor.exception(exc) from exc.__cause__
        for event in parser.finish():
            self.events_delivered += 1
            yield event
        self.truncated = parser.truncated
        self.finished = True

    def drain(self) -> None:
        """Read and drop whatever is left, so the connection can be reused. Errors are ignored:
        callers drain only after the answer is complete."""
        try:
            for _ in self._iter:
                pass
        except APIError:
            pass

    def close(self) -> None:
        """Close the HTTP response (safe to call more than once)."""
        self._iter.close()
        self._response.close()

    def __enter__(self) -> SSEStream:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


# --- the client -------------------------------------------------------------------------------


def _normalise_base_url(base_url: str) -> str:
    """Validated once here (IDNA host, percent-encoding), so requests need no per-call parsing."""
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise UserError(f"base_url must start with http:// or https://, got {base_url!r}")
    import requests
    from requests.models import PreparedRequest

    prepared = PreparedRequest()
    try:
        prepared.prepare_url(base_url, None)
    except requests.exceptions.RequestException as exc:
        raise UserError(f"Invalid base_url {base_url!r}: {exc}") from exc
    return str(prepared.url).rstrip("/")


def _normalise_timeout(
    timeout: Union[None, float, tuple[float, float]],
) -> tuple[float, float]:
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, (int, float)):
        return (min(float(timeout), DEFAULT_TIMEOUT[0]), float(timeout))
    connect, read = timeout
    return (float(connect), float(read))


class HTTPClient:
    """A thread-safe client for one OpenAI-compatible API (one base URL and key).

    Args:
        api_key: sent as `Authorization: Bearer ...`; None sends no auth header (local servers).
        base_url: e.g. "https://api.openai.com/v1"; request paths are appended to it.
        organization / project: sent as `OpenAI-Organization` / `OpenAI-Project`.
        timeout: read timeout in seconds, or a `(connect, read)` pair. Default (5, 600).
        max_retries: retries after the first attempt, unless a request's `ModelRetrySettings`
            says otherwise. Default 2.
        default_headers: extra headers for every request.
        transport: where requests go; default a `RequestsTransport`.
        pool_maxsize: connections kept per thread by the default transport.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        organization: Optional[str] = None,
        project: Optional[str] = None,
        timeout: Union[None, float, tuple[float, float]] = None,
        max_retries: int = 2,
        default_headers: Optional[Mapping[str, str]] = None,
        transport: Optional[Transport] = None,
        pool_maxsize: int = 4,
    ) -> None:
        base_url = _normalise_base_url(base_url or DEFAULT_BASE_URL)
        if max_retries < 0:
            raise UserError("max_retries must be >= 0")
        self.base_url = base_url
        self.organization = organization
        self.project = project
        self.timeout = _normalise_timeout(timeout)
        self.max_retries = max_retries
        self.default_headers = dict(default_headers or {})
        self._api_key = api_key
        self.missing_key_message: Optional[str] = None
        """When set, every request raises `UserError` with this text (no key where one is
        required) instead of going out unauthenticated."""
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
            "Content-Type": "application/json",
        }
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        if organization:
            headers["OpenAI-Organization"] = organization
        if project:
            headers["OpenAI-Project"] = project
        headers.update(self.default_headers)
        # Credentials passed as custom headers (Azure's `api-key`, proxies' tokens) are secrets too.
        secrets = [api_key or ""] + [
            value.split(" ", 1)[-1]
            for name, value in self.default_headers.items()
            if name.lower() in _SECRET_HEADERS
        ]
        self._redactor = _Redactor(secrets)
        self.transport: Transport = transport if transport is not None else RequestsTransport(
            pool_maxsize=pool_maxsize
        )
        self.transport.configure(headers, base_url)

    @property
    def has_api_key(self) -> bool:
        """Whether a key is configured (the key itself is never exposed by this object)."""
        return bool(self._api_key)

    def __repr__(self) -> str:
        return (
            f"HTTPClient(base_url={self.base_url!r}, api_key={'set' if self._api_key else None}, "
            f"organization={self.organization!r}, project={self.project!r}, "
            f"max_retries={self.max_retries})"
        )

    def redact(self, text: str) -> str:
        """`text` with this client's secrets replaced by "***"."""
        return self._redactor.text(text)

    # -- requests --------------------------------------------------------------------------

    def post_json(
        self,
        path: str,
        body: Any,
        *,
        extra_headers: Optional[Mapping[str, str]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        retry: Optional[ModelRetrySettings] = None,
    ) -> tuple[Any, Mapping[str, str]]:
        """POST `body` as JSON; return the decoded JSON body and the response headers.

        Raises `APIStatusError` subclasses for 4xx/5xx answers (after retries),
        `APIConnectionError` / `APITimeoutError` when no answer arrives, and
        `ModelBehaviorError` when a successful answer is not JSON.
        """
        response = self._send("POST", path, body, extra_headers, extra_query, retry, False)
        return self._decode_json(self._read_all(response)), response.headers

    @staticmethod
    def _read_all(response: TransportResponse) -> bytes:
        try:
            return response.read()
        finally:
            response.close()

    def _decode_json(self, content: bytes) -> Any:
        """The JSON of a successful answer; `ModelBehaviorError` (key redacted) if it is not."""
        try:
            return json.loads(content)
        except ValueError as exc:
            snippet = content[:200].decode("utf-8", errors="replace")
            raise ModelBehaviorError(
                self.redact(f"The API returned a body that is not valid JSON: {snippet!r}")
            ) from exc

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: Optional[Mapping[str, str]] = None,
        query: Optional[Mapping[str, Any]] = None,
        retry: Optional[ModelRetrySettings] = None,
        stream: bool = False,
    ) -> TransportResponse:
        """Send a request and return the raw response (`read()`, `iter_bytes()`, `headers`;
        close it when done). `body` may be bytes (sent as is, e.g. multipart) or JSON-able.
        Errors and retries as for `post_json`; with `stream=True` nothing is retried once the
        status line arrived."""
        payload = b"" if body is None else body
        return self._send(method.upper(), path, payload, headers, query, retry, stream)

    def request_json(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: Optional[Mapping[str, Any]] = None,
        retry: Optional[ModelRetrySettings] = None,
    ) -> Any:
        """Send any method (GET, POST, DELETE, ...) and return the decoded JSON body, or None
        when the answer has no body. Errors and retries as for `post_json`."""
        content = self._read_all(self.request(method, path, body, query=query, retry=retry))
        return self._decode_json(content) if content.strip() else None

    def post_stream(
        self,
        path: str,
        body: Any,
        *,
        extra_headers: Optional[Mapping[str, str]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        retry: Optional[ModelRetrySettings] = None,
    ) -> SSEStream:
        """POST `body` as JSON and return its server-sent events as an `SSEStream`.

        Retries happen only until a successful status arrives; after that nothing is retried.
        """
        headers = {"Accept": "text/event-stream"}
        if extra_headers:
            headers.update(extra_headers)
        response = self._send("POST", path, body, headers, extra_query, retry, True)
        content_type = response.headers.get("content-type") or ""
        if content_type.startswith("application/json"):
            # A server that ignored "stream": true, or a proxy answering with an error object.
            try:
                content = response.read()
            finally:
                response.close()
            request_id = response.headers.get("x-request-id")
            try:
                data = json.loads(content)
            except ValueError:
                data = None
            if isinstance(data, dict) and "error" in data:
                raise error_from_payload(
                    data["error"], context="The API answered a stream request with an error",
                    request_id=request_id, redact=self.redact,
                )
            snippet = content[:200].decode("utf-8", errors="replace")
            raise ModelBehaviorError(
                self.redact(
                    "Asked for a stream (text/event-stream) but the server answered with "
                    f"{content_type}: {snippet!r}"
                )
            )
        return SSEStream(response, self._redactor)

    def _send(
        self,
        method: str,
        path: str,
        body: Any,
        extra_headers: Optional[Mapping[str, str]],
        extra_query: Optional[Mapping[str, Any]],
        retry: Optional[ModelRetrySettings],
        stream: bool,
    ) -> TransportResponse:
        if self.missing_key_message is not None:
            raise UserError(self.missing_key_message)
        settings = retry or _DEFAULT_RETRY
        max_retries = (
            settings.max_retries if settings.max_retries is not None else self.max_retries
        )
        url = self.base_url + path
        if extra_query:
            url += ("&" if "?" in url else "?") + urlencode(extra_query, doseq=True)
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        retries_taken = 0
        while True:
            headers = {"x-stainless-retry-count": str(retries_taken)}
            if extra_headers:
                headers.update(extra_headers)
            request = HTTPRequest(method, url, path, headers, data, stream, self.timeout)
            try:
                response = self.transport.send(request)
            except APIConnectionError as exc:
                self._redactor.exception(exc)
                if retries_taken >= max_retries:
                    raise
                delay = _retry_delay(retries_taken, None, settings)
                logger.debug(
                    "%s %s failed (%s); retry %d in %.2fs",
                    method, path, type(exc).__name__, retries_taken + 1, delay,
                )
                time.sleep(delay)
                retries_taken += 1
                continue
            status = response.status_code
            if status < 300:
                return response
            try:
                content = response.read()
            except APIConnectionError:
                content = b""
            finally:
                response.close()
            error_headers = response.headers
            if retries_taken < max_retries and _should_retry_status(
                status, error_headers, settings
            ):
                delay = _retry_delay(retries_taken, error_headers, settings)
                logger.debug(
                    "%s %s answered %d; retry %d in %.2fs",
                    method, path, status, retries_taken + 1, delay,
                )
                time.sleep(delay)
                retries_taken += 1
                continue
            raise _status_error(status, error_headers, content, self._redactor)

    def close(self) -> None:
        """Close every pooled connection (the client stays usable; new ones open on demand)."""
        self.transport.close()

    def __enter__(self) -> HTTPClient:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


# --- errors reported inside a successful HTTP answer -----------------------------------------

# Error codes (or types) that name an HTTP-level condition: reported as that status's error so
# callers can handle a rate limit the same way whether it came as a 429 or inside a stream.
_CODE_STATUS = {
    "rate_limit_exceeded": 429,
    "insufficient_quota": 429,
    "rate_limit_error": 429,
    "tokens": 429,
    "requests": 429,
    "server_error": 500,
    "internal_error": 500,
    "api_error": 500,
    "overloaded_error": 529,
    "invalid_request_error": 400,
    "invalid_prompt": 400,
    "context_length_exceeded": 400,
    "invalid_api_key": 401,
    "authentication_error": 401,
    "permission_error": 403,
    "model_not_found": 404,
    "not_found_error": 404,
}


def error_from_payload(
    error: Any,
    *,
    context: str,
    request_id: Optional[str] = None,
    redact: Optional[Callable[[str], str]] = None,
) -> Exception:
    """The exception for an error object found in a response body or stream event.

    A code or type that names an HTTP condition (rate limits, server errors, bad requests, ...)
    gives the matching `APIStatusError` subclass; anything else a `ModelBehaviorError`.
    `context` says where the error was found, e.g. "response.failed event".
    """
    if not isinstance(error, dict):
        error = {"message": str(error) if error is not None else "no error details"}
    code = error.get("code")
    err_type = error.get("type")
    detail = error.get("message") or json.dumps(error)
    label = f"{code}: " if code else (f"{err_type}: " if err_type else "")
    message = f"{context}: {label}{detail}"
    if redact is not None:
        message = redact(message)
    status = _CODE_STATUS.get(code) if isinstance(code, str) else None
    if status is None and isinstance(err_type, str):
        status = _CODE_STATUS.get(err_type)
    if status is None:
        return ModelBehaviorError(message)
    return status_error_class(status)(
        message,
        status_code=status,
        body=error,
        request_id=request_id,
        code=code if isinstance(code, str) else None,
        param=error.get("param"),
        type=err_type if isinstance(err_type, str) else None,
    )
