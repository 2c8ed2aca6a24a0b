"""Parallelization: run the same agent three times at once (in threads) at different
temperatures, then let another agent pick the best result."""

# expect: Translation 1: Il lettore
# expect: Best translation: Il lettore
# expect: 3 translations in parallel

from concurrent.futures import ThreadPoolExecutor

from agents_lite import Agent, ItemHelpers, ModelSettings, RunConfig, Runner
from agents_lite.testing.example_support import setup_example

setup_example(__file__)

italian_agent = Agent(
    name="italian_agent",
    instructions="You translate the user's message to Italian.",
)
translation_picker = Agent(
    name="translation_picker",
    instructions="You pick the best Italian translation from the given options.",
)


def translate(message: str, temperature: float) -> str:
    config = RunConfig(model_settings=ModelSettings(temperature=temperature))
    result = Runner.run_sync(italian_agent, message, run_config=config)
    return ItemHelpers.text_message_outputs(result.new_items)


def main() -> None:
    message = "The reader reads the book slowly, savouring every page."
    temperatures = [0.3, 0.7, 1.1]
    with ThreadPoolExecutor(max_workers=3) as pool:
        translations = list(pool.map(lambda t: translate(message, t), temperatures))
    for number, text in enumerate(translations, 1):
        print(f"Translation {number}: {text}")

    options = "\n".join(translations)
    best = Runner.run_sync(translation_picker, f"Input: {message}\n\nTranslations:\n{options}")
    print(f"\nBest translation: {best.final_output}")
    print(f"({len(translations)} translations in parallel, then one pick)")


if __name__ == "__main__":
    main()
