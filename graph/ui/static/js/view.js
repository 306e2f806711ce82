// The run's report, drawn from the thread's state values: plan and gaps, grounded answers
// with their sources, the composed prompt and its repairs, the pre-render check, each
// round's images and verdicts, and the time each node took. Redrawn whole on every update.

import { el, image, section } from "./dom.js";

const PROVENANCE = {
  model: "the model's own knowledge", tool: "a deterministic tool", search: "search results",
  memory: "the user's memory", user: "the user", assumed: "a guess", none: "unresolved",
};

function gaps(plan) {
  const list = plan.gaps || [];
  return section("Plan", "plan",
    el("p", {}, el("strong", { text: "Subject: " }), plan.subject || ""),
    list.length ? el("ul", { class: "gaps" }, list.map((gap) => el("li", { "data-gap": gap.id },
      el("span", { class: "tag", text: gap.route }), el("span", { class: "tag", text: gap.kind }),
      gap.question, el("div", { class: "why", text: `why: ${gap.why || ""}` }))))
      : el("p", { class: "small", text: "No gaps: the request says all the image needs." }));
}

function evidence(answer) {
  const items = answer.evidence || [];
  if (!items.length) return null;
  return el("details", {}, el("summary", { text: `${items.length} source(s)` }),
    items.map((item) => el("div", {}, el("div", { class: "small", text: item.source }),
      el("blockquote", { text: item.quote }))));
}

function answers(values, onEdit) {
  const list = values.answers || [];
  if (!list.length) return null;
  return section("Answers", "answers", el("ul", { class: "answers" }, list.map((answer) => {
    const source = PROVENANCE[answer.provenance] || answer.provenance;
    const item = el("li", { "data-gap": answer.gap_id },
      el("div", {}, el("strong", { text: answer.question })),
      el("div", { class: "answer" }, el("span", { class: "value", text: answer.answer || "(none)" })),
      el("div", { class: "small" }, `from ${source}`, answer.uncertain ? " · uncertain" : "",
        answer.note && !answer.note.includes(source) ? ` · ${answer.note}` : ""),
      evidence(answer));
    if (onEdit) {
      item.append(el("button", { type: "button", class: "edit", "aria-label": `Correct the answer to: ${answer.question}`,
        text: "Correct", onclick: () => editor(item, answer, onEdit) }));
    }
    return item;
  })));
}

function editor(item, answer, onEdit) {
  if (item.querySelector(".edit-answer")) return;
  const id = `fix-${answer.gap_id}`;
  const input = el("input", { id, value: answer.answer || "" });
  const form = el("form", { class: "edit-answer" }, el("label", { for: id, class: "small", text: "Corrected answer" }), input,
    el("button", { type: "submit", text: "Rerun from compose" }));
  form.addEventListener("submit", (event) => { event.preventDefault(); onEdit(answer, input.value.trim()); });
  item.append(form);
  input.focus();
}

function prompt(draft) {
  const repairs = Object.entries(draft.repairs || {}).filter(([, changes]) => changes.length);
  return section("Prompt", "prompt", el("p", { class: "prompt", text: draft.prompt || "" }),
    el("p", { class: "small", text: `round ${draft.round} · ${draft.prompt_source || ""}` }),
    repairs.length ? el("ul", { class: "repairs" }, repairs.map(([step, changes]) =>
      el("li", {}, el("span", { class: "tag", text: step }), changes.join("; ")))) : null);
}

function precheck(check) {
  const missing = check.missing || [];
  const text = missing.length
    ? `round ${check.round}: the prompt missed ${missing.length} item(s): ${missing.join("; ")}` +
      (check.revised ? `; the revision covers ${(check.fixed || []).length}` : "")
    : `round ${check.round}: the prompt covers every checklist item`;
  return section("Pre-render check", "precheck", el("p", { text }));
}

function rounds(values) {
  const list = values.rounds || [];
  if (!list.length) return null;
  return section("Rounds", "rounds", el("div", { class: "rounds" }, list.map((round) => el("figure",
    { class: "round", "data-round": round.round },
    (round.images || []).map((path) => image(path, `round ${round.round} image`)),
    el("figcaption", {}, el("strong", { text: `Round ${round.round}` }),
      round.verdicts ? ` · ${round.passed}/${round.total} passed` : " · judging…",
      values.best_round === round.round && values.report ? " · kept" : ""),
    round.verdicts ? el("ul", { class: "verdicts" }, round.verdicts.map((verdict) =>
      el("li", { "data-passed": verdict.passed }, verdict.item, el("span", { class: "small", text: ` (${verdict.reason})` }))))
      : null))));
}

export function timings(trace) {
  const total = {};
  for (const entry of trace || []) total[entry.node] = (total[entry.node] || 0) + Number(entry.seconds || 0);
  const names = Object.keys(total);
  if (!names.length) return null;
  return section("Timings", "timings", el("ul", { class: "timings" },
    names.map((name) => el("li", { "data-node": name, text: `${name} ${total[name].toFixed(2)} s` }))));
}

// `values`: a thread's state values; `onEdit(answer, text)`: correct an answer (or null).
// Two columns on a wide screen: how the context was built, then what was rendered.
export function report(values, onEdit = null) {
  const context = [];
  if (values.request) context.push(el("p", {}, el("strong", { text: "Request: " }), values.request));
  if (values.plan) context.push(gaps(values.plan));
  context.push(answers(values, onEdit));
  if (values.draft) context.push(prompt(values.draft));
  if (values.precheck) context.push(precheck(values.precheck));
  for (const error of values.errors || []) context.push(el("p", { class: "small", text: `note: ${Object.values(error).join(": ")}` }));
  const results = [rounds(values), timings(values.trace)];
  return [el("div", { class: "context" }, context.filter(Boolean)), el("div", { class: "results" }, results.filter(Boolean))];
}
