"""Optional helpers: handoff filters and prompts, tool-output trimming, visualization."""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "ToolOutputTrimmer": "agents_lite.extensions.tool_output_trimmer",
    "remove_all_tools": "agents_lite.extensions.handoff_filters",
    "RECOMMENDED_PROMPT_PREFIX": "agents_lite.extensions.handoff_prompt",
    "prompt_with_handoff_instructions": "agents_lite.extensions.handoff_prompt",
    "draw_graph": "agents_lite.extensions.visualization",
    "mermaid_graph": "agents_lite.extensions.visualization",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agents_lite.extensions' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
