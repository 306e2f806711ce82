"""The warm model host: one process per data dir keeps the embedded chat model and MiniLM
loaded, and the CLI's processes send their calls to it instead of loading their own
(`tools/model_host_server.py` is the host's side).

Without it, every `image-agent run` paid the model load, MiniLM's load and the restore of
each saved prefix before its first token.

- Every `image-agent` command uses a host that answers, and starts one
  (`python -m tools.model_host_server`) when none does. Other callers (a library user, the
  dev server) keep their models in their own long-lived process, unless
  IMAGE_AGENT_MODEL_HOST=1.
- IMAGE_AGENT_MODEL_HOST=0: never a host, each process loads its own.
- The host exits after IMAGE_AGENT_MODEL_HOST_IDLE seconds with no call (600 by default).
  `image-agent host status` shows it; `image-agent host stop` ends it.
- It listens on 127.0.0.1 only. Every call carries the token of the host file, which only
  the data dir's owner may read (mode 0600).
- A host that runs other code (its source files hash differently) or other model settings
  is stopped and replaced.
- A call that cannot reach the host is made in this process: a dead host costs a model load,
  never a run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

from tools.files import process_alive
from tools.paths import data_dir, file_lock

log = logging.getLogger(__name__)

ENV = "IMAGE_AGENT_MODEL_HOST"
IDLE_ENV = "IMAGE_AGENT_MODEL_HOST_IDLE"
START_TIMEOUT = 60.0
CALL_TIMEOUT = 1800.0
# what the host's answers depend on: a host started with other values is replaced
SETTINGS = ("IMAGE_AGENT_LOCAL_CTX", "IMAGE_AGENT_LOCAL_PARALLEL", "IMAGE_AGENT_PREFIX_CACHE")
SOURCES = (
    "model_host.py",
    "model_host_server.py",
    "local_llm.py",
    "prefix_cache.py",
    "embeddings.py",
    "minilm_onnx.py",
)

_lock = threading.Lock()
_preferred = False  # the CLI's default: use (and start) a host unless the variable says no
_checked = False
_host: Host | None = None
started_pid: int | None = None  # a host this process started


def prefer(on: bool) -> None:
    """The default when IMAGE_AGENT_MODEL_HOST is unset (the CLI turns it on)."""
    global _preferred, _checked, _host
    with _lock:
        _preferred, _checked, _host = on, False, None


def enabled() -> bool:
    value = os.environ.get(ENV, "").strip().lower()
    if value in ("0", "off", "no", "false"):
        return False
    return value in ("1", "on", "yes", "true") or _preferred


def idle_seconds() -> float:
    raw = os.environ.get(IDLE_ENV, "600")
    try:
        return max(5.0, float(raw))
    except ValueError:
        return 600.0


def host_file() -> Path:
    return data_dir() / "model-host.json"


def version() -> str:
    """The hash of the code and settings a host's answers depend on."""
    digest = hashlib.sha256(sys.executable.encode())
    here = Path(__file__).parent
    for name in SOURCES:
        digest.update((here / name).read_bytes())
    for key in SETTINGS:
        digest.update(f"{key}={os.environ.get(key, '')};".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Host:
    """A running host, as its file describes it."""

    pid: int
    port: int
    token: str
    version: str
    idle_s: float = 600.0
    started: float = 0.0

    def call(self, route: str, body: Any = None, timeout: float = CALL_TIMEOUT) -> Any:
        """POST `body` as JSON (GET when None); the decoded answer. Raises OSError."""
        conn = HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = None if body is None else json.dumps(body).encode()
            headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
            conn.request("GET" if body is None else "POST", route, data, headers)
            response = conn.getresponse()
            payload = response.read()
            if response.status != 200:
                raise OSError(f"model host answered {response.status}: {payload[:200]!r}")
            return json.loads(payload)
        finally:
            conn.close()

    def alive(self) -> bool:
        try:
            return bool(self.call("/health", timeout=5).get("pid") == self.pid)
        except (OSError, ValueError):
            return False


def read_host() -> Host | None:
    try:
        data = json.loads(host_file().read_text())
        return Host(**{k: data[k] for k in Host.__dataclass_fields__ if k in data})
    except (OSError, ValueError, TypeError, KeyError):
        return None


def client() -> Host | None:
    """The host this process sends its model calls to; None: load the models here."""
    global _checked, _host
    if not enabled():
        return None
    with _lock:
        if not _checked:
            _checked = True
            try:
                _host = _find_or_start()
            except OSError as exc:
                log.warning("no model host (%s): loading the models in this process", exc)
                _host = None
        return _host


def forget() -> None:
    """The host stopped answering: every later call of this process is made here."""
    global _host
    with _lock:
        _host = None


def call(route: str, body: Any, what: str) -> Any | None:
    """`body` answered by the host that serves this process; None when none does or it
    failed (then every later call of this process is made here, loading `what`)."""
    host = client()
    if host is None:
        return None
    try:
        return host.call(route, body)
    except (OSError, ValueError) as exc:
        log.warning("the model host failed (%s): loading %s in this process", exc, what)
        forget()
        return None


def _find_or_start() -> Host:
    global started_pid
    with file_lock(data_dir() / "model-host.lock"):
        current = read_host()
        if current is not None and current.alive():
            if current.version == version():
                return current
            log.info("replacing the model host (pid %d): other code or settings", current.pid)
            stop(current)
        host_file().unlink(missing_ok=True)
        logfile = (data_dir() / "model-host.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "tools.model_host_server", "--idle", str(idle_seconds())],
            stdin=subprocess.DEVNULL,
            stdout=logfile,
            stderr=logfile,
            start_new_session=True,  # a Ctrl-C in the terminal that started it does not end it
            env={**os.environ, ENV: "0"},  # the host loads the models itself
        )
        logfile.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            found = read_host()
            if found is not None and found.pid == process.pid and found.alive():
                started_pid = process.pid
                log.info("started the model host (pid %d)", process.pid)
                return found
            if process.poll() is not None:
                raise OSError(
                    f"the model host exited with {process.returncode} (see model-host.log in the data dir)"
                )
            time.sleep(0.05)
        process.kill()
        raise OSError("the model host did not start in time")


def stop(host: Host | None = None, wait: float = 10.0) -> bool:
    """Ask a host to exit (SIGTERM when it does not answer); whether one was running."""
    host = host or read_host()
    if host is None:
        return False
    try:
        host.call("/stop", {})
    except OSError:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(host.pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and process_alive(host.pid):
        time.sleep(0.05)
    return True


def status() -> dict[str, Any] | None:
    """The running host's figures (pid, port, idle, calls, loads), or None."""
    host = read_host()
    if host is None or not host.alive():
        return None
    answer: dict[str, Any] = host.call("/health", timeout=5)
    answer["current"] = host.version == version()
    return answer
