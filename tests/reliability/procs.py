"""Running the real CLI as subprocesses for the reliability suite: environments with an
isolated data dir, a stop point to kill a run at (tools/crashpoints.py), and readers for
what a run leaves on disk (registry, checkpoints, memory)."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CLI_TIMEOUT = 600  # generous: two shared cores, several workers


def env_for(home: Path, out: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGE_AGENT_")}
    env.pop("OPENAI_API_KEY", None)
    env.pop("TAVILY_API_KEY", None)
    env.update(
        {
            "IMAGE_AGENT_HOME": str(home),
            "IMAGE_AGENT_OUTPUT_DIR": str(out),
            "IMAGE_AGENT_WIDTH": "128",
            "IMAGE_AGENT_HEIGHT": "128",
            "IMAGE_AGENT_SEARCH": "none",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env


def cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graph.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=CLI_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll a condition another process makes true (a file, a row); never a bare sleep."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Stopped:
    """A CLI process started with a stop point; `kill()` SIGKILLs it once it is there."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, point: str) -> None:
        self.marker = cwd / f"stopped-{time.monotonic_ns()}"
        self.stderr_path = cwd / f"{self.marker.name}.stderr"
        env = {
            **env,
            "IMAGE_AGENT_TEST_STOP_AT": point,
            "IMAGE_AGENT_TEST_STOP_MARKER": str(self.marker),
        }
        self._stderr = self.stderr_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "graph.cli", *args],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        self.point = point

    def wait_stopped(self, timeout: float = CLI_TIMEOUT) -> None:
        def there() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"exited ({self.proc.returncode}) before {self.point}: {self.stderr()[-2000:]}"
                )
            return self.marker.exists()

        wait_for(there, timeout, f"stop point {self.point}")

    def kill(self) -> str:
        """SIGKILL; the stderr it wrote (its first line names the run)."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=60)
        self._stderr.close()
        assert self.proc.returncode == -signal.SIGKILL
        return self.stderr()

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=60)
        self._stderr.close()


def run_id_of(stderr: str) -> str:
    return stderr.splitlines()[0].removeprefix("run ").strip()


def started_nodes(stderr: str) -> list[str]:
    """The nodes a process started, from its progress lines ("  1.2s plan …")."""
    return [line.split()[1] for line in stderr.splitlines() if line.rstrip().endswith("…")]


def runs_listed(home: Path, monkeypatch: Any) -> dict[str, dict[str, Any]]:
    """`image-agent runs --json`, run in this process (the CLI's own code, no start-up)."""
    from graph.cli import main

    monkeypatch.setenv("IMAGE_AGENT_HOME", str(home))
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        assert main(["runs", "--json", "--limit", "100"]) == 0
    return {record["id"]: record for record in json.loads(buffer.getvalue())}


def memory_rows(home: Path) -> list[dict[str, Any]]:
    """Every memory row: namespace, key, value (parsed: a half-written one would not)."""
    path = home / "memory" / "memory.sqlite"
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT namespace, key, value, embed_text IS NOT NULL FROM items"
        ).fetchall()
    return [
        {"namespace": ns, "key": key, "value": json.loads(value), "indexed": bool(indexed)}
        for ns, key, value, indexed in rows
    ]


def faiss_ids(home: Path) -> set[int]:
    import faiss

    path = home / "memory" / "memory.faiss"
    if not path.exists():
        return set()
    index = faiss.read_index(str(path))
    return {int(i) for i in faiss.vector_to_array(index.id_map)}


def indexed_row_ids(home: Path) -> set[int]:
    path = home / "memory" / "memory.sqlite"
    if not path.exists():
        return set()
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT id FROM items WHERE embed_text IS NOT NULL").fetchall()
    return {int(row[0]) for row in rows}


def checkpoint_writes(home: Path, run_id: str, channel: str) -> int:
    """How many saved task writes of this run are on `channel`."""
    path = home / "checkpoints.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=5) as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM writes WHERE thread_id = ? AND channel = ?",
                (run_id, channel),
            ).fetchone()
    except sqlite3.OperationalError:  # the table is not created yet
        return 0
    return int(row[0])


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
