"""Usage from both APIs and its cost from the (user-extensible) price table."""

from __future__ import annotations

import pytest

from agents_lite.usage import (
    Usage,
    estimate_cost_usd,
    get_model_price,
    model_prices,
    set_model_price,
)


def test_snapshot_and_prefix_names_resolve_to_base_prices():
    assert get_model_price("gpt-4o-2024-08-06") == get_model_price("gpt-4o")
    assert get_model_price("openai/gpt-4.1-mini") == get_model_price("gpt-4.1-mini")
    # names that share a prefix with a differently priced model are not confused
    assert get_model_price("o3-mini-2025-01-31") == get_model_price("o3-mini")
    assert get_model_price("o3-mini").input != get_model_price("o3").input
    assert get_model_price("gpt-4o-2024-05-13").input == 5.0
    assert get_model_price("llama3.2") is None
    assert get_model_price(None) is None


def test_estimate_cost():
    # gpt-4.1: 2 in, 0.5 cached, 8 out (per 1M)
    assert estimate_cost_usd("gpt-4.1", 1_000_000, 1_000_000, cached_tokens=500_000) == (
        pytest.approx(0.5 * 2 + 0.5 * 0.5 + 8)
    )
    assert estimate_cost_usd("unknown-model", 10, 10) is None


def test_set_model_price_extends_the_table():
    set_model_price("my-local-model-xyz", input=1.0, output=2.0)
    usage = Usage.for_request(input_tokens=1_000_000, output_tokens=500_000,
                              model="ollama/my-local-model-xyz")
    assert usage.cost_usd == pytest.approx(2.0)
    assert "my-local-model-xyz" in model_prices()


def test_chat_completions_usage_details():
    usage = Usage.from_chat_completions_usage(
        {"prompt_tokens": 100, "completion_tokens": 40, "total_tokens": 140,
         "prompt_tokens_details": {"cached_tokens": 60},
         "completion_tokens_details": {"reasoning_tokens": 25}},
        model="gpt-4o-mini",
    )
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (100, 40, 140)
    assert usage.input_tokens_details.cached_tokens == 60
    assert usage.output_tokens_details.reasoning_tokens == 25
    assert usage.request_usage_entries[0].model == "gpt-4o-mini"
    assert usage.cost_usd == pytest.approx((40 * 0.15 + 60 * 0.075 + 40 * 0.6) / 1e6)
    assert Usage.from_chat_completions_usage(None).total_tokens == 0


def test_cost_over_several_models_and_unknown_ones():
    total = Usage()
    total.add(Usage.for_request(input_tokens=1_000_000, model="gpt-4o-mini"))
    total.add(Usage.for_request(output_tokens=1_000_000, model="gpt-4.1"))
    total.add(Usage.for_request(input_tokens=5, model="not-priced"))
    assert total.requests == 3
    assert total.cost_usd == pytest.approx(0.15 + 8.0)
    assert Usage.for_request(input_tokens=5, model="not-priced").cost_usd is None
