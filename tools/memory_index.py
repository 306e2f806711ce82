"""The FAISS side of the memory store (tools/memory_store.py): the vectors of its indexed
rows, keyed by row id, kept in step with SQLite, saved to `memory.faiss`, and scored for
a query over a given set of ids.

`VectorIndex` is a mixin of `FaissStore`: it works on the store's connection, index and id
set (`_conn`, `_index`, `_ids`, `_index_path`), which the store opens and reconciles.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from tools.embeddings import embed
from tools.memory_rows import Row

__all__ = ["SMALL_SET", "VectorIndex"]

SMALL_SET = 20_000  # at most this many candidate ids: score them directly, not via FAISS


class VectorIndex:
    """Index upkeep and ranking for a store whose rows' vectors live in `_index`."""

    __slots__ = ()

    _conn: sqlite3.Connection
    _index: Any  # faiss.IndexIDMap2(faiss.IndexFlatIP(DIMS)), ids are row ids
    _ids: set[int]  # the ids in `_index`
    _index_path: Path

    def _expected_ids(self) -> set[int]:
        rows = self._conn.execute("SELECT id FROM items WHERE embed_text IS NOT NULL")
        return {int(row[0]) for row in rows}

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

    def _sync_with_sqlite(self) -> None:
        """Make the in-memory index match SQLite exactly (after a rollback, or before a save)."""
        expected = self._expected_ids()
        self._remove_vectors(self._ids - expected)
        self._add_from_sqlite(expected - self._ids)

    def _rank(
        self, ids: list[int], query: np.ndarray, wanted: int, rows: Mapping[int, Row]
    ) -> list[tuple[float | None, Row]]:
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
