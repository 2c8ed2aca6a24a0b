"""The research bot's three agents: a planner, a searcher (with the hosted web search tool) and a
writer. Each has a narrow job and a typed output where the next step needs structure."""

from __future__ import annotations

from dataclasses import dataclass

from agents_lite import Agent, ModelSettings, WebSearchTool


@dataclass
class WebSearchItem:
    reason: str
    """Why this search helps answer the query."""
    query: str
    """The search term to use."""


@dataclass
class WebSearchPlan:
    searches: list[WebSearchItem]
    """The searches to run to answer the query."""


planner_agent = Agent(
    name="PlannerAgent",
    instructions="You are a helpful research assistant. Given a query, come up with a set of web "
                 "searches to perform to best answer the query. Output between 2 and 5 searches.",
    model="gpt-4.1",
    output_type=WebSearchPlan,
)

search_agent = Agent(
    name="SearchAgent",
    instructions="You are a research assistant. Given a search term, you search the web for that "
                 "term and produce a concise summary of the results: 2-3 paragraphs, under 300 "
                 "words. Capture the main points; no commentary beyond the summary.",
    tools=[WebSearchTool()],
    model_settings=ModelSettings(tool_choice="required"),
)


@dataclass
class ReportData:
    short_summary: str
    """A 2-3 sentence summary of the findings."""
    markdown_report: str
    """The final report."""
    follow_up_questions: list[str]
    """Suggested topics to research further."""


writer_agent = Agent(
    name="WriterAgent",
    instructions="You are a senior researcher tasked with writing a cohesive report for a "
                 "research query. You will be provided with the original query and some initial "
                 "research. Write a detailed markdown report.",
    model="gpt-4.1",
    output_type=ReportData,
)
