"""Loopback HTTP servers that speak the providers' real wire formats, for tests.

- OpenAI: POST /v1/chat/completions (chat.completion objects; structured calls are answered
  by rules keyed on `response_format.json_schema.name`, like the scripted model) and
  POST /v1/images/generations (`data[].b64_json` PNGs of the requested size).
- Tavily: POST /search (results with title, url, content, score; images on request).

Each server binds 127.0.0.1 on a free port, records every request (path, headers, JSON
body) and can be told to fail: `fail(route, MODE)` queues one failure for the next request
on that route. Modes: "500", "401", "malformed" (not JSON), "timeout:S" (answer after S
seconds), "429:S" (rate limited, `Retry-After: S`), "policy" (OpenAI's 400
content-policy refusal), "reset" (half the real reply, then a TCP reset), "truncated" (the
real reply cut in half, as a complete HTTP response) and "empty" (200 with no body).
"""

from __future__ import annotations

import base64
import io
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image

Handler = Callable[[dict[str, Any], dict[str, str]], tuple[int, Any]]


class Loopback:
    """A threaded HTTP server on 127.0.0.1 with routes, a request log and queued failures."""

    def __init__(self, routes: dict[str, Handler]) -> None:
        self.routes = routes
        self.requests: list[dict[str, Any]] = []
        self.failures: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        owner = self

        class RequestHandler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                owner._handle(self, raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def fail(self, route: str, mode: str, times: int = 1) -> None:
        with self._lock:
            self.failures.setdefault(route, []).extend([mode] * times)

    def calls(self, route: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if r["path"] == route]

    def _handle(self, handler: BaseHTTPRequestHandler, raw: bytes) -> None:
        path = handler.path.split("?", 1)[0]
        headers = {k.lower(): v for k, v in handler.headers.items()}
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        with self._lock:
            self.requests.append({"path": path, "headers": headers, "body": body})
            queued = self.failures.get(path) or []
            mode = queued.pop(0) if queued else ""
        if mode.startswith("timeout:"):
            time.sleep(float(mode.split(":", 1)[1]))
            mode = ""
        if mode == "500":
            return _send(handler, 500, {"error": {"message": "internal error", "type": "server"}})
        if mode == "401":
            return _send(handler, 401, _unauthorised(path))
        if mode == "malformed":
            return _send_raw(handler, 200, b"{this is not json")
        if mode.startswith("429:"):
            error = {"error": {"message": "rate limited", "type": "requests", "code": "429"}}
            return _send(handler, 429, error, {"Retry-After": mode.split(":", 1)[1]})
        if mode == "policy":
            return _send(handler, 400, _refused())
        if mode == "empty":
            return _send_raw(handler, 200, b"")
        route = self.routes.get(path)
        if route is None:
            return _send(handler, 404, {"error": {"message": f"no route {path}"}})
        status, payload = route(body, headers)
        data = json.dumps(payload).encode("utf-8")
        if mode == "truncated":
            return _send_raw(handler, status, data[: len(data) // 2])
        if mode == "reset":
            return _reset(handler, status, data)
        _send_raw(handler, status, data)

    def __enter__(self) -> Loopback:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def _unauthorised(path: str) -> dict[str, Any]:
    if path == "/search":  # Tavily's error shape
        return {"detail": {"error": "Unauthorized: missing or invalid API key."}}
    return {
        "error": {
            "message": "Incorrect API key provided.",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }
    }


def _refused() -> dict[str, Any]:
    """OpenAI's answer to a prompt its safety system rejects."""
    return {
        "error": {
            "message": "Your request was rejected as a result of our safety system.",
            "type": "invalid_request_error",
            "code": "content_policy_violation",
        }
    }


def _reset(handler: BaseHTTPRequestHandler, status: int, data: bytes) -> None:
    """Headers for the whole reply, half the body, then an RST (SO_LINGER 0) mid-reply."""
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data[: len(data) // 2])
        handler.wfile.flush()
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
        handler.close_connection = True
    except OSError:
        pass


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    payload: Any,
    extra: dict[str, str] | None = None,
) -> None:
    _send_raw(handler, status, json.dumps(payload).encode("utf-8"), extra)


def _send_raw(
    handler: BaseHTTPRequestHandler, status: int, data: bytes, extra: dict[str, str] | None = None
) -> None:
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (extra or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
        pass


# ----------------------------------------------------------------------------- OpenAI


def chat_completion(content: str, model: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{int(time.time() * 1000)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70},
    }


def png_b64(width: int, height: int, colour: tuple[int, int, int] = (200, 40, 40)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def has_images(body: dict[str, Any]) -> bool:
    """Whether any message carries an image content block."""
    return any(
        isinstance(block, dict) and block.get("type") == "image_url"
        for message in body.get("messages", [])
        if isinstance(message.get("content"), list)
        for block in message["content"]
    )


def openai_routes(rules: list[dict[str, Any]]) -> dict[str, Handler]:
    """Chat answers by rule, first match wins: `schema` (response_format json_schema name),
    `model`, `images` (whether the request carries image blocks), `times` (use at most N
    times); a rule answers `response` (after `delay` seconds), or fails with `status`
    (OpenAI's error shape)."""
    used: dict[int, int] = {}
    lock = threading.Lock()

    def chat(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        fmt = body.get("response_format") or {}
        schema = (fmt.get("json_schema") or {}).get("name")
        picked: dict[str, Any] | None = None
        with lock:
            for index, rule in enumerate(rules):
                if rule.get("schema") not in (None, schema):
                    continue
                if rule.get("model") not in (None, body.get("model")):
                    continue
                if "images" in rule and bool(rule["images"]) != has_images(body):
                    continue
                if "times" in rule and used.get(index, 0) >= int(rule["times"]):
                    continue
                used[index] = used.get(index, 0) + 1
                picked = rule
                break
        if picked is None:
            return 400, {"error": {"message": f"no rule for schema {schema!r}", "type": "test"}}
        if picked.get("status"):
            status = int(picked["status"])
            return status, _unauthorised("") if status == 401 else {
                "error": {"message": f"test error {status}", "type": "server"}
            }
        delay = float(picked.get("delay") or 0)
        response = picked.get("response", "")
        time.sleep(delay)  # outside the lock: other calls go on meanwhile
        content = response if isinstance(response, str) else json.dumps(response)
        return 200, chat_completion(content, str(body.get("model", "")))

    def images(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        width, height = (int(x) for x in str(body.get("size", "1024x1024")).split("x"))
        n = int(body.get("n") or 1)
        data = [
            {
                "b64_json": png_b64(width, height, (30 * i, 90, 160)),
                "revised_prompt": body["prompt"],
            }
            for i in range(n)
        ]
        return 200, {"created": int(time.time()), "data": data}

    return {"/v1/chat/completions": chat, "/v1/images/generations": images}


# ----------------------------------------------------------------------------- Tavily


def tavily_routes(results: list[dict[str, Any]], images: list[Any]) -> dict[str, Handler]:
    """Tavily's /search: checks the key (Bearer or keyless), answers with `results`."""

    def search(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        auth = headers.get("authorization", "")
        keyless = headers.get("x-tavily-access-mode") == "keyless"
        if not keyless and auth != "Bearer tvly-test-key":
            return 401, {"detail": {"error": "Unauthorized: missing or invalid API key."}}
        if not str(body.get("query", "")).strip():
            return 400, {"detail": {"error": "Query is missing."}}
        limit = int(body.get("max_results") or 5)
        reply: dict[str, Any] = {
            "query": body["query"],
            "answer": None,
            "images": images if body.get("include_images") else [],
            "results": results[:limit],
            "response_time": 0.12,
            "request_id": "test-request",
        }
        return 200, reply

    return {"/search": search}


@contextmanager
def serve(routes: dict[str, Handler]) -> Iterator[Loopback]:
    with Loopback(routes) as server:
        yield server
