"""Retries: rate limits (429) and server errors (5xx) are retried with backoff, honouring the
server's Retry-After. `ModelSettings(retry=ModelRetrySettings(...))` tunes the policy."""

# expect: answered 429; retry 1
# expect: answered 503; retry 2
# expect: Answer: Tides are caused by the Moon
# expect: Gave up: RateLimitError

import logging
import sys

from agents_lite import (
    Agent,
    ModelRetrySettings,
    ModelSettings,
    RateLimitError,
    Runner,
)
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

# Retries are logged at DEBUG level by the "agents_lite" logger.
handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(logging.Formatter("  [http] %(message)s"))
logging.getLogger("agents_lite").addHandler(handler)
logging.getLogger("agents_lite").setLevel(logging.DEBUG)


def main() -> None:
    patient = Agent(
        name="Patient",
        instructions="Answer in one sentence.",
        model_settings=ModelSettings(
            retry=ModelRetrySettings(max_retries=4, initial_delay=0.1, max_delay=2.0)
        ),
    )
    result = Runner.run_sync(patient, "Why are there tides?")
    print(f"Answer: {result.final_output}\n")

    impatient = patient.clone(
        name="Impatient", model_settings=ModelSettings(retry=ModelRetrySettings(max_retries=0))
    )
    try:
        Runner.run_sync(impatient, "Why are there tides?")
    except RateLimitError as exc:
        print(f"Gave up: {type(exc).__name__} (status {exc.status_code})")


if __name__ == "__main__":
    main()
