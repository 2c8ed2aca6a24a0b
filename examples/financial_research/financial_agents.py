"""The financial research agents: planner, searcher, two analysts (used as tools by the writer),
the writer, and a verifier that judges the finished report."""

from __future__ import annotations

from dataclasses import dataclass

from agents_lite import Agent, RunResult, WebSearchTool


@dataclass
class FinancialSearchItem:
    reason: str
    """Why this search is relevant."""
    query: str
    """The search term to feed into a web (or file) search."""


@dataclass
class FinancialSearchPlan:
    searches: list[FinancialSearchItem]
    """The searches to run."""


planner_agent = Agent(
    name="FinancialPlannerAgent",
    instructions="You are a financial research planner. Given a request for financial analysis, "
                 "produce a set of web searches to gather the required context: recent news, "
                 "earnings calls, analyst commentary, industry background. Output between 3 and "
                 "5 search terms.",
    model="gpt-4.1",
    output_type=FinancialSearchPlan,
)

search_agent = Agent(
    name="FinancialSearchAgent",
    instructions="You are a research assistant specializing in financial topics. Given a search "
                 "term, use web search to retrieve up-to-date context and produce a short summary "
                 "of at most 300 words. Focus on key numbers, events, or quotes.",
    tools=[WebSearchTool()],
)


@dataclass
class AnalysisSummary:
    summary: str
    """A short text summary for this aspect of the analysis."""


fundamentals_agent = Agent(
    name="FundamentalsAnalystAgent",
    instructions="You are a financial analyst focused on company fundamentals such as revenue, "
                 "profit, margins and growth trajectory. Given a collection of web (and optional "
                 "file) search results about a company, write a concise analysis of its recent "
                 "financial performance. Keep it under 2 paragraphs.",
    output_type=AnalysisSummary,
)

risk_agent = Agent(
    name="RiskAnalystAgent",
    instructions="You are a risk analyst looking for potential red flags in a company's outlook. "
                 "Given background research, produce a short analysis of risks such as "
                 "competitive threats, regulatory issues, supply chain problems, or slowing "
                 "growth. Keep it under 2 paragraphs.",
    output_type=AnalysisSummary,
)


def summary_extractor(run_result: RunResult) -> str:
    """What the writer sees from an analyst: only the summary text."""
    return str(run_result.final_output.summary)


@dataclass
class FinancialReportData:
    short_summary: str
    """A short 2-3 sentence executive summary."""
    markdown_report: str
    """The full markdown report."""
    follow_up_questions: list[str]
    """Suggested follow-up questions for further research."""


writer_agent = Agent(
    name="FinancialWriterAgent",
    instructions="You are a senior financial analyst. You will be provided with the original "
                 "query and a set of raw search summaries. Write a long-form markdown report with "
                 "an executive summary and follow-up questions. Call the analysis tools for "
                 "specialist write-ups of fundamentals and risks, and include them.",
    model="gpt-4.1",
    tools=[
        fundamentals_agent.as_tool(
            tool_name="fundamentals_analysis",
            tool_description="Use to get a short write-up of key financial metrics",
            custom_output_extractor=summary_extractor,
        ),
        risk_agent.as_tool(
            tool_name="risk_analysis",
            tool_description="Use to get a short write-up of potential red flags",
            custom_output_extractor=summary_extractor,
        ),
    ],
    output_type=FinancialReportData,
)


@dataclass
class VerificationResult:
    verified: bool
    """Whether the report seems coherent and plausible."""
    issues: str
    """If not verified, describe the main issues or concerns."""


verifier_agent = Agent(
    name="VerificationAgent",
    instructions="You are a meticulous auditor. You have been handed a financial analysis "
                 "report. Verify the report is internally consistent, clearly sourced, and makes "
                 "no unsupported claims. Point out any issues or uncertainties.",
    model="gpt-4.1",
    output_type=VerificationResult,
)
