"""`image-agent bench --db URL`: the cases' memory and checkpoints on PostgreSQL. Each case
starts with its user's memory empty (the previous case's items deleted), and a bench run
twice does not continue the first one's threads."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from graph.cli import main
from tests.postgres.conftest import rows
from tests.unit.test_bench import bench_args, memory_cases, rules, small

__all__ = ["small"]


def test_bench_on_postgresql_gives_each_case_fresh_memory(
    pg_url: str, home: Path, tmp_path: Path, small: None, script: Callable[..., str]
) -> None:
    cases = memory_cases(tmp_path)
    spec = script(first=rules("A robot at night"))
    for attempt in ("a", "b"):  # the second bench must not continue the first one's threads
        out = tmp_path / f"out-{attempt}"
        assert main(["bench", str(cases), *bench_args(spec, out), "--db", pg_url]) == 0
        lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
        assert [r["id"] for r in lines] == ["m1", "m2"]
        assert [r["agent"]["renders"] for r in lines] == [1, 1]
    # the user's memory is the last case's only: its prompt, no turn of m1
    history = rows(pg_url, "SELECT value FROM store WHERE prefix = 'users.u1.history'")
    assert [value["conversation"] for (value,) in history] == ["m2"]
    threads = rows(pg_url, "SELECT DISTINCT thread_id FROM checkpoints")
    assert len(threads) == 2 * 3  # (m1 turn, m1 final, m2 final) x 2 bench runs
    assert not (tmp_path / "out-a" / "memory").exists()
