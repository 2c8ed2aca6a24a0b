"""A custom `Model`: implement `get_response` and `stream_response` and the run loop will use it.
This one wraps two models and falls back to the second when the first fails with a server error
or a rate limit, a common production pattern."""

# expect: primary model failed (InternalServerError), using the fallback
# expect: Answer: Paris is the capital of France.
# expect: Streamed: Paris is the capital of France.

from collections.abc import Iterator
from typing import Any

from agents_lite import (
    Agent,
    APIStatusError,
    Model,
    ModelResponse,
    ModelRetrySettings,
    ModelSettings,
    OpenAIResponsesModel,
    Runner,
)
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

RETRYABLE = (429, 500, 502, 503, 504)


class FallbackModel(Model):
    """Asks `primary`; on a rate limit or server error, asks `fallback` instead."""

    def __init__(self, primary: Model, fallback: Model) -> None:
        self.primary = primary
        self.fallback = fallback

    def get_response(self, *args: Any, **kwargs: Any) -> ModelResponse:
        try:
            return self.primary.get_response(*args, **kwargs)
        except APIStatusError as exc:
            if exc.status_code not in RETRYABLE:
                raise
            print(f"[fallback] primary model failed ({type(exc).__name__}), using the fallback")
            return self.fallback.get_response(*args, **kwargs)

    def stream_response(self, *args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        # A stream can only fall back before its first event has been passed on.
        stream = self.primary.stream_response(*args, **kwargs)
        try:
            first = next(stream)
        except APIStatusError as exc:
            if exc.status_code not in RETRYABLE:
                raise
            print(f"[fallback] primary model failed ({type(exc).__name__}), using the fallback")
            yield from self.fallback.stream_response(*args, **kwargs)
            return
        yield first
        yield from stream

    def close(self) -> None:
        self.primary.close()
        self.fallback.close()


def main() -> None:
    model = FallbackModel(OpenAIResponsesModel("gpt-4.1"), OpenAIResponsesModel("gpt-4.1-mini"))
    # No HTTP retries on the primary: fail over at once.
    agent = Agent(name="Assistant", instructions="Answer in one sentence.", model=model,
                  model_settings=ModelSettings(retry=ModelRetrySettings(max_retries=0)))

    result = Runner.run_sync(agent, "What is the capital of France?")
    print(f"Answer: {result.final_output}")

    streamed = Runner.run_streamed(agent, "What is the capital of France?")
    for _ in streamed.stream_events():
        pass
    print(f"Streamed: {streamed.final_output}")


if __name__ == "__main__":
    main()
