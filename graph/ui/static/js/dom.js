// Building DOM from data with textContent only (nothing the server returns becomes HTML).

import { imageSrc } from "./api.js";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key.startsWith("data-") || key.startsWith("aria-")) { node.setAttribute(key, String(value)); continue; }
    if (value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function section(title, id, ...children) {
  return el("section", { id, "aria-label": title }, el("h3", { text: title }), ...children);
}

export function showError(message) {
  const box = document.getElementById("error");
  box.textContent = message;
  box.title = message;
  box.hidden = !message;
}

export function clearError() {
  showError("");
}

// An <img> for an image of the output folder; its source is set once the image has loaded.
export function image(path, alt) {
  const node = el("img", { alt, "data-path": path });
  imageSrc(path).then((url) => { node.src = url; }, () => { node.alt = `${alt} (not available)`; });
  return node;
}
