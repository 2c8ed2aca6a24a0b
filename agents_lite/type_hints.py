"""Evaluating type annotations, including the string ones `from __future__ import annotations` makes.

Besides `typing.get_type_hints`, this handles what it cannot: `X | Y` strings on Python 3.9, and
classes defined next to a function (in the calling scope rather than at module level).
"""

from __future__ import annotations

import inspect
import sys
import typing
from typing import Any, Callable, ForwardRef, Optional, Union


def parameter_hints(func: Any, params: list[inspect.Parameter]) -> dict[str, Any]:
    """Each parameter's evaluated annotation.

    `inspect.Parameter.empty` when there is none; the string itself when it cannot be evaluated.
    """
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except Exception:
        hints = None
    if hints is not None:
        return {p.name: hints.get(p.name, p.annotation) for p in params}
    target = function_object(func)
    globalns = function_globals(func)
    closure = inspect.getclosurevars(target).nonlocals if inspect.isfunction(target) else {}
    localns: Optional[dict[str, Any]] = None
    out: dict[str, Any] = {}
    for param in params:
        annotation = param.annotation
        if isinstance(annotation, str):
            if localns is None:
                localns = {**caller_locals(), **closure}
            try:
                annotation = evaluate_annotation(annotation, globalns, localns)
            except AnnotationError:
                pass  # kept as a string: a context annotation is still recognised by name
        out[param.name] = annotation
    return out


def class_hints(
    cls: Any, globalns: dict[str, Any], local_namespace: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """The evaluated annotations of a class (dataclass, TypedDict, ...), including inherited ones.

    Annotations that cannot be evaluated stay strings, to be reported with the field's name.
    """
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except Exception:
        pass
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for key, annotation in klass.__dict__.get("__annotations__", {}).items():
            if isinstance(annotation, (str, ForwardRef)):
                try:
                    annotation = evaluate_annotation(annotation, globalns, local_namespace())
                except AnnotationError:
                    pass
            hints[key] = annotation
    return hints


def function_object(func: Any) -> Any:
    """The plain function behind a bound method, partial or decorated wrapper."""
    target = func
    while hasattr(target, "func") and not hasattr(target, "__code__"):  # functools.partial
        target = target.func
    return inspect.unwrap(getattr(target, "__func__", target))


def function_globals(func: Any) -> dict[str, Any]:
    """The module namespace a callable's string annotations are evaluated in."""
    globalns = getattr(function_object(func), "__globals__", None)
    if globalns is None:  # a callable object: its __call__ method's module
        call_method = type(func).__dict__.get("__call__")
        globalns = getattr(call_method, "__globals__", {})
    return dict(globalns)


class AnnotationError(Exception):
    """A string annotation that cannot be evaluated."""

    def __init__(self, annotation: str, reason: str) -> None:
        super().__init__(f"{annotation!r}: {reason}")
        self.annotation = annotation
        self.reason = reason


def evaluate_annotation(annotation: Any, globalns: dict[str, Any], localns: dict[str, Any]) -> Any:
    text = annotation.__forward_arg__ if isinstance(annotation, ForwardRef) else annotation
    try:
        return eval(text, globalns, localns)  # noqa: S307 - the user's own annotation text
    except TypeError:
        pass  # `X | Y` before Python 3.10: rewrite the unions below
    except Exception as exc:
        raise AnnotationError(text, f"cannot evaluate it: {exc}") from None
    import ast  # only for `X | Y` strings on Python 3.9

    try:
        tree = _union_rewriter().visit(ast.parse(text, mode="eval"))
        code = compile(ast.fix_missing_locations(tree), "<annotation>", "eval")
        return eval(code, globalns, {**localns, "__union__": _make_union})  # noqa: S307
    except Exception as exc:
        raise AnnotationError(text, f"cannot evaluate it: {exc}") from None


def _make_union(*members: Any) -> Any:
    return Union[members]


def _is_own_module(name: str) -> bool:
    return name == "agents_lite" or name.startswith("agents_lite.")


_CALLER_FRAMES = 4


def caller_locals() -> dict[str, Any]:
    """Locals of the nearest few frames outside this package, nearest first.

    A tool function is usually defined in one of them (possibly behind a helper or decorator),
    so classes defined next to it resolve under `from __future__ import annotations`.
    """
    frame: Any = sys._getframe(1)
    while frame is not None and _is_own_module(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
    merged: dict[str, Any] = {}
    for _ in range(_CALLER_FRAMES):
        if frame is None:
            break
        if frame.f_locals is not frame.f_globals:  # module level: its globals are used anyway
            for key, value in frame.f_locals.items():
                merged.setdefault(key, value)
        frame = frame.f_back
    return merged


def _union_rewriter() -> Any:
    """An AST transformer rewriting `A | B` into `__union__(A, B)` (for Python 3.9)."""
    import ast

    class UnionRewriter(ast.NodeTransformer):
        def visit_BinOp(self, node: ast.BinOp) -> Any:
            self.generic_visit(node)
            if isinstance(node.op, ast.BitOr):
                return ast.Call(
                    func=ast.Name(id="__union__", ctx=ast.Load()),
                    args=[node.left, node.right],
                    keywords=[],
                )
            return node

    return UnionRewriter()
