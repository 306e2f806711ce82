"""Forgetting is complete: after `memory forget --user U`, no byte of U's facts is left
anywhere in the data dir (memory SQLite and its WAL, the FAISS index, the checkpoints of
U's runs, which hold the memory read at plan time, the run registry), U's output folders
are gone, and another user's memory and runs are untouched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import plan_with
from tests.reliability.procs import (
    cli,
    env_for,
    faiss_ids,
    files_under,
    indexed_row_ids,
)

RENDERER = "py:tests.fakes.slow_renderer:SlowRenderer"
FORGOTTEN, KEPT = b"Zephyrine", b"Quillon"  # the two users' pets: names found nowhere else


def facts(words: str, slot: str, value: str) -> dict[str, Any]:
    return {"facts": [{"words": words, "slot": slot, "value": value}]}


RULES: list[dict[str, Any]] = [
    {"schema": "PlanDraft", "response": plan_with([], checklist=["A bird on a branch"])},
    {
        "schema": "Facts",
        "match": "Zephyrine",
        "response": facts("my parrot Zephyrine is teal", "pet", "Zephyrine, a teal parrot"),
    },
    {
        "schema": "Facts",
        "match": "Quillon",
        "response": facts("my tortoise Quillon is old", "pet", "Quillon, an old tortoise"),
    },
    {"schema": "Facts", "response": {"facts": []}},
    {
        "schema": "Composed",
        "response": {"prompt": "A bird on a branch in a garden", "negative_prompt": ""},
    },
    {"schema": "Judged", "response": {"verdicts": [{"item": "x", "passed": True, "reason": "ok"}]}},
]


def holders(folder: Path, needle: bytes) -> list[str]:
    """Every file under `folder` holding `needle` (as is, or in lower case)."""
    found = []
    for path in files_under(folder):
        data = path.read_bytes()
        if needle in data or needle.lower() in data.lower():
            found.append(str(path.relative_to(folder)))
    return found


def test_forgetting_a_user_leaves_no_byte_of_their_facts(tmp_path: Path) -> None:
    home, out, work = tmp_path / "home", tmp_path / "outputs", tmp_path / "work"
    work.mkdir()
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": RULES}))
    env = env_for(home, out)

    def run(user: str, request: str) -> str:
        args = ["run", request, "--llm", f"scripted:{script}", "--renderer", RENDERER]
        done = cli([*args, "--user", user, "--no-input", "--json"], env, work)
        assert done.returncode == 0, done.stderr[-2000:]
        return str(json.loads(done.stdout)["run_id"])

    wren_first = run("wren", "My parrot Zephyrine is teal. Draw a bird on a branch")
    # the second turn reads the stored fact at plan time: its checkpoints hold it too
    wren_second = run("wren", "Draw a bird on a branch in my garden")
    otto = run("otto", "My tortoise Quillon is old. Draw a bird on a branch")
    assert holders(home, FORGOTTEN) and holders(home, KEPT)
    assert {"memory/memory.sqlite", "checkpoints.sqlite", "runs.sqlite"} <= {
        name.removesuffix("-wal") for name in holders(home, FORGOTTEN)
    }, "the fact should be in memory, the checkpoints and the registry before forgetting"

    done = cli(["memory", "forget", "--user", "wren"], env, work)
    assert done.returncode == 0, done.stderr
    assert "2 run(s) of user wren" in done.stderr

    assert holders(home, FORGOTTEN) == [], "bytes of the forgotten user's facts remain"
    assert not (out / wren_first).exists() and not (out / wren_second).exists()
    assert holders(out, FORGOTTEN) == []
    # the other user keeps everything
    assert (out / otto / "report.md").is_file()
    shown = cli(["memory", "show", "--user", "otto", "--json"], env, work)
    assert [e["value"]["value"] for e in json.loads(shown.stdout) if e["kind"] == "profile"] == [
        "Quillon, an old tortoise"
    ]
    listed = json.loads(cli(["runs", "--json"], env, work).stdout)
    assert [r["id"] for r in listed] == [otto]
    assert indexed_row_ids(home) == faiss_ids(home) != set()
    assert cli(["memory", "show", "--user", "wren", "--json"], env, work).stdout.strip() == "[]"


def test_keep_outputs_keeps_the_folders_but_not_the_data(tmp_path: Path) -> None:
    home, out, work = tmp_path / "home", tmp_path / "outputs", tmp_path / "work"
    work.mkdir()
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": RULES}))
    env = env_for(home, out)
    args = ["run", "My parrot Zephyrine is teal. Draw a bird on a branch"]
    done = cli([*args, "--llm", f"scripted:{script}", "--renderer", RENDERER, "--user", "wren",
                "--no-input", "--json"], env, work)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    run_id = json.loads(done.stdout)["run_id"]
    forgot = cli(["memory", "forget", "--user", "wren", "--keep-outputs"], env, work)
    assert forgot.returncode == 0 and "output folders kept" in forgot.stderr
    assert (out / run_id / "report.md").is_file()
    assert holders(home, FORGOTTEN) == []
