"""`FinancialResearchManager`: plan, search in parallel threads, write (with analyst agents as
tools), then have a verifier agent judge the report."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Optional

from financial_agents import (
    FinancialReportData,
    FinancialSearchItem,
    FinancialSearchPlan,
    VerificationResult,
    planner_agent,
    search_agent,
    verifier_agent,
    writer_agent,
)

from agents_lite import ItemHelpers, Runner, ToolCallItem
from agents_lite.tracing import gen_trace_id, trace


class FinancialResearchManager:
    def run(self, query: str) -> tuple[FinancialReportData, VerificationResult]:
        with trace("Financial research trace", trace_id=gen_trace_id()):
            plan = self.plan_searches(query)
            results = self.perform_searches(plan)
            report = self.write_report(query, results)
            verification = self.verify_report(report)
        return report, verification

    def plan_searches(self, query: str) -> FinancialSearchPlan:
        print("Planning searches...")
        result = Runner.run_sync(planner_agent, f"Query: {query}")
        plan = result.final_output_as(FinancialSearchPlan)
        print(f"Will perform {len(plan.searches)} searches")
        return plan

    def perform_searches(self, plan: FinancialSearchPlan) -> list[str]:
        with ThreadPoolExecutor(max_workers=4) as pool:
            summaries = list(pool.map(self.search, plan.searches))  # map keeps the plan's order
        done = [summary for summary in summaries if summary is not None]
        print(f"Searches done: {len(done)}/{len(plan.searches)}")
        return done

    def search(self, item: FinancialSearchItem) -> Optional[str]:
        prompt = f"Search term: {item.query}\nReason: {item.reason}"
        try:
            return str(Runner.run_sync(search_agent, prompt).final_output)
        except Exception as exc:  # a failed search leaves a gap, not a crash
            print(f"Search for {item.query!r} failed: {exc}")
            return None

    def write_report(self, query: str, search_results: list[str]) -> FinancialReportData:
        print("Writing report...")
        prompt = f"Original query: {query}\nSummarized search results: {search_results}"
        result = Runner.run_sync(writer_agent, prompt)
        for item in result.new_items:
            if isinstance(item, ToolCallItem):
                print(f"  the writer consulted {item.raw_item['name']}")
        print(f"  ({len(ItemHelpers.text_message_outputs(result.new_items))} characters written)")
        return result.final_output_as(FinancialReportData)

    def verify_report(self, report: FinancialReportData) -> VerificationResult:
        print("Verifying report...")
        result = Runner.run_sync(verifier_agent, report.markdown_report)
        return result.final_output_as(VerificationResult)
