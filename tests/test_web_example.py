"""examples/web: the Flask chat page, in a real headless Chromium and through Flask's test client.

The browser test starts `examples/web/app.py` as a user would (no OPENAI_API_KEY, so it answers
with its local scripted model), asks two questions, watches the answer grow, approves a tool
call and reloads the page to see the conversation kept in SQLite.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import require

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "examples" / "web"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
CHROME_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--window-size=1100,900",
]


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # Flask finds its templates through the module's file
    spec.loader.exec_module(module)
    return module


try:
    import flask  # noqa: F401
except ImportError:  # the web example needs Flask (in the test extras)
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip("flask is not installed", allow_module_level=True)
web_app = _load("agents_lite_web_example_app", WEB / "app.py")
demo_model = _load("agents_lite_web_example_model", WEB / "demo_model.py")


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture
def served_app(tmp_path):
    """`python examples/web/app.py` on a free port, offline, slow enough to watch it type."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        [sys.executable, str(WEB / "app.py"), "--port", "0", "--db", str(tmp_path / "chat.db"),
         "--event-delay", "0.06"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 30
        url = None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            found = re.search(r"Serving the chat on (http://\S+/)", line)
            url = found.group(1) if found else None
        assert url, f"the app did not start: {lines}"
        yield url, lines
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def browser(tmp_path):
    require(CHROMIUM is not None and CHROMEDRIVER is not None,
            "chromium and chromedriver are not installed (Debian: chromium chromium-driver)")
    require(importlib.util.find_spec("selenium") is not None, "selenium is not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chrome-profile'}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


LAST_ANSWER_JS = """
const all = document.querySelectorAll('.msg.assistant');
const b = all[all.length - 1];
if (!b) return null;
return [b.querySelector('.text').textContent, b.dataset.done,
        [...b.querySelectorAll('.badge')].map(x => x.className + ' | ' + x.textContent),
        !!b.querySelector('.approval-box .approve:not([disabled])')];
"""


def _watch_answer(driver: Any, until: str, timeout: float = 30) -> tuple[list[int], list[Any]]:
    """Poll the last answer until `until` ("done" or "approval"); returns the text lengths seen
    while it was being written, and the final state."""
    lengths: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = driver.execute_script(LAST_ANSWER_JS)
        if state is not None:
            text, done, _badges, approval = state
            if done == "1" or (until == "approval" and approval):
                return lengths, state
            if not lengths or lengths[-1] != len(text):
                lengths.append(len(text))
        time.sleep(0.02)
    raise AssertionError(f"the answer never finished: {driver.execute_script(LAST_ANSWER_JS)}")


def _ask(driver: Any, question: str) -> None:
    from selenium.webdriver.common.by import By

    prompt = driver.find_element(By.ID, "prompt")
    prompt.send_keys(question)
    driver.find_element(By.ID, "send").click()


def _bubbles(driver: Any) -> list[tuple[str, str, list[str]]]:
    return driver.execute_script("""
        return [...document.querySelectorAll('#messages .msg')].map(m => [
            m.classList.contains('user') ? 'user' : 'assistant',
            m.querySelector('.text').textContent.trim(),
            [...m.querySelectorAll('.badge')].map(b => b.textContent)]);
    """)


def test_chat_page_streams_shows_tools_asks_approval_and_keeps_history(served_app, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    url, stdout_lines = served_app
    assert any(line.startswith("offline: OPENAI_API_KEY is not set") for line in stdout_lines)
    browser.get(url)
    assert "Offline demo" in browser.find_element(By.ID, "mode").text
    assert _bubbles(browser) == []

    # 1. A question answered with a tool: the text grows in the page, the tool badge shows.
    _ask(browser, "What's the weather in Lisbon?")
    lengths, (text, _, badges, _) = _watch_answer(browser, "done")
    assert text == ("Right now in Lisbon it is sunny and 24 °C. A good day for a walk along the "
                    "river, and maybe an ice cream afterwards.")
    partial = sorted({n for n in lengths if 0 < n < len(text)})
    assert len(partial) >= 2, f"the text did not grow in steps: {lengths}"
    assert 'badge tool | get_weather({"city": "Lisbon"})' in badges
    assert "badge output | → sunny and 24 °C" in badges

    # 2. A cancellation: handoff, then a tool that waits for approval.
    _ask(browser, "Please cancel booking B-42")
    _, (text, done, badges, approval) = _watch_answer(browser, "approval")
    assert approval and done == "0" and text == ""
    assert "badge handoff | handoff: Concierge → Bookings" in badges
    assert 'badge approval | needs approval: cancel_booking({"booking_id": "B-42"})' in badges
    assert not browser.find_element(By.ID, "prompt").is_enabled()
    browser.find_element(By.CSS_SELECTOR, ".approval-box .approve").click()
    _, (text, done, badges, approval) = _watch_answer(browser, "done")
    assert text.startswith("Done: booking B-42 is cancelled")
    assert "badge approved | approved" in badges and not approval
    assert "badge output | → Cancelled booking B-42; refund issued." in badges
    WebDriverWait(browser, 10).until(ec.element_to_be_clickable((By.ID, "prompt")))

    # 3. Reload: the conversation comes back from the SQLiteSession.
    browser.refresh()
    bubbles = _bubbles(browser)
    assert [(role, text) for role, text, _ in bubbles] == [
        ("user", "What's the weather in Lisbon?"),
        ("assistant", "Right now in Lisbon it is sunny and 24 °C. A good day for a walk along "
                      "the river, and maybe an ice cream afterwards."),
        ("user", "Please cancel booking B-42"),
        ("assistant", "Done: booking B-42 is cancelled and the refund is on its way. You will "
                      "get a confirmation email in a few minutes."),
    ]
    assert bubbles[1][2] == ['get_weather({"city": "Lisbon"})']
    assert bubbles[3][2] == ["handoff → Bookings", 'cancel_booking({"booking_id": "B-42"})']

    # 4. Another browser (no cookie) starts its own conversation.
    browser.delete_all_cookies()
    browser.refresh()
    assert _bubbles(browser) == []


# --- the server side, through Flask's test client -------------------------------------------------


def _events(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for frame in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in frame.split("\n"))
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def _stream(client: Any, url: str, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """POST and read the whole event stream (closing the response, as a server does)."""
    with client.post(url, json=body) as response:
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/event-stream"
        return _events(response.get_data(as_text=True))


@pytest.fixture
def client(tmp_path):
    from agents_lite import OpenAIClient, RunConfig
    from agents_lite.models.openai_provider import OpenAIProvider

    model = demo_model.start_demo_model(event_delay=0)
    provider = OpenAIProvider(client=OpenAIClient(base_url=model.base_url, api_key="sk-test"))
    app = web_app.create_app(str(tmp_path / "chat.db"),
                             run_config=RunConfig(model_provider=provider,
                                                  tracing_disabled=True))
    try:
        with app.test_client() as test_client:
            test_client.model = model
            yield test_client
    finally:
        model.stop()


def _start(client: Any) -> None:
    assert client.get("/").status_code == 200  # sets the session cookie


def test_reject_resumes_the_run_and_the_model_is_told(client):
    _start(client)
    first = _stream(client, "/api/chat", {"message": "cancel booking Q-7"})
    kinds = [kind for kind, _ in first]
    assert kinds[-1] == "paused" and "handoff" in kinds
    approval = next(data for kind, data in first if kind == "approval")
    assert approval["tool"] == "cancel_booking"
    # While paused: no new messages; the page shows the buttons again after a reload.
    refused = client.post("/api/chat", json={"message": "hello?"})
    assert refused.status_code == 409 and "approve or reject" in refused.get_json()["error"]
    page = client.get("/").get_data(as_text=True)
    assert f'data-call-id="{approval["call_id"]}"' in page and "disabled" in page
    second = _stream(client, "/api/approve", {"call_id": approval["call_id"],
                                              "decision": "reject"})
    assert second[-1] == ("done", {"agent": "Bookings", "final_output":
                                   "All right, I left booking Q-7 as it is. Nothing was changed."})
    text = "".join(data["delta"] for kind, data in second if kind == "text")
    assert text == "All right, I left booking Q-7 as it is. Nothing was changed."
    last_input = client.model.requests_to("/v1/responses")[-1].body["input"]
    rejected = [i for i in last_input if i.get("type") == "function_call_output"][-1]
    assert rejected["output"] == "The user declined this action."
    # Nothing is waiting any more.
    again = client.post("/api/approve", json={"call_id": approval["call_id"], "decision": "approve"})
    assert again.status_code == 409


def test_bad_requests(client):
    no_cookie = client.post("/api/chat", json={"message": "hi"})
    assert no_cookie.status_code == 400 and "cookie" in no_cookie.get_json()["error"]
    _start(client)
    for body in ({}, {"message": ""}, {"message": "   "}, {"message": 42}):
        assert client.post("/api/chat", json=body).status_code == 400
    assert client.post("/api/chat", data="not json").status_code == 400
    assert client.post("/api/approve", json={"decision": "maybe"}).status_code == 400
    assert client.post("/api/approve", json={"call_id": "x", "decision": "approve"}
                       ).status_code == 409
    _stream(client, "/api/chat", {"message": "cancel booking Z-1"})
    unknown = client.post("/api/approve", json={"call_id": "nope", "decision": "approve"})
    assert unknown.status_code == 400 and unknown.get_json()["error"] == "unknown call_id"
    client.set_cookie(web_app.COOKIE, "../../etc/passwd")
    assert client.post("/api/chat", json={"message": "hi"}).status_code == 400


def test_one_answer_at_a_time_per_browser_and_history_per_cookie(client):
    _start(client)
    gate = threading.Event()
    original = client.model._responder

    def slow(request):
        gate.wait(10)
        return original(request)

    client.model.set_responder(slow)
    streaming = client.post("/api/chat", json={"message": "hello"}, buffered=False)
    try:
        busy = client.post("/api/chat", json={"message": "again"})
        assert busy.status_code == 409 and "still being written" in busy.get_json()["error"]
    finally:
        gate.set()
    body = streaming.get_data(as_text=True)
    streaming.close()
    assert _events(body)[-1][0] == "done"
    client.model.set_responder(original)
    ok = _stream(client, "/api/chat", {"message": "and again"})  # released after the stream
    assert ok[-1][0] == "done"
    page = client.get("/").get_data(as_text=True)
    assert page.count('class="msg user"') == 2
    # A different cookie sees none of it.
    client.delete_cookie(web_app.COOKIE)
    assert 'class="msg user"' not in client.get("/").get_data(as_text=True)
    # New chat clears the conversation.
    client.get("/")
    assert client.post("/api/reset").get_json() == {"ok": True}


def test_history_view_groups_badges_with_answers():
    from agents_lite.testing.scripted import function_call, text_message

    call = function_call("transfer_to_bookings", {}, call_id="h1")
    items = [
        {"role": "user", "content": "cancel it"},
        call,
        {"type": "function_call_output", "call_id": "h1", "output": '{"assistant": "Bookings"}'},
        function_call("cancel_booking", {"booking_id": "B-1"}, call_id="t1"),
        {"type": "function_call_output", "call_id": "t1", "output": "Cancelled"},
        text_message("Done."),
        {"role": "user", "content": [{"type": "input_text", "text": "thanks"}]},
        function_call("get_weather", {"city": "Oslo"}, call_id="t2"),
    ]
    assert web_app.history_view(items) == [
        {"role": "user", "text": "cancel it"},
        {"role": "assistant", "text": "Done.", "badges": [
            {"kind": "handoff", "text": "handoff → Bookings"},
            {"kind": "tool", "text": 'cancel_booking({"booking_id": "B-1"})'}]},
        {"role": "user", "text": "thanks"},
        {"role": "assistant", "text": "", "badges": [
            {"kind": "tool", "text": 'get_weather({"city": "Oslo"})'}]},
    ]
