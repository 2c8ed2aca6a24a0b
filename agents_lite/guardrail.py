"""Input and output guardrails: checks that run beside an agent and can stop the run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Generic, Optional, Union, overload

from .exceptions import UserError
from .run_context import RunContextWrapper, TContext
from .tool import _run_maybe_async

if TYPE_CHECKING:
    from .agent import Agent
    from .items import TResponseInputItem


@dataclass
class GuardrailFunctionOutput:
    """What a guardrail function returns."""

    output_info: Any
    """Anything the guardrail wants to report (kept on the result)."""
    tripwire_triggered: bool
    """True stops the run with a tripwire exception."""


@dataclass
class InputGuardrailResult:
    """The result of one input guardrail."""

    guardrail: InputGuardrail[Any]
    output: GuardrailFunctionOutput


@dataclass
class OutputGuardrailResult:
    """The result of one output guardrail."""

    guardrail: OutputGuardrail[Any]
    agent_output: Any
    agent: Agent[Any]
    output: GuardrailFunctionOutput


InputGuardrailFunction = Callable[
    [RunContextWrapper[Any], "Agent[Any]", Union[str, list["TResponseInputItem"]]], Any
]
OutputGuardrailFunction = Callable[[RunContextWrapper[Any], "Agent[Any]", Any], Any]


def _check_output(name: str, value: Any) -> GuardrailFunctionOutput:
    if not isinstance(value, GuardrailFunctionOutput):
        raise UserError(
            f"Guardrail {name} must return a GuardrailFunctionOutput, got {type(value).__name__}"
        )
    return value


@dataclass
class InputGuardrail(Generic[TContext]):
    """Checks the run's input. Runs for the first agent of a run only.

    With `run_in_parallel=True` (default) it runs in a worker thread beside the first model call;
    with False the model is only called after every such guardrail passed.
    """

    guardrail_function: InputGuardrailFunction
    name: Optional[str] = None
    run_in_parallel: bool = True

    def get_name(self) -> str:
        """The guardrail's name (the function's name by default)."""
        return str(self.name or getattr(self.guardrail_function, "__name__", "input_guardrail"))

    def run(
        self,
        agent: Agent[Any],
        input: Union[str, list[TResponseInputItem]],
        context: RunContextWrapper[TContext],
    ) -> InputGuardrailResult:
        """Run the check."""
        if not callable(self.guardrail_function):
            raise UserError(f"Guardrail function must be callable, got {self.guardrail_function}")
        output = _run_maybe_async(self.guardrail_function, context, agent, input)
        return InputGuardrailResult(guardrail=self, output=_check_output(self.get_name(), output))


@dataclass
class OutputGuardrail(Generic[TContext]):
    """Checks the final output of an agent.

    With `run_during_stream=True` it also checks the text of streamed model responses while they
    arrive (every `stream_check_every_chars` characters, 200 by default, and/or at each sentence
    end), in a worker thread; a tripwire closes the stream. See `agents_lite.streaming_guardrails`.
    """

    guardrail_function: OutputGuardrailFunction
    name: Optional[str] = None
    run_during_stream: bool = False
    stream_check_every_chars: Optional[int] = None
    stream_check_on_sentence: bool = False

    def get_name(self) -> str:
        """The guardrail's name (the function's name by default)."""
        return str(self.name or getattr(self.guardrail_function, "__name__", "output_guardrail"))

    def run(
        self, context: RunContextWrapper[TContext], agent: Agent[Any], agent_output: Any
    ) -> OutputGuardrailResult:
        """Run the check."""
        if not callable(self.guardrail_function):
            raise UserError(f"Guardrail function must be callable, got {self.guardrail_function}")
        output = _run_maybe_async(self.guardrail_function, context, agent, agent_output)
        return OutputGuardrailResult(
            guardrail=self,
            agent_output=agent_output,
            agent=agent,
            output=_check_output(self.get_name(), output),
        )


@overload
def input_guardrail(func: InputGuardrailFunction, /) -> InputGuardrail[Any]: ...


@overload
def input_guardrail(
    *, name: Optional[str] = None, run_in_parallel: bool = True
) -> Callable[[InputGuardrailFunction], InputGuardrail[Any]]: ...


def input_guardrail(
    func: Optional[InputGuardrailFunction] = None,
    *,
    name: Optional[str] = None,
    run_in_parallel: bool = True,
) -> Union[InputGuardrail[Any], Callable[[InputGuardrailFunction], InputGuardrail[Any]]]:
    """Decorator: `@input_guardrail` or `@input_guardrail(name=..., run_in_parallel=False)`.

    The function takes `(context, agent, input)` and returns a `GuardrailFunctionOutput`.
    """

    def make(f: InputGuardrailFunction) -> InputGuardrail[Any]:
        if not callable(f):
            raise UserError("input_guardrail expects a callable")
        return InputGuardrail(guardrail_function=f, name=name, run_in_parallel=run_in_parallel)

    return make(func) if func is not None else make


@overload
def output_guardrail(func: OutputGuardrailFunction, /) -> OutputGuardrail[Any]: ...


@overload
def output_guardrail(
    *,
    name: Optional[str] = None,
    run_during_stream: bool = False,
    stream_check_every_chars: Optional[int] = None,
    stream_check_on_sentence: bool = False,
) -> Callable[[OutputGuardrailFunction], OutputGuardrail[Any]]: ...


def output_guardrail(
    func: Optional[OutputGuardrailFunction] = None,
    *,
    name: Optional[str] = None,
    run_during_stream: bool = False,
    stream_check_every_chars: Optional[int] = None,
    stream_check_on_sentence: bool = False,
) -> Union[OutputGuardrail[Any], Callable[[OutputGuardrailFunction], OutputGuardrail[Any]]]:
    """Decorator: `@output_guardrail` or `@output_guardrail(name=..., run_during_stream=True,
    stream_check_every_chars=200, stream_check_on_sentence=False)`.

    The function takes `(context, agent, output)` and returns a `GuardrailFunctionOutput`.
    """

    def make(f: OutputGuardrailFunction) -> OutputGuardrail[Any]:
        if not callable(f):
            raise UserError("output_guardrail expects a callable")
        return OutputGuardrail(
            guardrail_function=f,
            name=name,
            run_during_stream=run_during_stream,
            stream_check_every_chars=stream_check_every_chars,
            stream_check_on_sentence=stream_check_on_sentence,
        )

    return make(func) if func is not None else make
