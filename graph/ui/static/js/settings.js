// The settings form, built from the server's `Context` schema (GET /web-ui/settings): one
// labelled control per field, filled with the default of the server's environment.

import { api } from "./api.js";
import { el } from "./dom.js";

let schema = { fields: [] };

export async function loadSettings() {
  schema = await api("GET", "/web-ui/settings");
  const form = document.getElementById("settings-fields");
  form.replaceChildren(...schema.fields.filter((f) => f.placement === "form").map(control));
  const user = schema.fields.find((f) => f.name === "user_id");
  if (user && user.default) {
    document.getElementById("user").placeholder = user.default;
    document.getElementById("memory-user").placeholder = user.default;
  }
  return schema;
}

function control(field) {
  const id = `setting-${field.name}`;
  const help = `${id}-help`;
  const attrs = { id, name: field.name, "aria-describedby": help, "data-default": JSON.stringify(field.default) };
  let input;
  if (field.type === "boolean") {
    input = el("input", { ...attrs, type: "checkbox", checked: field.default === true });
  } else if (field.type === "integer" || field.type === "number") {
    input = el("input", { ...attrs, type: "number", step: field.type === "integer" ? "1" : "any", value: field.default ?? "" });
  } else {
    input = el("input", { ...attrs, type: "text", value: field.default ?? "", autocomplete: "off" });
  }
  const text = field.description + (field.env ? ` (${field.env})` : "") + (field.error ? ` ${field.error}` : "");
  return el("div", { class: "setting" }, el("label", { for: id, text: field.name.replace(/_/g, " ") }), input,
    el("div", { id: help, class: "hint", text }));
}

// The context a run gets: every form field, typed as the schema says.
export function contextFromForm() {
  const context = {};
  for (const field of schema.fields.filter((f) => f.placement === "form")) {
    const input = document.getElementById(`setting-${field.name}`);
    if (field.type === "boolean") context[field.name] = input.checked;
    else if (field.type === "integer") context[field.name] = parseInt(input.value || "0", 10);
    else if (field.type === "number") context[field.name] = Number(input.value || "0");
    else context[field.name] = input.value.trim();
  }
  return context;
}

// Fill the form from a past run's context (to rerun it with edits).
export function fillForm(context) {
  for (const [name, value] of Object.entries(context || {})) {
    const input = document.getElementById(`setting-${name}`);
    if (!input) continue;
    if (input.type === "checkbox") input.checked = Boolean(value);
    else input.value = value;
  }
}
