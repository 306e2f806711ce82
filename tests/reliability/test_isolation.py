"""Isolation under load: 8 CLI processes at once on one data dir, one per user, each user
with profile facts. Each run reads its user's memory (a personal gap, recalled) and writes
a new fact while the others do the same. Afterwards: no user's facts in another user's
prompt, answers, memory snapshot or memory; no write lost (SQLite rows and FAISS vectors
agree, every expected item present); no "database is locked"."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import default_rules, plan_with
from tests.reliability.procs import CLI_TIMEOUT, env_for, faiss_ids, indexed_row_ids, memory_rows
from tools.memory_store import FaissStore
from tools.profile_facts import SLOTS, fact_text

RENDERER = "py:tests.fakes.slow_renderer:SlowRenderer"
# invented pets (seeded) and trades (stated during the runs), one of each per user
USERS = {
    f"user{k}": (pet, trade)
    for k, (pet, trade) in enumerate(
        [
            ("Kavik, a grey ferret", "cooper"),
            ("Brisa, a white goat", "tanner"),
            ("Tollo, a black hen", "farrier"),
            ("Marzen, a red setter", "chandler"),
            ("Quenby, a tabby cat", "wheelwright"),
            ("Ulmo, a green iguana", "thatcher"),
            ("Yarrow, a brown pony", "fletcher"),
            ("Zinnia, a blue budgie", "glazier"),
        ]
    )
}
GAP = {"question": "What does the user's pet look like?", "kind": "personal", "best_guess": "a pet"}


def rules() -> list[dict[str, Any]]:
    stated = [
        {
            "schema": "Facts",
            "match": f"I am a {trade}.",
            "response": {
                "facts": [{"words": f"I am a {trade}", "slot": "profession", "value": trade}]
            },
        }
        for _pet, trade in USERS.values()
    ]
    return [{"schema": "PlanDraft", "response": plan_with([GAP])}, *stated, *default_rules()]


def seed(home: Path) -> None:
    store = FaissStore(home / "memory")
    for user, (pet, _trade) in USERS.items():
        value = {"fact": fact_text("pet", pet), "slot": "pet", "value": pet}
        value.update({"about": SLOTS["pet"].about, "kind": SLOTS["pet"].kind, "topic": "pet"})
        store.put(("users", user, "profile"), "pet", value, index=["fact", "about"])
    store.close()


def names(text: str) -> set[str]:
    """The users whose pet or trade `text` names."""
    return {
        user for user, (pet, trade) in USERS.items() if pet.split(",")[0] in text or trade in text
    }


def test_eight_users_at_once_on_one_data_dir(tmp_path: Path) -> None:
    home, out, work = tmp_path / "home", tmp_path / "outputs", tmp_path / "work"
    work.mkdir()
    seed(home)
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": rules()}))
    env = env_for(home, out)
    procs = {
        user: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "graph.cli",
                "run",
                f"I am a {trade}. Draw my pet asleep by the fire",
                "--llm",
                f"scripted:{script}",
                "--renderer",
                RENDERER,
                "--user",
                user,
                "--max-rounds",
                "1",
                "--no-input",
                "--json",
            ],
            env=env,
            cwd=work,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for user, (_pet, trade) in USERS.items()
    }
    results = {user: proc.communicate(timeout=CLI_TIMEOUT) for user, proc in procs.items()}
    for user, (_stdout, stderr) in results.items():
        assert "database is locked" not in stderr.lower(), stderr[-2000:]
        assert procs[user].returncode == 0, f"{user}: {stderr[-2000:]}"

    for user, (stdout, _stderr) in results.items():
        info = json.loads(stdout)
        state = json.loads((Path(info["report"]).parent / "context.json").read_text())["state"]
        recalled = next(a for a in state["answers"] if a["route"] == "memory")
        assert recalled["resolved"] and names(recalled["answer"]) == {user}
        assert names(json.dumps(state["memory"])) <= {user}
        assert names(info["final_prompt"]) <= {user}
        assert names(Path(info["report"]).read_text()) <= {user}

    rows = memory_rows(home)
    for user, (pet, trade) in USERS.items():
        mine = [r for r in rows if r["namespace"].startswith(f"users.{user}.")]
        assert names(json.dumps([r["value"] for r in mine])) == {user}
        profile = {
            r["key"]: r["value"]["value"] for r in mine if r["namespace"].endswith("profile")
        }
        assert profile == {"pet": pet, "profession": trade}, user
        assert len([r for r in mine if r["namespace"].endswith("history")]) == 1
    assert len(rows) == 3 * len(USERS)  # none lost, none doubled
    assert indexed_row_ids(home) == faiss_ids(home)
    assert len(faiss_ids(home)) == len(rows)
    print(f"\nisolation: {len(USERS)} concurrent CLI runs, {len(rows)} memory rows, 0 lost")
