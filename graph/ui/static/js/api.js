// The server's own API (same origin): JSON requests, server-sent-event streams and images.
// Errors become one line: the server's message, never a stack. When the server has an auth
// handler, every request carries the token the person gave (Authorization: Bearer ...),
// kept for this tab only; an <img> cannot send a header, so images are fetched too.

const TOKEN = "image-agent-token";

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export const refused = (exc) => exc instanceof ApiError && (exc.status === 401 || exc.status === 403);

export function token() {
  return sessionStorage.getItem(TOKEN) || "";
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN, value);
  else sessionStorage.removeItem(TOKEN);
}

function headers(extra = {}) {
  return token() ? { ...extra, Authorization: `Bearer ${token()}` } : extra;
}

export function oneLine(text) {
  const line = String(text ?? "").split("\n").map((s) => s.trim()).find(Boolean) || "unknown error";
  return line.length > 300 ? line.slice(0, 297) + "..." : line;
}

async function failure(response) {
  let detail = response.statusText;
  try {
    const body = await response.json();
    detail = body.detail ?? body.message ?? body.error ?? JSON.stringify(body);
    if (typeof detail !== "string") detail = JSON.stringify(detail);
  } catch (_) { /* not JSON */ }
  return new ApiError(oneLine(`${response.status}: ${detail}`), response.status);
}

export async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

// Read a text/event-stream body; call onEvent(event, data) for each message.
export async function stream(method, path, body, onEvent) {
  const response = await fetch(path, {
    method,
    headers: headers({ Accept: "text/event-stream", ...(body ? { "Content-Type": "application/json" } : {}) }),
    body: body ? JSON.stringify(body) : undefined,
    credentials: "same-origin",
  });
  if (!response.ok) throw await failure(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (!data.length) continue;
      let parsed = data.join("\n");
      try { parsed = JSON.parse(parsed); } catch (_) { /* plain text */ }
      onEvent(event, parsed);
    }
  }
}

// An image of the output folder as a local object URL, fetched once per path and token
// (the page redraws often; a run's image files are written once).
const images = new Map();

export function imageSrc(path) {
  const key = `${token()}\n${path}`;
  if (!images.has(key)) {
    const loading = fetch(`/web-ui/image?path=${encodeURIComponent(path)}`, { headers: headers(), credentials: "same-origin" })
      .then(async (response) => {
        if (!response.ok) throw await failure(response);
        return URL.createObjectURL(await response.blob());
      });
    loading.catch(() => images.delete(key));  // a refused or missing image is asked again later
    images.set(key, loading);
  }
  return images.get(key);
}
