// Past runs (the server's threads of this graph): thumbnail, status and request.

import { api } from "./api.js";
import { el, image } from "./dom.js";

function thumbnail(values) {
  const rounds = values.rounds || [];
  const last = rounds.length ? rounds[rounds.length - 1].images || [] : [];
  const path = (values.images || [])[0] || last[0];
  return path ? image(path, "") : el("div", { class: "small", text: "no image" });
}

export async function loadHistory(onOpen) {
  const threads = await api("POST", "/threads/search", {
    limit: 60, sort_by: "updated_at", sort_order: "desc", metadata: { graph_id: "image_agent" },
  });
  const list = document.getElementById("history");
  list.replaceChildren(...threads.map((thread) => {
    const values = thread.values || {};
    const request = values.request || (thread.metadata || {}).request || "(no request)";
    const when = new Date(thread.updated_at).toLocaleString();
    return el("li", { "data-thread": thread.thread_id }, el("button", {
      type: "button", "aria-label": `Open run: ${request}`, onclick: () => onOpen(thread.thread_id),
    }, thumbnail(values), el("span", { class: "tag", text: thread.status }), el("span", { text: request }),
    el("span", { class: "small", text: when })));
  }));
  if (!threads.length) list.append(el("li", { class: "small", text: "No runs yet." }));
}
