"""AgentOutputSchema: output types to strict schemas, validation of model JSON, conversion back."""

from __future__ import annotations

import datetime
import json
import threading
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, Optional, Union

import pytest
from typing_extensions import NotRequired, TypedDict

from agents_lite.agent_output import AgentOutputSchema, AgentOutputSchemaBase, get_output_schema
from agents_lite.exceptions import ModelBehaviorError, UserError
from agents_lite.schema_validation import check_schema


class Unit(Enum):
    C = "celsius"
    F = "fahrenheit"


@dataclass
class Weather:
    """Weather report."""

    city: str
    temperature: float
    unit: Unit = Unit.C
    warnings: list[str] = field(default_factory=list)


@dataclass
class Forecast:
    days: list[Weather]
    issued: datetime.date


class Summary(TypedDict):
    text: str
    score: NotRequired[int]


@dataclass
class Yes:
    confirmed: bool


@dataclass
class No:
    reason: str


def assert_strict(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, node
            assert node.get("required") == list(node.get("properties", {})), node
        for value in node.values():
            assert_strict(value)
    elif isinstance(node, list):
        for value in node:
            assert_strict(value)


# --- plain text ---------------------------------------------------------------------------


@pytest.mark.parametrize("output_type", [None, str])
def test_plain_text(output_type: Any) -> None:
    schema = AgentOutputSchema(output_type)
    assert schema.is_plain_text()
    with pytest.raises(UserError):
        schema.json_schema()
    assert schema.validate_json("just words, not JSON") == "just words, not JSON"
    assert get_output_schema(output_type) is None


# --- object types are used directly ------------------------------------------------------


def test_dataclass_output() -> None:
    schema = AgentOutputSchema(Weather)
    assert not schema.is_plain_text() and schema.is_strict_json_schema()
    assert schema.name() == "Weather"
    js = schema.json_schema()
    assert js["type"] == "object" and js["title"] == "Weather"
    assert js["description"] == "Weather report."
    assert "response" not in js["properties"]
    assert js["required"] == ["city", "temperature", "unit", "warnings"]
    assert check_schema(js) is None
    assert_strict(js)

    value = schema.validate_json(
        '{"city": "Oslo", "temperature": 3, "unit": "fahrenheit", "warnings": ["ice"]}'
    )
    assert value == Weather("Oslo", 3.0, Unit.F, ["ice"])
    assert value.unit is Unit.F and type(value.temperature) is float


def test_nested_dataclass_output_converts_deeply() -> None:
    schema = AgentOutputSchema(Forecast)
    assert_strict(schema.json_schema())
    payload = {
        "days": [{"city": "Rome", "temperature": 20.5, "unit": "celsius", "warnings": []}],
        "issued": "2024-06-01",
    }
    value = schema.validate_json(json.dumps(payload))
    assert value == Forecast([Weather("Rome", 20.5)], datetime.date(2024, 6, 1))


def test_typed_dict_output() -> None:
    schema = AgentOutputSchema(Summary)
    js = schema.json_schema()
    assert js["type"] == "object" and set(js["properties"]) == {"text", "score"}
    assert schema.validate_json('{"text": "ok", "score": 3}') == {"text": "ok", "score": 3}


# --- other types are wrapped -----------------------------------------------------------


def test_list_output_is_wrapped() -> None:
    schema = AgentOutputSchema(list[str])
    assert schema.json_schema() == {
        "type": "object",
        "properties": {"response": {"type": "array", "items": {"type": "string"}}},
        "required": ["response"],
        "additionalProperties": False,
    }
    assert schema.validate_json('{"response": ["foo", "bar"]}') == ["foo", "bar"]
    assert schema.name() == "list[str]"


@pytest.mark.parametrize(
    ("output_type", "payload", "expected"),
    [
        (int, 5, 5),
        (float, 2, 2.0),
        (bool, True, True),
        (Unit, "fahrenheit", Unit.F),
        (Literal["yes", "no"], "no", "no"),
        (Optional[int], None, None),
        (
            list[Weather],
            [{"city": "A", "temperature": 1, "unit": "celsius", "warnings": []}],
            [Weather("A", 1.0)],
        ),
        (tuple[int, str], [1, "a"], (1, "a")),
    ],
)
def test_non_object_outputs_round_trip(output_type: Any, payload: Any, expected: Any) -> None:
    schema = AgentOutputSchema(output_type)
    js = schema.json_schema()
    assert js["required"] == ["response"] and js["additionalProperties"] is False
    assert check_schema(js) is None
    assert_strict(js)
    assert schema.validate_json(json.dumps({"response": payload})) == expected


def test_enum_output_schema_is_inlined_in_the_wrapper() -> None:
    js = AgentOutputSchema(Unit).json_schema()
    assert js["properties"]["response"] == {
        "enum": ["celsius", "fahrenheit"],
        "title": "Unit",
        "type": "string",
    }


def test_union_output_picks_the_right_class() -> None:
    schema = AgentOutputSchema(Union[Yes, No])
    assert "$defs" in schema.json_schema()
    assert schema.validate_json('{"response": {"reason": "busy"}}') == No("busy")
    assert schema.validate_json('{"response": {"confirmed": true}}') == Yes(True)


# --- errors ----------------------------------------------------------------------------


def test_bad_json_is_a_model_behavior_error() -> None:
    schema = AgentOutputSchema(Weather)
    with pytest.raises(
        ModelBehaviorError, match="Invalid JSON when parsing model output for Weather"
    ):
        schema.validate_json("not valid json")
    with pytest.raises(ModelBehaviorError, match="Invalid JSON"):
        AgentOutputSchema(list[str]).validate_json('{"response": [')


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"city": "Oslo"}, "'temperature' is a required property"),
        ({"city": "Oslo", "temperature": "warm", "unit": "celsius", "warnings": []}, "temperature"),
        ({"city": "Oslo", "temperature": 1, "unit": "kelvin", "warnings": []}, "unit"),
        ({"city": "Oslo", "temperature": 1, "unit": "celsius", "warnings": [], "x": 1}, "'x'"),
        (["Oslo"], "object"),
    ],
)
def test_schema_mismatch_is_a_model_behavior_error(payload: Any, problem: str) -> None:
    schema = AgentOutputSchema(Weather)
    with pytest.raises(ModelBehaviorError) as info:
        schema.validate_json(json.dumps(payload))
    assert "does not match the schema" in str(info.value)
    assert problem in str(info.value)


def test_wrapped_output_without_the_wrapper_is_rejected() -> None:
    schema = AgentOutputSchema(list[str])
    with pytest.raises(ModelBehaviorError, match="response"):
        schema.validate_json('["foo"]')
    with pytest.raises(ModelBehaviorError, match="response"):
        schema.validate_json('{"value": ["foo"]}')


def test_value_that_cannot_be_converted_is_a_model_behavior_error() -> None:
    schema = AgentOutputSchema(datetime.date)
    with pytest.raises(ModelBehaviorError, match="converted to date"):
        schema.validate_json('{"response": "next tuesday"}')


# --- strictness --------------------------------------------------------------------------


def test_dict_output_needs_non_strict_schema() -> None:
    with pytest.raises(UserError) as info:
        AgentOutputSchema(dict[str, int])
    assert "AgentOutputSchema(dict[str, int], strict_json_schema=False)" in str(info.value)

    schema = AgentOutputSchema(dict[str, int], strict_json_schema=False)
    assert not schema.is_strict_json_schema()
    assert schema.validate_json('{"response": {"a": 1, "b": 2}}') == {"a": 1, "b": 2}
    with pytest.raises(ModelBehaviorError):
        schema.validate_json('{"response": {"a": "one"}}')


def test_non_strict_dataclass_lets_defaults_fill_in() -> None:
    schema = AgentOutputSchema(Weather, strict_json_schema=False)
    js = schema.json_schema()
    assert js["required"] == ["city", "temperature"]
    assert js["properties"]["unit"] == {"$ref": "#/$defs/Unit", "default": "celsius"}
    assert schema.validate_json('{"city": "Lima", "temperature": 18}') == Weather("Lima", 18.0)


def test_name_of_types() -> None:
    assert (
        AgentOutputSchema(dict[str, list[int]], strict_json_schema=False).name()
        == "dict[str, list[int]]"
    )
    assert AgentOutputSchema(Optional[int]).name() == "Optional[int]"
    assert AgentOutputSchema(Union[int, str]).name() == "Union[int, str]"
    assert AgentOutputSchema(list[Weather]).name() == "list[Weather]"
    assert AgentOutputSchema(Literal["a", "b"]).name() == "Literal['a', 'b']"


# --- get_output_schema ---------------------------------------------------------------------


class CustomOutputSchema(AgentOutputSchemaBase):
    def is_plain_text(self) -> bool:
        return False

    def name(self) -> str:
        return "FooBarBaz"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "object", "properties": {"foo": {"type": "string"}}, "required": ["foo"]}

    def is_strict_json_schema(self) -> bool:
        return False

    def validate_json(self, json_str: str) -> Any:
        return ["some", "output"]


def test_custom_output_schema_is_returned_as_is() -> None:
    custom = CustomOutputSchema()
    assert get_output_schema(custom) is custom
    assert custom.validate_json("{}") == ["some", "output"]


def test_get_output_schema_is_cached_per_type_across_threads() -> None:
    first = get_output_schema(Weather)
    assert isinstance(first, AgentOutputSchema) and first.output_type is Weather
    assert get_output_schema(Weather) is first
    assert get_output_schema(list[int]) is get_output_schema(list[int])

    seen: list[Any] = []

    def worker() -> None:
        schema = get_output_schema(Forecast)
        assert schema is not None
        schema.validate_json('{"days": [], "issued": "2024-01-01"}')
        seen.append(schema)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 8 and all(s is seen[0] for s in seen)


def test_unhashable_output_type_still_works() -> None:
    from typing import Annotated

    output_type = Annotated[list[int], {"unhashable": True}]
    schema = get_output_schema(output_type)
    assert schema is not None
    assert schema.validate_json('{"response": [1, 2]}') == [1, 2]


# --- pydantic interop (optional) ----------------------------------------------------------


def test_pydantic_model_output() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Foo(pydantic.BaseModel):
        bar: str
        count: int = 0

    schema = AgentOutputSchema(Foo)
    js = schema.json_schema()
    for key, value in Foo.model_json_schema().items():
        if key != "required":
            assert js[key] == value
    assert js["additionalProperties"] is False and js["required"] == ["bar", "count"]
    value = schema.validate_json('{"bar": "baz", "count": 2}')
    assert value == Foo(bar="baz", count=2)

    loose = AgentOutputSchema(Foo, strict_json_schema=False)
    assert loose.json_schema() == Foo.model_json_schema()
    assert loose.validate_json('{"bar": "x"}') == Foo(bar="x")
    with pytest.raises(ModelBehaviorError):
        loose.validate_json('{"count": 1}')


def test_pydantic_root_model_output_is_wrapped() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Numbers(pydantic.RootModel[list[int]]):
        pass

    schema = AgentOutputSchema(Numbers)
    js = schema.json_schema()
    assert js["required"] == ["response"]
    assert js["properties"]["response"]["type"] == "array"
    assert schema.validate_json('{"response": [1, 2]}') == Numbers([1, 2])
