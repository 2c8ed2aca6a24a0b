"""Conversion between Responses-API items and Chat Completions messages, both ways.

Items → messages (requests): strings become one user message; user/system/developer messages keep
their role (only user messages keep image, file and audio parts); an assistant message opens a new
assistant message, and every following `function_call` joins its `tool_calls` until something
else comes; `function_call_output` becomes a `tool` message. Reasoning items are not sent.
Item references, compaction items and hosted-tool items cannot be expressed and raise `UserError`.

Message → items (responses): an optional reasoning item (from `reasoning_content`), one assistant
`message` item (id "__fake_id__") with `output_text` and/or `refusal` parts, then one
`function_call` item per tool call.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Optional, Union

from ..exceptions import ModelBehaviorError, UserError
from ..items import TResponseInputItem, TResponseOutputItem

if TYPE_CHECKING:
    from ..agent_output import AgentOutputSchemaBase
    from ..handoffs import Handoff

__all__ = [
    "FAKE_ID",
    "CONTENT_FILTER_REFUSAL",
    "items_to_messages",
    "message_to_output_items",
    "tool_to_chat",
    "tools_to_chat",
    "tool_choice_to_chat",
    "response_format_to_chat",
    "usage_to_responses",
]

FAKE_ID = "__fake_id__"
"""Placeholder id of items built from Chat Completions output; never sent back."""
CONTENT_FILTER_REFUSAL = "Response withheld by the provider's content filter."
TOOL_OUTPUT_OMITTED = "[tool output omitted]"


# --- items -> messages ------------------------------------------------------------------------


def _user_part(part: Any) -> dict[str, Any]:
    if isinstance(part, str):
        return {"type": "text", "text": part}
    kind = part.get("type")
    if kind in ("input_text", "text", "output_text"):
        return {"type": "text", "text": part.get("text", "")}
    if kind == "input_image":
        url = part.get("image_url")
        if not url:
            raise UserError(
                "Chat Completions accepts images only as URLs (data: URLs allowed); "
                f"this input_image has none: {_short(part)}"
            )
        return {"type": "image_url", "image_url": {"url": url, "detail": part.get("detail") or "auto"}}
    if kind == "input_file":
        file: dict[str, Any] = {}
        if part.get("file_data"):
            file["file_data"] = part["file_data"]
        elif part.get("file_id"):
            file["file_id"] = part["file_id"]
        else:
            raise UserError(
                f"Chat Completions needs file_data or file_id for input_file: {_short(part)}"
            )
        if part.get("filename"):
            file["filename"] = part["filename"]
        return {"type": "file", "file": file}
    if kind == "input_audio":
        audio = part.get("input_audio") or {
            k: part[k] for k in ("data", "format") if k in part
        }
        return {"type": "input_audio", "input_audio": audio}
    raise UserError(f"Unsupported content part for Chat Completions: {_short(part)}")


def _user_content(content: Any) -> Union[str, list[dict[str, Any]]]:
    if isinstance(content, str):
        return content
    return [_user_part(part) for part in content or []]


def _text_only(content: Any) -> Union[str, list[dict[str, Any]]]:
    """Content for system/developer/assistant messages: text parts only."""
    if isinstance(content, str):
        return content
    parts = []
    for part in content or []:
        if isinstance(part, str):
            parts.append({"type": "text", "text": part})
        elif part.get("type") in ("input_text", "text", "output_text"):
            parts.append({"type": "text", "text": part.get("text", "")})
        else:
            raise UserError(
                "Only text parts are allowed in system, developer and assistant messages for "
                f"Chat Completions: {_short(part)}"
            )
    return parts


def _tool_output_text(output: Any) -> str:
    if isinstance(output, str):
        return output
    if isinstance(output, list):
        texts = [
            part.get("text", "")
            for part in output
            if isinstance(part, dict) and part.get("type") in ("input_text", "text", "output_text")
        ]
        text = "\n".join(t for t in texts if t)
        return text or TOOL_OUTPUT_OMITTED
    if output is None:
        return TOOL_OUTPUT_OMITTED
    return json.dumps(output) if isinstance(output, dict) else str(output)


def _short(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[:limit] + "..."


def items_to_messages(
    items: Union[str, list[TResponseInputItem]],
    system_instructions: Optional[str] = None,
) -> list[dict[str, Any]]:
    """Chat Completions `messages` for Responses input items; instructions become a system
    message at index 0."""
    messages: list[dict[str, Any]] = []
    if system_instructions is not None:
        messages.append({"role": "system", "content": system_instructions})
    if isinstance(items, str):
        messages.append({"role": "user", "content": items})
        return messages

    assistant: Optional[dict[str, Any]] = None  # the open assistant message, if any

    def flush() -> None:
        nonlocal assistant
        if assistant is not None:
            if not assistant.get("tool_calls"):
                assistant.pop("tool_calls", None)  # the API rejects an empty array
            messages.append(assistant)
            assistant = None

    for item in items:
        if not isinstance(item, dict):
            raise UserError(f"Input items must be dicts, got {type(item).__name__}")
        kind = item.get("type")
        role = item.get("role")
        if kind in (None, "message") and role is not None:
            content = item.get("content")
            if role == "user":
                flush()
                messages.append({"role": "user", "content": _user_content(content)})
            elif role in ("system", "developer"):
                flush()
                messages.append({"role": role, "content": _text_only(content)})
            elif role == "assistant":
                flush()
                assistant = {"role": "assistant", "tool_calls": []}
                if isinstance(content, str):
                    assistant["content"] = content
                else:
                    texts: list[str] = []
                    for part in content or []:
                        part_type = part.get("type")
                        if part_type in ("output_text", "text", "input_text"):
                            texts.append(part.get("text", ""))
                        elif part_type == "refusal":
                            assistant["refusal"] = part.get("refusal", "")
                        else:
                            raise UserError(
                                f"Unsupported assistant content for Chat Completions: {_short(part)}"
                            )
                    if texts:
                        assistant["content"] = "\n".join(texts)
                    elif "refusal" not in assistant:
                        assistant["content"] = None
            else:
                raise UserError(f"Unknown message role {role!r} in input item {_short(item)}")
        elif kind == "function_call":
            if assistant is None:
                assistant = {"role": "assistant", "content": None, "tool_calls": []}
            assistant["tool_calls"].append(
                {
                    "id": item.get("call_id"),
                    "type": "function",
                    "function": {
                        "name": item.get("name"),
                        "arguments": item.get("arguments") or "{}",
                    },
                }
            )
        elif kind == "function_call_output":
            flush()
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": item.get("call_id"),
                    "content": _tool_output_text(item.get("output")),
                }
            )
        elif kind == "reasoning":
            continue  # OpenAI's Chat Completions has no way to replay reasoning
        elif kind in ("item_reference", "compaction"):
            raise UserError(
                f"A {kind} item cannot be sent to Chat Completions (it needs the Responses API): "
                f"{_short(item)}"
            )
        else:
            raise UserError(
                f"Input item of type {kind!r} is not supported by Chat Completions (hosted-tool "
                f"items need the Responses API): {_short(item)}"
            )
    flush()
    return messages


# --- tools ------------------------------------------------------------------------------------


def tool_to_chat(wire: dict[str, Any]) -> dict[str, Any]:
    """A Chat Completions tool from a Responses function-tool definition."""
    if wire.get("type") != "function":
        raise UserError(
            f"Tool type {wire.get('type')!r} needs the Responses API; Chat Completions can only "
            "carry function tools"
        )
    function: dict[str, Any] = {
        "name": wire["name"],
        "description": wire.get("description") or "",
        "parameters": wire.get("parameters") or {"type": "object", "properties": {}},
    }
    if wire.get("strict") is not None:
        function["strict"] = wire["strict"]
    return {"type": "function", "function": function}


def tools_to_chat(tools: list[Any], handoffs: list[Handoff]) -> list[dict[str, Any]]:
    """Chat Completions `tools` for an agent's tools and handoffs."""
    out = []
    for tool in tools:
        to_wire = getattr(tool, "to_wire", None)
        if to_wire is not None:
            wire = to_wire()
        elif isinstance(tool, dict):
            wire = tool
        else:
            raise UserError(f"Cannot send tool {tool!r} to Chat Completions: it has no to_wire()")
        out.append(tool_to_chat(wire))
    for handoff in handoffs:
        out.append(tool_to_chat(handoff.to_wire()))
    return out


def tool_choice_to_chat(choice: Any) -> Any:
    """Chat Completions `tool_choice`: auto/required/none, a function name, or a dict."""
    if choice is None or isinstance(choice, dict) or choice in ("auto", "required", "none"):
        return choice
    if isinstance(choice, str):
        return {"type": "function", "function": {"name": choice}}
    raise UserError(f"Unsupported tool_choice {choice!r}")


def response_format_to_chat(
    output_schema: Optional[AgentOutputSchemaBase],
) -> Optional[dict[str, Any]]:
    """`response_format` for a structured output schema (None for plain text)."""
    if output_schema is None or output_schema.is_plain_text():
        return None
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "final_output",
            "strict": output_schema.is_strict_json_schema(),
            "schema": output_schema.json_schema(),
        },
    }


# --- message -> items -------------------------------------------------------------------------


def _annotations(message: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for annotation in message.get("annotations") or []:
        if annotation.get("type") == "url_citation" and isinstance(
            annotation.get("url_citation"), dict
        ):
            out.append({"type": "url_citation", **annotation["url_citation"]})
    return out


def reasoning_text(message: dict[str, Any]) -> Optional[str]:
    """Reasoning text some compatible servers return (`reasoning_content` or `reasoning`)."""
    value = message.get("reasoning_content") or message.get("reasoning")
    return value if isinstance(value, str) and value else None


def message_to_output_items(
    message: dict[str, Any], finish_reason: Optional[str] = None
) -> list[TResponseOutputItem]:
    """Responses output items for one Chat Completions assistant message.

    `finish_reason` "content_filter" with nothing in the message yields a refusal; "length"
    with nothing in it raises `ModelBehaviorError`.
    """
    items: list[TResponseOutputItem] = []
    reasoning = reasoning_text(message)
    if reasoning:
        items.append(
            {
                "type": "reasoning",
                "id": FAKE_ID,
                "summary": [{"type": "summary_text", "text": reasoning}],
            }
        )
    content: list[dict[str, Any]] = []
    text = message.get("content")
    if isinstance(text, list):  # some servers return content parts
        text = "".join(p.get("text", "") for p in text if isinstance(p, dict))
    if text:
        content.append({"type": "output_text", "text": text, "annotations": _annotations(message)})
    if message.get("refusal"):
        content.append({"type": "refusal", "refusal": message["refusal"]})
    tool_calls = message.get("tool_calls") or []
    if not content and not tool_calls:
        if finish_reason == "content_filter":
            content.append({"type": "refusal", "refusal": CONTENT_FILTER_REFUSAL})
        elif finish_reason == "length":
            raise ModelBehaviorError(
                "The model stopped at the token limit (finish_reason 'length') before producing "
                "any output; raise max_tokens"
            )
    if content:
        items.append(
            {
                "type": "message",
                "id": FAKE_ID,
                "role": "assistant",
                "status": "completed",
                "content": content,
            }
        )
    for call in tool_calls:
        function = call.get("function") or {}
        items.append(
            {
                "type": "function_call",
                "id": FAKE_ID,
                "call_id": call.get("id") or "",
                "name": function.get("name") or "",
                "arguments": function.get("arguments") or "",
                "status": "completed",
            }
        )
    return items


def usage_to_responses(usage: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """A Responses `usage` object from a Chat Completions one: prompt→input, completion→output,
    cached and reasoning token counts into the detail fields. None stays None."""
    if not usage:
        return None
    input_tokens = usage.get("prompt_tokens") or 0
    output_tokens = usage.get("completion_tokens") or 0
    total = usage.get("total_tokens")
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {
            "cached_tokens": (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
        },
        "output_tokens": output_tokens,
        "output_tokens_details": {
            "reasoning_tokens": (usage.get("completion_tokens_details") or {}).get(
                "reasoning_tokens"
            )
            or 0
        },
        "total_tokens": total if total is not None else input_tokens + output_tokens,
    }
