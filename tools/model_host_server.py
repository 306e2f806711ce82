"""The model host's side (`python -m tools.model_host_server --idle SECONDS`): what
`tools/model_host.py` starts. It loads each model on its first call, answers on a loopback
port, writes the host file once it listens, and exits after the idle time with no call.

Routes (each needs `Authorization: Bearer TOKEN`):
- `GET /health`: pid, port, calls, idle seconds, the models loaded;
- `POST /chat`: an OpenAI-style chat request for the embedded model; its response;
- `POST /embed`: `{"texts": [...]}`; `{"vectors": [[...], ...]}` (MiniLM, unit vectors);
- `POST /stop`: exit now.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tools.loads import counts
from tools.model_host import host_file, version

log = logging.getLogger("image_agent.model_host")


class _State:
    def __init__(self, idle_s: float) -> None:
        self.idle_s = idle_s
        self.token = secrets.token_urlsafe(24)
        self.started = time.time()
        self.last = time.monotonic()
        self.busy = 0
        self.calls = 0
        self.lock = threading.Lock()

    def begin(self) -> None:
        with self.lock:
            self.busy += 1
            self.calls += 1

    def end(self) -> None:
        with self.lock:
            self.busy -= 1
            self.last = time.monotonic()

    def idle_for(self) -> float:
        with self.lock:
            return 0.0 if self.busy else time.monotonic() - self.last


def _answer(route: str, body: Any) -> Any:
    if route == "/chat":
        from tools import local_llm

        return local_llm.send_here(body)
    if route == "/embed":
        from tools.embeddings import embed_here

        return {"vectors": embed_here(list(body["texts"])).tolist()}
    raise KeyError(route)


def _handler(state: _State, server: list[ThreadingHTTPServer]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            log.debug(format, *args)

        def _reply(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            given = self.headers.get("Authorization", "")
            if hmac.compare_digest(given.encode(), f"Bearer {state.token}".encode()):
                return True
            self._reply(403, {"error": "wrong token"})
            return False

        def do_GET(self) -> None:
            if not self._authorised():
                return
            if self.path != "/health":
                self._reply(404, {"error": "no such route"})
                return
            self._reply(
                200,
                {
                    "pid": os.getpid(),
                    "port": server[0].server_address[1],
                    "calls": state.calls,
                    "idle_s": round(state.idle_for(), 1),
                    "idle_limit_s": state.idle_s,
                    "up_s": round(time.time() - state.started, 1),
                    "loads": counts(),
                },
            )

        def do_POST(self) -> None:
            if not self._authorised():
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            if self.path == "/stop":
                self._reply(200, {"stopping": True})
                threading.Thread(target=server[0].shutdown, daemon=True).start()
                return
            state.begin()
            try:
                self._reply(200, _answer(self.path, body))
            except KeyError:
                self._reply(404, {"error": "no such route"})
            except Exception as exc:  # the caller falls back to its own process
                log.exception("call %s failed", self.path)
                self._reply(500, {"error": str(exc)[:300]})
            finally:
                state.end()

    return Handler


def _write_host_file(state: _State, port: int) -> None:
    path = host_file()
    part = path.with_name(f"model-host.{os.getpid()}.part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(
            {
                "pid": os.getpid(),
                "port": port,
                "token": state.token,
                "version": version(),
                "idle_s": state.idle_s,
                "started": state.started,
            },
            handle,
        )
    os.replace(part, path)


def _remove_host_file() -> None:
    path = host_file()
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def serve(idle_s: float) -> None:
    state = _State(idle_s)
    holder: list[ThreadingHTTPServer] = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state, holder))
    httpd.daemon_threads = True
    holder.append(httpd)

    def watch() -> None:
        while True:
            time.sleep(min(5.0, idle_s / 4))
            if state.idle_for() >= idle_s:
                log.info("idle for %.0f s: exiting", idle_s)
                httpd.shutdown()
                return

    threading.Thread(target=watch, daemon=True).start()
    _write_host_file(state, httpd.server_address[1])
    log.info("model host pid %d on 127.0.0.1:%d", os.getpid(), httpd.server_address[1])
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        _remove_host_file()
        httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description="the image-agent model host")
    parser.add_argument("--idle", type=float, default=600.0, help="exit after this idle time")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    os.environ["IMAGE_AGENT_MODEL_HOST"] = "0"  # the models load here, never in another host
    serve(max(5.0, args.idle))


if __name__ == "__main__":
    main()
