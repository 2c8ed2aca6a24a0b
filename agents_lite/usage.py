"""Token usage, aggregated per run with one entry per model request, and its cost in USD."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class InputTokensDetails:
    """Breakdown of input tokens."""

    cached_tokens: int = 0


@dataclass
class OutputTokensDetails:
    """Breakdown of output tokens."""

    reasoning_tokens: int = 0


@dataclass
class ModelPrice:
    """Prices in USD per one million tokens."""

    input: float
    output: float
    cached_input: Optional[float] = None
    """Price of cached input tokens; the input price when None."""

    def cost(self, entry: RequestUsage) -> float:
        """The cost of one request."""
        cached = entry.input_tokens_details.cached_tokens
        cached_price = self.input if self.cached_input is None else self.cached_input
        return (
            (entry.input_tokens - cached) * self.input
            + cached * cached_price
            + entry.output_tokens * self.output
        ) / 1_000_000


# Public list prices (USD per 1M tokens). Users add or override entries with `set_model_price`.
_PRICES: dict[str, ModelPrice] = {
    "gpt-4.1": ModelPrice(2.0, 8.0, 0.5),
    "gpt-4.1-mini": ModelPrice(0.4, 1.6, 0.1),
    "gpt-4.1-nano": ModelPrice(0.1, 0.4, 0.025),
    "gpt-4o": ModelPrice(2.5, 10.0, 1.25),
    "gpt-4o-mini": ModelPrice(0.15, 0.6, 0.075),
    "gpt-5": ModelPrice(1.25, 10.0, 0.125),
    "gpt-5-mini": ModelPrice(0.25, 2.0, 0.025),
    "gpt-5-nano": ModelPrice(0.05, 0.4, 0.005),
    "o3": ModelPrice(2.0, 8.0, 0.5),
    "o4-mini": ModelPrice(1.1, 4.4, 0.275),
    # Names whose prefix belongs to a differently priced model are listed explicitly, since
    # lookups fall back from "o3-mini" to "o3" when a name is missing.
    "gpt-5.1": ModelPrice(1.25, 10.0, 0.125),
    "gpt-5-pro": ModelPrice(15.0, 120.0),
    "gpt-4.5-preview": ModelPrice(75.0, 150.0, 37.5),
    "gpt-4o-2024-05-13": ModelPrice(5.0, 15.0),
    "gpt-4-turbo": ModelPrice(10.0, 30.0),
    "gpt-4": ModelPrice(30.0, 60.0),
    "gpt-3.5-turbo": ModelPrice(0.5, 1.5),
    "o1": ModelPrice(15.0, 60.0, 7.5),
    "o1-mini": ModelPrice(1.1, 4.4, 0.55),
    "o1-pro": ModelPrice(150.0, 600.0),
    "o3-mini": ModelPrice(1.1, 4.4, 0.55),
    "o3-pro": ModelPrice(20.0, 80.0),
    "o3-deep-research": ModelPrice(10.0, 40.0, 2.5),
    "o4-mini-deep-research": ModelPrice(2.0, 8.0, 0.5),
    "codex-mini-latest": ModelPrice(1.5, 6.0, 0.375),
    "computer-use-preview": ModelPrice(3.0, 12.0),
}
_PRICES_LOCK = threading.Lock()


def set_model_price(
    model: str, *, input: float, output: float, cached_input: Optional[float] = None
) -> None:
    """Add or replace the price (USD per 1M tokens) used by `Usage.cost_usd` for a model name."""
    with _PRICES_LOCK:
        _PRICES[model] = ModelPrice(input, output, cached_input)


def model_prices() -> dict[str, ModelPrice]:
    """A copy of the price table (model name → `ModelPrice`, USD per 1M tokens)."""
    with _PRICES_LOCK:
        return dict(_PRICES)


def estimate_cost_usd(
    model: str, input_tokens: int, output_tokens: int, cached_tokens: int = 0
) -> Optional[float]:
    """The cost of a request with these token counts, or None when the model is not priced."""
    price = get_model_price(model)
    if price is None:
        return None
    return price.cost(
        RequestUsage(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            total_tokens=input_tokens + output_tokens,
            input_tokens_details=InputTokensDetails(cached_tokens),
        )
    )


def get_model_price(model: Optional[str]) -> Optional[ModelPrice]:
    """The price entry for a model name, matching dated snapshots (`gpt-4o-2024-08-06`) and
    provider prefixes (`openai/gpt-4o`) to their base name. None when unknown."""
    if not model:
        return None
    name = model.rsplit("/", 1)[-1]
    prices = _PRICES
    while name:
        if name in prices:
            return prices[name]
        if "-" not in name:
            return None
        name = name.rsplit("-", 1)[0]
    return None


@dataclass
class RequestUsage:
    """Usage of a single model request."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    input_tokens_details: InputTokensDetails = field(default_factory=InputTokensDetails)
    output_tokens_details: OutputTokensDetails = field(default_factory=OutputTokensDetails)
    model: Optional[str] = None
    """The model name that served the request, when known (used for cost)."""

    @property
    def cost_usd(self) -> Optional[float]:
        """Cost of this request from the price table; None when the model's price is unknown."""
        price = get_model_price(self.model)
        return None if price is None else price.cost(self)


@dataclass
class Usage:
    """Token usage of a run: totals plus one `RequestUsage` per model request."""

    requests: int = 0
    input_tokens: int = 0
    input_tokens_details: InputTokensDetails = field(default_factory=InputTokensDetails)
    output_tokens: int = 0
    output_tokens_details: OutputTokensDetails = field(default_factory=OutputTokensDetails)
    total_tokens: int = 0
    request_usage_entries: list[RequestUsage] = field(default_factory=list)

    def add(self, other: Usage) -> None:
        """Add another usage into this one (entries are appended)."""
        self.requests += other.requests or 0
        self.input_tokens += other.input_tokens or 0
        self.output_tokens += other.output_tokens or 0
        self.total_tokens += other.total_tokens or 0
        self.input_tokens_details.cached_tokens += other.input_tokens_details.cached_tokens or 0
        self.output_tokens_details.reasoning_tokens += (
            other.output_tokens_details.reasoning_tokens or 0
        )
        if other.request_usage_entries:
            self.request_usage_entries.extend(other.request_usage_entries)
        elif other.requests == 1:
            self.request_usage_entries.append(
                RequestUsage(
                    input_tokens=other.input_tokens,
                    output_tokens=other.output_tokens,
                    total_tokens=other.total_tokens,
                    input_tokens_details=InputTokensDetails(other.input_tokens_details.cached_tokens),
                    output_tokens_details=OutputTokensDetails(
                        other.output_tokens_details.reasoning_tokens
                    ),
                )
            )

    @property
    def cost_usd(self) -> Optional[float]:
        """Total cost of the requests whose model price is known; None if none is known."""
        total = None
        for entry in self.request_usage_entries:
            cost = entry.cost_usd
            if cost is not None:
                total = (total or 0.0) + cost
        return total

    @classmethod
    def for_request(
        cls,
        *,
        input_tokens: int = 0,
        output_tokens: int = 0,
        total_tokens: Optional[int] = None,
        cached_tokens: int = 0,
        reasoning_tokens: int = 0,
        model: Optional[str] = None,
    ) -> Usage:
        """Usage of one model request, with its per-request entry."""
        total = input_tokens + output_tokens if total_tokens is None else total_tokens
        entry = RequestUsage(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            total_tokens=total,
            input_tokens_details=InputTokensDetails(cached_tokens),
            output_tokens_details=OutputTokensDetails(reasoning_tokens),
            model=model,
        )
        return cls(
            requests=1,
            input_tokens=input_tokens,
            input_tokens_details=InputTokensDetails(cached_tokens),
            output_tokens=output_tokens,
            output_tokens_details=OutputTokensDetails(reasoning_tokens),
            total_tokens=total,
            request_usage_entries=[entry],
        )

    @classmethod
    def from_responses_usage(cls, usage: Optional[dict[str, Any]], model: Optional[str] = None) -> Usage:
        """Usage of one request from a Responses API `usage` object (None: zero tokens)."""
        usage = usage or {}
        return cls.for_request(
            input_tokens=usage.get("input_tokens") or 0,
            output_tokens=usage.get("output_tokens") or 0,
            total_tokens=usage.get("total_tokens"),
            cached_tokens=(usage.get("input_tokens_details") or {}).get("cached_tokens") or 0,
            reasoning_tokens=(usage.get("output_tokens_details") or {}).get("reasoning_tokens") or 0,
            model=model,
        )

    @classmethod
    def from_chat_completions_usage(
        cls, usage: Optional[dict[str, Any]], model: Optional[str] = None
    ) -> Usage:
        """Usage of one request from a Chat Completions `usage` object (prompt/completion tokens
        and their cached/reasoning details; None: zero tokens)."""
        usage = usage or {}
        return cls.for_request(
            input_tokens=usage.get("prompt_tokens") or 0,
            output_tokens=usage.get("completion_tokens") or 0,
            total_tokens=usage.get("total_tokens"),
            cached_tokens=(usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0,
            reasoning_tokens=(usage.get("completion_tokens_details") or {}).get("reasoning_tokens")
            or 0,
            model=model,
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (used by run state, results and traces)."""
        return {
            "requests": self.requests,
            "input_tokens": self.input_tokens,
            "input_tokens_details": {"cached_tokens": self.input_tokens_details.cached_tokens},
            "output_tokens": self.output_tokens,
            "output_tokens_details": {
                "reasoning_tokens": self.output_tokens_details.reasoning_tokens
            },
            "total_tokens": self.total_tokens,
            "request_usage_entries": [
                {
                    "input_tokens": e.input_tokens,
                    "output_tokens": e.output_tokens,
                    "total_tokens": e.total_tokens,
                    "input_tokens_details": {"cached_tokens": e.input_tokens_details.cached_tokens},
                    "output_tokens_details": {
                        "reasoning_tokens": e.output_tokens_details.reasoning_tokens
                    },
                    "model": e.model,
                }
                for e in self.request_usage_entries
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Usage:
        """Rebuild a `Usage` from `to_json()` output."""
        entries = [
            RequestUsage(
                input_tokens=e.get("input_tokens", 0),
                output_tokens=e.get("output_tokens", 0),
                total_tokens=e.get("total_tokens", 0),
                input_tokens_details=InputTokensDetails(
                    (e.get("input_tokens_details") or {}).get("cached_tokens", 0)
                ),
                output_tokens_details=OutputTokensDetails(
                    (e.get("output_tokens_details") or {}).get("reasoning_tokens", 0)
                ),
                model=e.get("model"),
            )
            for e in data.get("request_usage_entries", [])
        ]
        return cls(
            requests=data.get("requests", 0),
            input_tokens=data.get("input_tokens", 0),
            input_tokens_details=InputTokensDetails(
                (data.get("input_tokens_details") or {}).get("cached_tokens", 0)
            ),
            output_tokens=data.get("output_tokens", 0),
            output_tokens_details=OutputTokensDetails(
                (data.get("output_tokens_details") or {}).get("reasoning_tokens", 0)
            ),
            total_tokens=data.get("total_tokens", 0),
            request_usage_entries=entries,
        )
