"""FaissStore with real SQLite, real FAISS and the real embedding model."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from langgraph.store.base import GetOp, PutOp, SearchOp

from tools.memory_store import FaissStore, default_store

PROFILE_A = ("users", "a", "profile")
HISTORY_A = ("users", "a", "history")
PROFILE_B = ("users", "b", "profile")


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_AGENT_HOME", str(tmp_path / "home"))


@pytest.fixture
def store(tmp_path: Path) -> FaissStore:
    return FaissStore(tmp_path / "mem")


def _fill(store: FaissStore) -> None:
    store.put(PROFILE_A, "dog", {"text": "my dog is a golden retriever", "kind": "pet"})
    store.put(
        PROFILE_A, "style", {"text": "I like soft watercolour illustrations", "kind": "style"}
    )
    store.put(PROFILE_A, "tax", {"text": "quarterly tax forms are due in April", "kind": "admin"})
    store.put(HISTORY_A, "run1", {"text": "a poster of a lighthouse at dusk", "kind": "run"})
    store.put(PROFILE_B, "dog", {"text": "my dog is a black labrador puppy", "kind": "pet"})


def test_model_loads_only_when_needed(tmp_path: Path) -> None:
    code = (
        "import sys, pathlib, tools.memory_store as m, tools.search, tools.embeddings as e\n"
        "assert e._model is None and 'sentence_transformers' not in sys.modules\n"
        f"s = m.FaissStore(pathlib.Path({str(tmp_path / 'mem')!r}))\n"
        "s.put(('users', 'a', 'profile'), 'k', {'text': 'plain'}, index=False)\n"
        "assert [i.key for i in s.search(('users', 'a'), query='dog')] == ['k']\n"
        "assert e._model is None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_put_get_update_delete(store: FaissStore) -> None:
    assert store.get(PROFILE_A, "dog") is None
    store.put(PROFILE_A, "dog", {"text": "my dog is a golden retriever"})
    item = store.get(PROFILE_A, "dog")
    assert item is not None
    assert item.value == {"text": "my dog is a golden retriever"}
    assert item.namespace == PROFILE_A and item.key == "dog"
    created = item.created_at

    store.put(PROFILE_A, "dog", {"text": "my dog is a corgi"})
    updated = store.get(PROFILE_A, "dog")
    assert updated is not None
    assert updated.value["text"] == "my dog is a corgi"
    assert updated.created_at == created
    assert updated.updated_at >= created
    assert len(store._ids) == 1  # the old vector went with the old version

    store.delete(PROFILE_A, "dog")
    assert store.get(PROFILE_A, "dog") is None
    assert store.search(PROFILE_A, query="dog") == []
    assert store._index.ntotal == 0


def test_search_by_query_ranks_closest_first(store: FaissStore) -> None:
    _fill(store)
    results = store.search(("users", "a"), query="what breed is my pet dog?")
    assert results[0].key == "dog"
    assert results[0].namespace == PROFILE_A
    assert results[0].score is not None
    scores = [r.score for r in results]
    assert all(s is not None for s in scores)
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
    assert results[0].score > results[-1].score  # type: ignore[operator]


def test_namespace_isolation(store: FaissStore) -> None:
    _fill(store)
    for query in ("my dog is a golden retriever", "watercolour", "lighthouse poster", None):
        results = store.search(("users", "b"), query=query, limit=50)
        assert results, query
        assert all(r.namespace[:2] == ("users", "b") for r in results), query
    a_results = store.search(("users", "a"), query="black labrador puppy", limit=50)
    assert {r.key for r in a_results} == {"dog", "style", "tax", "run1"}
    assert all(r.namespace[:2] == ("users", "a") for r in a_results)
    # a prefix is matched label by label, not as a string prefix
    store.put(("users", "ab", "profile"), "x", {"text": "my dog is a golden retriever"})
    assert all(r.namespace[1] == "a" for r in store.search(("users", "a"), query="dog"))


def test_filters_limit_offset_and_recency(store: FaissStore) -> None:
    _fill(store)
    pets = store.search(("users",), filter={"kind": "pet"}, query="dog", limit=10)
    assert {(r.namespace, r.key) for r in pets} == {(PROFILE_A, "dog"), (PROFILE_B, "dog")}
    assert store.search(PROFILE_A, filter={"kind": "style"})[0].key == "style"
    assert store.search(PROFILE_A, filter={"kind": "nothing"}) == []
    assert {r.key for r in store.search(PROFILE_A, filter={"kind": {"$ne": "pet"}})} == {
        "style",
        "tax",
    }

    # no query: most recently updated first, scores absent
    recent = store.search(("users", "a"))
    assert [r.key for r in recent] == ["run1", "tax", "style", "dog"]
    assert all(r.score is None for r in recent)
    assert [r.key for r in store.search(("users", "a"), limit=2, offset=1)] == ["tax", "style"]
    store.put(PROFILE_A, "dog", {"text": "my dog is a golden retriever", "kind": "pet"})
    assert store.search(("users", "a"), limit=1)[0].key == "dog"

    ranked = store.search(("users", "a"), query="golden retriever", limit=4)
    paged = store.search(("users", "a"), query="golden retriever", limit=2, offset=1)
    assert [r.key for r in paged] == [r.key for r in ranked[1:3]]


def test_index_options(store: FaissStore) -> None:
    store.put(PROFILE_A, "plain", {"text": "my dog is a golden retriever"}, index=False)
    store.put(
        PROFILE_A,
        "fields",
        {"title": "holiday", "note": "my dog is a golden retriever", "n": 3},
        index=["note"],
    )
    row = store._conn.execute("SELECT embed_text FROM items WHERE key = 'fields'").fetchone()
    assert row[0] == "my dog is a golden retriever"
    results = store.search(PROFILE_A, query="golden retriever dog")
    assert [r.key for r in results] == ["fields", "plain"]
    assert results[0].score is not None and results[1].score is None  # unindexed come last


def test_list_namespaces(store: FaissStore) -> None:
    _fill(store)
    store.put(("docs", "x"), "k", {"text": "t"}, index=False)
    assert store.list_namespaces() == [
        ("docs", "x"),
        ("users", "a", "history"),
        ("users", "a", "profile"),
        ("users", "b", "profile"),
    ]
    assert store.list_namespaces(prefix=("users",)) == [
        ("users", "a", "history"),
        ("users", "a", "profile"),
        ("users", "b", "profile"),
    ]
    assert store.list_namespaces(suffix=("profile",)) == [
        ("users", "a", "profile"),
        ("users", "b", "profile"),
    ]
    assert store.list_namespaces(prefix=("users", "*", "profile")) == [
        ("users", "a", "profile"),
        ("users", "b", "profile"),
    ]
    assert store.list_namespaces(max_depth=2) == [("docs", "x"), ("users", "a"), ("users", "b")]
    assert store.list_namespaces(prefix=("users",), limit=1, offset=1) == [
        ("users", "a", "profile")
    ]


def test_batch_ops_in_order(store: FaissStore) -> None:
    results = store.batch(
        [
            PutOp(PROFILE_A, "k", {"text": "my dog is a golden retriever"}),
            GetOp(PROFILE_A, "k"),
            SearchOp(("users",), query="dog"),
            PutOp(PROFILE_A, "k", None),
            GetOp(PROFILE_A, "k"),
        ]
    )
    assert results[0] is None
    assert results[1] is not None and results[1].key == "k"  # type: ignore[union-attr]
    assert [r.key for r in results[2]] == ["k"]  # type: ignore[union-attr]
    assert results[4] is None


def test_invalid_namespace_rejected(store: FaissStore) -> None:
    with pytest.raises(ValueError):
        store.batch([PutOp(("users", "a.b"), "k", {"text": "x"})])


def test_persistence_across_instances(tmp_path: Path) -> None:
    first = FaissStore(tmp_path / "mem")
    _fill(first)
    first.close()
    second = FaissStore(tmp_path / "mem")
    item = second.get(PROFILE_A, "dog")
    assert item is not None and item.value["kind"] == "pet"
    assert second.search(("users", "a"), query="golden retriever")[0].key == "dog"
    assert len(second._ids) == 5


def test_missing_index_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    first = FaissStore(tmp_path / "mem")
    _fill(first)
    first.close()
    (tmp_path / "mem" / "memory.faiss").unlink()
    with caplog.at_level(logging.WARNING, logger="tools.memory_store"):
        second = FaissStore(tmp_path / "mem")
    assert any("missing" in r.getMessage() for r in caplog.records)
    assert (tmp_path / "mem" / "memory.faiss").exists()
    assert second.search(("users", "a"), query="golden retriever")[0].key == "dog"


def test_corrupt_or_stale_index_is_repaired(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = FaissStore(tmp_path / "mem")
    _fill(first)
    first.close()
    index_file = tmp_path / "mem" / "memory.faiss"
    index_file.write_bytes(b"not a faiss index")
    with caplog.at_level(logging.WARNING, logger="tools.memory_store"):
        second = FaissStore(tmp_path / "mem")
    assert any("unreadable" in r.getMessage() for r in caplog.records)
    assert second.search(PROFILE_B, query="labrador")[0].key == "dog"

    # an index saved before the last write (as after a crash) is stale: ids differ
    stale = index_file.read_bytes()
    second.put(PROFILE_A, "cat", {"text": "my cat is a grey tabby"})
    second.close()
    index_file.write_bytes(stale)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="tools.memory_store"):
        third = FaissStore(tmp_path / "mem")
    assert any("does not match" in r.getMessage() for r in caplog.records)
    assert third.search(PROFILE_A, query="tabby cat")[0].key == "cat"


def test_second_instance_sees_writes_of_first(tmp_path: Path) -> None:
    one = FaissStore(tmp_path / "mem")
    two = FaissStore(tmp_path / "mem")
    one.put(PROFILE_A, "dog", {"text": "my dog is a golden retriever"})
    one.put(PROFILE_A, "tax", {"text": "quarterly tax forms are due in April"})
    assert two.search(PROFILE_A, query="golden retriever")[0].key == "dog"


def test_async_api(store: FaissStore) -> None:
    async def scenario() -> None:
        await store.aput(PROFILE_A, "dog", {"text": "my dog is a golden retriever"})
        await store.aput(PROFILE_A, "tax", {"text": "quarterly tax forms are due in April"})
        item = await store.aget(PROFILE_A, "dog")
        assert item is not None
        results = await store.asearch(("users", "a"), query="which breed is my dog")
        assert results[0].key == "dog"
        assert await store.alist_namespaces() == [PROFILE_A]
        await store.adelete(PROFILE_A, "dog")
        assert await store.aget(PROFILE_A, "dog") is None

    asyncio.run(scenario())


def test_threads(store: FaissStore) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(5):
                store.put(("users", f"u{n}", "history"), f"k{i}", {"text": f"run {i}"})
                store.search(("users", f"u{n}"), query="run")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.list_namespaces()) == 4
    assert store._index.ntotal == 20


def test_default_store_is_shared(tmp_path: Path) -> None:
    assert default_store() is default_store()
    assert default_store().path == (tmp_path / "home" / "memory").resolve()


WRITER = """
import sys
from pathlib import Path
from tools.memory_store import FaissStore

store = FaissStore(Path(sys.argv[1]))
who = sys.argv[2]
for i in range(int(sys.argv[3])):
    store.put(("users", who, "history"), f"turn-{i}", {"request": f"{who} asked for picture {i}"})
"""


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    """Two processes writing the same store at once: nothing lost, index matches SQLite."""
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), who, "15"],
            cwd=root,
            env={**__import__("os").environ, "PYTHONPATH": str(root)},
        )
        for who in ("ann", "bob")
    ]
    assert [p.wait(timeout=240) for p in procs] == [0, 0]
    reopened = FaissStore(tmp_path)
    for who in ("ann", "bob"):
        items = reopened.search(("users", who, "history"), limit=100)
        assert len(items) == 15
        hits = reopened.search(("users", who, "history"), query=f"{who} picture 7", limit=3)
        assert hits and all(h.namespace == ("users", who, "history") for h in hits)
    assert reopened._ids == reopened._expected_ids()  # every row has exactly its vector


CRASHER = """
import os, sys
from pathlib import Path
from tools.memory_store import FaissStore

store = FaissStore(Path(sys.argv[1]))
store.put(("users", "ann", "profile"), "early", {"fact": "The user likes oil painting"})
FaissStore._save_index = lambda self: os._exit(9)  # die after the SQLite commit
store.put(("users", "ann", "profile"), "late", {"fact": "The user's dog is a white poodle"})
"""


def test_crash_between_sqlite_and_index_write(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = Path(__file__).resolve().parents[2]
    env = {**__import__("os").environ, "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", CRASHER, str(tmp_path)], cwd=root, env=env)
    assert out.returncode == 9
    with caplog.at_level(logging.WARNING):
        reopened = FaissStore(tmp_path)
    assert "does not match SQLite" in caplog.text
    hits = reopened.search(("users", "ann", "profile"), query="poodle dog", limit=1)
    assert hits[0].key == "late"
