"""The one switch to PostgreSQL: `IMAGE_AGENT_DATABASE_URL` (the CLI's `--db URL` sets it).

Unset, everything stays in the data dir (SQLite checkpoints and run registry, SQLite + FAISS
memory). Set to a `postgresql://` URL, the checkpoints (LangGraph's `PostgresSaver`), the run
registry (a table) and the memory (LangGraph's `PostgresStore` with a pgvector index) live in
that database, so processes on several machines share them; the database's own transactions
and locks decide who wins, no file lock.

Each part creates its schema on first use (`setup()`), under a PostgreSQL advisory lock, so
processes starting at once on an empty database take turns instead of racing on
`CREATE TABLE`. A malformed
URL or an unreachable server is a `UserError`: one line, exit 2.
"""

from __future__ import annotations

import os
import re
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any

from tools.errors import UserError

ENV = "IMAGE_AGENT_DATABASE_URL"
SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT = 10  # seconds; an unreachable server fails in this long, not never
SETUP_TIMEOUT = 300  # seconds another process may take creating the schema
_done: set[tuple[str, str]] = set()
_done_lock = threading.Lock()


def database_url() -> str | None:
    """The PostgreSQL URL to use, or None for the embedded SQLite/FAISS default."""
    url = (os.environ.get(ENV) or "").strip()
    if not url:
        return None
    if not url.startswith(SCHEMES):
        raise UserError(f"{ENV} must be a postgresql:// URL, not {shown(url)!r}")
    return url


def shown(url: str) -> str:
    """The URL with its password hidden (for messages)."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def unreachable(url: str, exc: BaseException) -> UserError:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return UserError(f"cannot use the database at {shown(url)}: {first}")


def connect(url: str, *, tuples: bool = False) -> Any:
    """A psycopg connection in autocommit mode whose rows are dicts (LangGraph's savers and
    stores expect them) or, with `tuples`, tuples; else a one-line UserError."""
    import psycopg
    from psycopg.rows import dict_row, tuple_row

    try:
        return psycopg.connect(
            url,
            connect_timeout=CONNECT_TIMEOUT,
            autocommit=True,
            prepare_threshold=0,
            row_factory=tuple_row if tuples else dict_row,
        )
    except (psycopg.Error, ValueError) as exc:
        raise unreachable(url, exc) from exc


def setup_once(url: str, part: str, setup: Callable[[], None]) -> None:
    """Run `setup` (a part's schema creation) once per process and URL, holding a database
    advisory lock so that concurrent first uses take turns."""
    with _done_lock:
        if (url, part) in _done:
            return
    key = zlib.crc32(f"image-agent:{part}".encode())
    with connect(url) as conn:
        # Poll with the non-blocking form: LangGraph's migrations run CREATE INDEX
        # CONCURRENTLY, which waits for every older snapshot, and a session blocked in
        # pg_advisory_lock() holds one, so the blocking form deadlocks the first users.
        deadline = time.monotonic() + SETUP_TIMEOUT
        while not conn.execute("SELECT pg_try_advisory_lock(%s) AS got", (key,)).fetchone()["got"]:
            if time.monotonic() > deadline:
                raise UserError(f"the database schema ({part}) is still being created elsewhere")
            time.sleep(0.1)
        try:
            setup()
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
    with _done_lock:
        _done.add((url, part))
