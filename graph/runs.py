"""Runs: the checkpointer and a run registry, in the data dir or on PostgreSQL.

A run's id is its checkpoint thread id and its output folder's name. The registry keeps
what `image-agent resume` and `image-agent runs` need: the request, the Context it ran
with, its status (running, done, interrupted, failed), the process that ran it and its host.

By default both are SQLite files in the data dir (`checkpoints.sqlite`, `runs.sqlite`);
with `IMAGE_AGENT_DATABASE_URL` (tools/database.py) the checkpoints are LangGraph's
`PostgresSaver` tables and the registry is the table `image_agent_runs` in that database.
The same SQL serves both (placeholders aside).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from tools.database import connect as pg_connect
from tools.database import database_url, setup_once
from tools.files import process_alive
from tools.paths import data_dir
from tools.sqlite_files import connect, scrub

COLUMNS = ("id", "created", "updated", "request", "user_id", "status", "context", "pid", "detail")
SQLITE_TABLE = (
    "CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, created REAL, updated REAL,"
    " request TEXT, user_id TEXT, status TEXT, context TEXT, pid INTEGER, detail TEXT)"
)
PG_TABLE = (
    "CREATE TABLE IF NOT EXISTS image_agent_runs (id TEXT PRIMARY KEY,"
    " created DOUBLE PRECISION, updated DOUBLE PRECISION, request TEXT, user_id TEXT,"
    " status TEXT, context TEXT, pid INTEGER, detail TEXT, host TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX IF NOT EXISTS image_agent_runs_user ON image_agent_runs (user_id)",
    "CREATE INDEX IF NOT EXISTS image_agent_runs_created ON image_agent_runs (created)",
)
HOST = socket.gethostname()


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


@contextmanager
def checkpointer() -> Iterator[BaseCheckpointSaver[Any]]:
    url = database_url()
    if url is None:
        conn = connect(data_dir() / "checkpoints.sqlite")
        try:
            from langgraph.checkpoint.sqlite import SqliteSaver

            yield SqliteSaver(conn)
        finally:
            conn.close()
        return
    from langgraph.checkpoint.postgres import PostgresSaver

    with pg_connect(url) as pg:
        saver = PostgresSaver(pg)
        setup_once(url, "checkpoints", saver.setup)
        yield saver


class RunRegistry:
    """The run registry: `runs` in `runs.sqlite`, or `image_agent_runs` on PostgreSQL."""

    def __init__(self, path: Path | None = None) -> None:
        self.url = None if path is not None else database_url()
        self.conn: Any
        if self.url is None:
            self.path: Path | None = path or data_dir() / "runs.sqlite"
            self.table, self.mark = "runs", "?"
            self.conn = connect(self.path)
            self.conn.execute(SQLITE_TABLE)
            self.conn.commit()
        else:
            self.path, self.table, self.mark = None, "image_agent_runs", "%s"
            self.conn = pg_connect(self.url, tuples=True)
            setup_once(self.url, "runs", self._create_pg_table)

    def _create_pg_table(self) -> None:
        for statement in PG_TABLE:
            self.conn.execute(statement)

    @staticmethod
    def exists() -> bool:
        """Is there a registry to read (always, on PostgreSQL: it is created on first use)?"""
        if database_url():
            return True
        home = os.environ.get("IMAGE_AGENT_HOME") or str(Path.home() / ".image-agent")
        return (Path(home).expanduser() / "runs.sqlite").exists()

    def _sql(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.conn.execute(sql.replace("?", self.mark).format(t=self.table), params)

    def _commit(self) -> None:
        if self.url is None:
            self.conn.commit()

    def create(self, run_id: str, request: str, user_id: str, context: dict[str, Any]) -> None:
        now = time.time()
        values = (run_id, now, now, request, user_id, json.dumps(context), os.getpid())
        if self.url is None:
            self._sql("INSERT INTO {t} VALUES (?, ?, ?, ?, ?, 'running', ?, ?, '')", values)
        else:
            self._sql(
                "INSERT INTO {t} VALUES (?, ?, ?, ?, ?, 'running', ?, ?, '', ?)", (*values, HOST)
            )
        self._commit()

    def set_status(self, run_id: str, status: str, detail: str = "") -> None:
        host = ", host = ?" if self.url else ""
        self._sql(
            "UPDATE {t} SET status = ?, detail = ?, updated = ?, pid = ?" + host + " WHERE id = ?",
            (status, detail, time.time(), os.getpid(), *((HOST,) if self.url else ()), run_id),
        )
        self._commit()

    def get(self, run_id: str) -> dict[str, Any] | None:
        row = self._sql("SELECT * FROM {t} WHERE id = ?", (run_id,)).fetchone()
        return self._row(row) if row else None

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self._sql("SELECT * FROM {t} ORDER BY created DESC LIMIT ?", (limit,)).fetchall()
        return [self._row(row) for row in rows]

    def of_user(self, user_id: str) -> list[tuple[str, str]]:
        """(id, context JSON) of every run of this user."""
        rows = self._sql("SELECT id, context FROM {t} WHERE user_id = ?", (user_id,)).fetchall()
        return [(str(row[0]), str(row[1] or "{}")) for row in rows]

    def delete(self, run_ids: list[str]) -> None:
        for run_id in run_ids:
            self._sql("DELETE FROM {t} WHERE id = ?", (run_id,))
        self._commit()

    @staticmethod
    def _row(row: tuple[Any, ...]) -> dict[str, Any]:
        record = dict(zip(COLUMNS, row, strict=False))
        record["context"] = json.loads(record["context"] or "{}")
        host = row[9] if len(row) > 9 else HOST  # a process elsewhere cannot be checked here
        if (
            record["status"] == "running"
            and host == HOST
            and not process_alive(int(record["pid"] or 0))
        ):
            record["status"] = "failed"
            record["detail"] = record["detail"] or "the process stopped (crash or kill)"
        return record

    def scrub(self) -> None:
        if self.url is None:
            scrub(self.conn)
        else:
            self.conn.execute(f"VACUUM {self.table}")

    def close(self) -> None:
        self.conn.close()


def forget_runs(user_id: str, *, outputs: bool) -> list[str]:
    """Delete every run of this user: its checkpoints (they hold the request, the memory it
    read and every answer), its registry row and, with `outputs`, its output folder. SQLite
    files are scrubbed, so nothing of the deleted rows stays on disk; PostgreSQL tables are
    vacuumed. The ids deleted."""
    if not RunRegistry.exists():
        return []
    registry = RunRegistry()
    try:
        rows = registry.of_user(user_id)
        with checkpointer() as saver:
            for run_id, _ in rows:
                saver.delete_thread(run_id)
            if registry.url is None:
                scrub(saver.conn)  # type: ignore[attr-defined]
            else:
                registry.conn.execute("VACUUM checkpoints, checkpoint_blobs, checkpoint_writes")
        for run_id, context in rows:
            folder_of = json.loads(context).get("output_dir")
            folder = Path(folder_of or "outputs").expanduser().resolve() / run_id
            if outputs and folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder)
        registry.delete([row[0] for row in rows])
        registry.scrub()
    finally:
        registry.close()
    return [row[0] for row in rows]
