// The server's own API (same origin): JSON requests and server-sent-event streams.
// Errors become one line: the server's message, never a stack.

export class ApiError extends Error {}

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
  return new ApiError(oneLine(`${response.status}: ${detail}`));
}

export async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
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
    headers: { Accept: "text/event-stream", ...(body ? { "Content-Type": "application/json" } : {}) },
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

export function imageUrl(path) {
  return `/ui/image?path=${encodeURIComponent(path)}`;
}
