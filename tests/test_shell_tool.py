"""Shell tools: LocalShellExecutor (timeouts, output caps, confinement) and ShellTool /
LocalShellTool in runs over the local server, with approvals and guardrails."""

from __future__ import annotations

import itertools
import json
import os
import sys
import time

import pytest

from agents_lite import Agent, ModelBehaviorError, Runner, RunState, UserError
from agents_lite.models.http import HTTPClient
from agents_lite.models.openai_chatcompletions import OpenAIChatCompletionsModel
from agents_lite.models.openai_responses import OpenAIResponsesModel
from agents_lite.shell import (
    CommandRefusedError,
    LocalShellExecutor,
    LocalShellTool,
    ShellActionRequest,
    ShellCallOutcome,
    ShellCommandOutput,
    ShellResult,
    ShellTool,
)
from agents_lite.testing.server import LocalOpenAIServer
from agents_lite.tool_guardrails import ToolGuardrailFunctionOutput, tool_output_guardrail

PY = sys.executable
_ids = itertools.count(1)


def shell_call(*commands: str, call_id: str | None = None, timeout_ms: int | None = None,
               max_output_length: int | None = None) -> dict:
    action: dict = {"commands": list(commands)}
    if timeout_ms is not None:
        action["timeout_ms"] = timeout_ms
    if max_output_length is not None:
        action["max_output_length"] = max_output_length
    n = next(_ids)
    return {"type": "shell_call", "id": f"sh_{n}", "call_id": call_id or f"call_s{n}",
            "action": action, "status": "completed"}


def local_shell_call(command: list[str], call_id: str | None = None, **action) -> dict:
    n = next(_ids)
    return {"type": "local_shell_call", "id": f"lsh_{n}", "call_id": call_id or f"call_l{n}",
            "action": {"type": "exec", "command": command, "env": {}, **action},
            "status": "completed"}


@pytest.fixture
def server():
    with LocalOpenAIServer() as srv:
        yield srv


@pytest.fixture
def model(server):
    responses_model = OpenAIResponsesModel(
        "fake-model", client=HTTPClient(base_url=server.base_url, max_retries=0))
    yield responses_model
    responses_model.close()


def new_outputs(server: LocalOpenAIServer, index: int, kind: str) -> list[dict]:
    """The `kind` outputs request `index` sent that the request before it did not."""
    bodies = [r.body for r in server.requests_to("/v1/responses")]

    def outputs(body: dict) -> list[dict]:
        return [item for item in body["input"] if item.get("type") == kind]

    earlier = {o["call_id"] for o in outputs(bodies[index - 1])} if index else set()
    return [o for o in outputs(bodies[index]) if o["call_id"] not in earlier]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with open(f"/proc/{pid}/stat") as handle:  # a zombie waiting to be reaped is gone too
        return handle.read().split()[2] == "Z"


# --- LocalShellExecutor --------------------------------------------------------------------------


def test_argv_commands_run_without_a_shell(tmp_path):
    executor = LocalShellExecutor(tmp_path)
    result = executor.run(["echo", "$HOME", "a|b"])
    assert result.stdout == "$HOME a|b\n" and result.exit_code == 0 and not result.timed_out
    assert executor.run("echo 'two words'").stdout == "two words\n"


def test_shell_strings_need_permission(tmp_path):
    strict = LocalShellExecutor(tmp_path)
    for command in ("echo hi | tr a-z A-Z", "ls > out", "echo $HOME", "ls *.py", "a; b", "a && b"):
        with pytest.raises(CommandRefusedError, match="shell syntax"):
            strict.run(command)
    assert not (tmp_path / "out").exists()
    relaxed = LocalShellExecutor(tmp_path, allow_shell_strings=True)
    assert relaxed.run("echo hi | tr a-z A-Z").stdout == "HI\n"


def test_a_hanging_command_and_its_children_are_killed_at_the_timeout(tmp_path):
    executor = LocalShellExecutor(tmp_path, timeout=0.5, allow_shell_strings=True)
    result = executor.run("sleep 60 & echo $! > child.pid; sleep 60")
    assert result.timed_out and result.exit_code is None
    child = int((tmp_path / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _gone(child), "the background child survived the timeout"


def test_processes_left_behind_are_killed_when_the_command_exits(tmp_path):
    executor = LocalShellExecutor(tmp_path, timeout=10, allow_shell_strings=True)
    result = executor.run("sleep 60 & echo $! > child.pid; echo started")
    assert result.stdout == "started\n" and result.exit_code == 0 and not result.timed_out
    child = int((tmp_path / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _gone(child)


def test_100_mb_of_output_is_capped_while_reading(tmp_path):
    executor = LocalShellExecutor(tmp_path, max_output_bytes=10_000)
    script = "import sys; [sys.stdout.write('x' * 1_000_000) for _ in range(100)]; " \
             "sys.stderr.write('e' * 20_000)"
    result = executor.run([PY, "-c", script])
    assert result.exit_code == 0
    assert result.stdout_dropped_bytes == 100_000_000 - 10_000
    assert result.stdout.startswith("x" * 10_000)
    assert result.stdout.endswith("[... output truncated: 99990000 more bytes not shown ...]")
    assert len(result.stdout) < 10_100
    assert result.stderr_dropped_bytes == 10_000 and result.stderr.startswith("e" * 10_000)


def test_endless_output_is_capped_and_killed_at_the_timeout(tmp_path):
    result = LocalShellExecutor(tmp_path, timeout=0.3, max_output_bytes=1000).run(["yes"])
    assert result.timed_out and len(result.stdout) < 1100
    assert result.stdout.startswith("y\ny\n") and result.stdout_dropped_bytes > 0


def test_missing_programs_and_failing_commands(tmp_path):
    executor = LocalShellExecutor(tmp_path)
    missing = executor.run(["definitely-not-a-program-xyz"])
    assert missing.exit_code == 127 and "command not found" in missing.stderr
    failing = executor.run([PY, "-c", "import sys; print('oops', file=sys.stderr); sys.exit(3)"])
    assert failing.exit_code == 3 and failing.stderr == "oops\n"
    killed = executor.run([PY, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"])
    assert killed.exit_code == 128 + 15


def test_working_directory_is_confined(tmp_path):
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    (work / "escape").symlink_to(tmp_path, target_is_directory=True)
    executor = LocalShellExecutor(work)
    assert executor.run(["pwd"]).stdout.strip() == str(work)
    assert executor.run(["pwd"], working_directory="sub").stdout.strip() == str(work / "sub")
    assert executor.run(["pwd"], working_directory=str(work / "sub")).exit_code == 0
    for bad in ("..", "../..", "/etc", "/", "escape", "sub/../..", str(tmp_path), "missing"):
        with pytest.raises(CommandRefusedError):
            executor.run(["pwd"], working_directory=bad)


def test_minimal_environment_unless_one_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTS_LITE_TEST_SECRET", "hunter2")
    minimal = LocalShellExecutor(tmp_path).run(["env"]).stdout
    assert "hunter2" not in minimal and f"HOME={os.path.realpath(tmp_path)}" in minimal
    given = LocalShellExecutor(tmp_path, env={"ONLY": "this"}).run(["env"], env={"EXTRA": "1"})
    assert sorted(given.stdout.split()) == ["EXTRA=1", "ONLY=this"]


def test_executor_arguments_are_validated(tmp_path):
    with pytest.raises(UserError):
        LocalShellExecutor(tmp_path / "missing")
    with pytest.raises(UserError):
        LocalShellExecutor(tmp_path, timeout=0)
    with pytest.raises(CommandRefusedError):
        LocalShellExecutor(tmp_path).run([])
    with pytest.raises(UserError, match="needs an executor"):
        ShellTool()
    with pytest.raises(UserError, match="not supported"):
        ShellTool(LocalShellExecutor(tmp_path), environment={"type": "container_auto"})
    with pytest.raises(UserError, match="needs an executor"):
        LocalShellTool(None)


# --- ShellTool over the local server -------------------------------------------------------------


def test_shell_call_round_trip(tmp_path, server, model):
    (tmp_path / "a.txt").write_text("hello file\n")
    agent = Agent(name="ops", tools=[ShellTool(LocalShellExecutor(tmp_path))], model=model)
    server.add_response([shell_call("cat a.txt", "ls missing-dir", "no-such-cmd-xyz",
                                    "echo hi | cat", call_id="s1")])
    server.add_response("done")
    result = Runner.run_sync(agent, "look around")
    assert result.final_output == "done"
    first = server.requests_to("/v1/responses")[0].body
    assert first["tools"] == [{"type": "shell", "environment": {"type": "local"}}]
    (output,) = new_outputs(server, 1, "shell_call_output")
    assert output["call_id"] == "s1" and set(output) == {"type", "call_id", "output"}
    cat, ls, missing, piped = output["output"]
    assert cat == {"stdout": "hello file\n", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}
    assert ls["outcome"]["exit_code"] != 0 and "missing-dir" in ls["stderr"]
    assert missing["outcome"] == {"type": "exit", "exit_code": 127}
    assert piped["outcome"] == {"type": "exit", "exit_code": 126}
    assert "shell syntax is not allowed" in piped["stderr"]
    text = next(i for i in result.new_items if i.type == "tool_call_output_item").output
    assert "$ cat a.txt\nhello file\n[exit code 0]" in text


def test_shell_call_limits_timeout_and_output_length(tmp_path, server, model):
    executor = LocalShellExecutor(tmp_path, timeout=10, allow_shell_strings=True)
    agent = Agent(name="ops", tools=[ShellTool(executor)], model=model)
    server.add_response([shell_call("sleep 30", "echo after", timeout_ms=300, call_id="t1"),
                         shell_call(f"{PY} -c \"print('z' * 5000)\"", max_output_length=100,
                                    call_id="t2")])
    server.add_response("ok")
    Runner.run_sync(agent, "go")
    timed, capped = new_outputs(server, 1, "shell_call_output")
    assert timed["output"][0]["outcome"] == {"type": "timeout"}
    assert timed["output"][1]["outcome"] == {"type": "timeout"}
    assert "time limit" in timed["output"][1]["stderr"]
    assert capped["max_output_length"] == 100
    assert capped["output"][0]["stdout"].startswith("z" * 100)
    assert "more characters not shown" in capped["output"][0]["stdout"]
    assert len(capped["output"][0]["stdout"]) < 160


def test_shell_approval_interrupts_rejects_and_resumes(tmp_path, server, model):
    seen: list[ShellActionRequest] = []

    def only_risky(ctx, action, call_id):
        seen.append(action)
        return any(command.startswith("touch") for command in action.commands)

    tool = ShellTool(LocalShellExecutor(tmp_path), needs_approval=only_risky)
    agent = Agent(name="ops", tools=[tool], model=model)
    server.add_response([shell_call("echo safe", call_id="ok1"),
                         shell_call("touch created.txt", call_id="risky1"),
                         shell_call("touch other.txt", call_id="risky2")])
    server.add_response("finished")
    first = Runner.run_sync(agent, "go")
    assert [i.call_id for i in first.interruptions] == ["risky1", "risky2"]
    assert not (tmp_path / "created.txt").exists()
    assert ShellActionRequest(commands=["echo safe"]) in seen  # calls run concurrently
    state = RunState.from_json(agent, json.loads(json.dumps(first.to_state().to_json())))
    state.approve(state.get_interruptions()[0])
    state.reject(state.get_interruptions()[1])
    second = Runner.run_sync(agent, state)
    assert second.final_output == "finished"
    assert (tmp_path / "created.txt").exists() and not (tmp_path / "other.txt").exists()
    outputs = {o["call_id"]: o for o in new_outputs(server, 1, "shell_call_output")}
    assert outputs["ok1"]["output"][0]["stdout"] == "safe\n"
    assert outputs["risky1"]["output"][0]["outcome"] == {"type": "exit", "exit_code": 0}
    assert outputs["risky2"]["output"] == [{"stdout": "", "stderr": "Tool execution was not approved.",
                                            "outcome": {"type": "exit", "exit_code": 1}}]


def test_on_approval_auto_approves(tmp_path, server, model):
    decisions = []

    def auto(ctx, item):
        decisions.append(item.call_id)
        return {"approve": True}

    tool = ShellTool(LocalShellExecutor(tmp_path), needs_approval=True, on_approval=auto)
    server.add_response([shell_call("touch auto.txt", call_id="a1")])
    server.add_response("done")
    result = Runner.run_sync(Agent(name="ops", tools=[tool], model=model), "go")
    assert result.final_output == "done" and decisions == ["a1"]
    assert (tmp_path / "auto.txt").exists()


def test_custom_executors_strings_results_and_failures(server, model):
    def executor(request):
        first = request.data.action.commands[0]
        if first == "boom":
            raise RuntimeError("executor exploded")
        if first == "text":
            return "plain text result"
        return ShellResult(output=[ShellCommandOutput(
            stdout="o", stderr="e", outcome=ShellCallOutcome(type="exit", exit_code=5))])

    agent = Agent(name="ops", tools=[ShellTool(executor)], model=model)
    server.add_response([shell_call("boom", call_id="b"), shell_call("text", call_id="t"),
                         shell_call("structured", call_id="s")])
    server.add_response("ok")
    Runner.run_sync(agent, "go")
    outputs = {o["call_id"]: o["output"] for o in new_outputs(server, 1, "shell_call_output")}
    assert outputs["b"] == [{"stdout": "", "stderr": "RuntimeError: executor exploded",
                             "outcome": {"type": "exit", "exit_code": 1}}]
    assert outputs["t"] == [{"stdout": "plain text result", "stderr": "",
                             "outcome": {"type": "exit", "exit_code": 0}}]
    assert outputs["s"] == [{"stdout": "o", "stderr": "e", "outcome": {"type": "exit", "exit_code": 5}}]


def test_tool_output_guardrail_replaces_the_output(tmp_path, server, model):
    (tmp_path / "creds").write_text("password=hunter2\n")

    @tool_output_guardrail
    def redact(data):
        if "password" in data.output:
            return ToolGuardrailFunctionOutput.reject_content("output withheld: it held a password")
        return ToolGuardrailFunctionOutput.allow()

    tool = ShellTool(LocalShellExecutor(tmp_path), tool_output_guardrails=[redact])
    server.add_response([shell_call("cat creds", call_id="c1")])
    server.add_response("ok")
    Runner.run_sync(Agent(name="ops", tools=[tool], model=model), "go")
    (output,) = new_outputs(server, 1, "shell_call_output")
    assert output["output"][0]["stderr"] == "output withheld: it held a password"
    assert "hunter2" not in json.dumps(server.requests_to("/v1/responses")[1].body)


def test_malformed_shell_calls_are_model_behavior_errors(tmp_path, server, model):
    agent = Agent(name="ops", tools=[ShellTool(LocalShellExecutor(tmp_path))], model=model)
    bad = shell_call("x")
    bad["action"]["commands"] = [1, 2]
    server.add_response([bad])
    with pytest.raises(ModelBehaviorError, match="list of strings"):
        Runner.run_sync(agent, "go")


# --- LocalShellTool ------------------------------------------------------------------------------


def test_local_shell_round_trip_refusals_and_approval(tmp_path, server, model):
    (tmp_path / "sub").mkdir()
    tool = LocalShellTool(LocalShellExecutor(tmp_path),
                          needs_approval=lambda ctx, action, call_id: action["command"][0] == "rm")
    agent = Agent(name="ops", tools=[tool], model=model)
    (tmp_path / "victim.txt").write_text("x")
    server.add_response([
        local_shell_call(["pwd"], call_id="l1", working_directory="sub"),
        local_shell_call(["ls"], call_id="l2", working_directory="/etc"),
        local_shell_call(["sh", "-c", "exit 4"], call_id="l3"),
        local_shell_call(["rm", "victim.txt"], call_id="l4"),
    ])
    server.add_response("done")
    first = Runner.run_sync(agent, "go")
    assert [i.call_id for i in first.interruptions] == ["l4"] and (tmp_path / "victim.txt").exists()
    assert server.requests_to("/v1/responses")[0].body["tools"] == [{"type": "local_shell"}]
    state = first.to_state()
    state.reject(first.interruptions[0], rejection_message="keep the victim")
    assert Runner.run_sync(agent, state).final_output == "done"
    outputs = {o["call_id"]: json.loads(o["output"])
               for o in new_outputs(server, 1, "local_shell_call_output")}
    assert outputs["l1"]["output"] == f"{os.path.realpath(tmp_path / 'sub')}\n"
    assert outputs["l1"]["metadata"]["exit_code"] == 0
    assert outputs["l2"]["metadata"]["exit_code"] == 126 and "outside" in outputs["l2"]["output"]
    assert outputs["l3"]["metadata"]["exit_code"] == 4
    assert outputs["l4"] == {"output": "keep the victim", "metadata": {"exit_code": 1}}
    assert (tmp_path / "victim.txt").exists()


def test_local_shell_timeout(tmp_path, server, model):
    tool = LocalShellTool(LocalShellExecutor(tmp_path, timeout=5))
    server.add_response([local_shell_call(["sleep", "30"], call_id="h1", timeout_ms=300)])
    server.add_response("ok")
    Runner.run_sync(Agent(name="ops", tools=[tool], model=model), "go")
    (output,) = new_outputs(server, 1, "local_shell_call_output")
    data = json.loads(output["output"])
    assert data["metadata"]["timed_out"] is True and data["metadata"]["exit_code"] is None
    assert "timed out after 0.3 seconds" in data["output"]


def test_chat_completions_cannot_carry_shell_tools(tmp_path, server):
    chat = OpenAIChatCompletionsModel("fake-model",
                                      client=HTTPClient(base_url=server.base_url, max_retries=0))
    for tool in (ShellTool(LocalShellExecutor(tmp_path)), LocalShellTool(LocalShellExecutor(tmp_path))):
        with pytest.raises(UserError, match="shell"):
            Runner.run_sync(Agent(name="ops", tools=[tool], model=chat), "go")
    assert server.requests_to("/v1/chat/completions") == []
    chat.close()


def test_streamed_run_yields_the_call_and_output_items(tmp_path, server, model):
    agent = Agent(name="ops", tools=[ShellTool(LocalShellExecutor(tmp_path))], model=model)
    server.add_response([shell_call("echo streamed", call_id="st1")])
    server.add_response("done")
    result = Runner.run_streamed(agent, "go")
    named = [(e.name, e.item.raw_item["type"]) for e in result.stream_events()
             if e.type == "run_item_stream_event"]
    assert named == [("tool_called", "shell_call"), ("tool_output", "shell_call_output"),
                     ("message_output_created", "message")]
    assert result.final_output == "done"
