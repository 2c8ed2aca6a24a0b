"""JSON schemas from Python type hints and function signatures, and conversion back to Python.

`function_schema(func)` describes a function's parameters as a JSON schema (for a function tool)
and prepares, once, how validated JSON arguments become the function's arguments.
`type_to_json_schema(tp)` describes one type; `json_to_python(tp, value)` converts a validated JSON
value to that type (dataclass instances, Enum members, tuples, ...).

Supported: str, int, float, bool, None, Any, Optional/Union (also `X | None`), Literal, Enum,
list/Sequence, tuple, set/frozenset, dict/Mapping, dataclasses, TypedDict, NamedTuple, NewType,
`Annotated[X, "description"]`, datetime/date/time, UUID, and pydantic models when pydantic is
installed. Anything else is a `UserError` naming the parameter and the annotation.
"""

from __future__ import annotations

import collections.abc
import inspect
import re
import threading
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, ForwardRef, Optional, get_args, get_origin

from .docstrings import generate_func_documentation
from .exceptions import ModelBehaviorError, UserError
from .run_context import RunContextWrapper
from .strict_schema import ensure_strict_json_schema
from .type_hints import function_globals, parameter_hints
from .type_schema import (
    EMPTY,
    NOT_JSON,
    Converter,
    SchemaBuilder,
    TypeInfo,
    UnsupportedType,
    is_object_type,
    json_value,
    pydantic_field_info,
)

__all__ = [
    "FuncSchema",
    "function_schema",
    "type_to_json_schema",
    "json_to_python",
    "converter_for",
    "is_object_type",
]


# =============================================================================================
# Functions
# =============================================================================================

_POSITIONAL, _KEYWORD, _VAR_POSITIONAL, _VAR_KEYWORD = 0, 1, 2, 3


@dataclass
class _ParamPlan:
    """How one JSON argument becomes one Python argument (worked out once per function)."""

    name: str
    kind: int
    convert: Optional[Converter]
    default: Any = EMPTY


@dataclass
class FuncSchema:
    """A function described for a model: name, description, JSON schema of its parameters."""

    name: str
    """The tool name (the override, or the function's `__name__`)."""
    description: Optional[str]
    """The description (the override, or the docstring's description)."""
    params_json_schema: dict[str, Any]
    """JSON schema of the parameters (without the injected context parameter)."""
    signature: inspect.Signature
    """The function's signature."""
    takes_context: bool
    """Whether the first parameter is a `RunContextWrapper`/`ToolContext` to be injected."""
    strict_json_schema: bool = True
    """Whether `params_json_schema` is strict."""
    _plans: Optional[list[_ParamPlan]] = field(default=None, repr=False, compare=False)

    def to_call_args(self, data: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """Turn validated JSON arguments into `(args, kwargs)` for the function (context excluded).

        Values are converted to the annotated types (dataclass instances, Enum members, tuples,
        nested containers of those, pydantic models); a missing parameter takes its default.
        Unknown keys are ignored.
        """
        plans = self._plans
        if plans is None:
            plans = self._plans = _plain_plans(self.signature, self.takes_context)
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for plan in plans:
            name = plan.name
            if name in data:
                value = data[name]
                if plan.convert is not None:
                    value = plan.convert(value)
            elif plan.default is not EMPTY:
                if plan.kind == _POSITIONAL:
                    args.append(plan.default)
                continue
            elif plan.kind >= _VAR_POSITIONAL:
                continue
            else:
                raise ModelBehaviorError(f"Missing required argument {name!r} for {self.name!r}")
            if plan.kind == _POSITIONAL:
                args.append(value)
            elif plan.kind == _KEYWORD:
                kwargs[name] = value
            elif plan.kind == _VAR_POSITIONAL:
                args.extend(value or ())
            else:
                kwargs.update(value or {})
        return args, kwargs


def _param_kind(param: inspect.Parameter) -> int:
    if param.kind is param.VAR_POSITIONAL:
        return _VAR_POSITIONAL
    if param.kind is param.VAR_KEYWORD:
        return _VAR_KEYWORD
    return _KEYWORD if param.kind is param.KEYWORD_ONLY else _POSITIONAL


def _plain_plans(signature: inspect.Signature, takes_context: bool) -> list[_ParamPlan]:
    params = list(signature.parameters.values())[1 if takes_context else 0 :]
    return [
        _ParamPlan(p.name, _param_kind(p), None, p.default if _param_kind(p) < 2 else EMPTY)
        for p in params
    ]


def function_schema(
    func: Callable[..., Any],
    *,
    name_override: Optional[str] = None,
    description_override: Optional[str] = None,
    docstring_style: Optional[str] = None,
    use_docstring_info: bool = True,
    strict_json_schema: bool = True,
) -> FuncSchema:
    """Describe `func`'s parameters as a JSON schema and prepare its argument conversion.

    A first parameter annotated `RunContextWrapper`/`ToolContext` is injected by the runner and
    left out of the schema (anywhere else it is a `UserError`). Parameter descriptions come from
    the docstring, else from `Annotated[X, "description"]`. With `strict_json_schema` (the
    default) the schema is made strict; types strict mode cannot express (`dict[str, int]`,
    `**kwargs`) raise `UserError`.

    >>> def add(a: int, b: int = 1) -> int:
    ...     '''Add two numbers.'''
    ...     return a + b
    >>> fs = function_schema(add)
    >>> fs.description, fs.params_json_schema["required"], fs.to_call_args({"a": 2, "b": 3})
    ('Add two numbers.', ['a', 'b'], ([2, 3], {}))
    """
    if not callable(func):
        raise UserError(f"function_schema expects a callable, got {func!r}")
    doc = generate_func_documentation(func, docstring_style) if use_docstring_info else None
    func_name = _callable_name(func)
    name = name_override or func_name
    param_docs = (doc.param_descriptions or {}) if doc is not None else {}
    description = description_override or (doc.description if doc is not None else None)
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        raise UserError(f"Cannot read the signature of function {func_name!r}: {exc}") from exc

    params = list(signature.parameters.values())
    hints = parameter_hints(func, params)
    takes_context = bool(params) and _is_context_annotation(hints[params[0].name])
    if takes_context:
        params = params[1:]
    for param in params:
        if _is_context_annotation(hints[param.name]):
            raise UserError(
                f"Function {func_name!r}: the RunContextWrapper/ToolContext parameter "
                f"{param.name!r} must be the first parameter"
            )

    builder = SchemaBuilder(function_globals(func))
    properties: dict[str, Any] = {}
    required: list[str] = []
    plans: list[_ParamPlan] = []
    for param in params:
        try:
            info, default = _param_info(builder, param, hints[param.name])
        except UnsupportedType as exc:
            where = f"parameter {param.name!r} of function {func_name!r}"
            raise UserError(exc.describe(where)) from None
        prop = dict(info.schema)
        if param_docs.get(param.name):
            prop["description"] = param_docs[param.name]
        if default is not EMPTY:
            json_default = json_value(default)
            if json_default is not NOT_JSON:
                prop["default"] = json_default
        elif param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            required.append(param.name)
        properties[param.name] = prop
        plans.append(_ParamPlan(param.name, _param_kind(param), info.convert, default))

    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        "title": f"{name}_args",
    }
    if builder.defs:
        schema["$defs"] = builder.defs
    if strict_json_schema:
        try:
            schema = ensure_strict_json_schema(schema)
        except UserError as exc:
            raise UserError(
                f"The parameters of function {func_name!r} cannot have a strict JSON schema: "
                f"{exc.message} Use strict_mode=False (function_tool) or strict_json_schema=False "
                "(function_schema), or change the parameter types."
            ) from exc
    return FuncSchema(
        name, description, schema, signature, takes_context, strict_json_schema, plans
    )


def _param_info(
    builder: SchemaBuilder, param: inspect.Parameter, annotation: Any
) -> tuple[TypeInfo, Any]:
    """Schema and converter of one parameter, and its effective default."""
    default = param.default
    field_info = pydantic_field_info(default)
    if field_info is not None:
        # `x: int = Field(..., gt=0)`: the constraints and the real default live in the Field.
        default = _field_info_default(field_info)
        annotation = typing.Annotated[Any if annotation is EMPTY else annotation, field_info]
    if param.kind is param.VAR_POSITIONAL:
        # `*args: int` is a list of int; `*args: tuple[int, ...]` too (the reference's reading).
        item = annotation
        if get_origin(annotation) is tuple:
            args = get_args(annotation)
            item = args[0] if len(args) == 2 and args[1] is Ellipsis else Any
        return builder.build(list[Any] if item is EMPTY else list[item]), EMPTY  # type: ignore[valid-type]
    if param.kind is param.VAR_KEYWORD:
        if annotation is EMPTY:
            annotation = dict[str, Any]
        elif get_origin(annotation) not in (dict, collections.abc.Mapping):
            annotation = dict[str, annotation]  # type: ignore[valid-type]
        return builder.build(annotation), EMPTY
    return builder.build(annotation), default


def _field_info_default(field_info: Any) -> Any:
    if field_info.default_factory is not None:
        return field_info.default_factory()
    return EMPTY if field_info.is_required() else field_info.default


def _callable_name(func: Any) -> str:
    name = getattr(func, "__name__", None)
    if isinstance(name, str):
        return name
    inner = getattr(func, "func", None)  # functools.partial
    return _callable_name(inner) if inner is not None else type(func).__name__


def _is_context_annotation(annotation: Any) -> bool:
    if isinstance(annotation, ForwardRef):
        annotation = annotation.__forward_arg__
    if isinstance(annotation, str):
        return bool(_CONTEXT_NAME.match(annotation))
    if get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation) or annotation
    return isinstance(origin, type) and issubclass(origin, RunContextWrapper)


_CONTEXT_NAME = re.compile(r"^\s*(?:[\w.]+\.)?(?:RunContextWrapper|ToolContext)\b")

# =============================================================================================
# One type
# =============================================================================================


def type_to_json_schema(tp: Any) -> dict[str, Any]:
    """The JSON schema of one type; nested classes go under `$defs`, referenced by `$ref`.

    An object type (dataclass, TypedDict, pydantic model) or an Enum is described at the root.

    >>> type_to_json_schema(list[int])
    {'type': 'array', 'items': {'type': 'integer'}}
    """
    builder = SchemaBuilder()
    try:
        info = builder.build(tp)
    except UnsupportedType as exc:
        raise UserError(exc.describe("a JSON schema")) from None
    return builder.finish_root(info.schema)


_CONVERTERS: dict[Any, Optional[Converter]] = {}
_CONVERTERS_LOCK = threading.Lock()
_MAX_CACHED_CONVERTERS = 1024


def json_to_python(tp: Any, value: Any) -> Any:
    """Convert a JSON value (already validated against `type_to_json_schema(tp)`) to `tp`.

    The converter for each type is built once and cached.

    >>> from enum import Enum
    >>> class Color(Enum):
    ...     RED = "red"
    >>> json_to_python(list[Color], ["red"])
    [<Color.RED: 'red'>]
    """
    try:
        convert = _CONVERTERS[tp]
    except KeyError:
        convert = converter_for(tp)
        with _CONVERTERS_LOCK:
            if len(_CONVERTERS) < _MAX_CACHED_CONVERTERS:
                _CONVERTERS[tp] = convert
    except TypeError:  # unhashable annotation (an Annotated with a dict, say): no caching
        convert = converter_for(tp)
    return value if convert is None else convert(value)


def converter_for(tp: Any) -> Optional[Converter]:
    """The converter from validated JSON to `tp`, or None when values need no conversion."""
    try:
        return SchemaBuilder().build(tp).convert
    except UnsupportedType as exc:
        raise UserError(exc.describe("a conversion from JSON")) from None


# --- resolving string annotations ------------------------------------------------------------
