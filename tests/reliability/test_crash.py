"""A crash at every stage: the CLI is SIGKILLed at seven points of one run, resumed after
each kill, and ends exactly as an uninterrupted run with the same scripted model.

The run is killed at a stop point (tools/crashpoints.py) that a process reaches on its own,
so each kill lands at the same place every time. One run takes all seven kills in a row
(each resume is killed at the next stage), which keeps the suite short and shows that
crashes do not add up. After each kill: `image-agent runs` says failed, no output file is
partial, and memory holds no half-written item; after the last resume: the same final
prompt and verdicts as the uninterrupted run, every finished node run once (the trace and
the progress lines agree), and `runs` says done.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.reliability.procs import (
    Stopped,
    checkpoint_writes,
    cli,
    env_for,
    faiss_ids,
    files_under,
    indexed_row_ids,
    memory_rows,
    run_id_of,
    runs_listed,
    started_nodes,
    wait_for,
)

REQUEST = "I am a glassblower. A poster of a lighthouse on the cliffs at dusk"
PLAN = {
    "subject": "a lighthouse",
    "gaps": [
        {
            "question": "Which seabird with an orange beak nests on such cliffs?",
            "kind": "commonsense",
            "best_guess": "puffin",
        },
        {
            "question": "What colour are the stripes of a classic lighthouse?",
            "kind": "commonsense",
            "best_guess": "red",
        },
    ],
    "objects": [
        {"name": "lighthouse", "position": "center", "size": "large"},
        {"name": "bird", "position": "left", "size": "small"},
    ],
    "setting": "cliffs at dusk",
    "style": "poster",
    "palette": ["navy", "orange"],
    "text": "Keep the Light",
    "checklist": [
        "A striped lighthouse",
        'The text "Keep the Light" is visible',
        "A seabird on the cliffs",
    ],
    "n_images": 1,
}
RULES: list[dict[str, Any]] = [
    {"schema": "PlanDraft", "response": PLAN},
    {
        "schema": "Reasoned",
        "match": "orange beak",
        "response": {"question": "Which bird?", "answer": "puffin", "visible": "a puffin"},
    },
    {
        "schema": "Reasoned",
        "response": {"question": "Which colour?", "answer": "red", "visible": "red stripes"},
    },
    {
        "schema": "Composed",
        "response": {
            "prompt": "A poster of a lighthouse with red stripes on the cliffs at dusk, a "
            'puffin seabird on the cliffs, the words "Keep the Light"',
            "negative_prompt": "blurry",
        },
    },
    {
        "schema": "Judged",
        "response": {"verdicts": [{"item": "x", "passed": True, "reason": "shown"}] * 4},
    },
    {
        "schema": "Facts",
        "response": {
            "facts": [{"words": "I am a glassblower", "slot": "profession", "value": "glassblower"}]
        },
    },
]
# (stage, stop point): where each of the seven kills lands
STAGES = [
    ("plan", "end:plan"),  # the planner answered; nothing of plan is saved yet
    ("grounding", "start:reason#2"),  # two branches started; the test waits for one to finish
    ("compose", "end:compose"),
    ("precheck", "end:precheck"),
    ("render", "half-written:round-1.png"),  # the image has half its bytes on disk
    ("evaluate", "end:evaluate"),
    ("remember", "remember:profile-written"),  # the profile fact is written, history not
]
KILLED_NODE = {"grounding": "reason"}


def _args(spec: str, user: str) -> list[str]:
    return [
        "run",
        REQUEST,
        "--llm",
        spec,
        "--renderer",
        "sketch",
        "--user",
        user,
        "--max-rounds",
        "2",
        "--no-input",
    ]


def _verdicts(info: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(v["item"], v["passed"]) for v in info["checklist"]]


def resume_as_uninterrupted(
    run_id: str, env: dict[str, str], work: Path, expected: dict[str, Any], starts: Counter[str]
) -> dict[str, Any]:
    """Resume a killed run to its end (counting the nodes it starts into `starts`) and check
    that it ends as the uninterrupted run `expected` did; its --json summary."""
    final = cli(["resume", run_id, "--no-input", "--json"], env, work)
    assert final.returncode == 0, final.stderr[-3000:]
    starts.update(started_nodes(final.stderr))
    info: dict[str, Any] = json.loads(final.stdout)
    assert info["final_prompt"] == expected["final_prompt"]
    assert _verdicts(info) == _verdicts(expected)
    assert [g["answer"] for g in info["gaps"]] == [g["answer"] for g in expected["gaps"]]
    return info


def _context(info: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads((Path(info["report"]).parent / "context.json").read_text()))


def _user_memory(home: Path, user: str) -> dict[str, list[Any]]:
    rows = [r for r in memory_rows(home) if r["namespace"].startswith(f"users.{user}.")]
    kinds: dict[str, list[Any]] = {"profile": [], "history": []}
    for row in rows:
        kinds[row["namespace"].rsplit(".", 1)[1]].append((row["key"], row["value"]))
    return kinds


def _assert_no_partial_files(folder: Path, stage: str) -> None:
    """Complete files only: every image decodes whole, report and context.json parse."""
    for path in files_under(folder):
        if path.name.startswith("."):  # a temp file of a write the kill cut short
            assert stage == "render" and path.name.endswith(".tmp"), path
            continue
        if path.suffix == ".png":
            with Image.open(path) as image:
                image.load()
        elif path.name == "context.json":
            json.loads(path.read_text())
        else:
            assert path.name == "report.md", path


def _assert_memory_whole(home: Path) -> None:
    rows = memory_rows(home)  # every value parses: none half-written
    keys = [(r["namespace"], r["key"]) for r in rows]
    assert len(keys) == len(set(keys)), f"duplicate memory items: {keys}"
    assert indexed_row_ids(home) == faiss_ids(home), "SQLite rows and FAISS vectors disagree"


@pytest.mark.timeout(1500)
def test_a_run_killed_at_every_stage_ends_as_an_uninterrupted_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, out, work = tmp_path / "home", tmp_path / "outputs", tmp_path / "work"
    work.mkdir()
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": RULES}))
    spec = f"scripted:{script}"
    env = env_for(home, out)

    # the uninterrupted run (another user on the same data dir: the sketch index is built once)
    clean = cli([*_args(spec, "steady"), "--json"], env, work)
    assert clean.returncode == 0, clean.stderr[-3000:]
    expected = json.loads(clean.stdout)
    # context.json is written by `report`, before its own trace entry
    expected_trace = Counter(e["node"] for e in _context(expected)["state"]["trace"]) + Counter(
        ["report"]
    )
    expected_starts = Counter(started_nodes(clean.stderr))
    assert expected_starts == expected_trace
    assert expected_starts["reason"] == 2, "the plan should send two grounding branches"

    # the same run, killed at each stage in turn
    starts: Counter[str] = Counter()
    run_id = ""
    for stage, point in STAGES:
        args = _args(spec, "crashy") if not run_id else ["resume", run_id, "--no-input"]
        stopped = Stopped(args, env, work, point)
        try:
            stopped.wait_stopped()
            run_id = run_id or run_id_of(stopped.stderr())
            if stage == "grounding":  # one branch finished (its writes saved), one in flight
                wait_for(
                    lambda rid=run_id: checkpoint_writes(home, rid, "answers") >= 1,
                    300,
                    "the first grounding branch to finish",
                )
                assert checkpoint_writes(home, run_id, "answers") == 1
            stderr = stopped.kill()
        finally:
            stopped.close()
        starts.update(started_nodes(stderr))
        assert runs_listed(home, monkeypatch)[run_id]["status"] == "failed", stage
        folder = out / run_id
        _assert_no_partial_files(folder, stage)
        if stage == "render":  # the kill came mid-write: half an image, never under its name
            assert [p.name for p in files_under(folder) if p.suffix == ".tmp"]
            assert not (folder / "round-1.png").exists()
        _assert_memory_whole(home)
        if stage == "remember":  # the fact was written before the kill; the history was not
            memory = _user_memory(home, "crashy")
            assert [key for key, _ in memory["profile"]] == ["profession"]
            assert memory["history"] == []

    info = resume_as_uninterrupted(run_id, env, work, expected, starts)
    # every finished node ran once: the trace is the uninterrupted run's, and each node
    # started once more than there only where a kill cut it short
    trace = Counter(e["node"] for e in _context(info)["state"]["trace"]) + Counter(["report"])
    assert trace == expected_trace
    killed = Counter(KILLED_NODE.get(stage, stage) for stage, _ in STAGES)
    assert starts == expected_starts + killed
    assert runs_listed(home, monkeypatch)[run_id]["status"] == "done"

    folder = out / run_id
    assert not [p for p in files_under(folder) if p.name.startswith(".")], "temp files left"
    _assert_no_partial_files(folder, "done")
    assert sorted(p.name for p in files_under(folder)) == sorted(
        p.name for p in files_under(out / expected["run_id"])
    )
    _assert_memory_whole(home)
    crashed, steady = _user_memory(home, "crashy"), _user_memory(home, "steady")
    assert [v["fact"] for _, v in crashed["profile"]] == [v["fact"] for _, v in steady["profile"]]
    assert [key for key, _ in crashed["history"]] == [run_id]
    assert crashed["history"][0][1]["final_prompt"] == info["final_prompt"]
    print(f"\nkills survived: {', '.join(stage for stage, _ in STAGES)} (1 each)")
