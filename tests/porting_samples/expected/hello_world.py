"""A first agent: one question, one answer (written for openai-agents)."""

from agents_lite import Agent, Runner


def main():
    agent = Agent(
        name="Poet",
        instructions="You answer in haiku only.",  # keep it short
    )

    # The runner drives the model until there is a final output.
    result = Runner.run_sync(agent, "Tell me about recursion.")
    print(result.final_output)


if __name__ == "__main__":
    main()
