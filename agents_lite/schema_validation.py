"""jsonschema validation with compiled validators (jsonschema is imported on first use only)."""

from __future__ import annotations

from typing import Any, Callable, Optional

Checker = Callable[[Any], Optional[str]]
"""Returns None when the value is valid, else a one-line description of the first error."""


def compile_validator(schema: dict[str, Any]) -> Checker:
    """Compile `schema` once and return a checker for values."""
    import jsonschema  # deferred: ~100 ms of import time that plain runs never pay

    validator_cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    validator = validator_cls(schema)

    def check(value: Any) -> Optional[str]:
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path)
        return f"{error.message} (at '{where}')" if where else error.message

    return check


def check_schema(schema: dict[str, Any]) -> Optional[str]:
    """None if `schema` is itself a valid JSON schema, else the problem."""
    import jsonschema

    validator_cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        validator_cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as exc:
        return exc.message
    return None
