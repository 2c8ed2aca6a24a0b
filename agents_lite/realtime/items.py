"""The conversation history of a realtime session, as typed items built from server items."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, Optional, Union

__all__ = [
    "AssistantAudio",
    "AssistantMessageItem",
    "AssistantText",
    "InputAudio",
    "InputImage",
    "InputText",
    "RealtimeItem",
    "RealtimeMessageItem",
    "RealtimeToolCallItem",
    "SystemMessageItem",
    "UserMessageItem",
    "item_from_server",
    "merge_item",
]


@dataclass
class InputText:
    """Text the user typed."""

    text: Optional[str] = None
    type: Literal["input_text"] = "input_text"


@dataclass
class InputAudio:
    """Audio the user spoke (the transcript arrives once the turn is transcribed)."""

    audio: Optional[str] = None
    transcript: Optional[str] = None
    type: Literal["input_audio"] = "input_audio"


@dataclass
class InputImage:
    """An image the user sent."""

    image_url: Optional[str] = None
    detail: Optional[str] = None
    type: Literal["input_image"] = "input_image"


@dataclass
class AssistantText:
    """Text the assistant wrote."""

    text: Optional[str] = None
    type: Literal["text"] = "text"


@dataclass
class AssistantAudio:
    """Audio the assistant spoke, with its transcript (filled in as it streams)."""

    audio: Optional[str] = None
    transcript: Optional[str] = None
    type: Literal["audio"] = "audio"


@dataclass
class UserMessageItem:
    """A user message."""

    item_id: str
    content: list[Union[InputText, InputAudio, InputImage]] = field(default_factory=list)
    previous_item_id: Optional[str] = None
    status: Optional[str] = None
    type: Literal["message"] = "message"
    role: Literal["user"] = "user"


@dataclass
class AssistantMessageItem:
    """An assistant message."""

    item_id: str
    content: list[Union[AssistantText, AssistantAudio]] = field(default_factory=list)
    previous_item_id: Optional[str] = None
    status: Optional[str] = None
    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"


@dataclass
class SystemMessageItem:
    """A system message."""

    item_id: str
    content: list[InputText] = field(default_factory=list)
    previous_item_id: Optional[str] = None
    status: Optional[str] = None
    type: Literal["message"] = "message"
    role: Literal["system"] = "system"


@dataclass
class RealtimeToolCallItem:
    """A function call, with its output once the tool has answered."""

    item_id: str
    call_id: Optional[str]
    name: str
    arguments: str
    output: Optional[str] = None
    previous_item_id: Optional[str] = None
    status: Optional[str] = None
    type: Literal["function_call"] = "function_call"


RealtimeMessageItem = Union[UserMessageItem, AssistantMessageItem, SystemMessageItem]
RealtimeItem = Union[RealtimeMessageItem, RealtimeToolCallItem]


def _user_part(part: dict[str, Any]) -> Union[InputText, InputAudio, InputImage]:
    kind = part.get("type")
    if kind == "input_audio":
        return InputAudio(audio=part.get("audio"), transcript=part.get("transcript"))
    if kind == "input_image":
        return InputImage(image_url=part.get("image_url"), detail=part.get("detail"))
    return InputText(text=part.get("text"))


def _assistant_part(part: dict[str, Any]) -> Union[AssistantText, AssistantAudio]:
    if part.get("type") in ("output_audio", "audio"):
        return AssistantAudio(audio=part.get("audio"), transcript=part.get("transcript"))
    return AssistantText(text=part.get("text"))


def item_from_server(item: dict[str, Any], previous_item_id: Optional[str] = None
                     ) -> Optional[RealtimeItem]:
    """The typed item for a server conversation item (None for function outputs and unknown
    kinds, which the session folds into their calls or ignores)."""
    item_id = item.get("id") or ""
    status = item.get("status")
    kind = item.get("type")
    if kind == "function_call":
        return RealtimeToolCallItem(item_id, item.get("call_id"), item.get("name") or "",
                                    item.get("arguments") or "", None, previous_item_id, status)
    if kind != "message":
        return None
    parts = [p for p in item.get("content") or [] if isinstance(p, dict)]
    role = item.get("role")
    if role == "user":
        return UserMessageItem(item_id, [_user_part(p) for p in parts], previous_item_id, status)
    if role == "assistant":
        return AssistantMessageItem(item_id, [_assistant_part(p) for p in parts],
                                    previous_item_id, status)
    if role == "system":
        return SystemMessageItem(item_id, [InputText(p.get("text")) for p in parts],
                                 previous_item_id, status)
    return None


def merge_item(old: RealtimeItem, new: RealtimeItem) -> RealtimeItem:
    """`new`, keeping text and transcripts that `old` had and `new` lacks (the server often
    re-sends items without the transcript it streamed earlier)."""
    if isinstance(old, RealtimeToolCallItem) and isinstance(new, RealtimeToolCallItem):
        return dataclasses.replace(new, output=new.output if new.output is not None
                                   else old.output,
                                   arguments=new.arguments or old.arguments)
    if type(old) is not type(new) or isinstance(new, RealtimeToolCallItem):
        return new
    old_content: list[Any] = list(getattr(old, "content", []))
    merged: list[Any] = []
    for index, part in enumerate(getattr(new, "content", [])):
        previous = old_content[index] if index < len(old_content) else None
        if previous is not None and type(previous) is type(part):
            for attr in ("text", "transcript", "audio"):
                if hasattr(part, attr) and not getattr(part, attr) and getattr(previous, attr):
                    part = dataclasses.replace(part, **{attr: getattr(previous, attr)})
        merged.append(part)
    if len(old_content) > len(merged) and not merged:
        merged = old_content
    result = dataclasses.replace(new, content=merged)  # type: ignore[arg-type]
    if result.previous_item_id is None:
        result = dataclasses.replace(result, previous_item_id=old.previous_item_id)
    return result
