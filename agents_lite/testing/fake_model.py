"""`FakeModel`: an in-process `Model` with scripted outputs, for fast unit tests.

Each model call takes the next scripted turn: a list of output items (see `scripted`), a string
(one text message) or an exception (raised by the call). Streaming delivers the same output as
real Responses API events. Every call's arguments are recorded in `calls`.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional, Union

from ..exceptions import UserError
from ..items import ModelResponse
from ..models.interface import Model, ModelTracing
from ..usage import Usage
from .scripted import response_object, response_stream_events, text_message, usage_dict

TurnOutput = Union[list[dict[str, Any]], str, BaseException]


@dataclass
class ModelCall:
    """The arguments of one call to a `FakeModel`."""

    system_instructions: Optional[str]
    input: Any
    model_settings: Any
    tools: list[Any]
    output_schema: Any
    handoffs: list[Any]
    previous_response_id: Optional[str]
    conversation_id: Optional[str]
    prompt: Optional[dict[str, Any]]
    streamed: bool


class FakeModel(Model):
    """A scripted model. Thread-safe: concurrent runs take turns from one queue.

    >>> from agents_lite import Agent, Runner
    >>> model = FakeModel(["Hello!"])
    >>> Runner.run_sync(Agent(name="a", model=model), "hi").final_output
    'Hello!'
    """

    def __init__(
        self,
        outputs: Optional[list[TurnOutput]] = None,
        *,
        model: str = "fake-model",
        usage: Optional[dict[str, int]] = None,
        default_output: Optional[TurnOutput] = None,
    ) -> None:
        self.model = model
        self._queue: collections.deque[TurnOutput] = collections.deque(outputs or [])
        self._usage = usage_dict(**usage) if usage else None
        self.default_output = default_output
        """Used when the script is exhausted; None makes that a `UserError`."""
        self.calls: list[ModelCall] = []
        self.open_streams = 0
        """Streams started and not yet closed (a leak check for tests)."""
        self._lock = threading.Lock()

    # --- scripting ---------------------------------------------------------------------------

    def set_next_output(self, output: TurnOutput) -> None:
        """Queue the output of one more turn."""
        with self._lock:
            self._queue.append(output)

    def add_multiple_turn_outputs(self, outputs: list[TurnOutput]) -> None:
        """Queue several turns."""
        with self._lock:
            self._queue.extend(outputs)

    @property
    def last_turn_args(self) -> dict[str, Any]:
        """The arguments of the most recent call, as a dict."""
        if not self.calls:
            return {}
        return dict(self.calls[-1].__dict__)

    def _take(self, call: ModelCall) -> list[dict[str, Any]]:
        with self._lock:
            self.calls.append(call)
            if self._queue:
                output = self._queue.popleft()
            elif self.default_output is not None:
                output = self.default_output
            else:
                raise UserError(f"FakeModel: no scripted output left for call #{len(self.calls)}")
        if isinstance(output, BaseException):
            raise output
        if isinstance(output, str):
            return [text_message(output)]
        return list(output)

    # --- Model interface ---------------------------------------------------------------------

    def _record(self, args: tuple[Any, ...], kwargs: dict[str, Any], streamed: bool) -> ModelCall:
        system, input, settings, tools, schema, handoffs, _tracing = args
        return ModelCall(
            system_instructions=system,
            input=list(input) if isinstance(input, list) else input,
            model_settings=settings,
            tools=list(tools),
            output_schema=schema,
            handoffs=list(handoffs),
            previous_response_id=kwargs.get("previous_response_id"),
            conversation_id=kwargs.get("conversation_id"),
            prompt=kwargs.get("prompt"),
            streamed=streamed,
        )

    def _response(self, output: list[dict[str, Any]]) -> dict[str, Any]:
        return response_object(output, model=self.model, usage=self._usage)

    def get_response(
        self,
        system_instructions: Optional[str],
        input: Any,
        model_settings: Any,
        tools: list[Any],
        output_schema: Any,
        handoffs: list[Any],
        tracing: ModelTracing,
        **kwargs: Any,
    ) -> ModelResponse:
        """Return the next scripted turn."""
        args = (system_instructions, input, model_settings, tools, output_schema, handoffs, tracing)
        output = self._take(self._record(args, kwargs, streamed=False))
        body = self._response(output)
        return ModelResponse(
            output=body["output"],
            usage=Usage.from_responses_usage(body["usage"], self.model),
            response_id=body["id"],
        )

    def stream_response(
        self,
        system_instructions: Optional[str],
        input: Any,
        model_settings: Any,
        tools: list[Any],
        output_schema: Any,
        handoffs: list[Any],
        tracing: ModelTracing,
        **kwargs: Any,
    ) -> Iterator[dict[str, Any]]:
        """Stream the next scripted turn as Responses API events."""
        args = (system_instructions, input, model_settings, tools, output_schema, handoffs, tracing)
        output = self._take(self._record(args, kwargs, streamed=True))
        return self._stream(self._response(output))

    def _stream(self, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        with self._lock:
            self.open_streams += 1
        try:
            yield from response_stream_events(body)
        finally:
            with self._lock:
                self.open_streams -= 1
