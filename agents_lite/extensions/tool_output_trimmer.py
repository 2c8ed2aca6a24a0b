"""`ToolOutputTrimmer`: a `call_model_input_filter` that shortens bulky tool outputs of old turns."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Optional

from ..exceptions import UserError
from ..run_config import CallModelData, ModelInputData

logger = logging.getLogger("agents_lite")


@dataclass
class ToolOutputTrimmer:
    """Replace large tool outputs from older turns with a short preview before each model call.

    The items from the `recent_turns`-th last user message on are left untouched. Older
    `function_call_output` items longer than `max_output_chars` (of the tools in
    `trimmable_tools`, or of every tool when None) become a marker plus their first
    `preview_chars` characters. Items are copied, never mutated.

        RunConfig(call_model_input_filter=ToolOutputTrimmer(recent_turns=2))
    """

    recent_turns: int = 2
    max_output_chars: int = 500
    preview_chars: int = 200
    trimmable_tools: Optional[frozenset[str]] = None

    def __post_init__(self) -> None:
        if self.recent_turns < 1:
            raise UserError("ToolOutputTrimmer: recent_turns must be at least 1")
        if self.max_output_chars < 1:
            raise UserError("ToolOutputTrimmer: max_output_chars must be at least 1")
        if self.preview_chars < 0:
            raise UserError("ToolOutputTrimmer: preview_chars cannot be negative")
        if self.trimmable_tools is not None:
            self.trimmable_tools = frozenset(self.trimmable_tools)

    def _cutoff(self, items: list[Any]) -> int:
        """Index of the oldest user message that still counts as recent (0: nothing is old)."""
        seen = 0
        for index in range(len(items) - 1, -1, -1):
            item = items[index]
            if isinstance(item, dict) and item.get("role") == "user":
                seen += 1
                if seen == self.recent_turns:
                    return index
        return 0

    def __call__(self, data: CallModelData) -> ModelInputData:
        items = data.model_data.input
        cutoff = self._cutoff(items)
        if cutoff == 0:
            return data.model_data
        names = {
            item.get("call_id"): item.get("name", "")
            for item in items[:cutoff]
            if isinstance(item, dict) and item.get("type") == "function_call"
        }
        result: list[Any] = []
        trimmed = 0
        for index, item in enumerate(items):
            if index < cutoff and isinstance(item, dict) and item.get("type") == "function_call_output":
                text = item.get("output", "")
                text = text if isinstance(text, str) else str(text)
                name = names.get(item.get("call_id"), "")
                eligible = self.trimmable_tools is None or name in self.trimmable_tools
                if eligible and len(text) > self.max_output_chars:
                    marker = (
                        f"[output of {name or 'a tool'} trimmed: {len(text)} chars, "
                        f"first {self.preview_chars} kept]\n{text[: self.preview_chars]}..."
                    )
                    if len(marker) < len(text):
                        result.append({**item, "output": marker})
                        trimmed += 1
                        continue
            result.append(item)
        if trimmed:
            logger.debug("ToolOutputTrimmer trimmed %d tool output(s)", trimmed)
        return ModelInputData(input=result, instructions=data.model_data.instructions)
