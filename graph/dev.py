"""`make dev`: LangGraph's dev server (`langgraph dev`) for this project, offline and quiet.

`langgraph dev` silently takes another port when the one asked for is busy, phones home for
analytics and a version check, and prints a large banner. `start()` runs it in a subprocess
with analytics, the version check and LangSmith tracing off (tracing stays on only when the
caller's environment asks for it), reads the address the server actually bound from its own
output, and waits until `/ok` answers. `main()` is `make dev`; the tests use `start()` too.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Always set: nothing may leave the machine.
OFFLINE = {
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",  # langgraph-cli's usage analytics
    "LANGGRAPH_NO_VERSION_CHECK": "true",  # langgraph-api's PyPI version check
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}
# Defaults the caller's environment may override (LANGSMITH_TRACING=true turns tracing on).
QUIET = {
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "LOG_LEVEL": "WARNING",  # langgraph-api's structured logs: warnings and errors only
    "LOG_COLOR": "false",
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
API_LINE = re.compile(r"API:\s*(https?://\S+)")
STUDIO_LINE = re.compile(r"Studio UI:\s*(https?://\S+)")
PORT_TAKEN = re.compile(r"Port (\d+) is already in use, using port (\d+)")


def server_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment `langgraph dev` runs with: ours, then the caller's, then `extra`."""
    env = {**QUIET, **os.environ, **(extra or {}), **OFFLINE}
    return env


@dataclass
class DevServer:
    """A running `langgraph dev`: its address, Studio address and output so far."""

    process: subprocess.Popen[str]
    url: str = ""
    studio_url: str = ""
    requested_port: int = 0
    log: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=400))
    ready: threading.Event = field(default_factory=threading.Event)
    echo: bool = False

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1].split("/")[0]) if self.url else 0

    def tail(self, lines: int = 60) -> str:
        return "\n".join(list(self.log)[-lines:])

    def stop(self, timeout: float = 15.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)

    def __enter__(self) -> DevServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _pump(server: DevServer) -> None:
    """Read the server's output: find its address; once ready, echo it if asked."""
    assert server.process.stdout is not None
    for raw in server.process.stdout:
        line = ANSI.sub("", raw.rstrip("\n"))
        server.log.append(line)
        if not server.url and (found := API_LINE.search(line)):
            server.url = found.group(1).rstrip("/")
        if not server.studio_url and (found := STUDIO_LINE.search(line)):
            server.studio_url = found.group(1)
        if server.echo and server.ready.is_set() and line.strip():
            print(line, file=sys.stderr, flush=True)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ok", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start(
    *,
    port: int = 2024,
    host: str = "127.0.0.1",
    config: str | Path = "langgraph.json",
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    jobs: int = 4,
    reload: bool = False,
    extra_args: Sequence[str] = (),
    timeout: float = 180.0,
    echo: bool = False,
) -> DevServer:
    """Start `langgraph dev --no-browser` and return once it answers on `/ok`.

    `jobs` runs may execute at once (the dev server's own default is 1). Raises
    RuntimeError, with the server's output, when it exits or does not answer in time.
    """
    command = [
        sys.executable,
        "-m",
        "langgraph_cli",
        "dev",
        "--no-browser",
        "--host",
        host,
        "--port",
        str(port),
        "--config",
        str(config),
        "--n-jobs-per-worker",
        str(jobs),
        *([] if reload else ["--no-reload"]),
        *extra_args,
    ]
    process = subprocess.Popen(
        command,
        cwd=str(cwd) if cwd else None,
        env=server_env(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    server = DevServer(process=process, requested_port=port, echo=echo)
    threading.Thread(target=_pump, args=(server,), daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            time.sleep(0.2)  # let the reader drain the last lines
            raise RuntimeError(
                f"langgraph dev exited with code {process.returncode}:\n{server.tail()}"
            )
        if server.url and _answers(server.url):
            server.ready.set()
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"langgraph dev did not answer within {timeout:.0f}s:\n{server.tail()}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m graph.dev",
        description="Run the LangGraph dev server for image-agent, offline and quiet.",
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "2024")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--config", default="langgraph.json")
    parser.add_argument("--jobs", type=int, default=4, help="runs that may execute at once")
    parser.add_argument("--no-reload", action="store_true", help="no hot reload on code edits")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("langgraph_api") is None:
        print(
            "langgraph dev needs the server extra: pip install -e '.[server]' (or: make dev)",
            file=sys.stderr,
        )
        return 2
    print(f"starting langgraph dev (offline) on {args.host}:{args.port} ...", file=sys.stderr)
    try:
        server = start(
            port=args.port,
            host=args.host,
            config=args.config,
            jobs=args.jobs,
            reload=not args.no_reload,
            echo=True,
        )
    except RuntimeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    note = ""
    if server.port != args.port:
        note = f"  (port {args.port} was taken; the server bound {server.port})"
    print(f"image-agent dev server: {server.url}{note}", flush=True)
    print(f"  port:     {server.port}", flush=True)
    print(f"  web UI:   {server.url}/ui/", flush=True)
    print(f"  Studio:   {server.studio_url}", flush=True)
    print(f"  API docs: {server.url}/docs", flush=True)
    print("  graph:    image_agent   (Ctrl-C stops the server)", flush=True)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    try:
        return server.process.wait()
    except KeyboardInterrupt:
        server.stop()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
