"""Tool guardrails: checks on a function tool's arguments (before) and output (after)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Generic, Optional, Union, overload

from .exceptions import UserError
from .run_context import TContext, ToolContext
from .tool import _run_maybe_async

if TYPE_CHECKING:
    from .agent import Agent


@dataclass
class ToolInputGuardrailData:
    """What a tool input guardrail sees: the tool context (with the raw arguments) and the agent."""

    context: ToolContext[Any]
    agent: Agent[Any]


@dataclass
class ToolOutputGuardrailData(ToolInputGuardrailData):
    """What a tool output guardrail sees: also the tool's output."""

    output: Any = None


@dataclass
class ToolGuardrailFunctionOutput:
    """A tool guardrail's decision.

    `behavior` is `{"type": "allow"}`, `{"type": "reject_content", "message": ...}` (the message
    replaces the tool call's output and the run goes on) or `{"type": "raise_exception"}`.
    """

    output_info: Any = None
    behavior: dict[str, Any] = field(default_factory=lambda: {"type": "allow"})

    @classmethod
    def allow(cls, output_info: Any = None) -> ToolGuardrailFunctionOutput:
        """Let the call (or its output) through."""
        return cls(output_info=output_info, behavior={"type": "allow"})

    @classmethod
    def reject_content(cls, message: str, output_info: Any = None) -> ToolGuardrailFunctionOutput:
        """Send `message` to the model instead of running the tool / instead of its output."""
        return cls(output_info=output_info, behavior={"type": "reject_content", "message": message})

    @classmethod
    def raise_exception(cls, output_info: Any = None) -> ToolGuardrailFunctionOutput:
        """Stop the run with a tripwire exception."""
        return cls(output_info=output_info, behavior={"type": "raise_exception"})


def _check(name: str, value: Any) -> ToolGuardrailFunctionOutput:
    if not isinstance(value, ToolGuardrailFunctionOutput):
        raise UserError(
            f"Tool guardrail {name} must return a ToolGuardrailFunctionOutput, "
            f"got {type(value).__name__}"
        )
    return value


@dataclass
class ToolInputGuardrail(Generic[TContext]):
    """Runs before a function tool; may reject the call or stop the run."""

    guardrail_function: Callable[[ToolInputGuardrailData], Any]
    name: Optional[str] = None

    def get_name(self) -> str:
        """The guardrail's name (the function's name by default)."""
        return str(self.name or getattr(self.guardrail_function, "__name__", "tool_input_guardrail"))

    def run(self, data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
        """Run the check."""
        if not callable(self.guardrail_function):
            raise UserError(f"Guardrail function must be callable, got {self.guardrail_function}")
        return _check(self.get_name(), _run_maybe_async(self.guardrail_function, data))


@dataclass
class ToolOutputGuardrail(Generic[TContext]):
    """Runs after a function tool; may replace its output or stop the run."""

    guardrail_function: Callable[[ToolOutputGuardrailData], Any]
    name: Optional[str] = None

    def get_name(self) -> str:
        """The guardrail's name (the function's name by default)."""
        return str(self.name or getattr(self.guardrail_function, "__name__", "tool_output_guardrail"))

    def run(self, data: ToolOutputGuardrailData) -> ToolGuardrailFunctionOutput:
        """Run the check."""
        if not callable(self.guardrail_function):
            raise UserError(f"Guardrail function must be callable, got {self.guardrail_function}")
        return _check(self.get_name(), _run_maybe_async(self.guardrail_function, data))


@dataclass
class ToolInputGuardrailResult:
    """The result of a tool input guardrail."""

    guardrail: ToolInputGuardrail[Any]
    output: ToolGuardrailFunctionOutput


@dataclass
class ToolOutputGuardrailResult:
    """The result of a tool output guardrail."""

    guardrail: ToolOutputGuardrail[Any]
    output: ToolGuardrailFunctionOutput


@overload
def tool_input_guardrail(func: Callable[[ToolInputGuardrailData], Any], /) -> ToolInputGuardrail[Any]: ...


@overload
def tool_input_guardrail(
    *, name: Optional[str] = None
) -> Callable[[Callable[[ToolInputGuardrailData], Any]], ToolInputGuardrail[Any]]: ...


def tool_input_guardrail(
    func: Optional[Callable[[ToolInputGuardrailData], Any]] = None, *, name: Optional[str] = None
) -> Union[ToolInputGuardrail[Any], Callable[..., ToolInputGuardrail[Any]]]:
    """Decorator for a tool input guardrail `(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput`."""

    def make(f: Callable[[ToolInputGuardrailData], Any]) -> ToolInputGuardrail[Any]:
        if not callable(f):
            raise UserError("tool_input_guardrail expects a callable")
        return ToolInputGuardrail(guardrail_function=f, name=name)

    return make(func) if func is not None else make


@overload
def tool_output_guardrail(func: Callable[[ToolOutputGuardrailData], Any], /) -> ToolOutputGuardrail[Any]: ...


@overload
def tool_output_guardrail(
    *, name: Optional[str] = None
) -> Callable[[Callable[[ToolOutputGuardrailData], Any]], ToolOutputGuardrail[Any]]: ...


def tool_output_guardrail(
    func: Optional[Callable[[ToolOutputGuardrailData], Any]] = None, *, name: Optional[str] = None
) -> Union[ToolOutputGuardrail[Any], Callable[..., ToolOutputGuardrail[Any]]]:
    """Decorator for a tool output guardrail `(data: ToolOutputGuardrailData) -> ToolGuardrailFunctionOutput`."""

    def make(f: Callable[[ToolOutputGuardrailData], Any]) -> ToolOutputGuardrail[Any]:
        if not callable(f):
            raise UserError("tool_output_guardrail expects a callable")
        return ToolOutputGuardrail(guardrail_function=f, name=name)

    return make(func) if func is not None else make
