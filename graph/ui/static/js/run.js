// One run on the page: start it, follow its stream, answer its questions, correct an
// answer and rerun from compose (a state update that forks the thread), or watch a run
// another tab started. Everything goes through the server's own API.

import { ApiError, api, oneLine, stream } from "./api.js";
import { clearError, el, showError } from "./dom.js";
import { report } from "./view.js";

const GRAPH = "image_agent";
// "values" would carry only the output schema's keys: on each node's update the page reads
// the thread's whole state instead (the server's reducers applied)
const MODES = ["updates", "custom"];
const NODE_OF_ROUTE = { reason: "reason", search: "search", memory: "recall", ask_user: "ask_user" };
const $ = (id) => document.getElementById(id);

const current = { thread: null, context: {}, values: {}, node: "", since: 0, failed: false, busy: false };

function setStatus(status, text) {
  const badge = $("run-status");
  badge.dataset.status = status;
  badge.textContent = text || status;
  $("submit").disabled = status === "running";
}

function draw() {
  $("report").replaceChildren(...report(current.values, current.busy ? null : correct));
}

function note(message) {
  $("log").append(el("li", { text: message }));
  $("log").scrollTop = $("log").scrollHeight;
}

setInterval(() => {
  const now = $("run-now");
  if (!current.busy || !current.node) { now.textContent = ""; return; }
  now.textContent = `${current.node}: ${((Date.now() - current.since) / 1000).toFixed(1)} s`;
}, 250);

let reading = null;
let stale = false;

// Read the thread's state and redraw; one read at a time, one more if updates came meanwhile.
async function refresh() {
  if (reading) { stale = true; return reading; }
  const thread = current.thread;
  reading = (async () => {
    do {
      stale = false;
      const state = await api("GET", `/threads/${thread}/state`);
      if (thread !== current.thread) return;
      current.values = state.values || {};
      draw();
    } while (stale);
  })().finally(() => { reading = null; });
  return reading;
}

function onEvent(event, data) {
  if (event === "updates") {
    refresh().catch((exc) => showError(oneLine(exc.message)));
  } else if (event === "custom" && data && data.stage) {
    if (data.status === "start") { current.node = data.stage; current.since = Date.now(); }
    note(`[${data.stage}] ${data.message}`);
  } else if (event === "error") {
    current.failed = true;
    showError(oneLine(data && (data.message || data.error) ? (data.message || data.error) : data));
  }
}

async function follow(method, path, body) {
  current.busy = true;
  current.failed = false;
  setStatus("running");
  $("questions").hidden = true;
  try {
    await stream(method, path, body, onEvent);
  } catch (exc) {
    current.failed = true;
    showError(exc instanceof ApiError ? exc.message : oneLine(exc.message));
  }
  current.busy = false;
  if (reading) await reading.catch(() => {});
  await settle();
}

// After a stream: the thread's state says whether it waits for answers, failed or finished.
async function settle() {
  const thread = current.thread;
  const state = await api("GET", `/threads/${thread}/state`);
  if (thread !== current.thread) return;
  current.values = state.values || {};
  const questions = (state.tasks || []).flatMap((task) => task.interrupts || []);
  draw();
  if (questions.length) {
    ask(questions);
    setStatus("waiting", "waiting for you");
  } else if (current.failed || (state.tasks || []).some((task) => task.error)) {
    setStatus("failed");
  } else {
    setStatus(state.next && state.next.length ? "stopped" : "done");
  }
}

function ask(questions) {
  const fields = questions.map((q, n) => {
    const id = `question-${n}`;
    return el("div", {}, el("label", { for: id, text: q.value.question }),
      el("input", { id, "data-interrupt": q.id, value: q.value.best_guess || "" }));
  });
  $("question-fields").replaceChildren(...fields);
  $("questions").hidden = false;
  fields[0].querySelector("input").focus();
}

function answersFrom(useGuesses) {
  const out = {};
  for (const input of $("question-fields").querySelectorAll("input")) {
    // no answer: ask_user takes the planner's guess and records it as a guess, not the user's
    out[input.dataset.interrupt] = useGuesses ? "" : input.value.trim();
  }
  return out;
}

function resume(useGuesses) {
  clearError();
  const resume = answersFrom(useGuesses);
  return follow("POST", `/threads/${current.thread}/runs/stream`,
    { assistant_id: GRAPH, command: { resume }, context: current.context, stream_mode: MODES, stream_resumable: true, on_disconnect: "continue" });
}

function open(thread, context) {
  current.thread = thread;
  current.context = context || {};
  current.values = {};
  $("log").replaceChildren();
  $("run").hidden = false;
  const link = $("run-link");
  link.textContent = `thread ${thread}`;
  link.href = `#thread=${thread}`;
  if (location.hash !== `#thread=${thread}`) history.replaceState(null, "", `#thread=${thread}`);
}

export async function start({ request, user, conversation, context }) {
  clearError();
  const input = { request };
  if (user) { input.user_id = user; context.user_id = user; }
  if (conversation) context.conversation = conversation;
  const thread = await api("POST", "/threads", { metadata: { request, user_id: user || "", context } });
  open(thread.thread_id, context);
  draw();
  await follow("POST", `/threads/${thread.thread_id}/runs/stream`,
    { assistant_id: GRAPH, input, context, stream_mode: MODES, stream_resumable: true, on_disconnect: "continue" });
}

// Show a thread, and follow its run if one is going (a second tab, or the history).
export async function watch(thread) {
  clearError();
  const info = await api("GET", `/threads/${thread}`);
  open(thread, (info.metadata || {}).context);
  await settle();
  const runs = await api("GET", `/threads/${thread}/runs?limit=5`);
  const live = (runs || []).find((run) => run.status === "running" || run.status === "pending");
  if (live) {
    const path = `/threads/${thread}/runs/${live.run_id}/stream?stream_mode=${encodeURIComponent(JSON.stringify(MODES))}`;
    follow("GET", path).catch((exc) => showError(oneLine(exc.message)));
  }
  return info;
}

// Correct a grounded answer and rerun from compose: fork the checkpoint where compose was
// about to run first, with the corrected answer written as the gap's grounding node.
// A refused update or run is shown as one line (the editor's form has no other catch).
async function correct(answer, text) {
  clearError();
  if (!text) { showError("Write the corrected answer first."); return; }
  try {
    await fork(answer, text);
  } catch (exc) {
    showError(oneLine(exc.message));
  }
}

// On the thread's current branch (its newest checkpoint and that one's ancestors), the
// checkpoint where compose was first about to run (no draft yet: the pre-render check and
// later rounds go back to compose with one): after an earlier correction that is the
// earlier fork, so a second correction keeps the first.
function beforeCompose(checkpoints) {
  const byId = new Map(checkpoints.map((c) => [c.checkpoint.checkpoint_id, c]));
  for (let c = checkpoints[0]; c; c = byId.get((c.parent_checkpoint || {}).checkpoint_id)) {
    if ((c.next || []).join() === "compose" && !(c.values || {}).draft) return c;
  }
  return null;
}

async function fork(answer, text) {
  const thread = current.thread;
  const before = beforeCompose(await api("POST", `/threads/${thread}/history`, { limit: 500 }));
  if (!before) { showError("This run has no point before compose to rerun from."); return; }
  const fixed = { ...answer, answer: text, resolved: true, provenance: "user", uncertain: false,
    evidence: [{ source: "user", quote: text }], note: "corrected by the user", detail: "" };
  delete fixed.crosscheck;
  const runId = `${(before.values.run_id || "run").slice(0, 40)}-fix-${Date.now().toString(36)}`;
  const update = await api("POST", `/threads/${thread}/state`, {
    values: { answers: [fixed], run_id: runId }, as_node: NODE_OF_ROUTE[answer.route] || "reason",
    checkpoint_id: before.checkpoint.checkpoint_id,
  });
  note(`[ui] ${answer.question} corrected to "${text}"; rerunning from compose`);
  await follow("POST", `/threads/${thread}/runs/stream`, { assistant_id: GRAPH, input: null,
    checkpoint_id: update.checkpoint.checkpoint_id, context: current.context, stream_mode: MODES,
    stream_resumable: true, on_disconnect: "continue" });
}

$("questions").addEventListener("submit", (event) => { event.preventDefault(); resume(false); });
$("use-guesses").addEventListener("click", () => resume(true));
