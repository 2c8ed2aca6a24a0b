"""Turn a JSON schema into the "strict" dialect that OpenAI structured outputs accept.

Strict schemas let the API guarantee that arguments and outputs match the schema: every object is
closed (`additionalProperties: false`) and lists all its properties as required (optional values are
expressed as nullable types instead).
"""

from __future__ import annotations

import copy
from typing import Any

from .exceptions import UserError

MAX_NODES = 100_000
"""Largest number of schema nodes a strict conversion will visit."""
MAX_DEPTH = 100
"""Deepest nesting a strict conversion will follow (also stops self-inlining `$ref` loops)."""

# Keys that only describe a value; a `$ref` may carry them next to it and they win when inlined.
# `$defs`/`definitions` hold sub-schemas rather than constraining the value, so they may sit there too.
_REF_SIBLINGS_ALLOWED = frozenset(
    {
        "description",
        "title",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$comment",
        "$defs",
        "definitions",
        "$schema",
        "$id",
    }
)

# None is a meaningful value for these keys (`"const": null` accepts only null).
_NONE_IS_MEANINGFUL = frozenset({"const"})


def ensure_strict_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Make `schema` strict in place and return it.

    - `{}` becomes an empty closed object.
    - Objects get `additionalProperties: false` (any other value raises `UserError`) and every
      property becomes required; a node with `properties` but no `type` becomes an object.
    - `oneOf` becomes `anyOf`; a single-entry `allOf` is merged into its parent.
    - Keys set to None are dropped (so `default: None` goes away); `additionalProperties: None`
      becomes false.
    - A `$ref` with annotation siblings (description, title, ...) is inlined, the local keys
      winning; other siblings raise `UserError`.
    - The root must not be a union (`anyOf`) or nullable. At most 100,000 nodes, depth 100.

    >>> ensure_strict_json_schema({"type": "object", "properties": {"a": {"type": "string"}}})
    {'type': 'object', 'properties': {'a': {'type': 'string'}}, 'additionalProperties': False, 'required': ['a']}
    """
    return _make_strict(schema, mcp_mode=False)


def try_make_strict(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """A strict deep copy of `schema` and True, or `schema` itself and False when it cannot be strict.

    Stricter than `ensure_strict_json_schema` about open objects: an object without properties
    that is not already `additionalProperties: false` counts as impossible (making it strict would
    forbid every key, which changes what the schema means). Used for schemas written by others, such
    as MCP tool input schemas, which then stay non-strict.
    """
    if not isinstance(schema, dict):
        return schema, False
    try:
        return _make_strict(copy.deepcopy(schema), mcp_mode=True), True
    except (UserError, TypeError, ValueError, KeyError, RecursionError):
        return schema, False


def _make_strict(schema: dict[str, Any], *, mcp_mode: bool) -> dict[str, Any]:
    if not isinstance(schema, dict):
        raise TypeError(f"Expected a JSON schema dict, got {type(schema).__name__}: {schema!r}")
    if not schema:
        if mcp_mode:
            raise UserError("An empty schema accepts anything; it cannot be made strict")
        schema.update(_empty_object())
        return schema
    walker = _StrictWalker(schema, mcp_mode)
    result = walker.visit(schema, "#", 0)
    any_of = result.get("anyOf")
    if isinstance(any_of, list) or isinstance(result.get("oneOf"), list):
        raise UserError("The root of a strict JSON schema must be an object, not a union (anyOf)")
    if _is_nullable(result):
        raise UserError("The root of a strict JSON schema must not be nullable")
    return result


def _empty_object() -> dict[str, Any]:
    return {"type": "object", "properties": {}, "required": [], "additionalProperties": False}


def _is_nullable(node: dict[str, Any]) -> bool:
    typ = node.get("type")
    return typ == "null" or (isinstance(typ, list) and "null" in typ)


def _is_object(node: dict[str, Any]) -> bool:
    typ = node.get("type")
    return typ == "object" or (isinstance(typ, list) and "object" in typ)


class _StrictWalker:
    """One conversion: holds the root (for `$ref` resolution) and the node budget."""

    def __init__(self, root: dict[str, Any], mcp_mode: bool) -> None:
        self.root = root
        self.mcp_mode = mcp_mode
        self.nodes = 0

    def visit(self, node: Any, path: str, depth: int) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise UserError(f"Expected a JSON schema object at {path}, got {node!r}")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise UserError(
                f"JSON schema has more than {MAX_NODES} nodes; it cannot be made strict"
            )
        if depth > MAX_DEPTH:
            raise UserError(f"JSON schema is nested deeper than {MAX_DEPTH} levels at {path}")

        for key in [k for k, v in node.items() if v is None and k not in _NONE_IS_MEANINGFUL]:
            if key == "additionalProperties":
                node[key] = False
            else:
                del node[key]

        self._merge_single_all_of(node, path)

        for defs_key in ("$defs", "definitions"):
            defs = node.get(defs_key)
            if isinstance(defs, dict):
                for name, sub in defs.items():
                    self.visit(sub, f"{path}/{defs_key}/{name}", depth + 1)

        if "properties" in node and "type" not in node:
            node["type"] = "object"

        if _is_object(node):
            self._close_object(node, path)

        properties = node.get("properties")
        if isinstance(properties, dict):
            node["required"] = list(properties)
            node["properties"] = {
                key: self.visit(sub, f"{path}/properties/{key}", depth + 1)
                for key, sub in properties.items()
            }

        items = node.get("items")
        if isinstance(items, dict):
            node["items"] = self.visit(items, f"{path}/items", depth + 1)
        elif isinstance(items, list):
            node["items"] = [
                self.visit(sub, f"{path}/items/{i}", depth + 1) for i, sub in enumerate(items)
            ]
        prefix_items = node.get("prefixItems")
        if isinstance(prefix_items, list):
            node["prefixItems"] = [
                self.visit(sub, f"{path}/prefixItems/{i}", depth + 1)
                for i, sub in enumerate(prefix_items)
            ]

        any_of = node.get("anyOf")
        if isinstance(any_of, list):
            node["anyOf"] = [
                self.visit(sub, f"{path}/anyOf/{i}", depth + 1) for i, sub in enumerate(any_of)
            ]
        one_of = node.pop("oneOf", None)
        if isinstance(one_of, list):
            # Strict mode has no oneOf; anyOf accepts the same values for disjoint variants.
            existing = node.get("anyOf")
            node["anyOf"] = (existing if isinstance(existing, list) else []) + [
                self.visit(sub, f"{path}/oneOf/{i}", depth + 1) for i, sub in enumerate(one_of)
            ]
        all_of = node.get("allOf")
        if isinstance(all_of, list):
            node["allOf"] = [
                self.visit(sub, f"{path}/allOf/{i}", depth + 1) for i, sub in enumerate(all_of)
            ]

        ref = node.get("$ref")
        if ref is not None and len(node) > 1:
            return self._inline_ref(node, ref, path, depth)
        return node

    def _close_object(self, node: dict[str, Any], path: str) -> None:
        properties = node.get("properties")
        has_properties = isinstance(properties, dict) and bool(properties)
        if "additionalProperties" not in node:
            if self.mcp_mode and not has_properties:
                raise UserError(f"Open object without properties at {path}")
            node["additionalProperties"] = False
        elif node["additionalProperties"] is not False:
            raise UserError(
                f"additionalProperties must be false for objects in a strict JSON schema (at {path}); "
                "an object with arbitrary keys (such as a dict[str, ...]) cannot be strict. "
                "Use a non-strict schema for it, or give the object fixed properties."
            )
        if not isinstance(properties, dict):
            node["properties"] = {}
            node["required"] = []

    def _merge_single_all_of(self, node: dict[str, Any], path: str) -> None:
        all_of = node.get("allOf")
        if not (isinstance(all_of, list) and len(all_of) == 1):
            return
        entry = all_of[0]
        if not isinstance(entry, dict):
            raise UserError(f"Expected a JSON schema object at {path}/allOf/0, got {entry!r}")
        del node["allOf"]
        for key, value in entry.items():
            if key in node and node[key] != value:
                raise UserError(
                    f"Cannot merge allOf into its parent at {path}: conflicting values for {key!r}"
                )
            node[key] = value

    def _inline_ref(self, node: dict[str, Any], ref: Any, path: str, depth: int) -> dict[str, Any]:
        if not isinstance(ref, str):
            raise UserError(f"$ref must be a string at {path}, got {ref!r}")
        extra = sorted(k for k in node if k != "$ref" and k not in _REF_SIBLINGS_ALLOWED)
        if extra:
            raise UserError(
                f"$ref at {path} has sibling keys {extra} that would change its meaning; "
                "only annotations (description, title, default, ...) may sit next to a $ref"
            )
        resolved = copy.deepcopy(self._resolve(ref))
        local = {k: v for k, v in node.items() if k != "$ref"}
        node.clear()
        node.update(resolved)
        node.update(local)
        # The inlined copy may itself hold refs with siblings, or lack additionalProperties.
        return self.visit(node, path, depth + 1)

    def _resolve(self, ref: str) -> dict[str, Any]:
        if not ref.startswith("#/"):
            raise UserError(
                f"Unsupported $ref {ref!r}: only local references ('#/...') are allowed"
            )
        target: Any = self.root
        for raw in ref[2:].split("/"):
            key = raw.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or key not in target:
                raise UserError(f"$ref {ref!r} does not resolve inside the schema")
            target = target[key]
        if not isinstance(target, dict):
            raise UserError(f"$ref {ref!r} resolves to {target!r}, not a schema object")
        return target
