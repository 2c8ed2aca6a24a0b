"""Structured agent output: an output type's JSON schema, and validation of the model's JSON.

`Agent(output_type=Weather)` makes the model answer with JSON matching `Weather`'s schema; the
runner validates that JSON with `jsonschema` and turns it back into a `Weather`. Types that are not
JSON objects (lists, primitives, Enums, Unions, ...) are wrapped in `{"response": ...}` because the
API wants an object at the root; the wrapper is removed again on validation.
"""

from __future__ import annotations

import abc
import json
import threading
from typing import Any, Optional, get_args, get_origin

from .exceptions import ModelBehaviorError, UserError
from .schema import converter_for, is_object_type, type_to_json_schema
from .schema_validation import Checker, compile_validator
from .strict_schema import ensure_strict_json_schema

_WRAPPER_DICT_KEY = "response"


class AgentOutputSchemaBase(abc.ABC):
    """Describes an agent's output: its JSON schema and how to validate the model's JSON.

    Subclass it to control the schema and parsing yourself, and pass an instance as
    `Agent(output_type=...)`.
    """

    @abc.abstractmethod
    def is_plain_text(self) -> bool:
        """Whether the output is plain text (then no JSON schema is sent)."""

    @abc.abstractmethod
    def name(self) -> str:
        """A readable name of the output type (a label for the schema and for errors)."""

    @abc.abstractmethod
    def json_schema(self) -> dict[str, Any]:
        """The JSON schema of the output; only called when the output is not plain text."""

    @abc.abstractmethod
    def is_strict_json_schema(self) -> bool:
        """Whether the schema is strict (the API then guarantees output matching it)."""

    @abc.abstractmethod
    def validate_json(self, json_str: str) -> Any:
        """Parse and validate the model's JSON; return the output value or raise
        `ModelBehaviorError`."""


class AgentOutputSchema(AgentOutputSchemaBase):
    """The output schema of a Python type: dataclass, TypedDict, pydantic model, list, Enum, ...

    Strict by default. For a type that strict mode cannot describe (such as `dict[str, int]`),
    use `AgentOutputSchema(T, strict_json_schema=False)`.

    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Weather:
    ...     city: str
    ...     celsius: float
    >>> schema = AgentOutputSchema(Weather)
    >>> schema.validate_json('{"city": "Oslo", "celsius": 3}')
    Weather(city='Oslo', celsius=3.0)
    >>> AgentOutputSchema(list[int]).validate_json('{"response": [1, 2]}')
    [1, 2]
    """

    output_type: Any
    """The Python type of the output."""

    def __init__(self, output_type: Any, strict_json_schema: bool = True) -> None:
        self.output_type = output_type
        self._strict_json_schema = strict_json_schema
        self._is_wrapped = False
        self._schema: Optional[dict[str, Any]] = None
        self._checker: Optional[Checker] = None
        self._convert = None
        if self.is_plain_text():
            return
        self._convert = converter_for(output_type)
        schema = type_to_json_schema(output_type)
        # A pydantic RootModel is a model class whose schema is not an object: wrap it too.
        self._is_wrapped = not (is_object_type(output_type) and schema.get("type") == "object")
        if self._is_wrapped:
            defs = schema.pop("$defs", None)
            schema = {
                "type": "object",
                "properties": {_WRAPPER_DICT_KEY: schema},
                "required": [_WRAPPER_DICT_KEY],
                "additionalProperties": False,
            }
            if defs:
                schema["$defs"] = defs
        if strict_json_schema:
            try:
                schema = ensure_strict_json_schema(schema)
            except UserError as exc:
                raise UserError(
                    f"Strict JSON schema is enabled, but the output type {self.name()} cannot be "
                    f"strict: {exc.message} Either make the output type strict, or use "
                    f"AgentOutputSchema({self.name()}, strict_json_schema=False)."
                ) from exc
        self._schema = schema

    def is_plain_text(self) -> bool:
        """Whether the output type is plain text (None or str)."""
        return self.output_type is None or self.output_type is str

    def is_strict_json_schema(self) -> bool:
        """Whether the JSON schema is strict."""
        return self._strict_json_schema

    def json_schema(self) -> dict[str, Any]:
        """The JSON schema of the output type (wrapped in `{"response": ...}` for non-objects)."""
        if self._schema is None:
            raise UserError("The output type is plain text, so it has no JSON schema")
        return self._schema

    def validate_json(self, json_str: str) -> Any:
        """Parse the model's JSON, check it against the schema, and convert it to the output type.

        Raises `ModelBehaviorError` for invalid JSON, a value that does not match the schema, or a
        value that cannot become the output type.
        """
        if self._schema is None:
            return json_str
        try:
            data = json.loads(json_str)
        except (TypeError, ValueError) as exc:
            raise ModelBehaviorError(
                f"Invalid JSON when parsing model output for {self.name()}: {exc}; "
                f"output: {_excerpt(json_str)}"
            ) from exc
        checker = self._checker
        if checker is None:
            # Compiled once per schema object; two threads racing here both compile the same
            # validator, which is harmless.
            checker = self._checker = compile_validator(self._schema)
        problem = checker(data)
        if problem is not None:
            hint = ' (expected {"response": <value>})' if self._is_wrapped else ""
            raise ModelBehaviorError(
                f"Model output for {self.name()} does not match the schema{hint}: {problem}; "
                f"output: {_excerpt(json_str)}"
            )
        if self._is_wrapped:
            data = data[_WRAPPER_DICT_KEY]
        if self._convert is None:
            return data
        try:
            return self._convert(data)
        except Exception as exc:
            raise ModelBehaviorError(
                f"Model output could not be converted to {self.name()}: {exc}"
            ) from exc

    def name(self) -> str:
        """A readable name of the output type, e.g. "list[int]" or "Weather"."""
        return _type_to_str(self.output_type)

    def __repr__(self) -> str:
        return f"AgentOutputSchema({self.name()}, strict_json_schema={self._strict_json_schema})"


def _excerpt(text: Any, limit: int = 200) -> str:
    text = str(text)
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _type_to_str(tp: Any) -> str:
    if tp is None or tp is type(None):
        return "None"
    origin = get_origin(tp)
    if origin is None:
        name = getattr(tp, "__name__", None)
        return name if isinstance(name, str) else repr(tp)
    args = get_args(tp)
    origin_name = (
        getattr(origin, "__name__", None) or getattr(origin, "_name", None) or repr(origin)
    )
    if origin_name == "UnionType":  # `int | str`
        origin_name = "Union"
    if not args:
        return str(origin_name)
    if str(origin_name) == "Literal":
        return f"Literal[{', '.join(repr(a) for a in args)}]"
    if str(origin_name) == "Annotated":
        return _type_to_str(args[0])
    if str(origin_name) in ("Union", "UnionType") and len(args) == 2 and type(None) in args:
        return f"Optional[{_type_to_str(args[0] if args[1] is type(None) else args[1])}]"
    return f"{origin_name}[{', '.join(_type_to_str(a) for a in args)}]"


_CACHE: dict[Any, AgentOutputSchema] = {}
_CACHE_LOCK = threading.Lock()
_MAX_CACHED = 1024


def get_output_schema(output_type: Any) -> Optional[AgentOutputSchemaBase]:
    """The output schema of an agent's `output_type`, or None for plain text (None or str).

    An `AgentOutputSchemaBase` instance is returned as it is. Schemas of types are built once
    and cached, since the runner asks on every turn.
    """
    if output_type is None or output_type is str:
        return None
    if isinstance(output_type, AgentOutputSchemaBase):
        return output_type
    try:
        cached = _CACHE.get(output_type)
    except TypeError:  # an unhashable type expression: build it each time
        return AgentOutputSchema(output_type)
    if cached is not None:
        return cached
    schema = AgentOutputSchema(output_type)
    with _CACHE_LOCK:
        if len(_CACHE) < _MAX_CACHED:
            schema = _CACHE.setdefault(output_type, schema)
    return schema
