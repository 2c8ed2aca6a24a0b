"""Financial research: a planner, parallel web searches, a writer that consults analyst agents
used as tools, and a verifier agent that judges the report.

    python main.py "Write up an analysis of Apple Inc.'s most recent quarter."
"""

# expect: Will perform 3 searches
# expect: the writer consulted fundamentals_analysis
# expect: the writer consulted risk_analysis
# expect: ===== REPORT =====
# expect: # Apple Inc.: fiscal Q1 2026
# expect: ===== VERIFICATION =====
# expect: verified: True

import sys

from manager import FinancialResearchManager

from agents_lite.testing.example_support import setup_example

setup_example(__file__)

DEFAULT_QUERY = "Write up an analysis of Apple Inc.'s most recent quarter."


def main() -> None:
    query = " ".join(sys.argv[1:]) or DEFAULT_QUERY
    print(f"Query: {query}")
    report, verification = FinancialResearchManager().run(query)
    print(f"\n===== REPORT =====\n\n{report.markdown_report}")
    print(f"\n===== SUMMARY =====\n\n{report.short_summary}")
    print("\n===== FOLLOW UP QUESTIONS =====\n")
    print("\n".join(f"- {question}" for question in report.follow_up_questions))
    print("\n===== VERIFICATION =====\n")
    print(f"verified: {verification.verified}")
    if verification.issues:
        print(f"issues: {verification.issues}")


if __name__ == "__main__":
    main()
