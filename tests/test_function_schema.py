"""function_schema / type_to_json_schema / json_to_python, docstring parsing, and function_tool."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import socket
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import (
    Annotated,
    Any,
    Callable,
    Literal,
    NamedTuple,
    NewType,
    Optional,
    TypedDict,
    Union,
)

import pytest
from typing_extensions import NotRequired, Required
from typing_extensions import TypedDict as ExtTypedDict

from agents_lite.docstrings import detect_docstring_style, generate_func_documentation
from agents_lite.exceptions import ModelBehaviorError, UserError
from agents_lite.run_context import RunContextWrapper, ToolContext
from agents_lite.schema import function_schema, json_to_python, type_to_json_schema
from agents_lite.schema_validation import check_schema, compile_validator
from agents_lite.tool import function_tool

# --- types used by the tests (module level, so string annotations resolve) ---------------------


class Color(str, Enum):
    """A colour."""

    RED = "red"
    GREEN = "green"


class Level(IntEnum):
    LOW = 1
    HIGH = 2


@dataclass
class Point:
    """A point on the plane."""

    x: int
    y: int = 0


@dataclass
class Shape:
    name: str
    corners: list[Point]
    color: Color = Color.RED
    tags: list[str] = field(default_factory=list)
    note: Optional[str] = field(default=None, metadata={"description": "free text"})


@dataclass
class TreeNode:
    value: int
    children: list[TreeNode] = field(default_factory=list)


class Movie(TypedDict):
    title: str
    year: int


class PartialMovie(TypedDict, total=False):
    title: Required[str]
    rating: float


class ExtMovie(ExtTypedDict):
    title: str
    sequel_of: NotRequired[Optional[str]]
    color: NotRequired[Color]


@dataclass
class Cat:
    meow: str


@dataclass
class Dog:
    bark: int


class Pair(NamedTuple):
    left: int
    right: str = "r"


UserId = NewType("UserId", int)


@dataclass
class Holder:
    sock: socket.socket


def schema_of(func: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    return function_schema(func, **kwargs).params_json_schema


def call(func: Callable[..., Any], data: dict[str, Any], **kwargs: Any) -> Any:
    fs = function_schema(func, **kwargs)
    problem = compile_validator(fs.params_json_schema)(data)
    assert problem is None, problem
    args, kw = fs.to_call_args(data)
    return func(*args, **kw)


# --- basics -------------------------------------------------------------------------------------


def test_no_args_function() -> None:
    def no_args() -> str:
        """This function has no args."""
        return "ok"

    fs = function_schema(no_args)
    assert fs.name == "no_args"
    assert fs.description == "This function has no args."
    assert fs.takes_context is False
    assert fs.params_json_schema == {
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": False,
        "title": "no_args_args",
    }
    assert fs.to_call_args({}) == ([], {})


def test_simple_params_defaults_and_google_docs() -> None:
    def add(a: int, b: int = 5) -> int:
        """
        Args:
            a: The first argument
            b: The second argument

        Returns:
            The sum of a and b
        """
        return a + b

    fs = function_schema(add)
    props = fs.params_json_schema["properties"]
    assert props["a"] == {"type": "integer", "description": "The first argument"}
    assert props["b"] == {"type": "integer", "description": "The second argument", "default": 5}
    # Strict: every property is required, the object is closed.
    assert fs.params_json_schema["required"] == ["a", "b"]
    assert fs.params_json_schema["additionalProperties"] is False
    assert fs.description is None  # the docstring has only sections
    assert call(add, {"a": 3, "b": 10}) == 13
    # A missing parameter with a default takes the default.
    args, kwargs = fs.to_call_args({"a": 3})
    assert add(*args, **kwargs) == 8

    non_strict = function_schema(add, strict_json_schema=False)
    assert non_strict.params_json_schema["required"] == ["a"]
    assert non_strict.strict_json_schema is False


def test_primitive_types_and_any() -> None:
    def f(s: str, i: int, x: float, b: bool, n: None, a: Any, unannotated, o: object) -> None:  # type: ignore[no-untyped-def]
        pass

    props = schema_of(f)["properties"]
    assert props["s"] == {"type": "string"}
    assert props["i"] == {"type": "integer"}
    assert props["x"] == {"type": "number"}
    assert props["b"] == {"type": "boolean"}
    assert props["n"] == {"type": "null"}
    assert props["a"] == {} and props["unannotated"] == {} and props["o"] == {}


def test_float_parameter_receives_float_for_integer_json() -> None:
    def scale(factor: float) -> Any:
        return factor

    result = call(scale, {"factor": 3})
    assert result == 3.0 and type(result) is float


def test_plain_parameters_need_no_conversion() -> None:
    def f(a: str, b: int, c: bool, d: list[str], e: Optional[int] = None) -> None:
        pass

    fs = function_schema(f)
    # Plain JSON-compatible parameters are passed through with no per-call work.
    assert fs._plans is not None
    assert [p.convert for p in fs._plans] == [None] * 5


def test_keyword_only_and_positional_only_parameters() -> None:
    def f(a: int, /, b: int, *, c: int, d: int = 4) -> tuple[int, int, int, int]:
        return a, b, c, d

    fs = function_schema(f)
    args, kwargs = fs.to_call_args({"a": 1, "b": 2, "c": 3})
    assert args == [1, 2] and kwargs == {"c": 3}
    assert f(*args, **kwargs) == (1, 2, 3, 4)
    # Unknown keys are ignored.
    assert fs.to_call_args({"a": 1, "b": 2, "c": 3, "zzz": 9}) == ([1, 2], {"c": 3})


def test_missing_required_argument_is_model_behavior_error() -> None:
    def f(a: int, b: int) -> None:
        pass

    with pytest.raises(ModelBehaviorError, match="'b'"):
        function_schema(f).to_call_args({"a": 1})


def test_varargs_and_kwargs_non_strict() -> None:
    def f(x: int, *numbers: float, flag: bool = False, **extra: Any) -> Any:
        return x, numbers, flag, extra

    fs = function_schema(f, strict_json_schema=False)
    props = fs.params_json_schema["properties"]
    assert props["numbers"] == {"type": "array", "items": {"type": "number"}}
    assert props["extra"] == {"type": "object", "additionalProperties": True}
    assert fs.params_json_schema["required"] == ["x"]
    data = {"x": 10, "numbers": [1.1, 2], "flag": True, "extra": {"k": "v", "n": 42}}
    assert call(f, data, strict_json_schema=False) == (10, (1.1, 2.0), True, {"k": "v", "n": 42})
    assert call(f, {"x": 7}, strict_json_schema=False) == (7, (), False, {})


def test_kwargs_cannot_be_strict() -> None:
    def f(**extra: int) -> None:
        pass

    with pytest.raises(UserError, match="strict_mode=False"):
        function_schema(f)
    props = schema_of(f, strict_json_schema=False)["properties"]
    assert props["extra"] == {"type": "object", "additionalProperties": {"type": "integer"}}


def test_var_positional_tuple_annotation_means_list_of_items() -> None:
    def total(*args: tuple[int, ...]) -> int:
        return sum(args)  # type: ignore[arg-type]

    props = schema_of(total)["properties"]
    assert props["args"] == {"type": "array", "items": {"type": "integer"}}
    assert call(total, {"args": [1, 2, 3]}) == 6


def test_dict_and_mapping_are_rejected_in_strict_mode() -> None:
    def with_dict(scores: dict[str, int]) -> None:
        pass

    def with_mapping(scores: Mapping[str, int]) -> None:
        pass

    def with_bare_dict(scores: dict) -> None:  # type: ignore[type-arg]
        pass

    for func in (with_dict, with_mapping, with_bare_dict):
        with pytest.raises(UserError) as info:
            function_schema(func)
        assert "strict_mode=False" in str(info.value)
        assert func.__name__ in str(info.value)


def test_dict_non_strict_converts_values_and_keys() -> None:
    def f(points: dict[str, Point], by_level: dict[int, str], anything: dict[str, Any]) -> Any:
        return points, by_level, anything

    props = schema_of(f, strict_json_schema=False)["properties"]
    assert props["points"] == {"type": "object", "additionalProperties": {"$ref": "#/$defs/Point"}}
    assert props["anything"] == {"type": "object", "additionalProperties": True}
    points, by_level, anything = call(
        f,
        {"points": {"a": {"x": 1, "y": 2}}, "by_level": {"1": "one"}, "anything": {"q": [1]}},
        strict_json_schema=False,
    )
    assert points == {"a": Point(1, 2)}
    assert by_level == {1: "one"}
    assert anything == {"q": [1]}


# --- enums, literals, unions -------------------------------------------------------------------


def test_enum_and_literal() -> None:
    def f(color: Color, mode: Literal["a", "b", "c"], level: Level, n: Literal[1, 2]) -> Any:
        return color, mode, level, n

    schema = schema_of(f)
    assert schema["$defs"]["Color"] == {
        "enum": ["red", "green"],
        "title": "Color",
        "type": "string",
        "description": "A colour.",
    }
    assert schema["$defs"]["Level"]["enum"] == [1, 2]
    assert schema["$defs"]["Level"]["type"] == "integer"
    assert schema["properties"]["color"] == {"$ref": "#/$defs/Color"}
    assert schema["properties"]["mode"] == {"type": "string", "enum": ["a", "b", "c"]}
    assert schema["properties"]["n"] == {"type": "integer", "enum": [1, 2]}
    color, mode, level, n = call(f, {"color": "green", "mode": "b", "level": 2, "n": 1})
    assert color is Color.GREEN and mode == "b" and level is Level.HIGH and n == 1

    validate = compile_validator(schema)
    assert validate({"color": "blue", "mode": "a", "level": 1, "n": 1}) is not None
    assert validate({"color": "red", "mode": "z", "level": 1, "n": 1}) is not None


def test_literal_of_mixed_types_and_enum_members() -> None:
    def f(v: Literal["auto", 0, True, None], c: Literal[Color.RED]) -> Any:
        return v, c

    props = schema_of(f, strict_json_schema=False)["properties"]
    assert props["v"] == {
        "type": ["string", "integer", "boolean", "null"],
        "enum": ["auto", 0, True, None],
    }
    assert props["c"] == {"type": "string", "enum": ["red"]}
    v, c = call(f, {"v": True, "c": "red"}, strict_json_schema=False)
    assert v is True and c is Color.RED


def test_optional_and_pep604_unions() -> None:
    def f(a: Optional[int], b: int | None, p: Point | None = None) -> Any:
        return a, b, p

    schema = schema_of(f)
    null_int = {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert schema["properties"]["a"] == null_int
    assert schema["properties"]["b"] == null_int
    # default None is dropped by strict mode; the union stays nullable.
    assert schema["properties"]["p"] == {"anyOf": [{"$ref": "#/$defs/Point"}, {"type": "null"}]}
    assert call(f, {"a": None, "b": 2, "p": {"x": 1, "y": 1}}) == (None, 2, Point(1, 1))
    assert call(f, {"a": 1, "b": None, "p": None}) == (1, None, None)


def test_union_of_dataclasses_picks_the_matching_member() -> None:
    def f(pet: Union[Cat, Dog], when: Union[datetime.date, str], n: Union[int, str]) -> Any:
        return pet, when, n

    assert call(f, {"pet": {"bark": 3}, "when": "2024-05-01", "n": "x"}) == (
        Dog(3),
        datetime.date(2024, 5, 1),
        "x",
    )
    assert call(f, {"pet": {"meow": "hi"}, "when": "soon", "n": 4}) == (Cat("hi"), "soon", 4)


# --- containers ---------------------------------------------------------------------------------


def test_sequences_sets_and_tuples() -> None:
    def f(
        names: list[str],
        seq: Sequence[Point],
        unique: set[int],
        frozen: frozenset[str],
        pair: tuple[int, str],
        many: tuple[float, ...],
        bare: list,  # type: ignore[type-arg]
    ) -> Any:
        return names, seq, unique, frozen, pair, many, bare

    props = schema_of(f)["properties"]
    assert props["names"] == {"type": "array", "items": {"type": "string"}}
    assert props["seq"] == {"type": "array", "items": {"$ref": "#/$defs/Point"}}
    assert props["unique"] == {"type": "array", "items": {"type": "integer"}, "uniqueItems": True}
    assert props["pair"] == {
        "type": "array",
        "prefixItems": [{"type": "integer"}, {"type": "string"}],
        "minItems": 2,
        "maxItems": 2,
    }
    assert props["many"] == {"type": "array", "items": {"type": "number"}}
    assert props["bare"] == {"type": "array", "items": {}}
    data = {
        "names": ["a"],
        "seq": [{"x": 1, "y": 2}],
        "unique": [1, 2],
        "frozen": ["q"],
        "pair": [1, "one"],
        "many": [1, 2.5],
        "bare": [None, 1],
    }
    names, seq, unique, frozen, pair, many, bare = call(f, data)
    assert names == ["a"] and seq == [Point(1, 2)]
    assert unique == {1, 2} and isinstance(unique, set)
    assert frozen == frozenset({"q"}) and isinstance(frozen, frozenset)
    assert pair == (1, "one")
    assert many == (1.0, 2.5)
    assert bare == [None, 1]
    assert compile_validator(schema_of(f))({**data, "pair": [1, "one", 2]}) is not None


def test_named_tuple_and_new_type() -> None:
    def f(pair: Pair, uid: UserId) -> Any:
        return pair, uid

    schema = schema_of(f)
    assert schema["properties"]["uid"] == {"type": "integer"}
    assert schema["$defs"]["Pair"]["prefixItems"] == [{"type": "integer"}, {"type": "string"}]
    assert call(f, {"pair": [1, "x"], "uid": 5}) == (Pair(1, "x"), 5)


def test_dates_times_and_uuids() -> None:
    def f(at: datetime.datetime, day: datetime.date, clock: datetime.time, ident: uuid.UUID) -> Any:
        return at, day, clock, ident

    props = schema_of(f)["properties"]
    assert props["at"] == {"type": "string", "format": "date-time"}
    assert props["day"] == {"type": "string", "format": "date"}
    assert props["clock"] == {"type": "string", "format": "time"}
    assert props["ident"] == {"type": "string", "format": "uuid"}
    u = uuid.uuid4()
    at, day, clock, ident = call(
        f, {"at": "2024-01-02T03:04:05Z", "day": "2024-01-02", "clock": "10:30:00", "ident": str(u)}
    )
    assert at == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert day == datetime.date(2024, 1, 2)
    assert clock == datetime.time(10, 30)
    assert ident == u


# --- dataclasses and TypedDicts ----------------------------------------------------------------


def test_nested_dataclasses_with_defaults_and_descriptions() -> None:
    def draw(shape: Shape) -> Shape:
        return shape

    schema = schema_of(draw, strict_json_schema=False)
    shape = schema["$defs"]["Shape"]
    assert shape["type"] == "object" and shape["title"] == "Shape"
    assert shape["required"] == ["name", "corners"]
    assert shape["additionalProperties"] is False
    assert shape["properties"]["color"] == {"$ref": "#/$defs/Color", "default": "red"}
    assert shape["properties"]["note"]["description"] == "free text"
    assert "default" not in shape["properties"]["tags"]  # default_factory: no fixed default
    assert "description" not in shape  # the generated dataclass __doc__ is not a description
    assert schema["$defs"]["Point"]["description"] == "A point on the plane."

    result = call(
        draw,
        {"shape": {"name": "tri", "corners": [{"x": 1, "y": 2}, {"x": 3}]}},
        strict_json_schema=False,
    )
    assert result == Shape("tri", [Point(1, 2), Point(3, 0)])
    assert result.color is Color.RED

    strict = schema_of(draw)
    strict_shape = strict["$defs"]["Shape"]
    assert strict_shape["required"] == ["name", "corners", "color", "tags", "note"]
    assert strict_shape["properties"]["note"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    result = call(
        draw,
        {"shape": {"name": "sq", "corners": [], "color": "green", "tags": ["t"], "note": None}},
    )
    assert result == Shape("sq", [], Color.GREEN, ["t"], None)


def test_recursive_dataclass() -> None:
    def walk(root: TreeNode) -> int:
        return root.value + sum(walk(c) for c in root.children)

    schema = schema_of(walk)
    assert schema["properties"]["root"] == {"$ref": "#/$defs/TreeNode"}
    node = schema["$defs"]["TreeNode"]
    assert node["properties"]["children"] == {
        "type": "array",
        "items": {"$ref": "#/$defs/TreeNode"},
    }
    tree = {"value": 1, "children": [{"value": 2, "children": [{"value": 3, "children": []}]}]}
    assert call(walk, {"root": tree}) == 6
    fs = function_schema(walk)
    args, _ = fs.to_call_args({"root": tree})
    assert isinstance(args[0].children[0].children[0], TreeNode)


def test_dataclass_with_init_false_field_is_left_out() -> None:
    @dataclass
    class Counter:
        start: int
        seen: int = dataclasses.field(default=0, init=False)

    def f(c: Counter) -> Counter:
        return c

    schema = schema_of(f)
    assert list(schema["$defs"]["Counter"]["properties"]) == ["start"]
    assert call(f, {"c": {"start": 3}}) == Counter(3)


def test_typed_dicts_total_required_not_required() -> None:
    def f(m: Movie, p: PartialMovie, e: ExtMovie) -> Any:
        return m, p, e

    schema = schema_of(f, strict_json_schema=False)
    defs = schema["$defs"]
    assert defs["Movie"]["required"] == ["title", "year"]
    assert defs["PartialMovie"]["required"] == ["title"]
    assert defs["ExtMovie"]["required"] == ["title"]
    assert defs["ExtMovie"]["properties"]["sequel_of"] == {
        "anyOf": [{"type": "string"}, {"type": "null"}]
    }
    m, p, e = call(
        f,
        {
            "m": {"title": "A", "year": 1999},
            "p": {"title": "B"},
            "e": {"title": "C", "color": "green"},
        },
        strict_json_schema=False,
    )
    assert m == {"title": "A", "year": 1999}
    assert p == {"title": "B"}
    assert e == {"title": "C", "color": Color.GREEN}
    assert (
        compile_validator(schema)({"m": {"title": "A"}, "p": {"title": "B"}, "e": {"title": "C"}})
        is not None
    )

    strict = schema_of(f)
    assert strict["$defs"]["PartialMovie"]["required"] == ["title", "rating"]


def test_typing_not_required_on_python_311() -> None:
    if sys.version_info < (3, 11):
        pytest.skip("typing.NotRequired is new in Python 3.11")
    from typing import NotRequired as TypingNotRequired

    class Options(TypedDict):
        verbose: TypingNotRequired[bool]
        name: str

    assert type_to_json_schema(Options)["required"] == ["name"]


# --- Annotated, descriptions, names ------------------------------------------------------------


def test_annotated_descriptions_and_docstring_precedence() -> None:
    def add(a: Annotated[int, "First number"], b: Annotated[int, "Second number"]) -> int:
        """Adds two integers.

        Args:
            a: From the docstring.
        """
        return a + b

    props = schema_of(add)["properties"]
    assert props["a"]["description"] == "From the docstring."
    assert props["b"]["description"] == "Second number"
    props = schema_of(add, use_docstring_info=False)["properties"]
    assert props["a"]["description"] == "First number"


def test_overrides_and_docstring_switch() -> None:
    def foo(x: int) -> int:
        """Does foo."""
        return x

    fs = function_schema(foo, name_override="custom", description_override="Custom text")
    assert fs.name == "custom" and fs.description == "Custom text"
    assert fs.params_json_schema["title"] == "custom_args"
    fs = function_schema(foo, use_docstring_info=False)
    assert fs.name == "foo" and fs.description is None
    fs = function_schema(foo, use_docstring_info=False, name_override="other")
    assert fs.params_json_schema["title"] == "other_args"


# --- context injection ---------------------------------------------------------------------


def test_context_parameter_is_injected_not_described() -> None:
    def with_ctx(ctx: RunContextWrapper[str], a: int) -> str:
        return f"{ctx.context}:{a}"

    def with_tool_ctx(ctx: ToolContext[Any], a: int) -> str:
        return ctx.tool_name

    def with_bare(ctx: RunContextWrapper) -> str:  # type: ignore[type-arg]
        return "ok"

    for func in (with_ctx, with_tool_ctx, with_bare):
        fs = function_schema(func)
        assert fs.takes_context is True
        assert "ctx" not in fs.params_json_schema["properties"]

    fs = function_schema(with_ctx)
    args, kwargs = fs.to_call_args({"a": 2})
    assert with_ctx(RunContextWrapper(context="c"), *args, **kwargs) == "c:2"


def test_context_annotation_given_as_unresolvable_string() -> None:
    namespace: dict[str, Any] = {}
    exec(  # the annotation names a class the function's module never imported
        "def f(ctx: 'RunContextWrapper[Any]', x: 'int') -> int:\n    return x\n", namespace
    )
    fs = function_schema(namespace["f"])
    assert fs.takes_context is True
    assert list(fs.params_json_schema["properties"]) == ["x"]


def test_context_in_another_position_is_an_error() -> None:
    def bad(a: int, context: RunContextWrapper[Any]) -> None:
        pass

    with pytest.raises(UserError, match="'context'.*first parameter"):
        function_schema(bad)


# --- methods and other callables ---------------------------------------------------------


class Calculator:
    def add(self, a: int, b: int = 5) -> int:
        return a + b

    def add_ctx(self, ctx: RunContextWrapper[Any], a: int) -> int:
        return a

    @classmethod
    def cls_add(cls, a: int, b: int = 5) -> int:
        return a + b

    @staticmethod
    def static_add(a: int, b: int = 5) -> int:
        return a + b

    def __call__(self, text: str) -> str:
        return text.upper()


def test_methods_and_callable_objects() -> None:
    calc = Calculator()
    for func, title in (
        (calc.add, "add_args"),
        (Calculator.cls_add, "cls_add_args"),
        (Calculator.static_add, "static_add_args"),
    ):
        fs = function_schema(func)
        assert fs.params_json_schema["title"] == title
        assert list(fs.params_json_schema["properties"]) == ["a", "b"]
        assert call(func, {"a": 1, "b": 2}) == 3
    assert function_schema(calc.add_ctx).takes_context is True

    fs = function_schema(calc)
    assert fs.name == "Calculator"
    assert fs.params_json_schema["properties"] == {"text": {"type": "string"}}
    assert call(calc, {"text": "hi"}) == "HI"

    partial = functools.partial(Calculator.static_add, b=1)
    assert call(partial, {"a": 1, "b": 2}) == 3


# --- unsupported annotations --------------------------------------------------------------


def test_unsupported_annotation_names_parameter_function_and_type() -> None:
    def f(x: socket.socket) -> None:
        pass

    with pytest.raises(UserError) as info:
        function_schema(f)
    assert str(info.value) == (
        "Unsupported type annotation for parameter 'x' of function 'f': <class 'socket.socket'>"
    )


def test_unsupported_nested_annotations() -> None:
    def in_list(items: list[socket.socket]) -> None:
        pass

    def in_dataclass(holder: Holder) -> None:
        pass

    def a_callable(fn: Callable[[int], int]) -> None:
        pass

    with pytest.raises(UserError, match="parameter 'items' of function 'in_list'.*socket"):
        function_schema(in_list)
    with pytest.raises(UserError, match="parameter 'holder'.*socket.*field 'sock' of Holder"):
        function_schema(in_dataclass)
    with pytest.raises(UserError, match="parameter 'fn' of function 'a_callable'"):
        function_schema(a_callable)


def test_unresolvable_string_annotation_is_a_user_error() -> None:
    namespace: dict[str, Any] = {}
    exec("def f(x: 'NoSuchType') -> None:\n    pass\n", namespace)
    with pytest.raises(UserError, match="parameter 'x'.*NoSuchType"):
        function_schema(namespace["f"])


def test_classes_defined_next_to_the_function_resolve() -> None:
    # Under `from __future__ import annotations` the hints are strings naming local classes.
    @dataclass
    class LocalItem:
        label: str
        count: int = 1

    def use(item: LocalItem, items: list[LocalItem]) -> Any:
        return item, items

    assert call(
        use, {"item": {"label": "a", "count": 2}, "items": [{"label": "b", "count": 1}]}
    ) == (
        LocalItem("a", 2),
        [LocalItem("b", 1)],
    )


def test_pep604_strings_are_rewritten_for_old_pythons() -> None:
    import ast

    from agents_lite.type_hints import _make_union, _union_rewriter

    tree = _union_rewriter().visit(ast.parse("list[int | None] | str", mode="eval"))
    code = compile(ast.fix_missing_locations(tree), "<test>", "eval")
    value = eval(code, {"__union__": _make_union})
    assert value == Union[list[Optional[int]], str]


# --- type_to_json_schema / json_to_python ---------------------------------------------------


def test_type_to_json_schema_roots() -> None:
    point = type_to_json_schema(Point)
    assert point["type"] == "object" and point["title"] == "Point" and "$defs" not in point
    assert type_to_json_schema(Color)["enum"] == ["red", "green"]
    tree = type_to_json_schema(TreeNode)
    assert tree["type"] == "object"
    assert tree["$defs"]["TreeNode"]["properties"] == tree["properties"]  # kept for recursion
    shapes = type_to_json_schema(list[Shape])
    assert shapes["items"] == {"$ref": "#/$defs/Shape"}
    assert set(shapes["$defs"]) == {"Shape", "Point", "Color"}
    for schema in (point, tree, shapes):
        assert check_schema(schema) is None
    with pytest.raises(UserError, match="socket"):
        type_to_json_schema(socket.socket)


def test_classes_with_the_same_name_get_separate_defs() -> None:
    def make(name: str, field_type: Any) -> Any:
        return dataclasses.make_dataclass(name, [("v", field_type)])

    first, second = make("Item", int), make("Item", str)

    def f(a: Any, b: Any) -> None:
        pass

    f.__annotations__ = {"a": first, "b": second}
    schema = schema_of(f)
    assert schema["properties"]["a"] == {"$ref": "#/$defs/Item"}
    assert schema["properties"]["b"] == {"$ref": "#/$defs/Item2"}
    assert schema["$defs"]["Item2"]["properties"]["v"] == {"type": "string"}


def test_json_to_python() -> None:
    assert json_to_python(list[Color], ["red"]) == [Color.RED]
    assert json_to_python(Optional[Point], None) is None
    assert json_to_python(dict[str, TreeNode], {"a": {"value": 1, "children": []}}) == {
        "a": TreeNode(1)
    }
    assert json_to_python(tuple[int, Level], [1, 2]) == (1, Level.HIGH)
    assert json_to_python(int, 5) == 5
    # An unhashable annotation still works (just without caching).
    assert json_to_python(Annotated[Point, {"meta": 1}], {"x": 1, "y": 1}) == Point(1, 1)
    with pytest.raises(UserError):
        json_to_python(socket.socket, 1)


# --- docstrings ---------------------------------------------------------------------------


def google_doc(a: int, b: str, *args: int, **kwargs: Any) -> None:
    """Summary line.

    A longer description
    over two lines.

    Args:
        a (int): The first
            parameter, continued.
        b: The second.
        *args: Extra numbers.
        **kwargs: Extra options.

    Returns:
        Nothing.

    Raises:
        ValueError: never.
    """


def numpy_doc(a: int, b: str, c: float) -> None:
    """Summary line.

    Parameters
    ----------
    a : int
        The first
        parameter.
    b, c : str
        Shared description.

    Returns
    -------
    None
    """


def sphinx_doc(a: int, b: str) -> None:
    """Summary line.

    More words.

    :param a: The first
        parameter.
    :param str b: The second.
    :type a: int
    :returns: nothing
    """


def test_docstring_styles_are_detected_and_parsed() -> None:
    assert detect_docstring_style(google_doc.__doc__ or "") == "google"
    assert detect_docstring_style(numpy_doc.__doc__ or "") == "numpy"
    assert detect_docstring_style(sphinx_doc.__doc__ or "") == "sphinx"
    assert detect_docstring_style("Just text.") == "google"

    doc = generate_func_documentation(google_doc)
    assert doc.name == "google_doc"
    assert doc.description == "Summary line.\n\nA longer description\nover two lines."
    assert doc.param_descriptions == {
        "a": "The first\nparameter, continued.",
        "b": "The second.",
        "args": "Extra numbers.",
        "kwargs": "Extra options.",
    }

    doc = generate_func_documentation(numpy_doc)
    assert doc.description == "Summary line."
    assert doc.param_descriptions == {
        "a": "The first\nparameter.",
        "b": "Shared description.",
        "c": "Shared description.",
    }

    doc = generate_func_documentation(sphinx_doc)
    assert doc.description == "Summary line.\n\nMore words."
    assert doc.param_descriptions == {"a": "The first\nparameter.", "b": "The second."}


def test_docstring_style_can_be_forced_and_is_used_by_function_schema() -> None:
    doc = generate_func_documentation(sphinx_doc, style="sphinx")
    assert doc.param_descriptions == {"a": "The first\nparameter.", "b": "The second."}
    # Parsed as Google, a Sphinx docstring has no sections: all of it is description.
    doc = generate_func_documentation(sphinx_doc, style="google")
    assert doc.param_descriptions is None
    assert doc.description is not None and ":param a:" in doc.description
    with pytest.raises(UserError, match="docstring style"):
        generate_func_documentation(sphinx_doc, style="rst")

    props = schema_of(numpy_doc, docstring_style="numpy")["properties"]
    assert props["c"]["description"] == "Shared description."


def test_no_docstring() -> None:
    def bare(x: int) -> None:
        pass

    doc = generate_func_documentation(bare)
    assert doc.description is None and doc.param_descriptions is None


# --- pydantic interop (optional) ------------------------------------------------------------


def test_pydantic_models_as_parameters() -> None:
    pydantic = pytest.importorskip("pydantic")

    class InnerModel(pydantic.BaseModel):
        a: int
        b: str

    class OuterModel(pydantic.BaseModel):
        inner: InnerModel
        foo: ExtMovie  # pydantic wants typing_extensions' TypedDict before Python 3.12

    def complex_args(model: OuterModel, flag: int = 0) -> str:
        """Takes a model.

        Args:
            model: A model with an inner and foo field
            flag: An optional flag
        """
        return f"{model.inner.a}, {model.inner.b}, {model.foo['title']}, {flag}"

    fs = function_schema(complex_args)
    props = fs.params_json_schema["properties"]
    assert props["model"]["description"] == "A model with an inner and foo field"
    assert check_schema(fs.params_json_schema) is None
    data = {
        "model": {
            "inner": {"a": 1, "b": "hello"},
            "foo": {"title": "T", "sequel_of": None, "color": "red"},
        },
        "flag": 2,
    }
    assert call(complex_args, data) == "1, hello, T, 2"
    args, _ = fs.to_call_args(data)
    assert isinstance(args[0], OuterModel) and isinstance(args[0].inner, InnerModel)


def test_pydantic_field_defaults_and_annotated_fields() -> None:
    pydantic = pytest.importorskip("pydantic")
    Field = pydantic.Field

    def f(
        number: int = Field(..., gt=10, le=100),
        factor: float = Field(default=1.0, gt=0.0, description="Positive multiplier"),
        name: Annotated[str, Field(min_length=3)] = "abc",
    ) -> str:
        return f"{number} {factor} {name}"

    fs = function_schema(f, use_docstring_info=False)
    props = fs.params_json_schema["properties"]
    assert props["number"]["type"] == "integer"
    assert props["number"]["exclusiveMinimum"] == 10 and props["number"]["maximum"] == 100
    assert (
        props["factor"]["default"] == 1.0
        and props["factor"]["description"] == "Positive multiplier"
    )
    assert props["name"]["minLength"] == 3
    validate = compile_validator(fs.params_json_schema)
    assert validate({"number": 5, "factor": 1.0, "name": "abcd"}) is not None
    assert validate({"number": 50, "factor": 1.0, "name": "ab"}) is not None
    assert call(f, {"number": 50, "factor": 2.0, "name": "abcd"}) == "50 2.0 abcd"
    args, kwargs = function_schema(f, strict_json_schema=False).to_call_args({"number": 20})
    assert f(*args, **kwargs) == "20 1.0 abc"


def test_recursive_pydantic_model() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Node(pydantic.BaseModel):
        value: int
        children: list[Node] = []

    Node.model_rebuild(_types_namespace={"Node": Node})

    def f(node: Node) -> int:
        return node.value + sum(f(c) for c in node.children)

    schema = schema_of(f)
    assert schema["properties"]["node"] == {"$ref": "#/$defs/Node"}
    assert schema["$defs"]["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert call(f, {"node": {"value": 1, "children": [{"value": 2, "children": []}]}}) == 3


def test_union_of_pydantic_models_picks_the_matching_member() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Email(pydantic.BaseModel):
        address: str

    class Phone(pydantic.BaseModel):
        number: str
        country: int = 1

    def contact(via: Union[Email, Phone]) -> Any:
        return via

    assert call(contact, {"via": {"number": "555", "country": 44}}) == Phone(
        number="555", country=44
    )
    assert call(contact, {"via": {"address": "a@b.c"}}) == Email(address="a@b.c")
    # Non-strict, with a key neither model declares: the first model that accepts it wins.
    args, _ = function_schema(contact, strict_json_schema=False).to_call_args(
        {"via": {"number": "1", "extra": True}}
    )
    assert args == [Phone(number="1")]


# --- through function_tool --------------------------------------------------------------------


def _tool_ctx(name: str, arguments: str) -> ToolContext[Any]:
    return ToolContext(context=None, tool_name=name, tool_call_id="c1", tool_arguments=arguments)


def test_function_tool_schema_and_invocation() -> None:
    @function_tool
    def paint(ctx: ToolContext[Any], shape: Shape, color: Color, times: int = 1) -> str:
        """Paint a shape.

        Args:
            shape: What to paint.
            color: Which colour.
            times: How many coats.
        """
        assert isinstance(shape, Shape) and isinstance(shape.corners[0], Point)
        return f"{ctx.tool_call_id}:{shape.name}:{color.value}:{times}"

    assert paint.name == "paint"
    assert paint.description == "Paint a shape."
    assert paint.strict_json_schema is True
    schema = paint.params_json_schema
    assert list(schema["properties"]) == ["shape", "color", "times"]
    assert schema["required"] == ["shape", "color", "times"]
    assert schema["properties"]["times"]["description"] == "How many coats."
    assert check_schema(schema) is None

    arguments = json.dumps(
        {
            "shape": {
                "name": "tri",
                "corners": [{"x": 0, "y": 1}],
                "color": "red",
                "tags": [],
                "note": None,
            },
            "color": "green",
            "times": 2,
        }
    )
    assert paint.on_invoke_tool(_tool_ctx("paint", arguments), arguments) == "c1:tri:green:2"


def test_function_tool_bad_arguments_become_error_text() -> None:
    @function_tool
    def square(x: int) -> int:
        return x * x

    assert square.on_invoke_tool(_tool_ctx("square", '{"x": 4}'), '{"x": 4}') == 16
    for bad in ("{not json", '{"x": "four"}', '{"y": 1}', "[1]"):
        result = square.on_invoke_tool(_tool_ctx("square", bad), bad)
        assert isinstance(result, str)
        assert result.startswith(
            "An error occurred while running the tool. Please try again. Error: "
        ), result


def test_function_tool_without_error_function_raises() -> None:
    @function_tool(failure_error_function=None)
    def square(x: int) -> int:
        return x * x

    with pytest.raises(ModelBehaviorError, match="square"):
        square.on_invoke_tool(_tool_ctx("square", "{nope"), "{nope")
    with pytest.raises(ModelBehaviorError, match="square"):
        square.on_invoke_tool(_tool_ctx("square", '{"x": "a"}'), '{"x": "a"}')


def test_function_tool_non_strict_mode_allows_dicts() -> None:
    with pytest.raises(UserError, match="strict_mode=False"):

        @function_tool
        def count(words: dict[str, int]) -> int:
            return sum(words.values())

    @function_tool(strict_mode=False)
    def count_loose(words: dict[str, int]) -> int:
        return sum(words.values())

    assert count_loose.strict_json_schema is False
    args = '{"words": {"a": 1, "b": 2}}'
    assert count_loose.on_invoke_tool(_tool_ctx("count_loose", args), args) == 3
