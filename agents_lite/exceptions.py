"""The exception tree. Every error the SDK raises on purpose derives from `AgentsException`.

Errors raised inside a run carry `run_data` (a `RunErrorDetails`) with what the run produced before
it failed, so nothing is lost when a run raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .agent import Agent
    from .guardrail import InputGuardrailResult, OutputGuardrailResult
    from .items import ModelResponse, RunItem
    from .run_context import RunContextWrapper
    from .tool_guardrails import (
        ToolGuardrailFunctionOutput,
        ToolInputGuardrail,
        ToolOutputGuardrail,
    )


@dataclass
class RunErrorDetails:
    """What a run had produced when it raised."""

    input: Any
    """The original input of the run (a string or a list of input items)."""
    new_items: list[RunItem]
    """Items generated before the error."""
    raw_responses: list[ModelResponse]
    """Model responses received before the error."""
    last_agent: Agent
    """The agent that was running when the error happened."""
    context_wrapper: RunContextWrapper
    """The run context (holds the usage so far)."""
    input_guardrail_results: list[InputGuardrailResult] = field(default_factory=list)
    output_guardrail_results: list[OutputGuardrailResult] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"RunErrorDetails(last_agent={self.last_agent.name!r}, "
            f"new_items={len(self.new_items)}, raw_responses={len(self.raw_responses)})"
        )


class AgentsException(Exception):
    """Base class of every exception the SDK raises on purpose."""

    run_data: Optional[RunErrorDetails]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.run_data = None


class MaxTurnsExceeded(AgentsException):
    """The run went past `max_turns`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ModelBehaviorError(AgentsException):
    """The model produced something unusable: malformed JSON, an unknown tool, bad output."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ModelRefusalError(ModelBehaviorError):
    """The model refused to answer (its final message is a refusal)."""

    def __init__(self, refusal: str) -> None:
        super().__init__(f"Model refused to answer: {refusal}")
        self.refusal = refusal


class UserError(AgentsException, ValueError):
    """The SDK was used wrongly: bad configuration, an unsupported type hint, a bad argument."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ToolTimeoutError(AgentsException):
    """A function tool ran longer than its `timeout` and `timeout_behavior` asks to raise."""

    def __init__(self, tool_name: str, timeout_seconds: float) -> None:
        self.tool_name = tool_name
        self.timeout_seconds = timeout_seconds
        super().__init__(f"Tool '{tool_name}' timed out after {timeout_seconds:g} seconds.")


class BudgetExceeded(AgentsException):
    """The run crossed `RunConfig.max_total_tokens` or `RunConfig.max_cost_usd`."""

    def __init__(self, message: str, *, kind: str, limit: float, spent: float) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        """"tokens" or "cost_usd"."""
        self.limit = limit
        self.spent = spent


class InputGuardrailTripwireTriggered(AgentsException):
    """An input guardrail tripped."""

    def __init__(self, guardrail_result: InputGuardrailResult) -> None:
        self.guardrail_result = guardrail_result
        super().__init__(
            f"Guardrail {guardrail_result.guardrail.get_name()} triggered tripwire"
        )


class OutputGuardrailTripwireTriggered(AgentsException):
    """An output guardrail tripped."""

    def __init__(self, guardrail_result: OutputGuardrailResult) -> None:
        self.guardrail_result = guardrail_result
        super().__init__(
            f"Guardrail {guardrail_result.guardrail.get_name()} triggered tripwire"
        )


class ToolInputGuardrailTripwireTriggered(AgentsException):
    """A tool input guardrail asked to raise."""

    def __init__(self, guardrail: ToolInputGuardrail, output: ToolGuardrailFunctionOutput) -> None:
        self.guardrail = guardrail
        self.output = output
        super().__init__(f"Tool input guardrail {guardrail.get_name()} triggered tripwire")


class ToolOutputGuardrailTripwireTriggered(AgentsException):
    """A tool output guardrail asked to raise."""

    def __init__(self, guardrail: ToolOutputGuardrail, output: ToolGuardrailFunctionOutput) -> None:
        self.guardrail = guardrail
        self.output = output
        super().__init__(f"Tool output guardrail {guardrail.get_name()} triggered tripwire")


# --- HTTP errors (raised by the wire layer) -------------------------------------------------


class APIError(AgentsException):
    """A request to a model API failed."""

    def __init__(
        self,
        message: str,
        *,
        body: Any = None,
        request_id: Optional[str] = None,
        code: Optional[str] = None,
        param: Optional[str] = None,
        type: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.body = body
        """The inner `error` object of the response body, or the whole body."""
        self.request_id = request_id
        """The `x-request-id` response header, when there was a response."""
        self.code = code
        self.param = param
        self.type = type


class APIConnectionError(APIError):
    """The request never got a response (refused, reset, DNS failure)."""

    def __init__(self, message: str = "Connection error.", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class APITimeoutError(APIConnectionError):
    """The request timed out."""

    def __init__(self, message: str = "Request timed out.", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class APIStatusError(APIError):
    """The API answered with a 4xx or 5xx status."""

    status_code: int

    def __init__(self, message: str, *, status_code: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.status_code = status_code


class BadRequestError(APIStatusError):
    """HTTP 400."""


class AuthenticationError(APIStatusError):
    """HTTP 401."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403."""


class NotFoundError(APIStatusError):
    """HTTP 404."""


class ConflictError(APIStatusError):
    """HTTP 409."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422."""


class RateLimitError(APIStatusError):
    """HTTP 429."""


class InternalServerError(APIStatusError):
    """HTTP 5xx."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The `APIStatusError` subclass for an HTTP status code."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)
