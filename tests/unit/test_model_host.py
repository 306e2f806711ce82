"""The warm model host (tools/model_host.py): real processes, the real MiniLM, real HTTP on
a loopback port. The chat route with the real embedded model is in
tests/integration/test_embedded_run.py."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]

EMBED = """
import json, sys
from tools import model_host
from tools.embeddings import embed
model_host.prefer(True)
vectors = embed(sys.argv[1:])
host = model_host.client()
print(json.dumps({"vectors": vectors.tolist(), "host": host.pid if host else None,
                  "started": model_host.started_pid}))
"""


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "IMAGE_AGENT_HOME": str(home), "PYTHONPATH": str(ROOT)}
    env.pop("IMAGE_AGENT_MODEL_HOST", None)  # the default of a CLI process: a host
    return {**env, **extra}


def embed_in_process(home: Path, *texts: str, **extra: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", EMBED, *texts],
        env=env_for(home, **extra),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def host_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graph.cli", "host", *args],
        env=env_for(home),
        capture_output=True,
        text=True,
        timeout=120,
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("host-home")
    yield home
    host_cli(home, "stop")


def test_processes_share_one_host_that_answers_as_this_process_would(home: Path) -> None:
    first = embed_in_process(home, "a red kite over a beach", "a teapot")
    pid = first["host"]
    assert isinstance(pid, int) and first["started"] == pid and alive(pid)
    info = json.loads((home / "model-host.json").read_text())
    assert info["pid"] == pid
    assert stat.S_IMODE((home / "model-host.json").stat().st_mode) == 0o600
    second = embed_in_process(home, "a red kite over a beach")
    assert second["host"] == pid and second["started"] is None  # found warm, not started
    from tools.embeddings import embed_here

    here = embed_here(["a red kite over a beach"])
    assert np.allclose(np.asarray(second["vectors"]), here, atol=1e-5)
    status = host_cli(home, "status", "--json")
    figures = json.loads(status.stdout)
    assert figures["pid"] == pid and figures["calls"] == 2 and figures["current"] is True
    assert figures["loads"] == {"minilm": 1}  # loaded once, for both processes


def test_a_call_without_the_token_is_refused(home: Path) -> None:
    embed_in_process(home, "warm")
    info = json.loads((home / "model-host.json").read_text())
    conn = HTTPConnection("127.0.0.1", info["port"], timeout=10)
    conn.request("POST", "/embed", json.dumps({"texts": ["x"]}), {"Authorization": "Bearer no"})
    assert conn.getresponse().status == 403
    conn.close()


def test_other_settings_replace_the_host_and_a_killed_one_is_replaced(home: Path) -> None:
    before = embed_in_process(home, "one")["host"]
    other = embed_in_process(home, "two", IMAGE_AGENT_LOCAL_CTX="8192")
    assert isinstance(before, int) and other["host"] not in (None, before)
    assert gone(before, 15)  # asked to stop: another host serves other settings
    assert isinstance(other["host"], int)
    os.kill(other["host"], signal.SIGKILL)  # its file stays behind, naming a dead process
    assert gone(other["host"], 15)
    third = embed_in_process(home, "three")
    assert third["host"] not in (None, other["host"])


def test_a_host_that_dies_mid_process_costs_a_fallback_not_a_result(home: Path) -> None:
    code = """
import json, os, signal, sys, time
from tools import model_host
from tools.embeddings import embed
model_host.prefer(True)
embed(["start it"])
host = model_host.client()
os.kill(host.pid, signal.SIGKILL)
time.sleep(0.5)
vectors = embed(["after it died"])
print(json.dumps({"shape": list(vectors.shape), "host": model_host.client() is not None}))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], env=env_for(home), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"shape": [1, 384], "host": False}
    assert "the model host failed" in done.stderr


def test_an_idle_host_exits_and_stop_ends_one_now(tmp_path: Path) -> None:
    idle = embed_in_process(tmp_path, "idle", IMAGE_AGENT_MODEL_HOST_IDLE="5")["host"]
    assert isinstance(idle, int)
    assert gone(idle, 30)
    assert not (tmp_path / "model-host.json").exists()
    assert "no model host runs" in host_cli(tmp_path, "status").stderr
    started = host_cli(tmp_path, "start")
    assert started.returncode == 0 and "model host pid" in started.stderr
    pid = json.loads((tmp_path / "model-host.json").read_text())["pid"]
    stopped = host_cli(tmp_path, "stop")
    assert "host stopped" in stopped.stderr and gone(pid, 15)


def test_turned_off_no_host_is_started(tmp_path: Path) -> None:
    result = embed_in_process(tmp_path, "alone", IMAGE_AGENT_MODEL_HOST="0")
    assert result["host"] is None and not (tmp_path / "model-host.json").exists()
    refused = subprocess.run(
        [sys.executable, "-m", "graph.cli", "host", "start"],
        env={**env_for(tmp_path), "IMAGE_AGENT_MODEL_HOST": "0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "turns the model host off" in refused.stderr
