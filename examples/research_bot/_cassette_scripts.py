"""Scripted model for recording the cassette of examples/research_bot (see
../_record_cassettes.py)."""

from __future__ import annotations

from typing import Any

from _scripting import Recording, Turn

SEARCHES = [
    {"reason": "Understand how heat causes coral bleaching.",
     "query": "coral bleaching sea temperature mechanism"},
    {"reason": "Find how often mass bleaching events now happen.",
     "query": "frequency of mass coral bleaching events"},
    {"reason": "Learn whether and how reefs recover.",
     "query": "coral reef recovery after bleaching"},
]

SUMMARIES = {
    "coral bleaching sea temperature mechanism": (
        "When water stays 1 C or more above the usual summer maximum for weeks, corals expel the "
        "symbiotic algae (zooxanthellae) that feed them and give them colour. The coral turns "
        "white and starves unless temperatures fall soon."),
    "frequency of mass coral bleaching events": (
        "Mass bleaching used to happen every 25-30 years; since the 1980s the gap has shrunk to "
        "about six years. 2023-2024 saw the fourth global bleaching event on record."),
    "coral reef recovery after bleaching": (
        "Reefs can recover in 10-15 years if heat stress does not return and water quality is "
        "good; repeated events leave too little time, and fast-growing corals replace slow "
        "reef builders."),
}


def research(turn: Turn) -> Any:
    if "come up with a set of web searches" in turn.instructions:
        return [turn.json({"searches": SEARCHES})]
    if "search the web" in turn.instructions:
        assert turn.body.get("tools") == [{"type": "web_search", "search_context_size": "medium"}]
        query = turn.user_text.split("\n", 1)[0].removeprefix("Search term: ")
        call = {"type": "web_search_call", "id": turn._id("ws"), "status": "completed",
                "action": {"type": "search", "query": query}}
        return [call, turn.text(SUMMARIES[query])]
    assert "Summarized search results" in turn.user_text
    return [turn.json({
        "short_summary": "Warmer seas bleach corals by breaking their partnership with algae; "
                         "bleaching now comes every few years, faster than reefs can recover.",
        "markdown_report": (
            "# Coral reefs in warming seas\n\n"
            "## How heat bleaches coral\n" + SUMMARIES[SEARCHES[0]["query"]] + "\n\n"
            "## Bleaching is becoming routine\n" + SUMMARIES[SEARCHES[1]["query"]] + "\n\n"
            "## Recovery needs time\n" + SUMMARIES[SEARCHES[2]["query"]] + "\n\n"
            "## Conclusion\nWithout cuts in warming, most reefs will face bleaching more often "
            "than they can recover from."),
        "follow_up_questions": [
            "Which coral species tolerate heat best?",
            "Can assisted evolution or reef restoration keep pace with warming?",
        ],
    })]


RECORDINGS = [Recording("main.py", research, concurrent=True)]
