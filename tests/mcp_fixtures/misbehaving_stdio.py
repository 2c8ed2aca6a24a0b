"""A tiny stdio MCP server in plain Python (no `mcp` package) that can misbehave on purpose.

    python misbehaving_stdio.py [MODE ...]

Without modes it is a correct server (fast to start) with tools `echo {text}`, `sleep {seconds}`
(answered from a thread, so replies can come back out of order), `ask_client` (sends the client
a `ping` and a `sampling/createMessage` request and returns the client's answers) and
`change_tools` (sends `notifications/tools/list_changed`). Modes add faults:

  exit_during_call    tools/call: write to stderr and exit with code 7
  never_answer        tools/call: never reply (cancellations are reported on stderr)
  non_json            print a banner on stdout at start; tools/call of `echo` prints garbage instead
  rpc_error           tools/call: JSON-RPC error -32602; `flaky` tool fails once with -32603
  bad_schema          tools/list includes tools whose inputSchema is not a valid JSON schema
  duplicate_tools     tools/list names a tool twice
  ignore_initialized  reply to `notifications/initialized` with an error; send a notification and a
                      ping before answering initialize
  unknown_version     answer initialize with protocol version 1999-01-01
  old_version         answer initialize with protocol version 2024-11-05
  paginate            tools/list in three pages
  repeat_cursor       tools/list pages repeat the same cursor forever
  slow_start          sleep 30 s before answering initialize
  stubborn            ignore SIGTERM and keep running after stdin closes (only SIGKILL ends it)
  shared=NAME         tool names get the prefix NAME_ (for distinct-name tests)

Every message received is logged on stderr as `recv <method or id>`.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

MODES = set(a for a in sys.argv[1:] if "=" not in a)
OPTIONS = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
PREFIX = OPTIONS["shared"] + "_" if "shared" in OPTIONS else ""
_write_lock = threading.Lock()
_client_replies: dict[str, Any] = {}
_client_reply_event = threading.Condition()
_flaky_failed = [False]


def send(message: dict[str, Any]) -> None:
    with _write_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def log(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def tool(name: str, schema: Any = None, description: str = "") -> dict[str, Any]:
    return {
        "name": PREFIX + name,
        "description": description or f"The {name} tool.",
        "inputSchema": schema if schema is not None else {"type": "object", "properties": {}},
    }


TOOLS = [
    tool(
        "echo",
        {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
        "Echo the text back.",
    ),
    tool("sleep", {"type": "object", "properties": {"seconds": {"type": "number"}}}),
    tool("ask_client"),
    tool("change_tools"),
    tool("flaky"),
    tool("env"),
]


def result_text(request_id: Any, text: str, is_error: bool = False) -> None:
    send({"jsonrpc": "2.0", "id": request_id,
          "result": {"content": [{"type": "text", "text": text}], "isError": is_error}})


def handle_initialize(request_id: Any) -> None:
    if "slow_start" in MODES:
        time.sleep(30)
    if "ignore_initialized" in MODES:
        send({"jsonrpc": "2.0", "method": "notifications/message",
              "params": {"level": "info", "data": "hello before init"}})
        send({"jsonrpc": "2.0", "id": "srv-ping-0", "method": "ping"})
    version = "2025-06-18"
    if "unknown_version" in MODES:
        version = "1999-01-01"
    elif "old_version" in MODES:
        version = "2024-11-05"
    send({"jsonrpc": "2.0", "id": request_id, "result": {
        "protocolVersion": version,
        "capabilities": {"tools": {"listChanged": True}},
        "serverInfo": {"name": "misbehaving", "version": "0"},
        "futureField": {"ignored": True},
    }})


def handle_list(request_id: Any, params: dict[str, Any]) -> None:
    tools = list(TOOLS)
    if "bad_schema" in MODES:
        tools.append(tool("typo_type", {"type": "object", "properties": {"x": {"type": "strng"}}}))
        tools.append(tool("not_an_object", ["x"]))
        tools.append(tool("array_root", {"type": "array", "items": {"type": "string"}}))
    if "duplicate_tools" in MODES:
        tools.append(tool("echo"))
    cursor = params.get("cursor")
    if "repeat_cursor" in MODES:
        send({"jsonrpc": "2.0", "id": request_id, "result": {"tools": tools[:1], "nextCursor": "same"}})
        return
    if "paginate" in MODES:
        pages = {None: (tools[:2], "p2"), "p2": (tools[2:4], "p3"), "p3": (tools[4:], None)}
        page, next_cursor = pages[cursor]
        body: dict[str, Any] = {"tools": page}
        if next_cursor:
            body["nextCursor"] = next_cursor
        send({"jsonrpc": "2.0", "id": request_id, "result": body})
        return
    send({"jsonrpc": "2.0", "id": request_id, "result": {"tools": tools}})


def ask_client(request_id: Any) -> None:
    send({"jsonrpc": "2.0", "id": "srv-1", "method": "ping"})
    send({"jsonrpc": "2.0", "id": "srv-2", "method": "sampling/createMessage", "params": {}})
    deadline = time.time() + 5
    with _client_reply_event:
        while len([k for k in _client_replies if k in ("srv-1", "srv-2")]) < 2:
            left = deadline - time.time()
            if left <= 0:
                break
            _client_reply_event.wait(left)
        answers = {k: _client_replies.get(k) for k in ("srv-1", "srv-2")}
    result_text(request_id, json.dumps(answers))


def handle_call(request_id: Any, params: dict[str, Any]) -> None:
    name = params.get("name", "")
    if PREFIX and name.startswith(PREFIX):
        name = name[len(PREFIX):]
    args = params.get("arguments") or {}
    if "exit_during_call" in MODES:
        log("misbehaving: exiting during a call")
        os._exit(7)
    if "never_answer" in MODES:
        return
    if "rpc_error" in MODES and name != "flaky":
        send({"jsonrpc": "2.0", "id": request_id,
              "error": {"code": -32602, "message": f"Unknown tool: {name}", "data": {"tool": name}}})
        return
    if name == "echo":
        if "non_json" in MODES:
            sys.stdout.write("oops, this is not JSON\n")
            sys.stdout.flush()
            return
        result_text(request_id, str(args.get("text", "")))
    elif name == "sleep":
        seconds = float(args.get("seconds", 0))

        def later() -> None:
            time.sleep(seconds)
            result_text(request_id, f"slept {seconds:g}")

        threading.Thread(target=later, daemon=True).start()
    elif name == "ask_client":
        threading.Thread(target=ask_client, args=(request_id,), daemon=True).start()
    elif name == "change_tools":
        send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
        result_text(request_id, "changed")
    elif name == "flaky":
        if not _flaky_failed[0]:
            _flaky_failed[0] = True
            send({"jsonrpc": "2.0", "id": request_id,
                  "error": {"code": -32603, "message": "transient failure"}})
        else:
            result_text(request_id, "worked the second time")
    elif name == "env":
        result_text(request_id, json.dumps(sorted(os.environ)))
    else:
        send({"jsonrpc": "2.0", "id": request_id,
              "error": {"code": -32602, "message": f"Unknown tool: {name}"}})


def main() -> None:
    if "stubborn" in MODES:
        import signal

        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if "non_json" in MODES:
        sys.stdout.write("Misbehaving server v0 starting (this banner is not JSON)\n")
        sys.stdout.flush()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        message = json.loads(line)
        method = message.get("method")
        request_id = message.get("id")
        log(f"recv {method or ('reply ' + str(request_id))}")
        if method is None:  # a reply to one of our requests
            with _client_reply_event:
                _client_replies[str(request_id)] = message
                _client_reply_event.notify_all()
            continue
        params = message.get("params") or {}
        if method == "initialize":
            handle_initialize(request_id)
        elif method == "notifications/initialized":
            if "ignore_initialized" in MODES:
                send({"jsonrpc": "2.0", "id": None,
                      "error": {"code": -32601, "message": "Method not found"}})
        elif method == "notifications/cancelled":
            log(f"cancelled {params.get('requestId')} reason={params.get('reason')}")
        elif method == "ping":
            send({"jsonrpc": "2.0", "id": request_id, "result": {}})
        elif method == "tools/list":
            handle_list(request_id, params)
        elif method == "tools/call":
            handle_call(request_id, params)
        elif request_id is not None:
            send({"jsonrpc": "2.0", "id": request_id,
                  "error": {"code": -32601, "message": f"Method not found: {method}"}})
    if "stubborn" in MODES:
        log("stdin closed; staying alive")
        while True:
            time.sleep(1)


if __name__ == "__main__":
    main()
