"""A persistent LangGraph store: items in SQLite, their vectors in a FAISS index.

Layout under the store folder (default `data_dir()/"memory"`):

- `memory.sqlite`: one row per item (namespace, key, value JSON, timestamps) plus the text
  that was embedded for it (`embed_text`, NULL when the item is not indexed);
- `memory.faiss`: an `IndexIDMap2(IndexFlatIP(384))` whose ids are the items' row ids.

Every put gives the item a fresh row id (AUTOINCREMENT never reuses one), so a vector in the
index always belongs to exactly one version of one item: comparing the index's ids with the
rows that should be indexed is enough to find anything stale. On open the two are
reconciled (the index is rebuilt from the stored texts when the file is missing or
corrupt); searches also embed rows that another process added since this one opened.

The embedding model is loaded only when a put has something to index or a search has a
query; importing this module or opening a store without either loads nothing.

The SQLite side (schema, rows, filters) is tools/memory_rows.py; the FAISS side (upkeep of
the vectors, ranking) is tools/memory_index.py, a mixin of `FaissStore`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from langgraph.store.base import (
    BaseStore,
    GetOp,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    validate_op_namespace,
)

from tools.embeddings import DIMS, embed
from tools.memory_index import VectorIndex
from tools.memory_rows import (
    SCHEMA,
    Row,
    encode_ns,
    get_item,
    has_indexed,
    list_namespaces,
    matches_filter,
    now,
    rows_under,
    text_to_embed,
)
from tools.paths import data_dir, file_lock
from tools.sqlite_files import connect, scrub

__all__ = ["FaissStore", "default_store"]

logger = logging.getLogger(__name__)


class FaissStore(VectorIndex, BaseStore):
    """LangGraph `BaseStore` persisted in SQLite, with FAISS vector search. Thread-safe."""

    __slots__ = ("_conn", "_ids", "_index", "_index_path", "_lock", "path")

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else data_dir() / "memory"
        self.path.mkdir(parents=True, exist_ok=True)
        self._index_path = self.path / "memory.faiss"
        self._lock = threading.RLock()
        self._index: Any = faiss.IndexIDMap2(faiss.IndexFlatIP(DIMS))
        self._ids: set[int] = set()
        # Opening (journal mode, schema, index reconcile) is serialised across processes:
        # two processes switching a new database to WAL at once get "database is locked".
        with self._lock, self._file_lock():
            self._conn = connect(self.path / "memory.sqlite", autocommit=True)
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)
            self._open_index()

    def _file_lock(self) -> contextlib.AbstractContextManager[None]:
        """Serialise index upkeep with other processes that opened the same folder."""
        return file_lock(self.path / "memory.lock")

    # ---------------------------------------------------------------- index upkeep

    def _open_index(self) -> None:
        """Load the FAISS file and reconcile it with SQLite (rebuild what does not match)."""
        expected = self._expected_ids()
        loaded: Any = None
        if self._index_path.exists():
            try:
                loaded = faiss.read_index(str(self._index_path))
                if not isinstance(loaded, faiss.IndexIDMap2) or loaded.d != DIMS:
                    raise ValueError(f"not an IndexIDMap2 of dimension {DIMS}")
            except Exception as exc:
                logger.warning(
                    "memory index %s is unreadable (%s); rebuilding it from %s",
                    self._index_path,
                    exc,
                    self.path / "memory.sqlite",
                )
                loaded = None
        elif expected:
            logger.warning(
                "memory index %s is missing; rebuilding it from SQLite (%d items)",
                self._index_path,
                len(expected),
            )
        if loaded is not None:
            self._index = loaded
            self._ids = {int(i) for i in faiss.vector_to_array(loaded.id_map)}
        stale = self._ids - expected
        missing = expected - self._ids
        if loaded is not None and (stale or missing):
            logger.warning(
                "memory index %s does not match SQLite (%d stale, %d missing vectors); "
                "re-indexing from SQLite",
                self._index_path,
                len(stale),
                len(missing),
            )
        if stale:
            self._remove_vectors(stale)
        if missing:
            self._add_from_sqlite(missing)
        if loaded is None or stale or missing:
            self._save_index()

    # ---------------------------------------------------------------- operations

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        ops = list(ops)
        for op in ops:
            validate_op_namespace(op)
            if not isinstance(op, (GetOp, PutOp, SearchOp, ListNamespacesOp)):
                raise TypeError(f"unknown store operation: {type(op).__name__}")

        # Embed outside the lock: the texts of indexed puts, and the queries of searches whose
        # prefix holds indexed items (so recall on an empty store loads no model).
        texts: dict[int, str] = {}
        for i, op in enumerate(ops):
            if isinstance(op, PutOp) and op.value is not None and op.index is not False:
                text = text_to_embed(op.value, op.index)
                if text is not None:
                    texts[i] = text
            elif isinstance(op, SearchOp) and op.query and op.limit > 0:
                with self._lock:
                    if has_indexed(self._conn, tuple(op.namespace_prefix)):
                        texts[i] = op.query
        order = list(texts)
        vectors = dict(zip(order, embed([texts[i] for i in order]), strict=True))

        writes = any(isinstance(op, PutOp) for op in ops)
        results: list[Result] = []
        with self._lock, self._file_lock() if writes else contextlib.nullcontext():
            if writes:
                self._conn.execute("BEGIN IMMEDIATE")
            try:
                for i, op in enumerate(ops):
                    if isinstance(op, GetOp):
                        results.append(get_item(self._conn, op.namespace, op.key))
                    elif isinstance(op, PutOp):
                        self._put(op, texts.get(i), vectors.get(i))
                        results.append(None)
                    elif isinstance(op, SearchOp):
                        results.append(self._search(op, vectors.get(i)))
                    else:
                        results.append(list_namespaces(self._conn, op))
                if writes:
                    self._conn.execute("COMMIT")
            except BaseException:
                if writes:
                    self._conn.execute("ROLLBACK")
                    self._sync_with_sqlite()
                raise
            if writes:
                # Another process may have written since this one loaded the index: take
                # its rows in (and drop vectors of rows it deleted) before saving the file.
                self._sync_with_sqlite()
                self._save_index()
        return results

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        return await asyncio.to_thread(self.batch, list(ops))

    def _put(self, op: PutOp, text: str | None, vector: np.ndarray | None) -> None:
        ns = encode_ns(op.namespace)
        old = self._conn.execute(
            "SELECT id, created_at FROM items WHERE namespace = ? AND key = ?", (ns, op.key)
        ).fetchone()
        if old is not None:
            self._conn.execute("DELETE FROM items WHERE id = ?", (old[0],))
            self._remove_vectors([int(old[0])])
        if op.value is None:
            return
        stamp = now()
        cursor = self._conn.execute(
            "INSERT INTO items (namespace, key, value, created_at, updated_at, embed_text) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                ns,
                op.key,
                json.dumps(dict(op.value), ensure_ascii=False),
                old[1] if old is not None else stamp,
                stamp,
                text if vector is not None else None,
            ),
        )
        if vector is not None and cursor.lastrowid is not None:
            self._add_vectors([int(cursor.lastrowid)], vector.reshape(1, -1))

    def _search(self, op: SearchOp, query: np.ndarray | None) -> list[SearchItem]:
        if op.limit <= 0:
            return []
        if not op.query and not op.filter:
            rows = rows_under(self._conn, tuple(op.namespace_prefix), op.limit, op.offset)
            return [row.search_item(None) for row in rows]
        rows = [
            row
            for row in rows_under(self._conn, tuple(op.namespace_prefix))
            if matches_filter(row.value, op.filter)
        ]
        if not op.query:
            return [row.search_item(None) for row in rows[op.offset : op.offset + op.limit]]

        indexed = {row.id: row for row in rows if row.indexed}
        unscored = [row for row in rows if not row.indexed]
        missing = indexed.keys() - self._ids
        if missing:  # written by another process since this one loaded the index
            self._add_from_sqlite(missing)
        ranked: list[tuple[float | None, Row]] = []
        wanted = min(len(indexed), op.offset + op.limit)
        if wanted:
            if query is None:  # indexed items arrived after the pre-check
                query = embed([op.query])[0]
            ranked.extend(self._rank(list(indexed), query, wanted, indexed))
        ranked.extend((None, row) for row in unscored)
        return [row.search_item(score) for score, row in ranked[op.offset : op.offset + op.limit]]

    # ---------------------------------------------------------------- lifecycle

    def scrub(self) -> bool:
        """Make deleted items unrecoverable from the SQLite file (tools/sqlite_files.py)."""
        with self._lock, self._file_lock():
            return scrub(self._conn)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __repr__(self) -> str:
        return f"FaissStore(path={str(self.path)!r}, vectors={len(self._ids)})"


_default_lock = threading.Lock()
_default_stores: dict[Path, FaissStore] = {}


def default_store() -> BaseStore:
    """The process-wide store: on PostgreSQL when `IMAGE_AGENT_DATABASE_URL` is set
    (tools/memory_pg.py), else the one at `data_dir()/"memory"` (opened on first use)."""
    from tools.database import database_url

    if url := database_url():
        from tools.memory_pg import pg_store

        return pg_store(url)
    path = (data_dir() / "memory").resolve()
    with _default_lock:
        store = _default_stores.get(path)
        if store is None:
            store = _default_stores[path] = FaissStore(path)
        return store
