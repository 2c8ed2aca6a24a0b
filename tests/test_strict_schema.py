"""ensure_strict_json_schema and try_make_strict (PROTOCOLS.md §9)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from agents_lite.exceptions import UserError
from agents_lite.schema_validation import check_schema
from agents_lite.strict_schema import MAX_DEPTH, ensure_strict_json_schema, try_make_strict

EMPTY_STRICT = {"type": "object", "properties": {}, "required": [], "additionalProperties": False}


def assert_strict(node: Any) -> None:
    """Every object in the schema is closed and requires all its properties."""
    if isinstance(node, dict):
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, node
            assert node.get("required") == list(node.get("properties", {})), node
        assert "oneOf" not in node
        for value in node.values():
            assert_strict(value)
    elif isinstance(node, list):
        for value in node:
            assert_strict(value)


def test_empty_schema_becomes_empty_closed_object_in_place() -> None:
    schema: dict[str, Any] = {}
    result = ensure_strict_json_schema(schema)
    assert result is schema
    assert result == EMPTY_STRICT


def test_non_dict_root_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        ensure_strict_json_schema([])  # type: ignore[arg-type]


def test_object_gets_closed_and_all_properties_required() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer", "default": 3}},
        "required": ["a"],
    }
    result = ensure_strict_json_schema(schema)
    assert result["additionalProperties"] is False
    assert result["required"] == ["a", "b"]
    assert result["properties"]["a"] == {"type": "string"}  # non-objects untouched
    assert result["properties"]["b"] == {"type": "integer", "default": 3}  # real defaults stay


def test_properties_without_type_become_an_object() -> None:
    result = ensure_strict_json_schema({"properties": {"a": {"type": "number"}}})
    assert result == {
        "properties": {"a": {"type": "number"}},
        "type": "object",
        "additionalProperties": False,
        "required": ["a"],
    }


def test_object_without_properties_is_closed_and_empty() -> None:
    assert ensure_strict_json_schema({"type": "object"}) == {
        "type": "object",
        "additionalProperties": False,
        "properties": {},
        "required": [],
    }


@pytest.mark.parametrize("extra", [True, {}, {"type": "string"}])
def test_open_additional_properties_are_rejected(extra: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "number"}},
        "additionalProperties": extra,
    }
    with pytest.raises(UserError, match="additionalProperties"):
        ensure_strict_json_schema(schema)


def test_nested_open_object_is_rejected_too() -> None:
    schema = {
        "type": "object",
        "properties": {"scores": {"type": "object", "additionalProperties": {"type": "integer"}}},
    }
    with pytest.raises(UserError, match="properties/scores"):
        ensure_strict_json_schema(schema)


def test_additional_properties_none_becomes_false() -> None:
    schema = {
        "type": "object",
        "properties": {"p": {"type": "string"}},
        "additionalProperties": None,
    }
    assert ensure_strict_json_schema(schema)["additionalProperties"] is False


def test_none_values_are_removed_but_const_null_is_kept() -> None:
    schema = {
        "type": "object",
        "properties": {
            "param": {
                "type": "boolean",
                "default": True,
                "enum": None,
                "minimum": None,
                "items": None,
                "properties": None,
            },
            "nothing": {"const": None},
            "opt": {"type": "string", "default": None},
        },
    }
    result = ensure_strict_json_schema(schema)
    assert result["properties"]["param"] == {"type": "boolean", "default": True}
    assert result["properties"]["nothing"] == {"const": None}
    assert result["properties"]["opt"] == {"type": "string"}


def test_array_items_are_processed() -> None:
    schema = {
        "type": "array",
        "items": {"type": "object", "properties": {"x": {"type": "number", "default": None}}},
    }
    result = ensure_strict_json_schema(schema)
    assert result["items"] == {
        "type": "object",
        "properties": {"x": {"type": "number"}},
        "additionalProperties": False,
        "required": ["x"],
    }


def test_tuple_prefix_items_are_processed() -> None:
    schema = {
        "type": "array",
        "prefixItems": [{"properties": {"a": {"type": "string"}}}, {"type": "integer"}],
    }
    result = ensure_strict_json_schema(schema)
    assert result["prefixItems"][0]["additionalProperties"] is False
    assert result["prefixItems"][0]["type"] == "object"


def test_nested_any_of_variants_are_processed() -> None:
    schema = {
        "type": "object",
        "properties": {
            "v": {
                "anyOf": [
                    {"type": "object", "properties": {"a": {"type": "string"}}},
                    {"type": "number", "default": None},
                ]
            }
        },
    }
    variants = ensure_strict_json_schema(schema)["properties"]["v"]["anyOf"]
    assert variants[0]["additionalProperties"] is False and variants[0]["required"] == ["a"]
    assert variants[1] == {"type": "number"}


def test_one_of_becomes_any_of() -> None:
    schema = {
        "type": "object",
        "properties": {
            "pet": {
                "anyOf": [{"type": "null"}],
                "oneOf": [
                    {"type": "object", "properties": {"meow": {"type": "string"}}},
                    {"type": "object", "properties": {"bark": {"type": "integer"}}},
                ],
            }
        },
    }
    pet = ensure_strict_json_schema(schema)["properties"]["pet"]
    assert "oneOf" not in pet
    assert [v.get("type") for v in pet["anyOf"]] == ["null", "object", "object"]
    assert pet["anyOf"][2]["required"] == ["bark"]


def test_single_all_of_is_merged_into_its_parent() -> None:
    schema = {"type": "object", "allOf": [{"properties": {"a": {"type": "boolean"}}}]}
    result = ensure_strict_json_schema(schema)
    assert "allOf" not in result
    assert result["properties"] == {"a": {"type": "boolean"}}
    assert result["required"] == ["a"] and result["additionalProperties"] is False


def test_conflicting_single_all_of_raises() -> None:
    schema = {
        "type": "object",
        "properties": {"x": {"type": "integer"}},
        "allOf": [{"type": "string"}],
    }
    with pytest.raises(UserError, match="allOf"):
        ensure_strict_json_schema(schema)


def test_multiple_all_of_entries_are_each_processed() -> None:
    schema = {
        "type": "object",
        "properties": {
            "both": {
                "allOf": [
                    {"type": "object", "properties": {"a": {"type": "string"}}},
                    {"type": "object", "properties": {"b": {"type": "string"}}},
                ]
            }
        },
    }
    both = ensure_strict_json_schema(schema)["properties"]["both"]
    assert [entry["required"] for entry in both["allOf"]] == [["a"], ["b"]]


def test_ref_with_annotation_siblings_is_inlined() -> None:
    schema = {
        "definitions": {"refObj": {"type": "string", "default": None, "description": "orig"}},
        "$defs": {"Obj": {"type": "object", "properties": {"n": {"type": "integer"}}}},
        "type": "object",
        "properties": {
            "a": {"$ref": "#/definitions/refObj", "description": "desc"},
            "b": {"$ref": "#/$defs/Obj", "title": "B", "default": None},
            "c": {"$ref": "#/$defs/Obj"},
        },
    }
    result = ensure_strict_json_schema(schema)
    assert result["properties"]["a"] == {"type": "string", "description": "desc"}
    # default None went first, leaving a bare $ref... plus the title, so it is inlined.
    assert result["properties"]["b"] == {
        "type": "object",
        "properties": {"n": {"type": "integer"}},
        "additionalProperties": False,
        "required": ["n"],
        "title": "B",
    }
    assert result["properties"]["c"] == {"$ref": "#/$defs/Obj"}  # a bare $ref stays a $ref
    assert result["$defs"]["Obj"]["additionalProperties"] is False


def test_bare_ref_is_left_alone() -> None:
    assert ensure_strict_json_schema({"$ref": "#/definitions/refObj"}) == {
        "$ref": "#/definitions/refObj"
    }


def test_ref_with_non_annotation_sibling_raises() -> None:
    schema = {
        "$defs": {"S": {"type": "string"}},
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/S", "minLength": 3}},
    }
    with pytest.raises(UserError, match="minLength"):
        ensure_strict_json_schema(schema)


@pytest.mark.parametrize("ref", ["invalid", "http://example.com/schema", "#/$defs/Missing"])
def test_bad_refs_raise(ref: str) -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"$ref": ref, "description": "desc"}},
        "$defs": {},
    }
    with pytest.raises(ValueError):  # UserError is a ValueError
        ensure_strict_json_schema(schema)


def test_root_ref_with_defs_is_inlined_and_recursion_kept() -> None:
    schema = {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
            }
        },
        "$ref": "#/$defs/Node",
    }
    result = ensure_strict_json_schema(schema)
    assert result["type"] == "object" and "$ref" not in result
    assert result["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert result["$defs"]["Node"]["additionalProperties"] is False
    assert check_schema(result) is None


def test_root_union_or_nullable_root_is_rejected() -> None:
    with pytest.raises(UserError, match="root"):
        ensure_strict_json_schema({"anyOf": [{"type": "string"}, {"type": "integer"}]})
    with pytest.raises(UserError, match="root"):
        ensure_strict_json_schema({"oneOf": [{"type": "string"}, {"type": "integer"}]})
    with pytest.raises(UserError, match="nullable"):
        ensure_strict_json_schema({"type": ["object", "null"], "properties": {}})


def test_depth_limit() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(MAX_DEPTH + 5):
        schema = {"type": "array", "items": schema}
    with pytest.raises(UserError, match="deeper"):
        ensure_strict_json_schema(schema)


def test_node_limit() -> None:
    wide = {
        f"p{i}": {"type": "object", "properties": {f"q{j}": {"type": "string"} for j in range(100)}}
        for i in range(1001)
    }
    with pytest.raises(UserError, match="nodes"):
        ensure_strict_json_schema({"type": "object", "properties": wide})


def test_result_is_valid_and_strict() -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "tags": {"type": "array", "items": {"$ref": "#/$defs/Tag", "description": "a tag"}},
            "owner": {"anyOf": [{"$ref": "#/$defs/Person"}, {"type": "null"}], "default": None},
        },
        "$defs": {
            "Tag": {"properties": {"label": {"type": "string"}}},
            "Person": {
                "type": "object",
                "properties": {"name": {"type": "string"}},
                "required": [],
            },
        },
    }
    result = ensure_strict_json_schema(schema)
    assert check_schema(result) is None
    assert_strict(result)


# --- try_make_strict ------------------------------------------------------------------------


def test_try_make_strict_returns_a_strict_copy() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "required": ["a"],
    }
    original = copy.deepcopy(schema)
    strict, ok = try_make_strict(schema)
    assert ok is True
    assert schema == original  # untouched
    assert strict["required"] == ["a", "b"] and strict["additionalProperties"] is False


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object"},  # any object: closing it would forbid every key
        {"type": "object", "properties": {}},
        {},
        {"type": "object", "properties": {"opts": {"type": "object"}}},
        {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": True},
        {
            "type": "object",
            "properties": {"m": {"type": "object", "additionalProperties": {"type": "string"}}},
        },
        {"anyOf": [{"type": "string"}, {"type": "object", "properties": {}}]},
    ],
)
def test_try_make_strict_gives_up_on_open_schemas(schema: dict[str, Any]) -> None:
    original = copy.deepcopy(schema)
    result, ok = try_make_strict(schema)
    assert ok is False
    assert result is schema and schema == original


def test_try_make_strict_accepts_explicitly_closed_empty_objects() -> None:
    strict, ok = try_make_strict(
        {"type": "object", "properties": {}, "additionalProperties": False}
    )
    assert ok is True
    assert strict == EMPTY_STRICT
