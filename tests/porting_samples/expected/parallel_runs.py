"""Several runs at once, and a few awaits that only an event loop can serve."""

# ruff: noqa: I001  (agents is third-party here, agents_lite first-party once ported)

import asyncio

import httpx

from agents_lite import Agent, Runner


async def fetch_page(url: str) -> str:
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
        return response.text


async def summarize(agent: Agent, text: str) -> str:
    result = await Runner.run(agent, f"Summarize: {text}")
    return result.final_output


async def translate_all(agent: Agent, texts: list[str]) -> list[str]:
    results = await asyncio.gather(*(Runner.run(agent, text) for text in texts))
    return [r.final_output for r in results]


async def main():
    agent = Agent(name="Summarizer", instructions="Summarize in one line.")
    page = await fetch_page("https://example.com")
    print(await summarize(agent, page))
    background = asyncio.create_task(summarize(agent, "second text"))
    print(await translate_all(agent, ["hola", "bonjour"]))
    print(await background)
    print([await summarize(agent, t) async for t in stream_texts()])


async def stream_texts():
    for text in ("a", "b"):
        yield text
        await asyncio.sleep(0)


if __name__ == "__main__":
    asyncio.run(main())
