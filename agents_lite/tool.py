"""Tools: `FunctionTool` and the `function_tool` decorator, hosted tools, structured tool outputs."""

from __future__ import annotations

import inspect
import json
import logging
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Literal,
    Optional,
    Union,
    overload,
)

from .exceptions import ModelBehaviorError, UserError
from .run_context import RunContextWrapper, ToolContext

if TYPE_CHECKING:
    from .agent import Agent
    from .tool_guardrails import ToolInputGuardrail, ToolOutputGuardrail

logger = logging.getLogger("agents_lite")

ToolErrorFunction = Callable[[RunContextWrapper[Any], Exception], str]
"""Turns a tool's exception into the text the model sees."""


def default_tool_error_function(ctx: RunContextWrapper[Any], error: Exception) -> str:
    """The default text sent to the model when a tool fails."""
    return f"An error occurred while running the tool. Please try again. Error: {error}"


# --- structured tool outputs ----------------------------------------------------------------


@dataclass
class ToolOutputText:
    """A text part of a tool's output."""

    text: str
    type: Literal["text"] = "text"


@dataclass
class ToolOutputImage:
    """An image part of a tool's output: a URL (data URLs allowed) or an uploaded file id."""

    image_url: Optional[str] = None
    file_id: Optional[str] = None
    detail: Optional[Literal["low", "high", "auto"]] = None
    type: Literal["image"] = "image"

    def __post_init__(self) -> None:
        if not self.image_url and not self.file_id:
            raise UserError("ToolOutputImage needs image_url or file_id")


@dataclass
class ToolOutputFileContent:
    """A file part of a tool's output: inline base64 data, a URL, or an uploaded file id."""

    file_data: Optional[str] = None
    file_url: Optional[str] = None
    file_id: Optional[str] = None
    filename: Optional[str] = None
    type: Literal["file"] = "file"

    def __post_init__(self) -> None:
        if not (self.file_data or self.file_url or self.file_id):
            raise UserError("ToolOutputFileContent needs file_data, file_url or file_id")


ToolOutput = Union[ToolOutputText, ToolOutputImage, ToolOutputFileContent]


def _output_part(value: Any) -> Optional[dict[str, Any]]:
    """The `input_*` content part for one structured output, or None if `value` is not one."""
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "text" and isinstance(value.get("text"), str):
            value = ToolOutputText(value["text"])
        elif kind == "image" and (value.get("image_url") or value.get("file_id")):
            value = ToolOutputImage(value.get("image_url"), value.get("file_id"), value.get("detail"))
        elif kind == "file" and (value.get("file_data") or value.get("file_url") or value.get("file_id")):
            value = ToolOutputFileContent(
                value.get("file_data"), value.get("file_url"), value.get("file_id"), value.get("filename")
            )
        else:
            return None
    if isinstance(value, ToolOutputText):
        return {"type": "input_text", "text": value.text}
    if isinstance(value, ToolOutputImage):
        part: dict[str, Any] = {"type": "input_image"}
        if value.image_url:
            part["image_url"] = value.image_url
        if value.file_id:
            part["file_id"] = value.file_id
        if value.detail:
            part["detail"] = value.detail
        return part
    if isinstance(value, ToolOutputFileContent):
        part = {"type": "input_file"}
        for key in ("file_data", "file_url", "file_id", "filename"):
            if getattr(value, key):
                part[key] = getattr(value, key)
        return part
    return None


def tool_output_to_wire(output: Any) -> Union[str, list[dict[str, Any]]]:
    """The `output` field of a `function_call_output`: content parts for structured outputs
    (`ToolOutputText`/`Image`/`FileContent`, their dict forms, or lists of them), else `str()`."""
    if isinstance(output, str):
        return output
    single = _output_part(output)
    if single is not None:
        return [single]
    if isinstance(output, (list, tuple)) and output:
        parts = [_output_part(v) for v in output]
        if all(p is not None for p in parts):
            return parts  # type: ignore[return-value]
    return str(output)


# --- function tools -------------------------------------------------------------------------


@dataclass
class FunctionToolResult:
    """The result of running a function tool in a turn."""

    tool: FunctionTool
    output: Any
    """The tool's raw return value."""
    run_item: Any
    """The `ToolCallOutputItem` (or None when the call awaits approval)."""


@dataclass
class FunctionTool:
    """A tool backed by a Python callable. Usually built with `@function_tool`."""

    name: str
    """The tool name the model sees."""
    description: str
    """What the tool does, for the model."""
    params_json_schema: dict[str, Any]
    """JSON schema of the arguments."""
    on_invoke_tool: Callable[[ToolContext[Any], str], Any]
    """Called with the tool context and the raw JSON arguments; returns the tool output. May be a
    coroutine function (run to completion in a worker thread)."""
    strict_json_schema: bool = True
    """Whether the schema is strict (recommended; the model then always sends valid arguments)."""
    is_enabled: Union[bool, Callable[[RunContextWrapper[Any], Agent[Any]], Any]] = True
    """Whether the tool is offered to the model; a callable decides per turn."""
    needs_approval: Union[bool, Callable[[RunContextWrapper[Any], dict[str, Any], str], Any]] = False
    """Whether a call must be approved by a human first; a callable `(ctx, params, call_id)`."""
    timeout: Optional[float] = None
    """Seconds before the call is abandoned (the worker thread is left to finish, not killed)."""
    timeout_behavior: Literal["error_as_result", "raise_exception"] = "error_as_result"
    """What a timeout does: send an error text to the model, or raise `ToolTimeoutError`."""
    timeout_error_function: Optional[ToolErrorFunction] = None
    """Builds the timeout text sent to the model; the default says which tool timed out."""
    tool_input_guardrails: Optional[list[ToolInputGuardrail[Any]]] = None
    tool_output_guardrails: Optional[list[ToolOutputGuardrail[Any]]] = None
    failure_error_function: Optional[ToolErrorFunction] = default_tool_error_function
    """Used by the runner for errors outside the callable (e.g. a timeout text builder that
    fails); `function_tool` applies it to the callable's own errors."""

    def __post_init__(self) -> None:
        if not callable(self.on_invoke_tool):
            raise UserError(f"FunctionTool {self.name!r}: on_invoke_tool must be callable")
        if self.timeout is not None and self.timeout <= 0:
            raise UserError(f"FunctionTool {self.name!r}: timeout must be positive")
        if self.timeout_behavior not in ("error_as_result", "raise_exception"):
            raise UserError(
                f"FunctionTool {self.name!r}: timeout_behavior must be "
                "'error_as_result' or 'raise_exception'"
            )

    @property
    def timeout_seconds(self) -> Optional[float]:
        """Alias of `timeout` (the reference's name)."""
        return self.timeout

    def to_wire(self) -> dict[str, Any]:
        """The Responses API tool definition."""
        return {
            "type": "function",
            "name": self.name,
            "description": self.description,
            "parameters": self.params_json_schema,
            "strict": self.strict_json_schema,
        }


def _run_maybe_async(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call `func`; if it returns an awaitable, run it to completion on a private event loop."""
    result = func(*args, **kwargs)
    if inspect.isawaitable(result):
        import asyncio  # only async user code pays for asyncio

        async def _await() -> Any:
            return await result

        return asyncio.run(_await())
    return result


def _build_function_tool(
    func: Callable[..., Any],
    *,
    name_override: Optional[str],
    description_override: Optional[str],
    docstring_style: Optional[str],
    use_docstring_info: bool,
    failure_error_function: Optional[ToolErrorFunction],
    strict_mode: bool,
    is_enabled: Union[bool, Callable[..., Any]],
    needs_approval: Union[bool, Callable[..., Any]],
    tool_input_guardrails: Optional[list[Any]],
    tool_output_guardrails: Optional[list[Any]],
    timeout: Optional[float],
    timeout_behavior: Literal["error_as_result", "raise_exception"],
    timeout_error_function: Optional[ToolErrorFunction],
) -> FunctionTool:
    from .schema import function_schema

    schema = function_schema(
        func,
        name_override=name_override,
        description_override=description_override,
        docstring_style=docstring_style,
        use_docstring_info=use_docstring_info,
        strict_json_schema=strict_mode,
    )
    validate = _arguments_validator(schema.params_json_schema)

    def invoke(ctx: ToolContext[Any], arguments: str) -> Any:
        try:
            try:
                data = json.loads(arguments) if arguments else {}
            except json.JSONDecodeError as exc:
                raise ModelBehaviorError(
                    f"Invalid JSON input for tool {schema.name}: {arguments}"
                ) from exc
            if not isinstance(data, dict):
                raise ModelBehaviorError(
                    f"Invalid JSON input for tool {schema.name}: expected an object, got {arguments}"
                )
            validate(schema.name, data)
            args, kwargs = schema.to_call_args(data)
            if schema.takes_context:
                args = [ctx, *args]
            return _run_maybe_async(func, *args, **kwargs)
        except Exception as exc:
            if failure_error_function is None:
                raise
            logger.debug("tool %s failed: %s", schema.name, exc)
            _mark_tool_error(schema.name, exc)
            return failure_error_function(ctx, exc)

    return FunctionTool(
        name=schema.name,
        description=schema.description or "",
        params_json_schema=schema.params_json_schema,
        on_invoke_tool=invoke,
        strict_json_schema=strict_mode,
        is_enabled=is_enabled,
        needs_approval=needs_approval,
        timeout=timeout,
        timeout_behavior=timeout_behavior,
        timeout_error_function=timeout_error_function,
        tool_input_guardrails=tool_input_guardrails,
        tool_output_guardrails=tool_output_guardrails,
        failure_error_function=failure_error_function,
    )


def _mark_tool_error(name: str, exc: Exception) -> None:
    """Record a tool failure that goes back to the model on the current (function) span."""
    from .tracing.run_tracing import attach_error_to_current_span

    attach_error_to_current_span(
        {"message": "Error running tool (non-fatal)", "data": {"tool_name": name, "error": str(exc)}}
    )


def _arguments_validator(schema: dict[str, Any]) -> Callable[[str, dict[str, Any]], None]:
    """A checker that raises `ModelBehaviorError` for arguments failing the schema.

    jsonschema is imported and the validator compiled on the first call, once per tool.
    """
    compiled: list[Any] = []

    def check(tool_name: str, data: dict[str, Any]) -> None:
        if not compiled:
            from .schema_validation import compile_validator

            compiled.append(compile_validator(schema))
        error = compiled[0](data)
        if error is not None:
            raise ModelBehaviorError(f"Invalid arguments for tool {tool_name}: {error}")

    return check


@overload
def function_tool(func: Callable[..., Any], /) -> FunctionTool: ...


@overload
def function_tool(
    *,
    name_override: Optional[str] = None,
    description_override: Optional[str] = None,
    docstring_style: Optional[str] = None,
    use_docstring_info: bool = True,
    failure_error_function: Optional[ToolErrorFunction] = default_tool_error_function,
    strict_mode: bool = True,
    is_enabled: Union[bool, Callable[..., Any]] = True,
    needs_approval: Union[bool, Callable[..., Any]] = False,
    tool_input_guardrails: Optional[list[Any]] = None,
    tool_output_guardrails: Optional[list[Any]] = None,
    timeout: Optional[float] = None,
    timeout_behavior: Literal["error_as_result", "raise_exception"] = "error_as_result",
    timeout_error_function: Optional[ToolErrorFunction] = None,
) -> Callable[[Callable[..., Any]], FunctionTool]: ...


def function_tool(
    func: Optional[Callable[..., Any]] = None,
    *,
    name_override: Optional[str] = None,
    description_override: Optional[str] = None,
    docstring_style: Optional[str] = None,
    use_docstring_info: bool = True,
    failure_error_function: Optional[ToolErrorFunction] = default_tool_error_function,
    strict_mode: bool = True,
    is_enabled: Union[bool, Callable[..., Any]] = True,
    needs_approval: Union[bool, Callable[..., Any]] = False,
    tool_input_guardrails: Optional[list[Any]] = None,
    tool_output_guardrails: Optional[list[Any]] = None,
    timeout: Optional[float] = None,
    timeout_behavior: Literal["error_as_result", "raise_exception"] = "error_as_result",
    timeout_error_function: Optional[ToolErrorFunction] = None,
) -> Union[FunctionTool, Callable[[Callable[..., Any]], FunctionTool]]:
    """Turn a function into a `FunctionTool`, bare (`@function_tool`) or with options.

    The JSON schema comes from the type hints, the description and parameter docs from the
    docstring (Google, NumPy or Sphinx style). A first parameter annotated `RunContextWrapper` or
    `ToolContext` receives the context. Arguments are validated before the call; invalid JSON,
    invalid arguments and exceptions become an error text for the model through
    `failure_error_function` (or are raised when it is None).

    >>> @function_tool
    ... def add(a: int, b: int) -> int:
    ...     '''Add two numbers.'''
    ...     return a + b
    >>> add.name, add.params_json_schema["required"]
    ('add', ['a', 'b'])
    """
    options = dict(
        name_override=name_override,
        description_override=description_override,
        docstring_style=docstring_style,
        use_docstring_info=use_docstring_info,
        failure_error_function=failure_error_function,
        strict_mode=strict_mode,
        is_enabled=is_enabled,
        needs_approval=needs_approval,
        tool_input_guardrails=tool_input_guardrails,
        tool_output_guardrails=tool_output_guardrails,
        timeout=timeout,
        timeout_behavior=timeout_behavior,
        timeout_error_function=timeout_error_function,
    )
    if func is not None:
        if not callable(func):
            raise UserError("function_tool expects a callable")
        return _build_function_tool(func, **options)  # type: ignore[arg-type]

    def decorator(real_func: Callable[..., Any]) -> FunctionTool:
        return _build_function_tool(real_func, **options)  # type: ignore[arg-type]

    return decorator


# --- hosted tools (executed by the provider; serialised by the wire layer) -------------------


@dataclass
class WebSearchTool:
    """The Responses API `web_search` tool."""

    user_location: Optional[dict[str, Any]] = None
    filters: Optional[dict[str, Any]] = None
    search_context_size: Literal["low", "medium", "high"] = "medium"

    @property
    def name(self) -> str:
        return "web_search"

    def to_wire(self) -> dict[str, Any]:
        """The Responses API tool definition."""
        out: dict[str, Any] = {"type": "web_search", "search_context_size": self.search_context_size}
        if self.user_location is not None:
            out["user_location"] = self.user_location
        if self.filters is not None:
            out["filters"] = self.filters
        return out


@dataclass
class FileSearchTool:
    """The Responses API `file_search` tool over vector stores."""

    vector_store_ids: list[str]
    max_num_results: Optional[int] = None
    include_search_results: bool = False
    ranking_options: Optional[dict[str, Any]] = None
    filters: Optional[dict[str, Any]] = None

    @property
    def name(self) -> str:
        return "file_search"

    def to_wire(self) -> dict[str, Any]:
        """The Responses API tool definition."""
        out: dict[str, Any] = {"type": "file_search", "vector_store_ids": self.vector_store_ids}
        if self.max_num_results is not None:
            out["max_num_results"] = self.max_num_results
        if self.ranking_options is not None:
            out["ranking_options"] = self.ranking_options
        if self.filters is not None:
            out["filters"] = self.filters
        return out


@dataclass
class CodeInterpreterTool:
    """The Responses API `code_interpreter` tool; `tool_config` is sent as it is."""

    tool_config: dict[str, Any] = field(
        default_factory=lambda: {"type": "code_interpreter", "container": {"type": "auto"}}
    )

    @property
    def name(self) -> str:
        return "code_interpreter"

    def to_wire(self) -> dict[str, Any]:
        """The Responses API tool definition."""
        return dict(self.tool_config)


@dataclass
class ImageGenerationTool:
    """The Responses API `image_generation` tool; `tool_config` is sent as it is."""

    tool_config: dict[str, Any] = field(default_factory=lambda: {"type": "image_generation"})

    @property
    def name(self) -> str:
        return "image_generation"

    def to_wire(self) -> dict[str, Any]:
        """The Responses API tool definition."""
        return dict(self.tool_config)


MCPApprovalFunction = Callable[[dict[str, Any]], Any]
"""Given an `mcp_approval_request` item, returns `{"approve": bool, "reason": str | None}`."""


@dataclass
class HostedMCPTool:
    """The Responses API `mcp` tool: the provider calls a remote MCP server for the model.

    `tool_config` is the wire definition (`server_label`, `server_url`, `require_approval`, ...).
    Approval requests go to `on_approval_request` when given; without it they interrupt the run
    for a human decision.
    """

    tool_config: dict[str, Any]
    on_approval_request: Optional[MCPApprovalFunction] = None

    @property
    def name(self) -> str:
        return "hosted_mcp"

    def to_wire(self) -> dict[str, Any]:
        """The Responses API tool definition."""
        return {"type": "mcp", **{k: v for k, v in self.tool_config.items() if k != "type"}}


HostedTool = Union[WebSearchTool, FileSearchTool, CodeInterpreterTool, ImageGenerationTool, HostedMCPTool]

Tool = Any
"""Any tool an agent can hold: `FunctionTool`, a hosted tool, or a local-execution tool."""


def tool_name(tool: Any) -> str:
    """The name a tool is known by in a run."""
    return getattr(tool, "name", type(tool).__name__)
