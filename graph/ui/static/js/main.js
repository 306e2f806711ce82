// The page: three views (run, history, memory), keyboard-reachable buttons, and the
// thread in the address (#thread=ID) so another tab can watch the same run.

import { oneLine, refused, setToken } from "./api.js";
import { clearError, showError } from "./dom.js";
import { loadHistory } from "./history.js";
import { forgetAll, loadMemory } from "./memory.js";
import { start, watch } from "./run.js";
import { contextFromForm, fillForm, loadSettings } from "./settings.js";

const $ = (id) => document.getElementById(id);
const VIEWS = ["run", "history", "memory"];

function show(view) {
  for (const name of VIEWS) {
    $(`view-${name}`).hidden = name !== view;
    $(`tab-${name}`).setAttribute("aria-pressed", String(name === view));
  }
}

// The server's auth refused a request: ask for the token (again).
function signIn() {
  $("sign-in").hidden = false;
  $("token").focus();
}

function guard(action) {
  return async (...args) => {
    try {
      await action(...args);
    } catch (exc) {
      showError(oneLine(exc.message));
      if (refused(exc)) signIn();
    }
  };
}

const user = () => $("user").value.trim();

async function openThread(thread) {
  show("run");
  const info = await watch(thread);
  const meta = info.metadata || {};
  $("request").value = (info.values || {}).request || meta.request || "";
  $("user").value = meta.user_id || "";
  fillForm(meta.context);
}

$("request-form").addEventListener("submit", guard(async (event) => {
  event.preventDefault();
  const request = $("request").value.trim();
  if (!request) { showError("Write a request first."); $("request").focus(); return; }
  await start({ request, user: user(), conversation: $("conversation").value.trim(), context: contextFromForm() });
}));

for (const name of VIEWS) {
  $(`tab-${name}`).addEventListener("click", guard(async () => {
    clearError();
    show(name);
    if (name === "history") await loadHistory(guard(openThread));
    if (name === "memory" && !$("memory-user").value) $("memory-user").value = user() || $("memory-user").placeholder;
  }));
}
$("history-refresh").addEventListener("click", guard(() => loadHistory(guard(openThread))));

const memoryUser = () => $("memory-user").value.trim() || $("memory-user").placeholder;
$("memory-form").addEventListener("submit", guard(async (event) => {
  event.preventDefault();
  clearError();
  await loadMemory(memoryUser());
}));
$("forget-all").addEventListener("click", guard(async () => {
  if (confirm(`Forget everything remembered about ${memoryUser()}?`)) await forgetAll(memoryUser());
}));

// The settings form first (the server's auth may refuse it), then the thread in the address.
const begin = guard(async () => {
  await loadSettings();
  $("sign-in").hidden = true;
  const match = location.hash.match(/^#thread=([0-9a-f-]{36})$/);
  if (match) await openThread(match[1]);
});

$("sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  clearError();
  setToken($("token").value.trim());
  $("token").value = "";
  return begin();
});

begin();
