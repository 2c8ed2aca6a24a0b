"""apply_patch: the V4A diff applier, WorkspaceEditor confinement, and ApplyPatchTool over HTTP."""

from __future__ import annotations

import builtins
import itertools
import os
import stat

import pytest

from agents_lite import Agent, ModelBehaviorError, Runner, RunState, UserError
from agents_lite.apply_diff import DiffError, apply_diff, parse_diff
from agents_lite.apply_patch import (
    ApplyPatchEditor,
    ApplyPatchOperation,
    ApplyPatchResult,
    ApplyPatchTool,
    WorkspaceEditor,
)
from agents_lite.models.http import HTTPClient
from agents_lite.models.openai_chatcompletions import OpenAIChatCompletionsModel
from agents_lite.models.openai_responses import OpenAIResponsesModel
from agents_lite.testing.scripted import text_message
from agents_lite.testing.server import LocalOpenAIServer
from agents_lite.tool_guardrails import ToolGuardrailFunctionOutput, tool_input_guardrail

_ids = itertools.count(1)


def patch_call(kind: str, path: str, diff: str | None = None, call_id: str | None = None) -> dict:
    operation = {"type": kind, "path": path}
    if diff is not None:
        operation["diff"] = diff
    n = next(_ids)
    return {"type": "apply_patch_call", "id": f"apc_{n}", "call_id": call_id or f"call_p{n}",
            "operation": operation, "status": "completed"}


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


def sent_outputs(server: LocalOpenAIServer, index: int) -> list[dict]:
    """The apply_patch outputs request `index` sent that the request before it did not."""
    bodies = [r.body for r in server.requests_to("/v1/responses")]

    def outputs(body: dict) -> list[dict]:
        return [item for item in body["input"] if item.get("type") == "apply_patch_call_output"]

    earlier = {o["call_id"] for o in outputs(bodies[index - 1])} if index else set()
    return [o for o in outputs(bodies[index]) if o["call_id"] not in earlier]


# --- apply_diff ----------------------------------------------------------------------------------

SOURCE = "import os\n\ndef f():\n    return 1\n\ndef g():\n    return 1\n"


def test_diff_with_context_replaces_the_matching_lines():
    diff = " def f():\n-    return 1\n+    return 2\n"
    assert apply_diff(SOURCE, diff) == SOURCE.replace("return 1", "return 2", 1)


def test_anchor_selects_the_later_of_two_identical_blocks():
    diff = "@@ def g():\n-    return 1\n+    return 3\n"
    assert apply_diff(SOURCE, diff).endswith("def g():\n    return 3\n")
    assert "def f():\n    return 1" in apply_diff(SOURCE, diff)


def test_several_hunks_apply_in_order_and_end_of_file_anchors_the_last():
    diff = "@@\n-import os\n+import sys\n@@\n def g():\n-    return 1\n+    return 4\n*** End of File\n"
    out = apply_diff(SOURCE, diff)
    assert out.startswith("import sys\n") and out.endswith("    return 4\n")


def test_pure_insertion_after_an_anchor_and_unified_headers():
    assert apply_diff("a\nb\n", "@@ a\n+inserted\n") == "a\ninserted\nb\n"
    assert apply_diff("a\nb\n", "@@ -1,2 +1,2 @@\n a\n-b\n+c\n") == "a\nc\n"


def test_whitespace_tolerant_matching_keeps_the_files_own_context():
    text = "x = 1   \ny = 2\n"
    assert apply_diff(text, " x = 1\n-y = 2\n+y = 3\n") == "x = 1   \ny = 3\n"


def test_crlf_files_keep_their_line_endings_and_missing_final_newline_stays_missing():
    assert apply_diff("a\r\nb\r\n", " a\n-b\n+c\n") == "a\r\nc\r\n"
    assert apply_diff("a\nb", " a\n-b\n+c\n") == "a\nc"


def test_wrong_context_raises_diff_error_naming_the_lines():
    with pytest.raises(DiffError, match="hunk 1 does not apply") as info:
        apply_diff(SOURCE, " def h():\n-    return 1\n+    return 2\n")
    assert "def h():" in str(info.value)
    with pytest.raises(DiffError, match="was not found"):
        apply_diff(SOURCE, "@@ class Missing:\n-    return 1\n+    return 2\n")
    with pytest.raises(DiffError, match="at the end of the file"):
        apply_diff(SOURCE, "@@\n-import os\n+import sys\n*** End of File\n")


def test_malformed_diffs_raise():
    for bad in ("", "@@\n", "?what\n", " a\n*** Update File: x\n"):
        with pytest.raises(DiffError):
            apply_diff("a\n", bad)
    with pytest.raises(DiffError, match="only contain"):
        apply_diff("", "+ok\nnot added\n", mode="create")


def test_create_mode_and_parse():
    assert apply_diff("", "+line one\n+\n+line three\n", mode="create") == "line one\n\nline three\n"
    assert apply_diff("", "", mode="create") == ""
    hunks = parse_diff("@@ class A\n@@     def m():\n-x\n+y\n")
    assert hunks[0].anchors == ["class A", "    def m():"] and hunks[0].old_lines == ["x"]


# --- WorkspaceEditor -----------------------------------------------------------------------------


@pytest.fixture
def layout(tmp_path):
    """A workspace and, next to it, an outside directory holding a secret."""
    work = tmp_path / "work"
    outside = tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP SECRET\n")
    (work / "notes.txt").write_text("alpha\nbeta\n")
    return work, outside


def test_editor_creates_updates_and_deletes(layout):
    work, _ = layout
    editor = WorkspaceEditor(work)
    created = editor.create_file(ApplyPatchOperation("create_file", "src/pkg/new.py", "+x = 1\n"))
    assert created == ApplyPatchResult("completed", "Created src/pkg/new.py")
    assert (work / "src/pkg/new.py").read_text() == "x = 1\n"
    os.chmod(work / "notes.txt", 0o600)
    updated = editor.update_file(ApplyPatchOperation("update_file", "notes.txt", " alpha\n-beta\n+gamma\n"))
    assert updated.status == "completed"
    assert (work / "notes.txt").read_text() == "alpha\ngamma\n"
    assert stat.S_IMODE(os.stat(work / "notes.txt").st_mode) == 0o600  # mode kept by the rename
    assert editor.delete_file(ApplyPatchOperation("delete_file", "notes.txt")).status == "completed"
    assert not (work / "notes.txt").exists()
    assert [p.name for p in work.iterdir() if p.name.startswith(".agents-lite-")] == []


def test_a_hunk_that_does_not_apply_fails_and_leaves_the_file_untouched(layout):
    work, _ = layout
    before = (work / "notes.txt").read_bytes()
    mtime = os.stat(work / "notes.txt").st_mtime_ns
    result = WorkspaceEditor(work).update_file(
        ApplyPatchOperation("update_file", "notes.txt", " nothing like this\n-beta\n+x\n"))
    assert result.status == "failed"
    assert "hunk 1 does not apply" in result.output and "not changed" in result.output
    assert (work / "notes.txt").read_bytes() == before
    assert os.stat(work / "notes.txt").st_mtime_ns == mtime


def test_binary_missing_existing_and_directory_targets_fail_clearly(layout):
    work, _ = layout
    (work / "blob.bin").write_bytes(b"\x89PNG\x00\x01\x02beta\n")
    (work / "latin1.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    (work / "dir").mkdir()
    editor = WorkspaceEditor(work)
    cases = [
        (editor.update_file(ApplyPatchOperation("update_file", "blob.bin", "-beta\n+x\n")), "binary"),
        (editor.update_file(ApplyPatchOperation("update_file", "latin1.txt", "-x\n+y\n")), "binary"),
        (editor.delete_file(ApplyPatchOperation("delete_file", "missing.txt")), "no such file"),
        (editor.update_file(ApplyPatchOperation("update_file", "missing.txt", "+x\n")), "no such file"),
        (editor.create_file(ApplyPatchOperation("create_file", "notes.txt", "+x\n")), "already exists"),
        (editor.delete_file(ApplyPatchOperation("delete_file", "dir")), "not a regular file"),
        (editor.create_file(ApplyPatchOperation("create_file", "notes.txt/child", "+x\n")), "Cannot create"),
    ]
    for result, expected in cases:
        assert result.status == "failed" and expected in result.output, result
    assert (work / "blob.bin").read_bytes() == b"\x89PNG\x00\x01\x02beta\n"
    assert (work / "notes.txt").read_text() == "alpha\nbeta\n"


def test_size_limit(layout):
    work, _ = layout
    (work / "big.txt").write_text("a\n" * 100)
    result = WorkspaceEditor(work, max_file_bytes=50).update_file(
        ApplyPatchOperation("update_file", "big.txt", "-a\n+b\n"))
    assert result.status == "failed" and "larger than 50 bytes" in result.output


def test_no_file_outside_the_workspace_can_be_written_or_read(layout, monkeypatch):
    work, outside = layout
    secret = outside / "secret.txt"
    (work / "link_to_secret").symlink_to(secret)
    (work / "link_to_outside").symlink_to(outside, target_is_directory=True)
    (work / "inner").mkdir()
    (work / "inner" / "up").symlink_to("../..", target_is_directory=True)
    snapshot = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in outside.rglob("*")}
    opened: list[str] = []
    real_open = builtins.open

    def spy_open(file, *args, **kwargs):
        opened.append(os.path.realpath(file))
        return real_open(file, *args, **kwargs)

    import agents_lite.apply_patch as apply_patch_module

    monkeypatch.setattr(apply_patch_module, "open", spy_open, raising=False)
    editor = WorkspaceEditor(work)
    escaping_paths = [
        "../outside/secret.txt", "../outside/new.txt", str(secret), "/etc/passwd",
        "inner/../../outside/secret.txt", "link_to_secret", "link_to_outside/secret.txt",
        "link_to_outside/new.txt", "link_to_outside/sub/new.txt", "inner/up/outside/secret.txt",
        "inner/up/outside/new.txt", "..", "", "C:\\Windows\\system.ini", "a\x00b",
    ]
    for path in escaping_paths:
        results = [
            editor.create_file(ApplyPatchOperation("create_file", path, "+pwned\n")),
            editor.update_file(ApplyPatchOperation("update_file", path, "-TOP SECRET\n+pwned\n")),
            editor.delete_file(ApplyPatchOperation("delete_file", path)),
        ]
        for result in results:
            assert result.status == "failed", (path, result)
            assert "TOP SECRET" not in (result.output or "")
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in outside.rglob("*")} == snapshot
    assert not any(path.startswith(str(outside)) or path.startswith("/etc") for path in opened)
    assert secret.read_text() == "TOP SECRET\n"
    assert os.path.islink(work / "link_to_secret")  # not replaced by a regular file


def test_symlinks_that_stay_inside_the_workspace_are_followed(layout):
    work, _ = layout
    (work / "alias.txt").symlink_to(work / "notes.txt")
    result = WorkspaceEditor(work).update_file(
        ApplyPatchOperation("update_file", "alias.txt", "-beta\n+BETA\n"))
    assert result.status == "completed"
    assert (work / "notes.txt").read_text() == "alpha\nBETA\n"


def test_editor_needs_an_existing_root(tmp_path):
    with pytest.raises(UserError, match="not an existing directory"):
        WorkspaceEditor(tmp_path / "nope")
    with pytest.raises(UserError, match="needs an editor"):
        ApplyPatchTool(None)  # type: ignore[arg-type]


# --- ApplyPatchTool in runs over HTTP ------------------------------------------------------------


def test_run_creates_and_updates_files_and_reports_failures_to_the_model(layout, server, model):
    work, _ = layout
    agent = Agent(name="coder", tools=[ApplyPatchTool(WorkspaceEditor(work))], model=model)
    server.add_response([patch_call("create_file", "hello.py", "+print('hi')\n", call_id="c1")])
    server.add_response([patch_call("update_file", "hello.py", " nope\n-x\n+y\n", call_id="c2"),
                         patch_call("update_file", "hello.py", "-print('hi')\n+print('hello')\n",
                                    call_id="c3")])
    server.add_response([patch_call("delete_file", "ghost.py", call_id="c4"),
                         patch_call("create_file", "../escape.py", "+x\n", call_id="c5")])
    server.add_response("all done")
    result = Runner.run_sync(agent, "write hello.py")
    assert result.final_output == "all done"
    assert (work / "hello.py").read_text() == "print('hello')\n"
    assert not (work.parent / "escape.py").exists()
    first = server.requests_to("/v1/responses")[0].body
    assert first["tools"] == [{"type": "apply_patch"}]
    assert sent_outputs(server, 1) == [{"type": "apply_patch_call_output", "call_id": "c1",
                                        "status": "completed", "output": "Created hello.py"}]
    failed, done = sent_outputs(server, 2)
    assert failed["status"] == "failed" and "does not apply" in failed["output"]
    assert done == {"type": "apply_patch_call_output", "call_id": "c3", "status": "completed",
                    "output": "Updated hello.py"}
    missing, escape = sent_outputs(server, 3)
    assert missing["status"] == escape["status"] == "failed"
    assert "no such file" in missing["output"] and "'..'" in escape["output"]
    outputs = [i for i in result.new_items if i.type == "tool_call_output_item"]
    assert [o.output for o in outputs][:1] == ["Created hello.py"]


def test_approval_interrupts_and_resumes_through_a_serialised_state(layout, server, model):
    work, _ = layout
    tool = ApplyPatchTool(WorkspaceEditor(work), needs_approval=True)
    agent = Agent(name="coder", tools=[tool], model=model)
    server.add_response([patch_call("create_file", "a.txt", "+A\n", call_id="a1"),
                         patch_call("create_file", "b.txt", "+B\n", call_id="b1")])
    server.add_response("done")
    first = Runner.run_sync(agent, "make files")
    assert [(i.tool_name, i.call_id) for i in first.interruptions] == [
        ("apply_patch", "a1"), ("apply_patch", "b1")]
    assert list(work.iterdir()) == [work / "notes.txt"]
    state = RunState.from_string(agent, first.to_state().to_string())
    pending = state.get_interruptions()
    state.approve(pending[0])
    state.reject(pending[1], rejection_message="b.txt is not wanted")
    second = Runner.run_sync(agent, state)
    assert second.final_output == "done"
    assert (work / "a.txt").read_text() == "A\n" and not (work / "b.txt").exists()
    assert sent_outputs(server, 1) == [
        {"type": "apply_patch_call_output", "call_id": "a1", "status": "completed",
         "output": "Created a.txt"},
        {"type": "apply_patch_call_output", "call_id": "b1", "status": "failed",
         "output": "b.txt is not wanted"},
    ]


def test_needs_approval_callable_sees_the_operation_and_on_approval_decides(layout, server, model):
    work, _ = layout
    seen = []

    def deletes_need_approval(ctx, operation, call_id):
        seen.append((operation.type, operation.path, call_id))
        return operation.type == "delete_file"

    def refuse(ctx, item):
        return {"approve": False, "reason": f"deleting is off ({item.call_id})"}

    tool = ApplyPatchTool(WorkspaceEditor(work), needs_approval=deletes_need_approval,
                          on_approval=refuse)
    agent = Agent(name="coder", tools=[tool], model=model)
    server.add_response([patch_call("create_file", "keep.txt", "+k\n", call_id="k1"),
                         patch_call("delete_file", "notes.txt", call_id="d1")])
    server.add_response("ok")
    result = Runner.run_sync(agent, "go")
    assert result.final_output == "ok" and result.interruptions == []
    assert sorted(seen) == [("create_file", "keep.txt", "k1"), ("delete_file", "notes.txt", "d1")]
    assert (work / "notes.txt").exists() and (work / "keep.txt").exists()
    assert sent_outputs(server, 1)[1] == {"type": "apply_patch_call_output", "call_id": "d1",
                                          "status": "failed", "output": "deleting is off (d1)"}


def test_tool_input_guardrail_rejects_an_operation(layout, server, model):
    work, _ = layout

    @tool_input_guardrail
    def no_env_files(data):
        if ".env" in data.context.tool_arguments:
            return ToolGuardrailFunctionOutput.reject_content("editing .env files is not allowed")
        return ToolGuardrailFunctionOutput.allow()

    tool = ApplyPatchTool(WorkspaceEditor(work), tool_input_guardrails=[no_env_files])
    agent = Agent(name="coder", tools=[tool], model=model)
    server.add_response([patch_call("create_file", ".env", "+KEY=1\n", call_id="e1")])
    server.add_response("understood")
    assert Runner.run_sync(agent, "go").final_output == "understood"
    assert not (work / ".env").exists()
    assert sent_outputs(server, 1)[0]["output"] == "editing .env files is not allowed"


def test_an_editor_that_raises_fails_the_call_with_its_message(server, model):
    class Broken(ApplyPatchEditor):
        def create_file(self, operation):
            raise RuntimeError("disk is read-only")

        def update_file(self, operation):
            return "fine"

        def delete_file(self, operation):
            return None

    agent = Agent(name="coder", tools=[ApplyPatchTool(Broken())], model=model)
    server.add_response([patch_call("create_file", "x", "+x\n", call_id="x1"),
                         patch_call("update_file", "y", "-a\n+b\n", call_id="y1"),
                         patch_call("delete_file", "z", call_id="z1")])
    server.add_response("ok")
    Runner.run_sync(agent, "go")
    assert sent_outputs(server, 1) == [
        {"type": "apply_patch_call_output", "call_id": "x1", "status": "failed",
         "output": "disk is read-only"},
        {"type": "apply_patch_call_output", "call_id": "y1", "status": "completed", "output": "fine"},
        {"type": "apply_patch_call_output", "call_id": "z1", "status": "completed"},
    ]


def test_malformed_operations_are_model_behavior_errors(layout, server, model):
    work, _ = layout
    agent = Agent(name="coder", tools=[ApplyPatchTool(WorkspaceEditor(work))], model=model)
    bad = patch_call("rename_file", "a", "+x\n")
    server.add_response([bad])
    with pytest.raises(ModelBehaviorError, match="Unsupported apply_patch operation type"):
        Runner.run_sync(agent, "go")
    server.add_response([patch_call("update_file", "notes.txt")])
    with pytest.raises(ModelBehaviorError, match="has no diff"):
        Runner.run_sync(agent, "go")
    assert (work / "notes.txt").read_text() == "alpha\nbeta\n"


def test_chat_completions_cannot_carry_the_tool(layout, server):
    work, _ = layout
    chat = OpenAIChatCompletionsModel("fake-model",
                                      client=HTTPClient(base_url=server.base_url, max_retries=0))
    agent = Agent(name="coder", tools=[ApplyPatchTool(WorkspaceEditor(work))], model=chat)
    with pytest.raises(UserError, match="apply_patch"):
        Runner.run_sync(agent, "go")
    assert server.requests_to("/v1/chat/completions") == []
    chat.close()


def test_a_patch_call_without_the_tool_is_a_model_behavior_error(server, model):
    server.add_response([patch_call("create_file", "a", "+x\n"), text_message("hm")])
    with pytest.raises(ModelBehaviorError, match="apply_patch_call"):
        Runner.run_sync(Agent(name="plain", model=model), "go")


def test_patches_of_one_turn_apply_in_the_order_the_model_sent_them(layout, server, model):
    work, _ = layout
    (work / "seq.txt").write_text("v0\n")
    agent = Agent(name="coder", tools=[ApplyPatchTool(WorkspaceEditor(work))], model=model)
    steps = [patch_call("update_file", "seq.txt", f"-v{i}\n+v{i + 1}\n", call_id=f"u{i}")
             for i in range(8)]
    server.add_response(steps)
    server.add_response("ok")
    Runner.run_sync(agent, "go")
    assert (work / "seq.txt").read_text() == "v8\n"
    assert [o["status"] for o in sent_outputs(server, 1)] == ["completed"] * 8
