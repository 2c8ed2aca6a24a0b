"""Scripted model for recording the cassette of examples/financial_research (see
../_record_cassettes.py)."""

from __future__ import annotations

from typing import Any

from _scripting import Recording, Turn

SEARCHES = [
    {"reason": "Headline numbers of the latest quarter.",
     "query": "Apple fiscal Q1 2026 earnings revenue iPhone services"},
    {"reason": "What management said about the outlook.",
     "query": "Apple earnings call outlook gross margin guidance"},
    {"reason": "Risks analysts highlight.",
     "query": "Apple risks China tariffs App Store regulation analysts"},
]
FINDINGS = {
    SEARCHES[0]["query"]: "Revenue of 124.3 billion USD, up 4% year on year; iPhone 69.1 billion; "
                          "services a record 26.3 billion; EPS 2.40.",
    SEARCHES[1]["query"]: "Management guided to low-to-mid single digit growth next quarter with "
                          "gross margin of 46.5-47.5%.",
    SEARCHES[2]["query"]: "Greater China sales fell 11%; tariff exposure and EU Digital Markets "
                          "Act changes to the App Store are the main concerns.",
}


def financial(turn: Turn) -> Any:
    instructions = turn.instructions
    if "research planner" in instructions:
        return [turn.json({"searches": SEARCHES})]
    if "specializing in financial topics" in instructions:
        query = turn.user_text.split("\n", 1)[0].removeprefix("Search term: ")
        return [{"type": "web_search_call", "id": turn._id("ws"), "status": "completed",
                 "action": {"type": "search", "query": query}}, turn.text(FINDINGS[query])]
    if "company fundamentals" in instructions:
        return [turn.json({"summary": "Revenue grew 4% to 124.3B USD with record services "
                                      "revenue (26.3B) lifting gross margin to 46.9%."})]
    if "risk analyst" in instructions:
        return [turn.json({"summary": "China demand (-11%), tariffs and App Store regulation in "
                                      "the EU could pressure growth and services margins."})]
    if "senior financial analyst" in instructions:
        if not turn.outputs():
            return [turn.call("fundamentals_analysis", {"input": turn.user_text}),
                    turn.call("risk_analysis", {"input": turn.user_text})]
        fundamentals = turn.outputs("fundamentals_analysis")[0]
        risks = turn.outputs("risk_analysis")[0]
        return [turn.json({
            "short_summary": "A solid quarter led by services; China is the weak spot.",
            "markdown_report": f"# Apple Inc.: fiscal Q1 2026\n\n## Fundamentals\n{fundamentals}"
                               f"\n\n## Risks\n{risks}\n\n## Outlook\nGuidance calls for "
                               "low-to-mid single digit growth and margins of 46.5-47.5%.",
            "follow_up_questions": ["How fast is services revenue growing outside the US?",
                                    "How exposed is the supply chain to new tariffs?"],
        })]
    assert "meticulous auditor" in instructions
    return [turn.json({"verified": True, "issues": ""})]


RECORDINGS = [Recording("main.py", financial, concurrent=True)]
