"""The `require_approval` option of MCP servers: which tool calls wait for a human's approval."""

from __future__ import annotations

from typing import Any, Callable, Literal, TypedDict, Union

from ..exceptions import UserError


class RequireApprovalToolList(TypedDict, total=False):
    """`{"tool_names": [...]}`."""

    tool_names: list[str]


class RequireApprovalObject(TypedDict, total=False):
    """`{"always": {"tool_names": [...]}, "never": {"tool_names": [...]}}`."""

    always: RequireApprovalToolList
    never: RequireApprovalToolList


RequireApprovalSetting = Union[
    Literal["always", "never"],
    bool,
    RequireApprovalObject,
    dict[str, Any],
    Callable[..., Any],
    None,
]
"""Which calls need a human's approval: "always"/"never" (or a bool), per tool
(`{"tool_name": "always"|"never"|bool}` or `{"always": {"tool_names": [...]}, "never": {...}}`),
or a callable `(run_context, agent, tool) -> bool`."""

def normalize_require_approval(setting: RequireApprovalSetting) -> Any:
    """bool, a {tool name: bool} map, or a callable."""
    if setting is None:
        return False
    if isinstance(setting, bool):
        return setting
    if isinstance(setting, str):
        if setting not in ("always", "never"):
            raise UserError(f"require_approval must be 'always' or 'never', got {setting!r}")
        return setting == "always"
    if callable(setting):
        return setting
    if isinstance(setting, dict):
        if "always" in setting or "never" in setting:
            mapping: dict[str, bool] = {}
            for key, flag in (("always", True), ("never", False)):
                entry: Any = setting.get(key) or {}
                names = entry.get("tool_names", []) if isinstance(entry, dict) else entry
                for name in names or []:
                    mapping[str(name)] = flag
            return mapping
        mapping = {}
        for name, value in setting.items():
            if isinstance(value, bool):
                mapping[str(name)] = value
            elif value in ("always", "never"):
                mapping[str(name)] = value == "always"
            else:
                raise UserError(
                    f"require_approval[{name!r}] must be 'always', 'never' or a bool, got {value!r}"
                )
        return mapping
    raise UserError(f"Unsupported require_approval value: {setting!r}")
