"""Fault injection for `LocalOpenAIServer`: HTTP errors, latency, broken and malformed streams.

A `Fault` is queued like any scripted reply (`server.add_response(Fault(...))`) and shapes how the
next model request is answered. Faults combine: `Fault(delay=0.5, cut_after_events=3)` waits half
a second, then streams three events and drops the connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

__all__ = ["Fault", "error_body", "TERMINALS"]

TERMINALS = ("failed", "incomplete", "error")

_DEFAULT_ERRORS: dict[int, tuple[str, str, Optional[str]]] = {
    400: ("Invalid request.", "invalid_request_error", None),
    401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to use this resource.", "invalid_request_error", None),
    404: ("The requested resource was not found.", "invalid_request_error", "not_found"),
    408: ("The request timed out.", "timeout", None),
    409: ("The request conflicts with another request.", "invalid_request_error", "conflict"),
    422: ("The request could not be processed.", "invalid_request_error", None),
    429: ("Rate limit reached. Please try again later.", "requests", "rate_limit_exceeded"),
}


def error_body(
    status: int,
    message: Optional[str] = None,
    type: Optional[str] = None,
    code: Optional[str] = None,
    param: Optional[str] = None,
) -> dict[str, Any]:
    """An OpenAI-style error body `{"error": {"message", "type", "param", "code"}}`; fields left
    as None get a default for the status."""
    default_message, default_type, default_code = _DEFAULT_ERRORS.get(
        status,
        ("The server had an error while processing your request.", "server_error", None)
        if status >= 500
        else ("Request failed.", "invalid_request_error", None),
    )
    return {
        "error": {
            "message": message if message is not None else default_message,
            "type": type if type is not None else default_type,
            "param": param,
            "code": code if code is not None else default_code,
        }
    }


@dataclass
class Fault:
    """How to misbehave when answering one request.

    Error reply:
        status: answer with this HTTP status and an OpenAI error body built from `message`,
            `error_type`, `code`, `param` (defaults depend on the status, e.g. 429 →
            code "rate_limit_exceeded").
        headers: extra response headers. `retry_after` (seconds, → `retry-after`),
            `retry_after_ms` (→ `retry-after-ms`) and `should_retry` (→ `x-should-retry:
            true|false`) are shortcuts for the retry headers.
    Timing:
        delay: seconds to wait before answering at all (use it to trigger client timeouts).
        event_delay: seconds to wait before each streamed frame.
    Broken delivery:
        drop_connection: read the request, then close the connection without any response.
        cut_after_events: stream this many frames (after the headers), then close the
            connection with no terminal event and no end of the chunked body. For a non-streamed
            reply any value sends the headers and half of the body, then closes.
        reset: close with a TCP reset (SO_LINGER 0) instead of an orderly close.
    Stream content (model endpoints):
        inject: frames to insert, as (index, frame) pairs: the frame goes before the index-th
            scripted event (an index past the end appends before the end of the stream). A dict
            frame is an event, framed like the others (Responses: `event:` + `data:`, with
            sequence numbers renumbered; Chat: `data:` only); a str/bytes frame is written
            verbatim, which is how malformed SSE is injected. See `malformed_json`,
            `bad_framing`, `unknown_event`.
        terminal: end a Responses stream with `response.failed`, `response.incomplete` or an
            `error` event instead of `response.completed` ("failed" | "incomplete" | "error").
            A non-streamed Responses reply gets status failed / incomplete in its body, and
            "error" becomes an HTTP 500 error reply. On Chat Completions, "error" ends the stream
            with `data: {"error": …}` (no finish chunk, no [DONE]), "incomplete" sets
            finish_reason "length", "failed" behaves like "error".
        incomplete_reason: the `incomplete_details.reason` for terminal "incomplete".
        empty_choices: Chat Completions replies carry `choices: []` (every chunk when
            streamed); Responses replies carry `output: []`.
    Content:
        reply: the scripted reply to deliver through the fault (items list, string,
            ScriptedResponse, or for custom routes a `Reply`/dict). None uses the server's
            responder or default reply.
    """

    status: Optional[int] = None
    message: Optional[str] = None
    error_type: Optional[str] = None
    code: Optional[str] = None
    param: Optional[str] = None
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: Optional[Union[float, str]] = None
    retry_after_ms: Optional[float] = None
    should_retry: Optional[bool] = None
    delay: float = 0.0
    event_delay: float = 0.0
    drop_connection: bool = False
    cut_after_events: Optional[int] = None
    reset: bool = False
    inject: list[tuple[int, Union[dict, str, bytes]]] = field(default_factory=list)
    terminal: Optional[str] = None
    incomplete_reason: str = "max_output_tokens"
    empty_choices: bool = False
    reply: Any = None

    def __post_init__(self) -> None:
        if self.terminal is not None and self.terminal not in TERMINALS:
            raise ValueError(f"Fault.terminal must be one of {TERMINALS}, got {self.terminal!r}")
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"Fault.status must be an HTTP status, got {self.status!r}")

    # -- shortcuts -------------------------------------------------------------------------

    @classmethod
    def http_error(cls, status: int, message: Optional[str] = None, **kwargs: Any) -> Fault:
        """An HTTP error reply, e.g. `Fault.http_error(429, retry_after=1)`."""
        return cls(status=status, message=message, **kwargs)

    @classmethod
    def malformed_json(cls, after: int = 2, reply: Any = None, **kwargs: Any) -> Fault:
        """A stream with a `data:` line holding invalid JSON after `after` events."""
        frame = 'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", "delta": \n\n'
        return cls(inject=[(after, frame)], reply=reply, **kwargs)

    @classmethod
    def bad_framing(cls, after: int = 2, reply: Any = None, **kwargs: Any) -> Fault:
        """A stream with an unterminated frame after `after` events: a stray non-SSE line and a
        `data:` line without the blank line that ends a frame, so it merges with the next one."""
        frame = 'this line is not server-sent events\ndata: {"partial": true}\n'
        return cls(inject=[(after, frame)], reply=reply, **kwargs)

    @classmethod
    def unknown_event(
        cls,
        after: int = 2,
        event_type: str = "response.mystery_feature.delta",
        reply: Any = None,
        **kwargs: Any,
    ) -> Fault:
        """A well-formed event of a type no client knows, after `after` events."""
        return cls(inject=[(after, {"type": event_type, "payload": {"x": 1}})], reply=reply,
                   **kwargs)

    # -- derived values ----------------------------------------------------------------------

    def response_headers(self) -> dict[str, str]:
        """The extra headers this fault adds to the reply."""
        headers = dict(self.headers)
        if self.retry_after is not None:
            value = self.retry_after
            headers["retry-after"] = value if isinstance(value, str) else f"{value:g}"
        if self.retry_after_ms is not None:
            headers["retry-after-ms"] = f"{self.retry_after_ms:g}"
        if self.should_retry is not None:
            headers["x-should-retry"] = "true" if self.should_retry else "false"
        return headers

    def error_body(self, status: Optional[int] = None) -> dict[str, Any]:
        """The error body for `status` (default: this fault's status, else 500)."""
        return error_body(
            status or self.status or 500, self.message, self.error_type, self.code, self.param
        )
