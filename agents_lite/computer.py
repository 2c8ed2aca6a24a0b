"""The computer-use tool: the model looks at screenshots and asks for clicks and keystrokes.

You implement `Computer` (a browser driver, a VM, or `agents_lite.testing.MemoryComputer` for
tests); `ComputerTool` executes each `computer_call` the model sends on it and answers with a
`computer_call_output` holding a new screenshot as a `data:image/png;base64,...` URL.
"""

from __future__ import annotations

import abc
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, cast

from .exceptions import ModelBehaviorError, UserError
from .local_tool import ApprovalSetting, LocalTool, call_id_of
from .tool import _run_maybe_async

if TYPE_CHECKING:
    from .agent import Agent
    from .run_context import RunContextWrapper, ToolContext

__all__ = [
    "Environment",
    "Button",
    "Computer",
    "ComputerTool",
    "ComputerToolSafetyCheckData",
    "COMPUTER_ACTION_TYPES",
]

logger = logging.getLogger("agents_lite")

Environment = Literal["mac", "windows", "ubuntu", "linux", "browser"]
Button = Literal["left", "right", "wheel", "back", "forward"]
COMPUTER_ACTION_TYPES = frozenset(
    ["click", "double_click", "drag", "keypress", "move", "screenshot", "scroll", "type", "wait"]
)


class Computer(abc.ABC):
    """A screen the model can operate, with blocking methods.

    Give it an `environment` ("browser", "mac", "windows", "ubuntu" or "linux") and `dimensions`
    (width, height in pixels); `screenshot()` returns a base64-encoded PNG.
    """

    @property
    def environment(self) -> Optional[Environment]:
        """The kind of screen, sent to the model with the tool."""
        return None

    @property
    def dimensions(self) -> Optional[tuple[int, int]]:
        """(width, height) of the screen in pixels."""
        return None

    @abc.abstractmethod
    def screenshot(self) -> str:
        """The screen as a base64-encoded PNG."""

    @abc.abstractmethod
    def click(self, x: int, y: int, button: Button) -> None:
        """Click at (x, y) with `button`."""

    @abc.abstractmethod
    def double_click(self, x: int, y: int) -> None:
        """Double-click at (x, y)."""

    @abc.abstractmethod
    def scroll(self, x: int, y: int, scroll_x: int, scroll_y: int) -> None:
        """Scroll by (scroll_x, scroll_y) with the pointer at (x, y)."""

    @abc.abstractmethod
    def type(self, text: str) -> None:
        """Type `text`."""

    @abc.abstractmethod
    def wait(self) -> None:
        """Wait a moment (for a page to load, say)."""

    @abc.abstractmethod
    def move(self, x: int, y: int) -> None:
        """Move the pointer to (x, y)."""

    @abc.abstractmethod
    def keypress(self, keys: list[str]) -> None:
        """Press `keys` together (e.g. ["CTRL", "C"])."""

    @abc.abstractmethod
    def drag(self, path: list[tuple[int, int]]) -> None:
        """Press, move along `path`, release."""


@dataclass
class ComputerToolSafetyCheckData:
    """A pending safety check the model's computer call carries, given to `on_safety_check`."""

    ctx_wrapper: RunContextWrapper[Any]
    agent: Agent[Any]
    tool_call: dict[str, Any]
    """The `computer_call` item."""
    safety_check: dict[str, Any]
    """`{"id", "code", "message"}`."""


SafetyCheckFunction = Callable[[ComputerToolSafetyCheckData], Any]


def _int(action: dict[str, Any], key: str) -> int:
    value = action.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ModelBehaviorError(
            f"Computer action {action.get('type')!r} needs a number {key!r}, got {value!r}"
        )
    return int(value)


def _actions(call: dict[str, Any]) -> list[dict[str, Any]]:
    """The call's actions: `actions` (a batch) or the single `action`."""
    batch = call.get("actions")
    if isinstance(batch, list) and batch:
        actions = batch
    elif isinstance(call.get("action"), dict):
        actions = [call["action"]]
    else:
        raise ModelBehaviorError("computer_call has no action")
    for action in actions:
        if not isinstance(action, dict):
            raise ModelBehaviorError(f"computer_call action must be an object, got {action!r}")
    return actions


def perform_action(computer: Computer, action: dict[str, Any]) -> Optional[str]:
    """Run one computer action; returns the screenshot for "screenshot" actions, else None.
    Raises `ModelBehaviorError` for an unknown action type or missing fields."""
    kind = action.get("type")
    if kind == "click":
        button = action.get("button") or "left"
        if button not in ("left", "right", "wheel", "back", "forward"):
            raise ModelBehaviorError(f"Computer action 'click' has an unknown button {button!r}")
        computer.click(_int(action, "x"), _int(action, "y"), cast(Button, button))
    elif kind == "double_click":
        computer.double_click(_int(action, "x"), _int(action, "y"))
    elif kind == "drag":
        points = action.get("path")
        if not isinstance(points, list) or not points:
            raise ModelBehaviorError("Computer action 'drag' needs a non-empty path")
        computer.drag([(_int(p, "x"), _int(p, "y")) if isinstance(p, dict)
                       else _bad_point(p) for p in points])
    elif kind == "keypress":
        keys = action.get("keys")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise ModelBehaviorError(f"Computer action 'keypress' needs a list of keys, got {keys!r}")
        computer.keypress(list(keys))
    elif kind == "move":
        computer.move(_int(action, "x"), _int(action, "y"))
    elif kind == "screenshot":
        return computer.screenshot()
    elif kind == "scroll":
        computer.scroll(_int(action, "x"), _int(action, "y"),
                        _int(action, "scroll_x"), _int(action, "scroll_y"))
    elif kind == "type":
        text = action.get("text")
        if not isinstance(text, str):
            raise ModelBehaviorError(f"Computer action 'type' needs a text string, got {text!r}")
        computer.type(text)
    elif kind == "wait":
        computer.wait()
    else:
        raise ModelBehaviorError(f"Computer tool returned unknown action type {kind!r}")
    return None


def _bad_point(point: Any) -> tuple[int, int]:
    raise ModelBehaviorError(f"Computer action 'drag' path points must be objects, got {point!r}")


def _data_url(screenshot: Any) -> str:
    if not isinstance(screenshot, str) or not screenshot:
        raise UserError("Computer.screenshot() must return a base64-encoded PNG string")
    if screenshot.startswith("data:"):
        return screenshot
    return f"data:image/png;base64,{screenshot}"


class ComputerTool(LocalTool):
    """The Responses API computer-use tool (`computer_use_preview`), executed on `computer`.

    Args:
        computer: your `Computer`; its `environment` and `dimensions` are sent with the tool.
        on_safety_check: `(ComputerToolSafetyCheckData) -> bool` for each pending safety check of
            a call; True acknowledges it (it is echoed in `acknowledged_safety_checks`). A call
            with a pending check that is not acknowledged (or with no callback) is not executed
            and the run stops with `UserError`.
        needs_approval: True, or `(run_context, action: dict, call_id) -> bool`, to stop the run for
            a human decision first. A rejected call is not executed; the model gets a fresh
            screenshot of the unchanged screen (a computer output carries no text).
        tool_input_guardrails: tool input guardrails on the action (JSON in
            `context.tool_arguments`); `reject_content` skips the action like a rejection.

    An action of an unknown type raises `ModelBehaviorError`, as in the reference SDK.
    """

    call_item_type = "computer_call"

    def __init__(
        self,
        computer: Computer,
        on_safety_check: Optional[SafetyCheckFunction] = None,
        needs_approval: ApprovalSetting = False,
        *,
        name: str = "computer_use_preview",
        tool_input_guardrails: Optional[list[Any]] = None,
    ) -> None:
        if computer is None or not callable(getattr(computer, "screenshot", None)):
            raise UserError("ComputerTool needs a Computer (e.g. ComputerTool(MyComputer()))")
        if on_safety_check is not None and not callable(on_safety_check):
            raise UserError("ComputerTool: on_safety_check must be callable")
        self.computer = computer
        self.on_safety_check = on_safety_check
        self._init_common(name, needs_approval, None, tool_input_guardrails, None)

    def to_wire(self) -> dict[str, Any]:
        """The Responses API tool definition (environment and display size of the computer)."""
        environment = self.computer.environment
        dimensions = self.computer.dimensions
        if environment is None or dimensions is None:
            raise UserError(
                "ComputerTool: the computer must define `environment` and `dimensions` "
                "(width, height)"
            )
        width, height = dimensions
        return {
            "type": "computer_use_preview",
            "environment": environment,
            "display_width": int(width),
            "display_height": int(height),
        }

    def approval_params(self, call: dict[str, Any]) -> Any:
        """The call's action (or the list of actions of a batched call)."""
        actions = _actions(call)
        return actions[0] if len(actions) == 1 and "actions" not in call else actions

    def rejection_output(self, call: dict[str, Any], message: str) -> dict[str, Any]:
        """A screenshot of the unchanged screen: the action was not performed."""
        return self._output(call, _data_url(self.computer.screenshot()), None)

    def run_call(
        self, tool_context: ToolContext[Any], agent: Agent[Any], call: dict[str, Any]
    ) -> tuple[dict[str, Any], Any]:
        """Acknowledge safety checks, perform the actions, then take a screenshot."""
        actions = _actions(call)
        acknowledged = self._acknowledge(tool_context, agent, call)
        last_shot: Optional[str] = None
        for action in actions:
            last_shot = perform_action(self.computer, action)
        if last_shot is None:
            last_shot = self.computer.screenshot()
        image_url = _data_url(last_shot)
        return self._output(call, image_url, acknowledged), image_url

    def _acknowledge(
        self, ctx: RunContextWrapper[Any], agent: Agent[Any], call: dict[str, Any]
    ) -> Optional[list[dict[str, Any]]]:
        checks = call.get("pending_safety_checks") or []
        if not checks:
            return None
        acknowledged = []
        for check in checks:
            check = check if isinstance(check, dict) else {"id": str(check)}
            summary = f"{check.get('code') or 'safety check'}: {check.get('message') or ''}"
            if self.on_safety_check is None:
                raise UserError(
                    f"The computer call carries a pending safety check ({summary}); pass "
                    "ComputerTool(on_safety_check=...) to review and acknowledge it"
                )
            data = ComputerToolSafetyCheckData(ctx_wrapper=ctx, agent=agent, tool_call=call,
                                               safety_check=check)
            if not _run_maybe_async(self.on_safety_check, data):
                raise UserError(f"Computer tool safety check was not acknowledged ({summary})")
            acknowledged.append({key: check.get(key) for key in ("id", "code", "message")
                                 if check.get(key) is not None})
        return acknowledged

    @staticmethod
    def _output(
        call: dict[str, Any], image_url: str, acknowledged: Optional[list[dict[str, Any]]]
    ) -> dict[str, Any]:
        raw: dict[str, Any] = {
            "type": "computer_call_output",
            "call_id": call_id_of(call),
            "output": {"type": "computer_screenshot", "image_url": image_url},
        }
        if acknowledged:
            raw["acknowledged_safety_checks"] = acknowledged
        return raw
