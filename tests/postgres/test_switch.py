"""The switch: with IMAGE_AGENT_DATABASE_URL (or --db) a whole run keeps its checkpoints, its
registry row and its memory in PostgreSQL and nothing in the data dir; a bad or unreachable
URL is one line and exit 2; memory search ranks by meaning; `memory forget` leaves no row,
vector or checkpoint of the user; export/import moves a user's memory FAISS <-> PostgreSQL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks.pg_local import free_port
from tests.postgres.conftest import rows
from tests.reliability.harness import cli, run_args
from tests.reliability.test_forget import RULES as FORGET_RULES
from tools.memory_pg import open_pg_store
from tools.memory_store import FaissStore

RENDERER = "py:tests.fakes.slow_renderer:SlowRenderer"
FACTS = {
    "pet": "The user's pet: Rufus, a white poodle",
    "home": "The user lives in Lisbon",
    "colour": "The user's favourite colour is teal",
    "work": "The user is a glassblower",
}


def test_a_whole_run_lives_in_postgresql(
    pg_url: str, home: Path, tmp_path: Path, script: object, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = script()  # type: ignore[operator]
    out = cli(capsys, *run_args(tmp_path / "out", "--llm", spec, "--renderer", RENDERER))
    assert out.code == 0, out.stderr[-2000:]
    run_id = out.info["run_id"]
    [(status, user)] = rows(pg_url, "SELECT status, user_id FROM image_agent_runs")
    assert (status, user) == ("done", "default")
    assert rows(pg_url, "SELECT count(*) FROM checkpoints WHERE thread_id = %s", run_id)[0][0] > 5
    [(value,)] = rows(pg_url, "SELECT value FROM store WHERE prefix = 'users.default.history'")
    assert value["final_prompt"] == out.info["final_prompt"]
    assert rows(pg_url, "SELECT count(*) FROM store_vectors")[0][0] == 3  # 3 indexed fields
    listed = cli(capsys, "runs", "--json")
    assert [r["status"] for r in json.loads(listed.stdout)] == ["done"]
    # nothing of the run in the data dir (the renderer's own files aside)
    left = sorted(p.name for p in home.glob("*")) if home.exists() else []
    assert not [name for name in left if "sqlite" in name or name == "memory"], left


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://localhost/x", "must be a postgresql:// URL"),
        ("postgresql://postgres@127.0.0.1:{port}/x", "cannot use the database at"),
        ("postgresql://nobody:secret@127.0.0.1:{port}/x", "nobody:***@"),
    ],
)
def test_a_bad_or_unreachable_url_is_one_line_exit_2(
    url: str, says: str, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = url.format(port=free_port())  # nothing listens there
    before = os.environ.get("IMAGE_AGENT_DATABASE_URL")
    for argv in (
        ["runs", "--db", url],
        ["memory", "show", "--user", "ana", "--db", url],
        [*run_args(tmp_path / "out", "--db", url, "--renderer", RENDERER)],
    ):
        out = cli(capsys, *argv)
        assert out.code == 2, out.stderr
        lines = out.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("image-agent: error: "), out.stderr
        assert says in lines[0] and "secret" not in lines[0]
        # --db held for that command only: a caller in the same process keeps its setting
        assert os.environ.get("IMAGE_AGENT_DATABASE_URL") == before
    assert not (tmp_path / "out").exists()


def seed(store: object) -> None:
    for key, fact in FACTS.items():
        store.put(("users", "ana", "profile"), key, {"fact": fact}, index=["fact"])  # type: ignore[attr-defined]


def test_memory_search_ranks_by_meaning(pg_url: str) -> None:
    store = open_pg_store(pg_url)
    try:
        seed(store)
        store.put(("users", "bob", "profile"), "pet", {"fact": "Bob's dog"}, index=["fact"])
        for query, best in [
            ("what animal do they keep at home?", "pet"),
            ("which city does she live in", "home"),
            ("makes things from molten glass", "work"),
            ("a shade of blue-green she likes", "colour"),
        ]:
            hits = store.search(("users", "ana"), query=query, limit=4)
            assert hits[0].key == best, (query, [(h.key, h.score) for h in hits])
            assert hits[0].score is not None and hits[0].score > hits[-1].score  # type: ignore[operator]
            assert {h.namespace[1] for h in hits} == {"ana"}
    finally:
        store.close()


def test_forget_leaves_no_row_vector_or_checkpoint_of_the_user(
    pg_url: str, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "rules.json"
    spec.write_text(json.dumps({"rules": FORGET_RULES}))
    for user, request in [
        ("gone", "My parrot Zephyrine is teal. Draw a bird"),
        ("kept", "My tortoise Quillon is old. Draw a bird"),
    ]:
        extra = ("--llm", f"scripted:{spec}", "--user", user, "--renderer", RENDERER)
        out = cli(capsys, *run_args(tmp_path / "out", *extra, request=request))
        assert out.code == 0, out.stderr[-2000:]

    def holding(needle: str) -> dict[str, int]:
        like = f"%{needle}%"
        queries = {
            "store": "SELECT count(*) FROM store WHERE value::text ILIKE %s",
            "vectors": "SELECT count(*) FROM store_vectors WHERE prefix ILIKE %s",
            "checkpoints": "SELECT count(*) FROM checkpoints WHERE checkpoint::text ILIKE %s",
            "blobs": "SELECT count(*) FROM checkpoint_blobs WHERE encode(blob, 'escape') ILIKE %s",
            "writes": "SELECT count(*) FROM checkpoint_writes WHERE encode(blob, 'escape') ILIKE %s",
            "runs": "SELECT count(*) FROM image_agent_runs WHERE request ILIKE %s",
        }
        return {name: int(rows(pg_url, sql, like)[0][0]) for name, sql in queries.items()}

    assert all(holding("Zephyrine")[k] for k in ("store", "blobs", "runs")), holding("Zephyrine")
    vectors = "SELECT count(*) FROM store_vectors WHERE prefix LIKE %s"
    assert rows(pg_url, vectors, "users.gone.%")[0][0] > 0
    out = cli(capsys, "memory", "forget", "--user", "gone")
    assert out.code == 0, out.stderr
    assert set(holding("Zephyrine").values()) == {0}, holding("Zephyrine")
    assert rows(pg_url, vectors, "users.gone.%")[0][0] == 0
    assert rows(pg_url, "SELECT count(*) FROM image_agent_runs WHERE user_id = 'gone'")[0][0] == 0
    kept = holding("Quillon")
    assert kept["store"] and kept["blobs"] and kept["runs"], kept
    assert rows(pg_url, vectors, "users.kept.%")[0][0] > 0


def test_export_import_round_trip_faiss_postgres_faiss(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    faiss_home = tmp_path / "faiss-home"
    source = FaissStore(faiss_home / "memory")
    seed(source)
    source.put(
        ("users", "ana", "history"),
        "run1",
        {"request": "a teal teapot", "subject": "a teapot", "final_prompt": "A teal teapot"},
        index=["request", "subject", "final_prompt"],
    )
    source.close()
    monkeypatch.setenv("IMAGE_AGENT_HOME", str(faiss_home))
    monkeypatch.delenv("IMAGE_AGENT_DATABASE_URL")
    exported = cli(capsys, "memory", "export", "--user", "ana")
    assert exported.code == 0 and len(exported.stdout.splitlines()) == 5, exported
    first = tmp_path / "ana.jsonl"
    first.write_text(exported.stdout)

    # FAISS -> PostgreSQL (as another user id: a move), vectors recomputed there
    out = cli(capsys, "memory", "import", "--user", "ana2", str(first), "--db", pg_url)
    assert out.code == 0 and "imported 5 item(s)" in out.stderr, out.stderr
    assert rows(pg_url, "SELECT count(*) FROM store_vectors")[0][0] == 4 + 3
    store = open_pg_store(pg_url)
    try:
        hits = store.search(("users", "ana2", "profile"), query="what pet?", limit=1)
        assert hits[0].key == "pet"
        assert store.search(("users", "ana2", "history"), query="kettle", limit=1)[0].key == "run1"
    finally:
        store.close()
    again = cli(capsys, "memory", "export", "--user", "ana2", "--db", pg_url)
    second = tmp_path / "ana2.jsonl"
    second.write_text(again.stdout)

    # PostgreSQL -> a fresh FAISS store: the same items, searchable (--db held for its
    # command only, so nothing points at PostgreSQL now)
    assert "IMAGE_AGENT_DATABASE_URL" not in os.environ
    monkeypatch.setenv("IMAGE_AGENT_HOME", str(tmp_path / "fresh-home"))
    assert cli(capsys, "memory", "import", "--user", "ana", str(second)).code == 0
    back = cli(capsys, "memory", "export", "--user", "ana")

    def items(text: str) -> list[tuple[str, str, object]]:
        loaded = [json.loads(line) for line in text.splitlines()]
        return sorted((r["namespace"][2], r["key"], r["value"]) for r in loaded)  # type: ignore[misc]

    assert items(back.stdout) == items(exported.stdout)
    fresh = FaissStore(tmp_path / "fresh-home" / "memory")
    assert fresh.search(("users", "ana", "profile"), query="which town", limit=1)[0].key == "home"
    fresh.close()


def test_an_import_file_that_is_not_an_export_is_one_line(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"namespace": ["users", "x", "profile"], "key": "k", "value": {}}\nnot json\n')
    out = cli(capsys, "memory", "import", "--user", "ana", str(bad))
    assert out.code == 2 and out.stderr.startswith("image-agent: error: line 2:"), out.stderr
    assert rows(pg_url, "SELECT count(*) FROM store")[0][0] == 0  # nothing half-imported
