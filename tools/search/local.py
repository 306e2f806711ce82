"""`local:DIR`: embedding search over a folder of .md / .txt files, cached and incremental.

The index lives in the data dir (`corpus/<sha256 of the folder path>/`): the passages
(`chunks.json`), their vectors (`vectors.npy`) and a manifest of every file's size,
mtime and content sha256. Before each search the folder is checked: unchanged files
(same size and mtime, or same content hash) keep their passages and vectors; only new
or edited files are chunked and embedded again; deleted files drop out. Results cite the
file and the passage number (`notes/festivals.md#2`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from tools.embeddings import DIMS, embed
from tools.paths import data_dir, file_lock, sha256_file
from tools.search.base import Passage
from tools.search.chunking import MAX_CHARS, MIN_CHARS, chunk_text, corpus_files

logger = logging.getLogger(__name__)
CACHE_VERSION = 2


class LocalCorpusSearch:
    """Search a folder's documents; the index is refreshed incrementally before a search."""

    def __init__(self, directory: Path | str) -> None:
        self.root = Path(directory).expanduser().resolve()
        self.name = "local"
        key = hashlib.sha256(str(self.root).encode("utf-8")).hexdigest()
        self.cache_dir = data_dir() / "corpus" / key
        self._lock = threading.Lock()
        self._index: Any = None
        self._chunks: list[dict[str, str]] = []
        self._files: dict[str, dict[str, Any]] = {}
        self.last_refresh: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"LocalCorpusSearch({str(self.root)!r})"

    # ---- cache

    def _file_lock(self) -> contextlib.AbstractContextManager[None]:
        return file_lock(self.cache_dir / ".lock")

    def _read_cache(self) -> tuple[dict[str, Any], list[dict[str, str]], np.ndarray]:
        """The cached manifest, passages and vectors (empty when missing or unreadable)."""
        empty: tuple[dict[str, Any], list[dict[str, str]], np.ndarray] = (
            {},
            [],
            np.zeros((0, DIMS), dtype=np.float32),
        )
        try:
            manifest = json.loads((self.cache_dir / "manifest.json").read_text("utf-8"))
            if manifest.get("version") != CACHE_VERSION or manifest.get("chunking") != [
                MIN_CHARS,
                MAX_CHARS,
            ]:
                return empty
            chunks = json.loads((self.cache_dir / "chunks.json").read_text("utf-8"))
            vectors = np.load(self.cache_dir / "vectors.npy")
            if vectors.shape != (len(chunks), DIMS):
                raise ValueError("passages and vectors disagree")
            return manifest, chunks, vectors.astype(np.float32)
        except FileNotFoundError:
            return empty
        except Exception as exc:
            logger.warning("corpus cache %s is unreadable (%s); rebuilding", self.cache_dir, exc)
            return empty

    def _write_cache(
        self, files: dict[str, Any], chunks: list[dict[str, str]], vectors: np.ndarray
    ) -> None:
        tag = f"{os.getpid()}.{threading.get_ident()}.tmp"
        pieces = {
            "chunks.json": json.dumps(chunks, ensure_ascii=False).encode("utf-8"),
        }
        for name, data in pieces.items():
            tmp = self.cache_dir / f"{name}.{tag}"
            tmp.write_bytes(data)
            os.replace(tmp, self.cache_dir / name)
        tmp = self.cache_dir / f"vectors.{tag}.npy"
        np.save(tmp, vectors)
        os.replace(tmp, self.cache_dir / "vectors.npy")
        manifest = {
            "version": CACHE_VERSION,
            "root": str(self.root),
            "chunking": [MIN_CHARS, MAX_CHARS],
            "files": files,
        }
        tmp = self.cache_dir / f"manifest.json.{tag}"
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), "utf-8")
        os.replace(tmp, self.cache_dir / "manifest.json")  # last: a cut-short write won't match

    # ---- refresh

    def _scan(self) -> dict[str, tuple[int, int]]:
        return {
            path.relative_to(self.root).as_posix(): (path.stat().st_mtime_ns, path.stat().st_size)
            for path in corpus_files(self.root)
        }

    def _refresh(self) -> None:
        """Bring the index up to date with the folder, re-embedding only what changed."""
        stats = self._scan()
        if (
            self._index is not None
            and all(
                self._files.get(rel, {}).get("stat") == list(stat) for rel, stat in stats.items()
            )
            and set(stats) == set(self._files)
        ):
            return
        with self._file_lock():
            manifest, chunks, vectors = self._read_cache()
            cached: dict[str, Any] = manifest.get("files", {})
            by_file: dict[str, list[int]] = {}
            for row, chunk in enumerate(chunks):
                by_file.setdefault(chunk["file"], []).append(row)
            files: dict[str, Any] = {}
            kept_rows: list[int] = []
            new_chunks: list[dict[str, str]] = []
            changed: list[str] = []
            for rel, stat in sorted(stats.items()):
                entry = cached.get(rel)
                if entry and entry.get("stat") == list(stat) and rel in by_file:
                    files[rel] = entry
                    kept_rows.extend(by_file[rel])
                    continue
                digest = sha256_file(self.root / rel)
                if entry and entry.get("sha256") == digest and rel in by_file:
                    files[rel] = {**entry, "stat": list(stat)}
                    kept_rows.extend(by_file[rel])
                    continue
                changed.append(rel)
                files[rel] = {"sha256": digest, "stat": list(stat)}
                path = self.root / rel
                text = path.read_text("utf-8", errors="replace")
                for number, passage in enumerate(
                    chunk_text(text, path.suffix.lower() == ".md"), start=1
                ):
                    new_chunks.append({"file": rel, "source": f"{rel}#{number}", "text": passage})
            removed = sorted(set(cached) - set(stats))
            fresh = embed([c["text"] for c in new_chunks])
            all_chunks = [chunks[row] for row in kept_rows] + new_chunks
            all_vectors = np.concatenate([vectors[kept_rows], fresh]).astype(np.float32)
            if changed or removed or files != cached:
                self._write_cache(files, all_chunks, all_vectors)
        index = faiss.IndexFlatIP(DIMS)
        if len(all_chunks):
            index.add(np.ascontiguousarray(all_vectors))
        self._index, self._chunks, self._files = index, all_chunks, files
        self.last_refresh = {
            "embedded_files": changed,
            "removed_files": removed,
            "reused_files": len(files) - len(changed),
            "embedded_passages": len(new_chunks),
            "passages": len(all_chunks),
        }
        if changed or removed:
            logger.info(
                "corpus %s: re-indexed %d file(s), dropped %d, kept %d",
                self.root,
                len(changed),
                len(removed),
                len(files) - len(changed),
            )

    def load(self) -> None:
        """Open (or build) the index now instead of on the first search."""
        with self._lock:
            self._refresh()

    # ---- search

    def search(self, query: str, k: int = 4) -> list[Passage]:
        if k <= 0 or not query.strip():
            return []
        with self._lock:
            self._refresh()
            index, chunks = self._index, self._chunks
        if not chunks:
            return []
        scores, ids = index.search(embed([query]), min(k, len(chunks)))
        return [
            Passage(
                source=chunks[i]["source"], quote=chunks[i]["text"][:MAX_CHARS], score=float(score)
            )
            for score, i in zip(scores[0].tolist(), ids[0].tolist(), strict=True)
            if i >= 0
        ]
