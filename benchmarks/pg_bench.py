"""PostgreSQL against the embedded default (issue 18), in one run on one machine:

    .venv/bin/python -m benchmarks.pg_bench [--sizes 10000 100000] [--db URL] [--only ...]

- recall: memory recall p50/p99 at each size, FAISS store against PostgresStore (pgvector),
  the same items and queries. Items are spread over users (100 a user) with random unit
  vectors written in bulk (benchmarks/memory_recall.py does the same for FAISS); each query
  goes through the real path, `store.search(("users", U), query=TEXT, limit=3)`, which
  embeds the text with MiniLM and ranks only that user's items.
- checkpoints: the time of each checkpoint write (`put` and `put_writes`) of whole runs with
  the scripted model, SqliteSaver against PostgresSaver.
- throughput: runs per minute with 1, 4 and 8 concurrent `image-agent run` processes (the
  scripted model, the sketch renderer), on each backend.

Without --db it starts a throwaway PostgreSQL (benchmarks/pg_local.py, fsync on). Prints
Markdown tables; --json FILE writes the figures too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from benchmarks.memory_recall import PER_USER, WORDS, populate
from benchmarks.pg_local import LocalPostgres
from tools.embeddings import DIMS, embed

PLAN = {
    "subject": "a lighthouse",
    "gaps": [
        {"question": "What colour are the stripes?", "kind": "commonsense", "best_guess": "red"}
    ],
    "objects": [{"name": "lighthouse", "position": "center", "size": "large"}],
    "setting": "cliffs at dusk",
    "style": "poster",
    "palette": ["navy", "orange"],
    "text": "",
    "checklist": ["A striped lighthouse", "Cliffs at dusk", "A calm sea"],
    "n_images": 1,
}
RULES = [
    {"schema": "PlanDraft", "response": PLAN},
    {"schema": "Reasoned", "response": {"question": "c?", "answer": "red", "visible": "red"}},
    {
        "schema": "Composed",
        "response": {"prompt": "A red striped lighthouse on cliffs at dusk", "negative_prompt": ""},
    },
    {
        "schema": "Judged",
        "response": {"verdicts": [{"item": "x", "passed": True, "reason": "shown"}] * 4},
    },
    {"schema": "Facts", "response": {"facts": []}},
]
REQUEST = "A poster of a lighthouse on the cliffs at dusk"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


def ms(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(1000 * pct(values, 0.5), 2),
        "p99_ms": round(1000 * pct(values, 0.99), 2),
    }


# ------------------------------------------------------------------ recall


def load_pg(url: str, n: int, rng: np.random.Generator) -> float:
    """The same layout as benchmarks/memory_recall.populate, bulk-copied; seconds taken."""
    import psycopg
    from pgvector.psycopg import register_vector

    from tools.memory_pg import open_pg_store

    open_pg_store(url).close()  # the schema
    vectors = rng.standard_normal((n, DIMS), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        register_vector(conn)
        with conn.cursor() as cur:
            with cur.copy("COPY store (prefix, key, value) FROM STDIN") as copy:
                for i in range(n):
                    kind = "profile" if i % 2 else "history"
                    value = json.dumps({"fact": " ".join(random.choices(WORDS, k=6))})
                    copy.write_row((f"users.u{i // PER_USER}.{kind}", f"k{i}", value))
            sql = "COPY store_vectors (prefix, key, field_name, embedding) FROM STDIN BINARY"
            with cur.copy(sql) as copy:
                copy.set_types(["text", "text", "text", "vector"])
                for i in range(n):
                    kind = "profile" if i % 2 else "history"
                    copy.write_row((f"users.u{i // PER_USER}.{kind}", f"k{i}", "fact", vectors[i]))
        conn.execute("ANALYZE store, store_vectors")
    return time.perf_counter() - started


def searches(store: Any, n: int, queries: list[tuple[str, str]]) -> list[float]:
    latencies = []
    for user, query in queries:
        t0 = time.perf_counter()
        hits = store.search(("users", user), query=query, limit=3)
        latencies.append(time.perf_counter() - t0)
        assert hits and all(h.namespace[1] == user for h in hits), (user, hits)
    return latencies


def bench_recall(pg: LocalPostgres | None, url: str | None, n: int, count: int) -> dict[str, Any]:
    from tools.memory_pg import open_pg_store
    from tools.memory_store import FaissStore

    users = max(1, n // PER_USER)
    queries = [
        (f"u{random.randrange(users)}", " ".join(random.choices(WORDS, k=3))) for _ in range(count)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        populate(Path(tmp), n, np.random.default_rng(0))
        store = FaissStore(Path(tmp))
        faiss_lat = searches(store, n, queries)
        store.close()
    target = pg.create_database(f"recall{n}") if pg else str(url)
    loaded = load_pg(target, n, np.random.default_rng(0))
    pg_store = open_pg_store(target)
    pg_lat = searches(pg_store, n, queries)
    pg_store.close()
    return {
        "items": n,
        "faiss": ms(faiss_lat),
        "postgres": ms(pg_lat),
        "pg_load_s": round(loaded, 1),
    }


# ------------------------------------------------------------------ checkpoints


def timed(saver_class: type) -> type:
    """The saver with each write's duration recorded (the class itself does the work)."""

    class Timed(saver_class):
        writes: ClassVar[list[tuple[str, float]]] = []

        def put(self, *args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return super().put(*args, **kwargs)
            finally:
                Timed.writes.append(("put", time.perf_counter() - t0))

        def put_writes(self, *args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return super().put_writes(*args, **kwargs)
            finally:
                Timed.writes.append(("put_writes", time.perf_counter() - t0))

    return Timed


@contextmanager
def saver_on(backend: str, url: str, folder: Path) -> Iterator[Any]:
    if backend == "sqlite":
        from langgraph.checkpoint.sqlite import SqliteSaver

        from tools.sqlite_files import connect

        conn = connect(folder / "checkpoints.sqlite")
        try:
            yield timed(SqliteSaver)(conn)
        finally:
            conn.close()
        return
    from langgraph.checkpoint.postgres import PostgresSaver

    from tools.database import connect as pg_connect

    with pg_connect(url) as conn:
        saver = timed(PostgresSaver)(conn)
        saver.setup()
        yield saver


def bench_checkpoints(url: str, runs: int) -> dict[str, Any]:
    from graph.agent import build_graph
    from nodes.context import Context
    from tools.memory_store import FaissStore

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "script.json"
        script.write_text(json.dumps({"rules": RULES}))
        ctx = Context(
            llm=f"scripted:{script}", renderer="sketch", interactive=False, max_rounds=1,
            output_dir=str(Path(tmp) / "out"), width=128, height=128, search="none",
        )  # fmt: skip
        for backend in ("sqlite", "postgres"):
            store = FaissStore(Path(tmp) / f"mem-{backend}")
            with saver_on(backend, url, Path(tmp)) as saver:
                app = build_graph(checkpointer=saver, store=store)
                type(saver).writes.clear()
                for k in range(runs + 1):  # the first run warms the caches, not counted
                    if k == 1:
                        type(saver).writes.clear()
                    config: Any = {"configurable": {"thread_id": f"{backend}-{k}"}}
                    app.invoke(
                        {"request": REQUEST, "user_id": "bench"},
                        config, context=ctx, durability="sync",
                    )  # fmt: skip
                writes = list(type(saver).writes)
            store.close()
            puts = [d for kind, d in writes if kind == "put"]
            task_writes = [d for kind, d in writes if kind == "put_writes"]
            out[backend] = {
                "put": ms(puts),
                "put_writes": ms(task_writes),
                "per_run_ms": round(1000 * sum(d for _, d in writes) / runs, 1),
                "writes_per_run": round(len(writes) / runs, 1),
            }
    return out


# ------------------------------------------------------------------ throughput


def bench_throughput(url: str, workers: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "script.json"
        script.write_text(json.dumps({"rules": RULES}))
        base = {k: v for k, v in os.environ.items() if not k.startswith("IMAGE_AGENT_")}
        base.update(
            IMAGE_AGENT_HOME=str(Path(tmp) / "home"), IMAGE_AGENT_OUTPUT_DIR=str(Path(tmp) / "out"),
            IMAGE_AGENT_WIDTH="128", IMAGE_AGENT_HEIGHT="128", IMAGE_AGENT_SEARCH="none",
            PYTHONPATH=str(root),
        )  # fmt: skip
        command = [sys.executable, "-m", "graph.cli", "run", REQUEST, "--llm", f"scripted:{script}"]
        command += ["--renderer", "sketch", "--max-rounds", "1", "--no-input"]
        warm = subprocess.run(command, env=base, capture_output=True, text=True)  # sketch index
        assert warm.returncode == 0, warm.stderr[-2000:]
        for backend in ("sqlite", "postgres"):
            env = dict(base, **({"IMAGE_AGENT_DATABASE_URL": url} if backend == "postgres" else {}))
            for k in workers:
                started = time.perf_counter()
                procs = [
                    subprocess.Popen([*command, "--user", f"w{i}"], env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
                    for i in range(k)
                ]  # fmt: skip
                failed = sum(1 for p in procs if p.communicate()[1] is not None and p.returncode)
                wall = time.perf_counter() - started
                out[f"{backend}/{k}"] = {
                    "processes": k, "wall_s": round(wall, 1), "failed": failed,
                    "runs_per_min": round(60 * (k - failed) / wall, 1),
                }  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="runs per backend (checkpoints)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--only", nargs="+", choices=["recall", "checkpoints", "throughput"])
    parser.add_argument("--db", help="an existing postgresql:// URL (default: a throwaway one)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    random.seed(0)
    embed(["warm up the embedding model"])
    only = set(args.only or ["recall", "checkpoints", "throughput"])
    figures: dict[str, Any] = {"cpus": os.cpu_count(), "load_before": os.getloadavg()}
    pg = None if args.db else LocalPostgres(fsync=True).start()
    try:
        url = args.db or pg.create_database("bench")  # type: ignore[union-attr]
        if "recall" in only:
            print("| items | FAISS p50 / p99 (ms) | PostgreSQL p50 / p99 (ms) | pg bulk load (s) |")
            print("|---|---|---|---|")
            figures["recall"] = []
            for n in args.sizes:
                r = bench_recall(pg, args.db, n, args.searches)
                figures["recall"].append(r)
                f, p = r["faiss"], r["postgres"]
                print(f"| {n:,} | {f['p50_ms']} / {f['p99_ms']} | {p['p50_ms']} / {p['p99_ms']} "
                      f"| {r['pg_load_s']} |", flush=True)  # fmt: skip
        if "checkpoints" in only:
            c = figures["checkpoints"] = bench_checkpoints(url, args.runs)
            print(
                "\n| saver | put p50 / p99 (ms) | put_writes p50 / p99 (ms) | writes a run | ms a run |"
            )
            print("|---|---|---|---|---|")
            for name, r in c.items():
                print(f"| {name} | {r['put']['p50_ms']} / {r['put']['p99_ms']} | "
                      f"{r['put_writes']['p50_ms']} / {r['put_writes']['p99_ms']} | "
                      f"{r['writes_per_run']} | {r['per_run_ms']} |", flush=True)  # fmt: skip
        if "throughput" in only:
            t = figures["throughput"] = bench_throughput(url, args.workers)
            print("\n| backend | processes | wall (s) | failed | runs per minute |")
            print("|---|---|---|---|---|")
            for name, r in t.items():
                print(f"| {name.split('/')[0]} | {r['processes']} | {r['wall_s']} | "
                      f"{r['failed']} | {r['runs_per_min']} |", flush=True)  # fmt: skip
    finally:
        if pg is not None:
            pg.stop()
    figures["load_after"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    print(f"\nload average before/after: {figures['load_before']} / {figures['load_after']}")


if __name__ == "__main__":
    main()
