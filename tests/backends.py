"""Scripted model backends for the core scenarios: the same test runs in process (FakeModel) and
over real HTTP through LocalOpenAIServer (Responses API and Chat Completions).

Each backend offers `model`, `add(*turns)` (a turn is a string or a list of output items) and a
normalised view of what was sent to the model, so assertions do not depend on the wire format.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from agents_lite.testing.fake_model import FakeModel


class FakeBackend:
    """FakeModel in process."""

    name = "fake"

    def __init__(self) -> None:
        self.model = FakeModel()

    def add(self, *turns: Any) -> None:
        self.model.add_multiple_turn_outputs(list(turns))

    def request_count(self) -> int:
        return len(self.model.calls)

    def sent_input(self, index: int) -> list[dict[str, Any]]:
        value = self.model.calls[index].input
        return [{"role": "user", "content": value}] if isinstance(value, str) else list(value)

    def sent_instructions(self, index: int) -> Optional[str]:
        return self.model.calls[index].system_instructions

    def sent_tool_names(self, index: int) -> list[str]:
        call = self.model.calls[index]
        names = [getattr(tool, "name", "") for tool in call.tools]
        return names + [h.tool_name for h in call.handoffs]

    def sent_tool_choice(self, index: int) -> Any:
        return self.model.calls[index].model_settings.tool_choice

    def sent_tool_outputs(self, index: int) -> list[Any]:
        return [
            item["output"]
            for item in self.sent_input(index)
            if item.get("type") == "function_call_output"
        ]

    def sent_user_texts(self, index: int) -> list[str]:
        return [
            item["content"] if isinstance(item["content"], str) else item["content"][0]["text"]
            for item in self.sent_input(index)
            if item.get("role") == "user"
        ]

    def close(self) -> None:
        pass


class _HTTPBackend:
    path = ""
    api = ""

    def __init__(self) -> None:
        from agents_lite.models.http import HTTPClient
        from agents_lite.testing.server import LocalOpenAIServer

        self.server = LocalOpenAIServer().start()
        self.client = HTTPClient(base_url=self.server.base_url, max_retries=0)
        self.model = self._make_model()

    def _make_model(self) -> Any:
        raise NotImplementedError

    def add(self, *turns: Any) -> None:
        for turn in turns:
            self.server.add_response(turn)

    def _bodies(self) -> list[dict[str, Any]]:
        return [req.body for req in self.server.requests_to(self.path)]

    def request_count(self) -> int:
        return len(self._bodies())

    def sent_tool_choice(self, index: int) -> Any:
        choice = self._bodies()[index].get("tool_choice")
        if isinstance(choice, dict):
            return (choice.get("function") or {}).get("name") or choice.get("name")
        return choice

    def close(self) -> None:
        self.model.close()
        self.server.stop()


class ResponsesBackend(_HTTPBackend):
    """OpenAIResponsesModel over HTTP."""

    name = "responses"
    path = "/v1/responses"

    def _make_model(self) -> Any:
        from agents_lite.models.openai_responses import OpenAIResponsesModel

        return OpenAIResponsesModel("fake-model", client=self.client)

    def sent_input(self, index: int) -> list[dict[str, Any]]:
        value = self._bodies()[index]["input"]
        return [{"role": "user", "content": value}] if isinstance(value, str) else value

    def sent_instructions(self, index: int) -> Optional[str]:
        return self._bodies()[index].get("instructions")

    def sent_tool_names(self, index: int) -> list[str]:
        return [tool.get("name", tool.get("type")) for tool in self._bodies()[index].get("tools", [])]

    sent_tool_outputs = FakeBackend.sent_tool_outputs
    sent_user_texts = FakeBackend.sent_user_texts


class ChatBackend(_HTTPBackend):
    """OpenAIChatCompletionsModel over HTTP."""

    name = "chat"
    path = "/v1/chat/completions"

    def _make_model(self) -> Any:
        from agents_lite.models.openai_chatcompletions import OpenAIChatCompletionsModel

        return OpenAIChatCompletionsModel("fake-model", client=self.client)

    def _messages(self, index: int) -> list[dict[str, Any]]:
        return self._bodies()[index]["messages"]

    def sent_instructions(self, index: int) -> Optional[str]:
        first = self._messages(index)[0]
        return first["content"] if first["role"] in ("system", "developer") else None

    def sent_tool_names(self, index: int) -> list[str]:
        return [tool["function"]["name"] for tool in self._bodies()[index].get("tools", [])]

    def sent_tool_outputs(self, index: int) -> list[Any]:
        return [m["content"] for m in self._messages(index) if m["role"] == "tool"]

    def sent_user_texts(self, index: int) -> list[str]:
        out = []
        for message in self._messages(index):
            if message["role"] == "user":
                content = message["content"]
                out.append(content if isinstance(content, str) else content[0]["text"])
        return out

    def sent_input(self, index: int) -> list[dict[str, Any]]:
        return self._messages(index)


BACKENDS = {"fake": FakeBackend, "responses": ResponsesBackend, "chat": ChatBackend}


def output_text(value: Any) -> str:
    """A tool output as text, whatever the wire format (string or content parts)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(part.get("text", "") for part in value if isinstance(part, dict))
    return json.dumps(value)
