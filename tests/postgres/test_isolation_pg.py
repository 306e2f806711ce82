"""Isolation under load on PostgreSQL: 8 CLI processes at once, one per user, each reading
its user's seeded fact (a personal gap, recalled by meaning) and writing a new one while the
others do the same, with no file lock anywhere. Afterwards: 0 failed runs, 0 cross-user
items (in answers, prompts, reports and memory), 0 lost writes (every expected item present
once, each with its vectors), every run `done` in the registry table. Users, script and
checks are the SQLite isolation test's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.postgres.conftest import rows
from tests.reliability.procs import ROOT, env_for
from tests.reliability.test_isolation import USERS, every_user_at_once, names, rules
from tools.memory_pg import open_pg_store
from tools.profile_facts import SLOTS, fact_text


def seed(url: str) -> None:
    store = open_pg_store(url)
    try:
        for user, (pet, _trade) in USERS.items():
            value = {"fact": fact_text("pet", pet), "slot": "pet", "value": pet}
            value.update({"about": SLOTS["pet"].about, "kind": SLOTS["pet"].kind, "topic": "pet"})
            store.put(("users", user, "profile"), "pet", value, index=["fact", "about"])
    finally:
        store.close()


@pytest.mark.timeout(900)
def test_eight_users_at_once_on_one_database(pg_url: str, tmp_path: Path) -> None:
    home, out, work = tmp_path / "home", tmp_path / "outputs", tmp_path / "work"
    work.mkdir()
    seed(pg_url)
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": rules()}))
    env = env_for(home, out, IMAGE_AGENT_DATABASE_URL=pg_url)
    procs, results = every_user_at_once(script, env, work)
    failed = {u: e[-2000:] for u, (_o, e) in results.items() if procs[u].returncode != 0}
    assert not failed, failed

    for user, (stdout, _stderr) in results.items():
        info = json.loads(stdout)
        state = json.loads((Path(info["report"]).parent / "context.json").read_text())["state"]
        recalled = next(a for a in state["answers"] if a["route"] == "memory")
        assert recalled["resolved"] and names(recalled["answer"]) == {user}
        assert names(json.dumps(state["memory"])) <= {user}
        assert names(info["final_prompt"]) <= {user}
        assert names(Path(info["report"]).read_text()) <= {user}

    items = rows(pg_url, "SELECT prefix, key, value FROM store")
    for user, (pet, trade) in USERS.items():
        mine = [(p, k, v) for p, k, v in items if p.startswith(f"users.{user}.")]
        assert names(json.dumps([v for _p, _k, v in mine])) == {user}
        profile = {k: v["value"] for p, k, v in mine if p.endswith(".profile")}
        assert profile == {"pet": pet, "profession": trade}, user
        assert len([k for p, k, _v in mine if p.endswith(".history")]) == 1
    assert len(items) == 3 * len(USERS)  # none lost, none doubled
    vectors = rows(pg_url, "SELECT prefix, key, count(*) FROM store_vectors GROUP BY 1, 2")
    per_item = {(p, k): n for p, k, n in vectors}
    assert set(per_item) == {(p, k) for p, k, _v in items}  # every item has its vectors
    assert {n for (p, _k), n in per_item.items() if p.endswith(".profile")} == {2}
    assert {n for (p, _k), n in per_item.items() if p.endswith(".history")} == {3}
    statuses = rows(pg_url, "SELECT user_id, status FROM image_agent_runs")
    assert sorted(statuses) == sorted((user, "done") for user in USERS)
    assert not list(home.glob("*.sqlite")) and not (home / "memory").exists()
    assert ROOT.exists()
    print(f"\nisolation on PostgreSQL: {len(USERS)} processes, {len(items)} items, 0 lost")
