"""`ResearchManager`: plan the searches, run them in parallel threads, write the report."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Optional

from research_agents import (
    ReportData,
    WebSearchItem,
    WebSearchPlan,
    planner_agent,
    search_agent,
    writer_agent,
)

from agents_lite import Runner
from agents_lite.tracing import custom_span, gen_trace_id, trace


class ResearchManager:
    def __init__(self, max_workers: int = 4) -> None:
        self.max_workers = max_workers

    def run(self, query: str) -> ReportData:
        trace_id = gen_trace_id()
        with trace("Research trace", trace_id=trace_id):
            print(f"Trace id: {trace_id}")
            plan = self.plan_searches(query)
            results = self.perform_searches(plan)
            return self.write_report(query, results)

    def plan_searches(self, query: str) -> WebSearchPlan:
        print("Planning searches...")
        result = Runner.run_sync(planner_agent, f"Query: {query}")
        plan = result.final_output_as(WebSearchPlan)
        print(f"Will perform {len(plan.searches)} searches")
        return plan

    def perform_searches(self, plan: WebSearchPlan) -> list[str]:
        with custom_span("Search the web"):
            summaries: dict[str, str] = {}
            with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
                futures = {pool.submit(self.search, item): item for item in plan.searches}
                for done, future in enumerate(as_completed(futures), 1):
                    summary = future.result()
                    if summary is not None:
                        summaries[futures[future].query] = summary
                    print(f"Searching... {done}/{len(futures)} completed")
            # The writer gets the results in the plan's order, whichever thread finished first.
            return [summaries[item.query] for item in plan.searches if item.query in summaries]

    def search(self, item: WebSearchItem) -> Optional[str]:
        prompt = f"Search term: {item.query}\nReason for searching: {item.reason}"
        try:
            result = Runner.run_sync(search_agent, prompt)
        except Exception as exc:  # one failed search should not sink the report
            print(f"Search for {item.query!r} failed: {exc}")
            return None
        return str(result.final_output)

    def write_report(self, query: str, search_results: list[str]) -> ReportData:
        print("Thinking about report...")
        prompt = f"Original query: {query}\nSummarized search results: {search_results}"
        result = Runner.run_streamed(writer_agent, prompt)
        characters = 0
        for event in result.stream_events():
            if event.type == "raw_response_event" and event.data["type"] == "response.output_text.delta":
                characters += len(event.data["delta"])
        print(f"Report written ({characters} characters streamed)")
        return result.final_output_as(ReportData)
