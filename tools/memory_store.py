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
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from langgraph.store.base import (
    BaseStore,
    GetOp,
    Item,
    ListNamespacesOp,
    MatchCondition,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    validate_op_namespace,
)
from langgraph.store.base.embed import get_text_at_path

from tools.embeddings import DIMS, embed
from tools.paths import data_dir, file_lock

__all__ = ["FaissStore", "default_store"]

logger = logging.getLogger(__name__)

SMALL_SET = 20_000  # at most this many candidate ids: score them directly, not via FAISS
_SEP = "."  # namespace labels may not contain "." (validated), so it is a safe separator

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    embed_text TEXT,
    UNIQUE (namespace, key)
);
CREATE INDEX IF NOT EXISTS items_updated_at ON items (updated_at);
"""

_COLUMNS = "id, namespace, key, value, created_at, updated_at, embed_text IS NOT NULL"


def _encode_ns(namespace: Sequence[str]) -> str:
    return _SEP.join(namespace)


def _decode_ns(text: str) -> tuple[str, ...]:
    return tuple(text.split(_SEP)) if text else ()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _string_leaves(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value.strip():
            yield value
    elif isinstance(value, Mapping):
        for child in value.values():
            yield from _string_leaves(child)
    elif isinstance(value, (list, tuple)):
        for child in value:
            yield from _string_leaves(child)


def _text_to_embed(value: Mapping[str, Any], index: list[str] | None) -> str | None:
    """The text a put embeds: the given field paths, else every string in the value."""
    if index is None:
        texts = list(_string_leaves(value))
        if texts:
            return "\n".join(texts)
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else None
    texts = [text for path in index for text in get_text_at_path(value, path) if text.strip()]
    return "\n".join(texts) if texts else None


def _apply_operator(value: Any, operator: str, operand: Any) -> bool:
    if operator == "$eq":
        return bool(value == operand)
    if operator == "$ne":
        return bool(value != operand)
    if operator in ("$gt", "$gte", "$lt", "$lte"):
        try:
            left, right = float(value), float(operand)
        except (TypeError, ValueError):
            return False
        if operator == "$gt":
            return left > right
        if operator == "$gte":
            return left >= right
        if operator == "$lt":
            return left < right
        return left <= right
    raise ValueError(f"unsupported filter operator {operator!r}")


def _matches(value: Any, wanted: Any) -> bool:
    """Equality (nested dicts compare field by field; `$eq`, `$ne`, `$gt`... operators)."""
    if isinstance(wanted, Mapping):
        if any(str(k).startswith("$") for k in wanted):
            return all(_apply_operator(value, k, v) for k, v in wanted.items())
        if not isinstance(value, Mapping):
            return False
        return all(_matches(value.get(k), v) for k, v in wanted.items())
    return bool(value == wanted)


def _matches_filter(value: Mapping[str, Any], filter_: Mapping[str, Any] | None) -> bool:
    if not filter_:
        return True
    return all(_matches(value.get(k), v) for k, v in filter_.items())


def _namespace_matches(condition: MatchCondition, namespace: tuple[str, ...]) -> bool:
    path = tuple(condition.path)
    if len(namespace) < len(path):
        return False
    if condition.match_type == "prefix":
        pairs = zip(namespace, path, strict=False)
    elif condition.match_type == "suffix":
        pairs = zip(reversed(namespace), reversed(path), strict=False)
    else:
        raise ValueError(f"unsupported match type {condition.match_type!r}")
    return all(want == "*" or have == want for have, want in pairs)


class _Row:
    __slots__ = ("created_at", "id", "indexed", "key", "namespace", "updated_at", "value")

    def __init__(self, row: Sequence[Any]) -> None:
        self.id: int = int(row[0])
        self.namespace: tuple[str, ...] = _decode_ns(row[1])
        self.key: str = row[2]
        self.value: dict[str, Any] = json.loads(row[3])
        self.created_at = datetime.fromisoformat(row[4])
        self.updated_at = datetime.fromisoformat(row[5])
        self.indexed = bool(row[6])

    def item(self) -> Item:
        return Item(
            value=self.value,
            key=self.key,
            namespace=self.namespace,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )

    def search_item(self, score: float | None) -> SearchItem:
        return SearchItem(
            namespace=self.namespace,
            key=self.key,
            value=self.value,
            created_at=self.created_at,
            updated_at=self.updated_at,
            score=score,
        )


class FaissStore(BaseStore):
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
            self._conn = sqlite3.connect(
                self.path / "memory.sqlite",
                check_same_thread=False,
                isolation_level=None,
                timeout=30,
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
            self._open_index()

    def _file_lock(self) -> contextlib.AbstractContextManager[None]:
        """Serialise index upkeep with other processes that opened the same folder."""
        return file_lock(self.path / "memory.lock")

    # ---------------------------------------------------------------- index upkeep

    def _expected_ids(self) -> set[int]:
        rows = self._conn.execute("SELECT id FROM items WHERE embed_text IS NOT NULL")
        return {int(row[0]) for row in rows}

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

    def _remove_vectors(self, ids: Iterable[int]) -> None:
        present = [i for i in ids if i in self._ids]
        if present:
            self._index.remove_ids(np.asarray(present, dtype=np.int64))
            self._ids.difference_update(present)

    def _add_vectors(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64)
            )
            self._ids.update(ids)

    def _add_from_sqlite(self, ids: Iterable[int]) -> None:
        """Embed the stored texts of these rows and add them to the index."""
        wanted = sorted(ids)
        pairs: list[tuple[int, str]] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            pairs.extend(
                (int(row[0]), str(row[1]))
                for row in self._conn.execute(
                    f"SELECT id, embed_text FROM items WHERE embed_text IS NOT NULL "
                    f"AND id IN ({marks})",
                    chunk,
                )
            )
        if pairs:
            self._add_vectors([i for i, _ in pairs], embed([text for _, text in pairs]))

    def _save_index(self) -> None:
        tmp = self._index_path.with_name(f"{self._index_path.name}.{os.getpid()}.tmp")
        faiss.write_index(self._index, str(tmp))
        os.replace(tmp, self._index_path)

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
                text = _text_to_embed(op.value, op.index)
                if text is not None:
                    texts[i] = text
            elif isinstance(op, SearchOp) and op.query and op.limit > 0:
                with self._lock:
                    if self._has_indexed(tuple(op.namespace_prefix)):
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
                        results.append(self._get(op))
                    elif isinstance(op, PutOp):
                        self._put(op, texts.get(i), vectors.get(i))
                        results.append(None)
                    elif isinstance(op, SearchOp):
                        results.append(self._search(op, vectors.get(i)))
                    else:
                        results.append(self._list_namespaces(op))
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

    def _sync_with_sqlite(self) -> None:
        """Make the in-memory index match SQLite exactly (after a rollback, or before a save)."""
        expected = self._expected_ids()
        self._remove_vectors(self._ids - expected)
        self._add_from_sqlite(expected - self._ids)

    def _get(self, op: GetOp) -> Item | None:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM items WHERE namespace = ? AND key = ?",
            (_encode_ns(op.namespace), op.key),
        ).fetchone()
        return _Row(row).item() if row else None

    def _put(self, op: PutOp, text: str | None, vector: np.ndarray | None) -> None:
        ns = _encode_ns(op.namespace)
        old = self._conn.execute(
            "SELECT id, created_at FROM items WHERE namespace = ? AND key = ?", (ns, op.key)
        ).fetchone()
        if old is not None:
            self._conn.execute("DELETE FROM items WHERE id = ?", (old[0],))
            self._remove_vectors([int(old[0])])
        if op.value is None:
            return
        now = _now()
        cursor = self._conn.execute(
            "INSERT INTO items (namespace, key, value, created_at, updated_at, embed_text) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                ns,
                op.key,
                json.dumps(dict(op.value), ensure_ascii=False),
                old[1] if old is not None else now,
                now,
                text if vector is not None else None,
            ),
        )
        if vector is not None and cursor.lastrowid is not None:
            self._add_vectors([int(cursor.lastrowid)], vector.reshape(1, -1))

    def _prefix_clause(self, prefix: tuple[str, ...]) -> tuple[str, list[Any]]:
        """Rows under `prefix`, as a range on the (namespace, key) index: every namespace
        below `a.b` sorts between `a.b.` and `a.b/` ("/" follows "." in ASCII)."""
        if not prefix:
            return "1", []
        encoded = _encode_ns(prefix)
        return "(namespace = ? OR (namespace >= ? AND namespace < ?))", [
            encoded,
            encoded + _SEP,
            encoded + chr(ord(_SEP) + 1),
        ]

    def _has_indexed(self, prefix: tuple[str, ...]) -> bool:
        clause, params = self._prefix_clause(prefix)
        sql = f"SELECT 1 FROM items WHERE embed_text IS NOT NULL AND {clause} LIMIT 1"
        return self._conn.execute(sql, params).fetchone() is not None

    def _rows_under(
        self, prefix: tuple[str, ...], limit: int | None = None, offset: int = 0
    ) -> list[_Row]:
        """Rows whose namespace starts with `prefix`, most recently updated first."""
        clause, params = self._prefix_clause(prefix)
        sql = f"SELECT {_COLUMNS} FROM items WHERE {clause} ORDER BY updated_at DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [_Row(row) for row in self._conn.execute(sql, params)]

    def _search(self, op: SearchOp, query: np.ndarray | None) -> list[SearchItem]:
        if op.limit <= 0:
            return []
        if not op.query and not op.filter:
            rows = self._rows_under(tuple(op.namespace_prefix), op.limit, op.offset)
            return [row.search_item(None) for row in rows]
        rows = [
            row
            for row in self._rows_under(tuple(op.namespace_prefix))
            if _matches_filter(row.value, op.filter)
        ]
        if not op.query:
            return [row.search_item(None) for row in rows[op.offset : op.offset + op.limit]]

        indexed = {row.id: row for row in rows if row.indexed}
        unscored = [row for row in rows if not row.indexed]
        missing = indexed.keys() - self._ids
        if missing:  # written by another process since this one loaded the index
            self._add_from_sqlite(missing)
        ranked: list[tuple[float | None, _Row]] = []
        wanted = min(len(indexed), op.offset + op.limit)
        if wanted:
            if query is None:  # indexed items arrived after the pre-check
                query = embed([op.query])[0]
            ranked.extend(self._rank(list(indexed), query, wanted, indexed))
        ranked.extend((None, row) for row in unscored)
        return [row.search_item(score) for score, row in ranked[op.offset : op.offset + op.limit]]

    def _rank(
        self, ids: list[int], query: np.ndarray, wanted: int, rows: Mapping[int, _Row]
    ) -> list[tuple[float | None, _Row]]:
        """Score only these ids (FAISS never returns anything else). A user's few hundred
        items: their vectors are looked up and scored directly (O(ids)); a large set: a
        FAISS search restricted by an id selector (O(index))."""
        vector = query.reshape(-1).astype(np.float32)
        if len(ids) <= SMALL_SET:
            found = np.asarray(ids, dtype=np.int64)
            scores = self._index.reconstruct_batch(found) @ vector
            order = np.argsort(-scores, kind="stable")[:wanted]
            return [(float(scores[i]), rows[int(found[i])]) for i in order]
        selector = faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64))
        params = faiss.SearchParameters()
        params.sel = selector  # `selector` stays referenced until the search returns
        top, found_ids = self._index.search(vector.reshape(1, -1), wanted, params=params)
        return [
            (float(score), rows[int(rid)])
            for score, rid in zip(top[0], found_ids[0], strict=True)
            if int(rid) in rows  # -1 pads, and a defensive guard on the prefix
        ]

    def _list_namespaces(self, op: ListNamespacesOp) -> list[tuple[str, ...]]:
        namespaces = [
            _decode_ns(row[0]) for row in self._conn.execute("SELECT DISTINCT namespace FROM items")
        ]
        if op.match_conditions:
            namespaces = [
                ns
                for ns in namespaces
                if all(_namespace_matches(cond, ns) for cond in op.match_conditions)
            ]
        if op.max_depth is not None:
            namespaces = [ns[: op.max_depth] for ns in namespaces]
        return sorted(set(namespaces))[op.offset : op.offset + op.limit]

    # ---------------------------------------------------------------- lifecycle

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __repr__(self) -> str:
        return f"FaissStore(path={str(self.path)!r}, vectors={len(self._ids)})"


_default_lock = threading.Lock()
_default_stores: dict[Path, FaissStore] = {}


def default_store() -> FaissStore:
    """The process-wide store at `data_dir()/"memory"` (opened on first use)."""
    path = (data_dir() / "memory").resolve()
    with _default_lock:
        store = _default_stores.get(path)
        if store is None:
            store = _default_stores[path] = FaissStore(path)
        return store
