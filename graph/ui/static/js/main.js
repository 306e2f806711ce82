// The page: three views (run, history, memory), keyboard-reachable buttons, and the
// thread in the address (#thread=ID) so another tab can watch the same run.

import { oneLine } from "./api.js";
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

function guard(action) {
  return async (...args) => {
    try {
      await action(...args);
    } catch (exc) {
      showError(oneLine(exc.message));
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

guard(async () => {
  await loadSettings();
  const match = location.hash.match(/^#thread=([0-9a-f-]{36})$/);
  if (match) await openThread(match[1]);
})();
