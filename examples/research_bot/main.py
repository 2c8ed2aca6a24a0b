"""A research bot: a planner agent decides what to search, search agents run in parallel threads
with the hosted web search tool, and a writer agent produces a structured report.

    python main.py "What are the effects of rising sea temperatures on coral reefs?"
"""

# expect: Will perform 3 searches
# expect: Searching... 3/3 completed
# expect: ===== REPORT =====
# expect: # Coral reefs in warming seas
# expect: ===== FOLLOW UP QUESTIONS =====

import sys

from manager import ResearchManager

from agents_lite.testing.example_support import setup_example

setup_example(__file__)

DEFAULT_QUERY = "What are the effects of rising sea temperatures on coral reefs?"


def main() -> None:
    query = " ".join(sys.argv[1:]) or DEFAULT_QUERY
    print(f"Query: {query}")
    report = ResearchManager().run(query)
    print(f"\n\n===== REPORT =====\n\n{report.markdown_report}")
    print(f"\n\n===== SUMMARY =====\n\n{report.short_summary}")
    print("\n\n===== FOLLOW UP QUESTIONS =====\n")
    print("\n".join(f"- {question}" for question in report.follow_up_questions))


if __name__ == "__main__":
    main()
