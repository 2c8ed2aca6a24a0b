"""The JSON schema of one Python type, with the converter from validated JSON back to that type.

`SchemaBuilder` walks a type hint once and produces three things together: the schema (named classes
collected under `$defs`), a converter (None when the JSON value already is the Python value) and a
cheap matcher that tells which member of a Union a JSON value belongs to. Used by `schema.py` for
function parameters and by `agent_output.py` for output types.
"""

from __future__ import annotations

import collections.abc
import copy
import dataclasses
import datetime
import enum
import inspect
import json
import sys
import typing
from dataclasses import dataclass
from typing import Any, Callable, ForwardRef, Literal, Optional, Union, get_args, get_origin

from .type_hints import AnnotationError, caller_locals, class_hints, evaluate_annotation

Converter = Callable[[Any], Any]
"""Turns a validated JSON value into the annotated Python value."""
Matcher = Callable[[Any], bool]
"""Cheap test of whether a JSON value has the shape of a type (used to pick a Union member)."""

EMPTY: Any = inspect.Parameter.empty
"""Marks a missing annotation or default."""
_NONE_TYPE = type(None)
_UNION_TYPE = getattr(__import__("types"), "UnionType", None)  # `X | Y` on Python 3.10+


@dataclass
class TypeInfo:
    """What one walk over a type produces."""

    schema: dict[str, Any]
    convert: Optional[Converter]  # None: the JSON value is already the Python value
    match: Matcher


class UnsupportedType(Exception):
    """A type hint with no JSON schema; `describe()` says where it was found."""

    def __init__(self, tp: Any, reason: str = "") -> None:
        super().__init__(tp)
        self.tp = tp
        self.reason = reason
        self.trail: list[str] = []

    def describe(self, where: str) -> str:
        text = f"Unsupported type annotation for {where}: {self.tp!r}"
        if self.trail:
            text += f" (in {', '.join(self.trail)})"
        return text + (f" ({self.reason})" if self.reason else "")


def _any(value: Any) -> bool:
    return True


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_none(value: Any) -> bool:
    return value is None


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


def _is_dict(value: Any) -> bool:
    return isinstance(value, dict)


def _to_float(value: Any) -> Any:
    return float(value) if type(value) is int else value


def _parse_datetime(value: str) -> datetime.datetime:
    if value[-1:] in ("Z", "z"):  # fromisoformat learned "Z" only in Python 3.11
        value = value[:-1] + "+00:00"
    return datetime.datetime.fromisoformat(value)


def _parsing_matcher(parse: Converter) -> Matcher:
    def match(value: Any) -> bool:
        try:
            parse(value)
        except (TypeError, ValueError):
            return False
        return True

    return match


_PRIMITIVES: dict[Any, tuple[dict[str, Any], Optional[Converter], Matcher]] = {
    str: ({"type": "string"}, None, _is_str),
    int: ({"type": "integer"}, None, _is_int),
    float: ({"type": "number"}, _to_float, _is_number),
    bool: ({"type": "boolean"}, None, _is_bool),
    datetime.datetime: (
        {"type": "string", "format": "date-time"},
        _parse_datetime,
        _parsing_matcher(_parse_datetime),
    ),
    datetime.date: (
        {"type": "string", "format": "date"},
        datetime.date.fromisoformat,
        _parsing_matcher(datetime.date.fromisoformat),
    ),
    datetime.time: (
        {"type": "string", "format": "time"},
        datetime.time.fromisoformat,
        _parsing_matcher(datetime.time.fromisoformat),
    ),
}
_LIST_ORIGINS = {
    list,
    collections.abc.Sequence,
    collections.abc.MutableSequence,
    collections.abc.Iterable,
    collections.abc.Collection,
}
_SET_ORIGINS = {set, frozenset, collections.abc.Set, collections.abc.MutableSet}
_DICT_ORIGINS = {dict, collections.abc.Mapping, collections.abc.MutableMapping}
_JSON_SCALARS = (str, int, float, bool, _NONE_TYPE)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "null" if value is None else "string"


def _scalar_key(value: Any) -> Any:
    """A dict key telling `True` from `1` (they are equal in Python, not in JSON)."""
    return (isinstance(value, bool), value) if isinstance(value, _JSON_SCALARS) else None


class SchemaBuilder:
    """Builds schemas (collecting shared `$defs`), converters and matchers for types."""

    def __init__(self, globalns: Optional[dict[str, Any]] = None) -> None:
        self.defs: dict[str, dict[str, Any]] = {}
        # Where string annotations are evaluated: the function's or the class's module.
        self._globalns: dict[str, Any] = globalns or {}
        # class -> (def name, [converter, matcher]); the cell lets recursive types refer to
        # themselves before they are finished.
        self._classes: dict[Any, tuple[str, list[Any]]] = {}
        self._reserved: set[str] = set()
        self._caller_ns: Optional[dict[str, Any]] = None

    # --- entry points --------------------------------------------------------------------------

    def build(self, tp: Any) -> TypeInfo:
        if tp is EMPTY or tp is Any or tp is object:
            return TypeInfo({}, None, _any)
        if isinstance(tp, (str, ForwardRef)):
            try:
                resolved = evaluate_annotation(tp, self._globalns, self._local_namespace({}))
            except AnnotationError as exc:
                raise UnsupportedType(exc.annotation, exc.reason) from None
            return self.build(resolved)
        primitive = _PRIMITIVES.get(tp) if isinstance(tp, type) else None
        if primitive is not None:
            return TypeInfo(dict(primitive[0]), primitive[1], primitive[2])
        if getattr(tp, "__module__", None) == "uuid" and getattr(tp, "__name__", None) == "UUID":
            # Matched by name so that the uuid module is imported only by code that uses it.
            return TypeInfo({"type": "string", "format": "uuid"}, tp, _parsing_matcher(tp))
        if tp is None or tp is _NONE_TYPE:
            return TypeInfo({"type": "null"}, None, _is_none)
        origin = get_origin(tp)
        if origin is typing.Annotated:
            return self._annotated(tp)
        if origin is Literal:
            return self._literal(tp)
        if origin is Union or (_UNION_TYPE is not None and origin is _UNION_TYPE):
            return self._union(get_args(tp))
        if origin is not None:
            return self._generic(tp, origin, get_args(tp))
        supertype = getattr(tp, "__supertype__", None)  # typing.NewType
        if supertype is not None:
            return self.build(supertype)
        if not isinstance(tp, type):
            raise UnsupportedType(tp)
        if issubclass(tp, enum.Enum):
            return self._class(tp, self._enum)
        if tp in _LIST_ORIGINS or tp in _SET_ORIGINS or tp in _DICT_ORIGINS or tp is tuple:
            return self._generic(tp, tp, ())
        if dataclasses.is_dataclass(tp):
            return self._class(tp, self._dataclass)
        if _is_typeddict(tp):
            return self._class(tp, self._typed_dict)
        if issubclass(tp, tuple) and hasattr(tp, "_fields"):
            return self._class(tp, self._named_tuple)
        if _is_pydantic_model(tp):
            return self._class(tp, self._pydantic_model)
        raise UnsupportedType(tp)

    def finish_root(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The standalone schema: a root `$ref` is inlined, and `$defs` attached."""
        root = schema
        ref = schema.get("$ref")
        if len(schema) == 1 and isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref[len("#/$defs/") :]
            root = dict(self.defs[name])
            others = {k: v for k, v in self.defs.items() if k != name}
            if f'"{ref}"' not in json.dumps([root, others]):
                self.defs = others  # nothing else refers to it: the root is its only home
        if self.defs:
            root = {**root, "$defs": self.defs}
        return root

    # --- building blocks -----------------------------------------------------------------------

    def _annotated(self, tp: Any) -> TypeInfo:
        inner, *metadata = get_args(tp)
        if any(pydantic_field_info(m) is not None for m in metadata):
            return self._pydantic_adapter(tp)
        info = self.build(inner)
        description = next((m for m in metadata if isinstance(m, str)), None)
        if description:
            return TypeInfo({**info.schema, "description": description}, info.convert, info.match)
        return info

    def _literal(self, tp: Any) -> TypeInfo:
        values = get_args(tp)
        json_values = [v.value if isinstance(v, enum.Enum) else v for v in values]
        if not all(isinstance(v, _JSON_SCALARS) for v in json_values):
            raise UnsupportedType(
                tp, "Literal values must be str, int, float, bool, None or Enum members"
            )
        types = list(dict.fromkeys(_json_type(v) for v in json_values))
        schema = {"type": types[0] if len(types) == 1 else types, "enum": json_values}
        keys = {_scalar_key(jv): v for jv, v in zip(json_values, values)}
        convert: Optional[Converter] = None
        if any(isinstance(v, enum.Enum) for v in values):

            def convert(value: Any) -> Any:
                return keys.get(_scalar_key(value), value)

        return TypeInfo(schema, convert, lambda value: _scalar_key(value) in keys)

    def _union(self, members: tuple[Any, ...]) -> TypeInfo:
        infos = [self.build(m) for m in members]
        schema = {"anyOf": [info.schema for info in infos]}
        matchers = [info.match for info in infos]

        def match(value: Any) -> bool:
            return any(m(value) for m in matchers)

        if all(info.convert is None for info in infos):
            return TypeInfo(schema, None, match)
        not_none = [
            info for info, m in zip(infos, members) if m is not None and m is not _NONE_TYPE
        ]
        if len(not_none) == 1 and len(infos) == 2:  # Optional[X]: the common case, kept cheap
            inner = not_none[0].convert
            assert inner is not None

            def convert_optional(value: Any) -> Any:
                return None if value is None else inner(value)

            return TypeInfo(schema, convert_optional, match)
        branches = [(info.match, info.convert) for info in infos]

        def convert(value: Any) -> Any:
            for branch_match, branch_convert in branches:
                if branch_match(value):
                    return value if branch_convert is None else branch_convert(value)
            # No member has this exact shape (extra keys, say): take the first that accepts it.
            for _, branch_convert in branches:
                if branch_convert is None:
                    return value
                try:
                    return branch_convert(value)
                except Exception:
                    continue
            return value

        return TypeInfo(schema, convert, match)

    def _generic(self, tp: Any, origin: Any, args: tuple[Any, ...]) -> TypeInfo:
        if origin in _LIST_ORIGINS or origin in _SET_ORIGINS:
            item = self.build(args[0] if args else Any)
            schema: dict[str, Any] = {"type": "array", "items": item.schema}
            item_convert = item.convert
            if origin in _LIST_ORIGINS:
                if item_convert is None:
                    return TypeInfo(schema, None, _is_list)
                return TypeInfo(schema, lambda v: [item_convert(x) for x in v], _is_list)
            schema["uniqueItems"] = True
            make = frozenset if origin is frozenset else set
            if item_convert is None:
                return TypeInfo(schema, make, _is_list)
            return TypeInfo(schema, lambda v: make(item_convert(x) for x in v), _is_list)
        if origin is tuple:
            return self._tuple(tp, args)
        if origin in _DICT_ORIGINS:
            return self._dict(tp, args)
        raise UnsupportedType(tp)

    def _tuple(self, tp: Any, args: tuple[Any, ...]) -> TypeInfo:
        if not args or (len(args) == 2 and args[1] is Ellipsis):
            item = self.build(args[0] if args else Any)
            item_convert = item.convert
            if item_convert is None:
                return TypeInfo({"type": "array", "items": item.schema}, tuple, _is_list)
            return TypeInfo(
                {"type": "array", "items": item.schema},
                lambda v: tuple(item_convert(x) for x in v),
                _is_list,
            )
        if args == ((),):  # Tuple[()] on older Pythons: the empty tuple
            args = ()
        infos = [self.build(a) for a in args]
        n = len(infos)
        schema = {
            "type": "array",
            "prefixItems": [i.schema for i in infos],
            "minItems": n,
            "maxItems": n,
        }
        steps = [(i.convert, i.match) for i in infos]

        def convert(value: Any) -> Any:
            return tuple(x if c is None else c(x) for (c, _), x in zip(steps, value))

        def match(value: Any) -> bool:
            return (
                isinstance(value, list)
                and len(value) == n
                and all(m(x) for (_, m), x in zip(steps, value))
            )

        return TypeInfo(schema, convert, match)

    def _dict(self, tp: Any, args: tuple[Any, ...]) -> TypeInfo:
        key_type, value_type = args if len(args) == 2 else (str, Any)
        key_convert: Optional[Converter] = None
        if key_type is int:
            key_convert = int
        elif key_type not in (str, Any):
            key_info = self.build(key_type)
            if key_info.schema.get("type") != "string" and "$ref" not in key_info.schema:
                raise UnsupportedType(tp, "dictionary keys must be strings (or int, Enum, Literal)")
            key_convert = key_info.convert
        value = self.build(value_type)
        additional: Any = value.schema if value.schema else True
        schema = {"type": "object", "additionalProperties": additional}
        value_convert = value.convert
        if key_convert is None and value_convert is None:
            return TypeInfo(schema, None, _is_dict)
        kc: Converter = key_convert or _identity
        vc: Converter = value_convert or _identity
        return TypeInfo(schema, lambda v: {kc(k): vc(x) for k, x in v.items()}, _is_dict)

    # --- named classes (shared under $defs) ----------------------------------------------------

    def _class(self, cls: type, make: Callable[[type, str, list[Any]], dict[str, Any]]) -> TypeInfo:
        known = self._classes.get(cls)
        if known is None:
            name = cls.__name__
            suffix = 2
            while name in self._reserved:
                name = f"{cls.__name__}{suffix}"
                suffix += 1
            self._reserved.add(name)
            cell: list[Any] = [None, None]
            known = self._classes[cls] = (name, cell)
            outer_globalns = self._globalns
            module = sys.modules.get(getattr(cls, "__module__", ""), None)
            self._globalns = dict(getattr(module, "__dict__", {}))
            try:
                self.defs[name] = make(cls, name, cell)
            except UnsupportedType:
                del self._classes[cls]
                raise
            finally:
                self._globalns = outer_globalns
        name, cell = known
        convert = cell[0]
        match = cell[1]
        if convert is None or match is None:  # still being built: refer through the cell

            def convert(value: Any) -> Any:
                return cell[0](value)

            def match(value: Any) -> bool:
                return bool(cell[1](value))

        return TypeInfo({"$ref": f"#/$defs/{name}"}, convert, match)

    def _enum(self, cls: Any, name: str, cell: list[Any]) -> dict[str, Any]:
        values = [member.value for member in cls]
        if not all(isinstance(v, _JSON_SCALARS) for v in values):
            raise UnsupportedType(cls, "Enum values must be str, int, float, bool or None")
        types = list(dict.fromkeys(_json_type(v) for v in values))
        schema: dict[str, Any] = {"enum": values, "title": cls.__name__}
        if types:
            schema["type"] = types[0] if len(types) == 1 else types
        _add_class_doc(schema, cls)
        members = {_scalar_key(member.value): member for member in cls}

        def convert(value: Any) -> Any:
            member = members.get(_scalar_key(value))
            return cls(value) if member is None else member

        cell[0], cell[1] = convert, lambda value: _scalar_key(value) in members
        return schema

    def _object_fields(
        self, cls: type, fields: list[tuple[str, Any, bool, Any, Optional[str]]], cell: list[Any]
    ) -> tuple[dict[str, Any], list[tuple[str, Optional[Converter]]]]:
        """The object schema for (name, annotation, required, default, description) fields."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        plans: list[tuple[str, Optional[Converter]]] = []
        for name, annotation, is_required, default, description in fields:
            try:
                info = self.build(annotation)
            except UnsupportedType as exc:
                exc.trail.append(f"field {name!r} of {cls.__qualname__}")
                raise
            prop = dict(info.schema)
            if description:
                prop["description"] = description
            if is_required:
                required.append(name)
            elif default is not EMPTY and json_value(default) is not NOT_JSON:
                prop["default"] = json_value(default)
            properties[name] = prop
            plans.append((name, info.convert))
        schema: dict[str, Any] = {
            "type": "object",
            "title": cls.__name__,
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        _add_class_doc(schema, cls)
        required_set, known = frozenset(required), frozenset(properties)

        def match(value: Any) -> bool:
            return isinstance(value, dict) and required_set <= value.keys() <= known

        cell[1] = match
        return schema, plans

    def _dataclass(self, cls: Any, name: str, cell: list[Any]) -> dict[str, Any]:
        hints = self._class_hints(cls)
        fields: list[tuple[str, Any, bool, Any, Optional[str]]] = []
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            has_default = f.default is not dataclasses.MISSING
            has_factory = f.default_factory is not dataclasses.MISSING
            default = f.default if has_default else EMPTY
            description = f.metadata.get("description") if f.metadata else None
            fields.append(
                (
                    f.name,
                    hints.get(f.name, f.type),
                    not (has_default or has_factory),
                    default,
                    description,
                )
            )
        schema, plans = self._object_fields(cls, fields, cell)

        def convert(value: dict[str, Any]) -> Any:
            kwargs = {}
            for key, conv in plans:
                if key in value:
                    kwargs[key] = value[key] if conv is None else conv(value[key])
            return cls(**kwargs)

        cell[0] = convert
        return schema

    def _typed_dict(self, cls: Any, name: str, cell: list[Any]) -> dict[str, Any]:
        hints = self._class_hints(cls)
        required_keys = getattr(cls, "__required_keys__", frozenset(hints))
        fields: list[tuple[str, Any, bool, Any, Optional[str]]] = []
        for key, annotation in hints.items():
            is_required = key in required_keys
            # Required[]/NotRequired[]/ReadOnly[] wrappers: read the requirement, keep the type.
            while _special_form_name(get_origin(annotation)) in (
                "Required",
                "NotRequired",
                "ReadOnly",
            ):
                form = _special_form_name(get_origin(annotation))
                if form != "ReadOnly":
                    is_required = form == "Required"
                annotation = get_args(annotation)[0]
            fields.append((key, annotation, is_required, EMPTY, ""))
        schema, plans = self._object_fields(cls, fields, cell)
        converting = [(k, c) for k, c in plans if c is not None]
        if not converting:
            cell[0] = _identity
            return schema

        def convert(value: dict[str, Any]) -> Any:
            out = dict(value)
            for key, conv in converting:
                if key in out:
                    out[key] = conv(out[key])
            return out

        cell[0] = convert
        return schema

    def _named_tuple(self, cls: Any, name: str, cell: list[Any]) -> dict[str, Any]:
        hints = self._class_hints(cls)
        defaults = getattr(cls, "_field_defaults", {})
        infos = [self.build(hints.get(f, Any)) for f in cls._fields]
        schema = {
            "type": "array",
            "title": cls.__name__,
            "prefixItems": [i.schema for i in infos],
            "minItems": sum(1 for f in cls._fields if f not in defaults),
            "maxItems": len(infos),
        }
        converts = [i.convert or _identity for i in infos]
        cell[0] = lambda value: cls(*[c(x) for c, x in zip(converts, value)])
        cell[1] = lambda value: isinstance(value, list) and len(value) <= len(infos)
        return schema

    def _pydantic_model(self, cls: Any, name: str, cell: list[Any]) -> dict[str, Any]:
        try:
            raw = copy.deepcopy(cls.model_json_schema())
        except Exception as exc:  # pydantic refuses some field types
            raise UnsupportedType(cls, f"pydantic cannot describe it: {exc}") from None
        ref = raw.get("$ref")
        if isinstance(ref, str) and set(raw) <= {"$ref", "$defs"}:
            # A recursive model: its body sits in its own $defs entry, which becomes ours.
            own = ref.split("/")[-1]
            bodies = raw.get("$defs") or {}
            schema = self._adopt_foreign(dict(bodies.pop(own)), bodies, {own: name})
        else:
            schema = self._adopt_foreign(raw, raw.pop("$defs", None) or {}, {})
        if schema.get("type") == "object":
            required = frozenset(schema.get("required", ()))
            known = frozenset(schema.get("properties", ()))

            def match(value: Any) -> bool:
                return isinstance(value, dict) and required <= value.keys() <= known

            cell[1] = match
        else:
            cell[1] = _any
        cell[0] = cls.model_validate
        return schema

    def _pydantic_adapter(self, tp: Any) -> TypeInfo:
        import pydantic  # only reached when pydantic objects are in the annotation

        try:
            adapter = pydantic.TypeAdapter(tp)
            raw = adapter.json_schema()
        except Exception as exc:
            raise UnsupportedType(tp, f"pydantic cannot describe it: {exc}") from None
        schema = self._adopt_foreign(raw, raw.pop("$defs", None) or {}, {})
        return TypeInfo(schema, adapter.validate_python, _any)

    def _adopt_foreign(
        self, schema: dict[str, Any], foreign: dict[str, Any], renames: dict[str, str]
    ) -> dict[str, Any]:
        """Move a foreign schema's `$defs` into ours, renaming the ones whose names are taken."""
        for name, body in foreign.items():
            target = name
            suffix = 2
            while target in self._reserved and self.defs.get(target) != body:
                target = f"{name}{suffix}"
                suffix += 1
            renames[name] = target
            self._reserved.add(target)
        for name, body in foreign.items():
            self.defs[renames[name]] = _rename_refs(body, renames)
        return _rename_refs(schema, renames)

    # --- type hints ----------------------------------------------------------------------------

    def _class_hints(self, cls: Any) -> dict[str, Any]:
        return class_hints(cls, self._globalns, lambda: self._local_namespace(vars(cls)))

    def _local_namespace(self, extra: Any) -> dict[str, Any]:
        if self._caller_ns is None:
            self._caller_ns = caller_locals()
        return {**self._caller_ns, **dict(extra)}


def _identity(value: Any) -> Any:
    return value


def _add_class_doc(schema: dict[str, Any], cls: Any) -> None:
    doc = cls.__dict__.get("__doc__")
    if not isinstance(doc, str) or not doc.strip():
        return
    doc = inspect.cleandoc(doc)
    # dataclasses write "Name(field: type, ...)" when there is no docstring; Enum used to
    # write "An enumeration.": neither says anything about this class.
    if doc.startswith(f"{cls.__name__}(") or doc == "An enumeration.":
        return
    schema["description"] = doc


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {k: _rename_refs(v, renames) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            out["$ref"] = "#/$defs/" + renames.get(ref[len("#/$defs/") :], ref[len("#/$defs/") :])
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


def _special_form_name(origin: Any) -> Optional[str]:
    if origin is None:
        return None
    name = getattr(origin, "_name", None) or getattr(origin, "__name__", None)
    module = getattr(origin, "__module__", "")
    return name if module in ("typing", "typing_extensions") else None


def _is_typeddict(tp: Any) -> bool:
    return (
        isinstance(tp, type)
        and issubclass(tp, dict)
        and hasattr(tp, "__required_keys__")
        and hasattr(tp, "__annotations__")
    )


def _is_pydantic_model(tp: Any) -> bool:
    main = sys.modules.get("pydantic.main")  # loaded whenever a model class exists
    return main is not None and isinstance(tp, type) and issubclass(tp, main.BaseModel)


def is_object_type(tp: Any) -> bool:
    """Whether `tp` is described as a JSON object with fixed properties (dataclass, TypedDict,
    pydantic model)."""
    if get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    if not isinstance(tp, type):
        return False
    return dataclasses.is_dataclass(tp) or _is_typeddict(tp) or _is_pydantic_model(tp)


def pydantic_field_info(value: Any) -> Any:
    fields_module = sys.modules.get("pydantic.fields")
    if fields_module is not None and isinstance(value, fields_module.FieldInfo):
        return value
    return None


NOT_JSON: Any = object()


def json_value(value: Any) -> Any:
    """`value` as JSON (for a schema's "default"), or `NOT_JSON` when it has no JSON form."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return json_value(value.value)
    if isinstance(value, (list, tuple)):
        items = [json_value(v) for v in value]
        return NOT_JSON if any(v is NOT_JSON for v in items) else items
    if isinstance(value, dict):
        out = {k: json_value(v) for k, v in value.items()}
        if all(isinstance(k, str) for k in out) and NOT_JSON not in out.values():
            return out
    return NOT_JSON
