"""Recall latency of the FAISS memory store at 10k, 100k and 1M items, and its build time.

    .venv/bin/python benchmarks/memory_recall.py [--sizes 10000 100000 1000000]

Items are spread over users (100 items a user), like the agent's ("users", U, "profile")
and ("users", U, "history") namespaces. Their vectors are random unit vectors written in
bulk (embedding a million texts with MiniLM on a CPU would take the better part of an
hour and measures the embedder, not the store); the queries go through the real path:
`FaissStore.search(namespace, query=TEXT)` embeds the text with MiniLM and searches only
that user's items. Reported: the index build (FAISS add), the store's open (load and
reconcile), and recall latency p50/p99 over 200 searches.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from tools.embeddings import DIMS, embed
from tools.memory_store import FaissStore

PER_USER = 100
WORDS = [
    "dog",
    "cat",
    "poodle",
    "watercolour",
    "oil",
    "teal",
    "red",
    "castle",
    "beach",
    "fox",
    "scarf",
    "night",
    "lantern",
]


def populate(folder: Path, n: int, rng: np.random.Generator) -> float:
    FaissStore(folder).close()  # creates the schema
    conn = sqlite3.connect(folder / "memory.sqlite")
    now = "2026-11-25T00:00:00+00:00"
    rows = []
    for i in range(n):
        user = f"u{i // PER_USER}"
        kind = "profile" if i % 2 else "history"
        text = " ".join(random.choices(WORDS, k=6))
        value = json.dumps({"fact": text})
        rows.append((i + 1, f"users.{user}.{kind}", f"k{i}", value, now, now, text))
    conn.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    vectors = rng.standard_normal((n, DIMS), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    started = time.perf_counter()
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(DIMS))
    index.add_with_ids(vectors, np.arange(1, n + 1, dtype=np.int64))
    build = time.perf_counter() - started
    faiss.write_index(index, str(folder / "memory.faiss"))
    return build


def bench(n: int, searches: int = 200) -> dict[str, float]:
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        build = populate(folder, n, rng)
        started = time.perf_counter()
        store = FaissStore(folder)
        opened = time.perf_counter() - started
        users = max(1, n // PER_USER)
        latencies, embedding = [], []
        for _ in range(searches):
            user = f"u{random.randrange(users)}"
            query = " ".join(random.choices(WORDS, k=3))
            t0 = time.perf_counter()
            embed([query])
            embedding.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            hits = store.search(("users", user), query=query, limit=3)
            latencies.append(time.perf_counter() - t0)
            assert all(h.namespace[1] == user for h in hits)
        store.close()
    latencies.sort()
    return {
        "embed_p50_ms": round(1000 * statistics.median(embedding), 1),
        "items": n,
        "index_build_s": round(build, 3),
        "open_s": round(opened, 3),
        "recall_p50_ms": round(1000 * statistics.median(latencies), 1),
        "recall_p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    random.seed(0)
    embed(["warm up the embedding model"])
    print(
        "| items | index build (s) | open (s) | recall p50 (ms) | recall p99 (ms) | "
        "of which query embedding p50 (ms) |"
    )
    print("|---|---|---|---|---|---|")
    for n in args.sizes:
        r = bench(n)
        print(
            f"| {n:,} | {r['index_build_s']} | {r['open_s']} | {r['recall_p50_ms']} | "
            f"{r['recall_p99_ms']} | {r['embed_p50_ms']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
