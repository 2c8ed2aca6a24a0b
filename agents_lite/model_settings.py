"""Per-model request settings (`ModelSettings`) and the HTTP retry policy (`ModelRetrySettings`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any, Literal, Optional, Union

ToolChoice = Union[Literal["auto", "required", "none"], str, dict, None]


@dataclass
class ModelRetrySettings:
    """How the HTTP layer retries a failed model request (PROTOCOLS.md §4).

    Timeouts, connection errors, 408, 409, 429 and 5xx are retried; `x-should-retry` overrides the
    status; `retry-after-ms` / `retry-after` are honoured up to `max_retry_after`. A stream that has
    started delivering events is never retried.
    """

    max_retries: Optional[int] = None
    """Retries after the first attempt; None means the client default (2)."""
    initial_delay: float = 0.5
    """Backoff before the first retry, in seconds (doubles each retry)."""
    max_delay: float = 8.0
    """Upper bound of the computed backoff, in seconds."""
    jitter: float = 0.25
    """Fraction of the delay removed at random (0 disables jitter)."""
    max_retry_after: float = 60.0
    """A server-asked delay above this many seconds is capped to it."""
    retry_on_status: Optional[tuple[int, ...]] = None
    """Status codes to retry; None means 408, 409, 429 and every 5xx."""


@dataclass
class ModelSettings:
    """Settings sent with each model request. `None` means "use the model's default".

    `resolve(override)` overlays another instance: every non-None field of the override wins.
    """

    temperature: Optional[float] = None
    top_p: Optional[float] = None
    frequency_penalty: Optional[float] = None
    presence_penalty: Optional[float] = None
    tool_choice: ToolChoice = None
    """"auto", "required", "none", a tool name, or a raw tool_choice dict."""
    parallel_tool_calls: Optional[bool] = None
    truncation: Optional[Literal["auto", "disabled"]] = None
    max_tokens: Optional[int] = None
    """Sent as `max_output_tokens` (Responses) or `max_tokens` (Chat Completions)."""
    reasoning: Optional[dict[str, Any]] = None
    """e.g. `{"effort": "low", "summary": "auto"}`."""
    verbosity: Optional[Literal["low", "medium", "high"]] = None
    metadata: Optional[dict[str, str]] = None
    store: Optional[bool] = None
    include_usage: Optional[bool] = None
    """Chat Completions streaming: ask for a final usage chunk."""
    response_include: Optional[list[str]] = None
    """Responses `include` entries, e.g. "reasoning.encrypted_content"."""
    top_logprobs: Optional[int] = None
    extra_query: Optional[dict[str, Any]] = None
    extra_body: Optional[dict[str, Any]] = None
    extra_headers: Optional[dict[str, str]] = None
    extra_args: Optional[dict[str, Any]] = None
    """Extra keyword arguments merged into the request body as they are."""
    retry: Optional[ModelRetrySettings] = None
    """HTTP retry policy for this model's requests."""

    def resolve(self, override: Optional[ModelSettings]) -> ModelSettings:
        """A new settings object: this one with the override's non-None fields on top.

        `extra_args` dicts are merged (override keys win) rather than replaced.
        """
        if override is None:
            return self
        changes = {
            f.name: getattr(override, f.name)
            for f in fields(self)
            if getattr(override, f.name) is not None
        }
        if self.extra_args and override.extra_args:
            changes["extra_args"] = {**self.extra_args, **override.extra_args}
        return dataclasses.replace(self, **changes)

    def to_json_dict(self) -> dict[str, Any]:
        """The non-None settings as a JSON-safe dict (for traces and run state)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            out[f.name] = (
                dataclasses.asdict(value)  # type: ignore[arg-type]
                if dataclasses.is_dataclass(value) else value
            )
        return out

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> ModelSettings:
        """Rebuild settings from `to_json_dict()` output."""
        data = dict(data)
        retry = data.pop("retry", None)
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in data.items() if k in known})
        if isinstance(retry, dict):
            if retry.get("retry_on_status") is not None:
                retry["retry_on_status"] = tuple(retry["retry_on_status"])
            settings.retry = ModelRetrySettings(**retry)
        return settings
