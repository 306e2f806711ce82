"""The SQLite files of the data dir (checkpoints, run registry, memory): how they are
opened, and how deleted rows are made unrecoverable.

Opening waits for other processes' locks (up to a minute) instead of failing with
"database is locked", and switches the journal to WAL under a file lock (two processes
switching a new database at once is what fails). `secure_delete` is on, so a deleted row's
bytes are overwritten, and `scrub` rewrites the file (VACUUM) and empties the WAL, where
copies of old pages stay until a checkpoint.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from tools.paths import file_lock

BUSY_TIMEOUT = 60.0
logger = logging.getLogger(__name__)


def connect(path: Path, *, autocommit: bool = False) -> sqlite3.Connection:
    path = Path(path)
    with file_lock(path.with_name(f"{path.name}.lock")):
        conn = sqlite3.connect(
            str(path),
            check_same_thread=False,
            timeout=BUSY_TIMEOUT,
            isolation_level=None if autocommit else "DEFERRED",
        )
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA journal_mode=WAL")
    return conn


def scrub(conn: sqlite3.Connection) -> bool:
    """Leave no bytes of deleted rows in the file or its WAL; False when another
    connection's reader kept part of the WAL (it is emptied on a later scrub)."""
    if conn.in_transaction:
        conn.commit()
    conn.execute("VACUUM")
    busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        logger.warning("another process is reading the database; its log is emptied later")
    return not busy
