"""Memory on PostgreSQL: LangGraph's `PostgresStore` with a pgvector index on the embedded
MiniLM (384 dims, cosine), over a connection pool shared by the process's threads.

Rows are in the `store` table, vectors in `store_vectors` (one per embedded field, deleted
with their row by a foreign key). The nodes use it through the `BaseStore` interface, as they
use `FaissStore`. The only addition is `scrub()`, which `memory forget` calls: a VACUUM of
both tables, so dead rows and vectors leave the tables and their indexes.
"""

from __future__ import annotations

import atexit
import threading
from typing import Any

from langgraph.store.postgres import PostgresStore

from tools.database import CONNECT_TIMEOUT, connect, setup_once, unreachable
from tools.embeddings import DIMS, embeddings

# A put without its own `index` embeds the whole value, as FaissStore embeds all its text
# (and as langgraph.json's server store). The nodes give their fields (up to three per item,
# one vector each); a query search reads 2 x limit + 1 vectors before keeping each item's
# best, which fills the nodes' limits (history 2, profile 6 at two vectors an item).
FIELDS = ["$"]
POOL_SIZE = 4


class PgMemoryStore(PostgresStore):
    """`PostgresStore` plus `scrub()` and `close()` (the pool it was given)."""

    url = ""

    def scrub(self) -> bool:
        with connect(self.url) as conn:
            conn.execute("VACUUM store, store_vectors")
        return True

    def close(self) -> None:
        self.conn.close()


def open_pg_store(url: str, pool_size: int = POOL_SIZE) -> PgMemoryStore:
    """A new store on `url` (schema created on first use); the caller closes it."""
    import psycopg
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    connect(url).close()  # a bad URL or a down server: one line, now
    pool: Any = ConnectionPool(
        url,
        min_size=1,
        max_size=pool_size,
        open=False,
        timeout=CONNECT_TIMEOUT * 3,
        kwargs={
            "autocommit": True,
            "prepare_threshold": 0,
            "row_factory": dict_row,
            "connect_timeout": CONNECT_TIMEOUT,
        },
    )
    try:
        pool.open(wait=True, timeout=CONNECT_TIMEOUT * 3)
    except (psycopg.Error, psycopg.errors.Error) as exc:  # pragma: no cover - raced a shutdown
        raise unreachable(url, exc) from exc
    store = PgMemoryStore(
        pool,
        index={
            "dims": DIMS,
            "embed": embeddings,
            "fields": FIELDS,
            "distance_type": "cosine",
            # exact search, as FAISS's flat index: the store's query (a namespace filter,
            # ORDER BY an expression) cannot use an ANN index anyway (see upstream's note in
            # get_distance_operator), and keeping one up to date slows every put
            "ann_index_config": {"kind": "flat"},
        },
    )
    store.url = url
    setup_once(url, "store", store.setup)
    return store


_lock = threading.Lock()
_stores: dict[str, PgMemoryStore] = {}


def pg_store(url: str) -> PgMemoryStore:
    """The process-wide store on `url` (opened on first use, closed at exit)."""
    with _lock:
        store = _stores.get(url)
        if store is None:
            store = _stores[url] = open_pg_store(url)
            atexit.register(store.close)
        return store
