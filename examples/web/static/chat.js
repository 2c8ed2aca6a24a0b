// The chat page: posts a message, reads the server-sent events of the run as they arrive
// (fetch + a stream reader, so the request can be a POST), and draws them.
"use strict";

const messages = document.getElementById("messages");
const form = document.getElementById("composer");
const prompt = document.getElementById("prompt");
const send = document.getElementById("send");

function setBusy(busy) {
  prompt.disabled = busy;
  send.disabled = busy;
  if (!busy) prompt.focus();
}

function bubble(role) {
  const div = document.createElement("div");
  div.className = "msg " + role;
  div.dataset.done = "0";
  const activity = document.createElement("div");
  activity.className = "activity";
  const text = document.createElement("div");
  text.className = "text";
  div.append(activity, text);
  messages.append(div);
  return div;
}

function badge(target, kind, text) {
  const span = document.createElement("span");
  span.className = "badge " + kind;
  span.textContent = text;
  target.querySelector(".activity").append(span);
  messages.scrollTop = messages.scrollHeight;
  return span;
}

function approvalBox(target, callId) {
  const box = document.createElement("div");
  box.className = "approval-box";
  box.dataset.callId = callId;
  for (const [cls, label] of [["approve", "Approve"], ["reject", "Reject"]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = cls;
    button.textContent = label;
    button.disabled = true;  // enabled once the run has stopped and its state is saved
    box.append(button);
  }
  target.insertBefore(box, target.querySelector(".text"));
}

// Draw one event of the run into the assistant bubble `target`.
function handle(target, event, data) {
  const text = target.querySelector(".text");
  switch (event) {
    case "text":
      text.textContent += data.delta;
      messages.scrollTop = messages.scrollHeight;
      break;
    case "tool_call":
      badge(target, "tool", `${data.name}(${data.arguments})`);
      break;
    case "tool_output":
      badge(target, "output", `→ ${data.output}`);
      break;
    case "handoff":
      badge(target, "handoff", `handoff: ${data.from} → ${data.to}`);
      break;
    case "approval":
      badge(target, "approval", `needs approval: ${data.tool}(${data.arguments})`);
      approvalBox(target, data.call_id);
      break;
    case "done":
      target.dataset.done = "1";
      break;
    case "error":
      badge(target, "error", data.message);
      target.dataset.done = "1";
      break;
  }
}

// POST `body` to `url` and feed the server-sent events of the answer to `target`.
async function streamInto(url, body, target) {
  let paused = false;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({error: response.statusText}));
      handle(target, "error", {message: problem.error});
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, {stream: true});
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        const data = [];
        for (const line of frame.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
        }
        if (event === "paused") {
          paused = true;
          target.querySelectorAll(".approval-box button").forEach((b) => { b.disabled = false; });
        } else {
          handle(target, event, JSON.parse(data.join("\n")));
        }
      }
    }
  } catch (err) {
    handle(target, "error", {message: String(err)});
  } finally {
    if (!paused) setBusy(false);
  }
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const message = prompt.value.trim();
  if (!message) return;
  prompt.value = "";
  const mine = bubble("user");
  mine.querySelector(".text").textContent = message;
  mine.dataset.done = "1";
  setBusy(true);
  streamInto("/api/chat", {message}, bubble("assistant"));
});

messages.addEventListener("click", (e) => {
  const button = e.target.closest(".approval-box button");
  if (!button) return;
  const box = button.parentElement;
  const decision = button.classList.contains("approve") ? "approve" : "reject";
  const target = box.closest(".msg");
  box.remove();
  badge(target, decision === "approve" ? "approved" : "rejected",
        decision === "approve" ? "approved" : "rejected");
  setBusy(true);
  streamInto("/api/approve", {call_id: box.dataset.callId, decision}, target);
});

document.getElementById("reset").addEventListener("click", async () => {
  await fetch("/api/reset", {method: "POST"});
  location.reload();
});
