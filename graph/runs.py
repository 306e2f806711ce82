"""Runs on this machine: the checkpointer (SQLite, one thread per run) and a run registry.

A run's id is its checkpoint thread id and its output folder's name. The registry keeps
what `image-agent resume` and `image-agent runs` need: the request, the Context it ran
with, its status (running, done, interrupted, failed) and the process that ran it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

from tools.files import process_alive
from tools.paths import data_dir
from tools.sqlite_files import connect, scrub


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


@contextmanager
def checkpointer() -> Iterator[SqliteSaver]:
    conn = connect(data_dir() / "checkpoints.sqlite")
    try:
        yield SqliteSaver(conn)
    finally:
        conn.close()


class RunRegistry:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "runs.sqlite"
        self.conn = connect(self.path)
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, created REAL, updated REAL,"
            " request TEXT, user_id TEXT, status TEXT, context TEXT, pid INTEGER, detail TEXT)"
        )
        self.conn.commit()

    @staticmethod
    def exists() -> bool:
        home = os.environ.get("IMAGE_AGENT_HOME") or str(Path.home() / ".image-agent")
        return (Path(home).expanduser() / "runs.sqlite").exists()

    def create(self, run_id: str, request: str, user_id: str, context: dict[str, Any]) -> None:
        now = time.time()
        self.conn.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, 'running', ?, ?, '')",
            (run_id, now, now, request, user_id, json.dumps(context), os.getpid()),
        )
        self.conn.commit()

    def set_status(self, run_id: str, status: str, detail: str = "") -> None:
        self.conn.execute(
            "UPDATE runs SET status = ?, detail = ?, updated = ?, pid = ? WHERE id = ?",
            (status, detail, time.time(), os.getpid(), run_id),
        )
        self.conn.commit()

    def get(self, run_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return self._row(row) if row else None

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT * FROM runs ORDER BY created DESC LIMIT ?", (limit,)
        ).fetchall()
        return [self._row(row) for row in rows]

    @staticmethod
    def _row(row: tuple[Any, ...]) -> dict[str, Any]:
        keys = ("id", "created", "updated", "request", "user_id", "status", "context", "pid")
        record = dict(zip(keys, row, strict=False))
        record["detail"] = row[8]
        record["context"] = json.loads(record["context"] or "{}")
        if record["status"] == "running" and not process_alive(int(record["pid"] or 0)):
            record["status"] = "failed"
            record["detail"] = record["detail"] or "the process stopped (crash or kill)"
        return record

    def close(self) -> None:
        self.conn.close()


def forget_runs(user_id: str, *, outputs: bool) -> list[str]:
    """Delete every run of this user: its checkpoints (they hold the request, the memory it
    read and every answer), its registry row and, with `outputs`, its output folder. The
    files are scrubbed, so nothing of the deleted rows stays on disk. The ids deleted."""
    if not RunRegistry.exists():
        return []
    registry = RunRegistry()
    try:
        rows = registry.conn.execute(
            "SELECT id, context FROM runs WHERE user_id = ?", (user_id,)
        ).fetchall()
        with checkpointer() as saver:
            for run_id, _ in rows:
                saver.delete_thread(run_id)
            scrub(saver.conn)
        for run_id, context in rows:
            folder_of = json.loads(context or "{}").get("output_dir")
            folder = Path(folder_of or "outputs").expanduser().resolve() / run_id
            if outputs and folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder)
        registry.conn.executemany("DELETE FROM runs WHERE id = ?", [(r[0],) for r in rows])
        registry.conn.commit()
        scrub(registry.conn)
    finally:
        registry.close()
    return [str(row[0]) for row in rows]
