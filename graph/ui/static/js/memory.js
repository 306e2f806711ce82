// A user's memory in the server's store: profile facts and past turns, each with
// "forget this", and "forget everything".

import { api } from "./api.js";
import { el, showError } from "./dom.js";

const KINDS = ["profile", "history"];

function describe(kind, value) {
  if (kind === "profile") return value.fact || JSON.stringify(value);
  return `${value.request || ""} → ${value.final_prompt || ""}`;
}

async function items(user, kind) {
  const found = await api("POST", "/store/items/search", { namespace_prefix: ["users", user, kind], limit: 500 });
  return found.items || [];
}

export async function loadMemory(user) {
  for (const kind of KINDS) {
    const list = document.getElementById(`memory-${kind}`);
    const rows = await items(user, kind);
    list.replaceChildren(...rows.map((item) => el("li", { "data-key": item.key },
      el("span", { text: describe(kind, item.value) }),
      el("button", { type: "button", text: "Forget this", "aria-label": `Forget: ${describe(kind, item.value)}`,
        onclick: async () => { await forget(user, kind, item.key); await loadMemory(user); } }))));
    if (!rows.length) list.append(el("li", { class: "small", text: "Nothing remembered." }));
  }
}

async function forget(user, kind, key) {
  try {
    await api("DELETE", "/store/items", { namespace: ["users", user, kind], key });
  } catch (exc) {
    showError(exc.message);
  }
}

export async function forgetAll(user) {
  for (const kind of KINDS) {
    for (const item of await items(user, kind)) await forget(user, kind, item.key);
  }
  await loadMemory(user);
}
