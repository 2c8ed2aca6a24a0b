"""Offline mode for the tool examples: scripted replies from a local OpenAI-compatible server.

With `OPENAI_API_KEY` set, `serve_offline()` does nothing and the example talks to the OpenAI
API. Without a key it starts a `LocalOpenAIServer` whose replies come from the example's own
`respond(body)` function (it sees each Responses API request body and returns what a model would:
a string or a list of output items), points the default OpenAI client at it, and prints a first
line saying so. The builders below make the output items of the local-execution tools.
"""

from __future__ import annotations

import atexit
import itertools
import os
from typing import Any, Callable, Optional

from agents_lite.testing import LocalOpenAIServer

_ids = itertools.count(1)


def serve_offline(respond: Callable[[dict[str, Any]], Any]) -> Optional[LocalOpenAIServer]:
    """Answer model requests with `respond(request_body)` unless an OpenAI key is set."""
    if os.environ.get("OPENAI_API_KEY"):
        return None
    from agents_lite.models.defaults import (
        OpenAIClient,
        set_default_openai_api,
        set_default_openai_client,
    )
    from agents_lite.tracing import set_tracing_disabled

    server = LocalOpenAIServer().start()
    server.set_responder(lambda request: respond(request.body))
    set_default_openai_client(OpenAIClient(base_url=server.base_url, api_key="sk-offline"),
                              use_for_tracing=False)
    set_default_openai_api("responses")
    set_tracing_disabled(True)
    os.environ["OPENAI_BASE_URL"] = server.base_url
    atexit.register(server.stop)
    print("offline: scripted replies from a local server (set OPENAI_API_KEY to call the OpenAI "
          "API)", flush=True)
    return server


# --- reading a request ----------------------------------------------------------------------


def items_of(body: dict[str, Any], kind: Optional[str] = None) -> list[dict[str, Any]]:
    """The request's input items (of one `type`, if given)."""
    raw = body.get("input")
    items = [{"role": "user", "content": raw}] if isinstance(raw, str) else list(raw or [])
    return [i for i in items if kind is None or i.get("type") == kind]


def last_user_text(body: dict[str, Any]) -> str:
    """The text of the last user message."""
    for item in reversed(items_of(body)):
        if item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, str):
                return content
            return "".join(p.get("text", "") for p in content or [] if isinstance(p, dict))
    return ""


def since_last_user(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """Items of `kind` after the last user message (this turn's tool outputs)."""
    items = items_of(body)
    start = max((i for i, item in enumerate(items) if item.get("role") == "user"), default=-1)
    return [i for i in items[start + 1:] if i.get("type") == kind]


# --- output items of the local-execution tools ------------------------------------------------


def _call_id() -> str:
    return f"call_offline_{next(_ids)}"


def shell_call(*commands: str) -> dict[str, Any]:
    """A `shell_call` asking to run `commands` in order."""
    return {"type": "shell_call", "id": f"sh_{next(_ids)}", "call_id": _call_id(),
            "action": {"commands": list(commands)}, "status": "completed"}


def apply_patch_call(kind: str, path: str, diff: Optional[str] = None) -> dict[str, Any]:
    """An `apply_patch_call`: kind is create_file, update_file or delete_file."""
    operation: dict[str, Any] = {"type": kind, "path": path}
    if diff is not None:
        operation["diff"] = diff
    return {"type": "apply_patch_call", "id": f"apc_{next(_ids)}", "call_id": _call_id(),
            "operation": operation, "status": "completed"}


def computer_call(action: dict[str, Any], checks: Optional[list[dict[str, Any]]] = None
                  ) -> dict[str, Any]:
    """A `computer_call` with one action and optional pending safety checks."""
    return {"type": "computer_call", "id": f"cu_{next(_ids)}", "call_id": _call_id(),
            "action": action, "pending_safety_checks": checks or [], "status": "completed"}
