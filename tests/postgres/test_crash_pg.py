"""A run on PostgreSQL SIGKILLed after compose and again mid-render (half an image on disk),
resumed each time from the checkpoints in PostgreSQL: it ends as the uninterrupted run with
the same scripted model, the nodes finished before a kill do not run again, the registry
(a table) says failed after each kill and done at the end, and memory holds one history item.
The script, stop points and process helpers are the SQLite crash suite's."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.postgres.conftest import rows
from tests.reliability.procs import Stopped, cli, env_for, run_id_of, runs_listed, started_nodes
from tests.reliability.test_crash import RULES, _args, resume_as_uninterrupted

KILLS = [("compose", "end:compose"), ("render", "half-written:round-1.png")]


@pytest.mark.timeout(900)
def test_killed_runs_resume_from_postgresql(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, out, work = tmp_path / "home", tmp_path / "outputs", tmp_path / "work"
    work.mkdir()
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": RULES}))
    spec = f"scripted:{script}"
    env = env_for(home, out, IMAGE_AGENT_DATABASE_URL=pg_url)

    clean = cli([*_args(spec, "steady"), "--json"], env, work)
    assert clean.returncode == 0, clean.stderr[-3000:]
    expected = json.loads(clean.stdout)

    run_id, starts = "", Counter[str]()
    for stage, point in KILLS:
        args = _args(spec, "crashy") if not run_id else ["resume", run_id, "--no-input"]
        stopped = Stopped(args, env, work, point)
        try:
            stopped.wait_stopped()
            run_id = run_id or run_id_of(stopped.stderr())
            starts.update(started_nodes(stopped.kill()))
        finally:
            stopped.close()
        assert runs_listed(home, monkeypatch)[run_id]["status"] == "failed", stage
        saved = "SELECT count(*) FROM checkpoints WHERE thread_id = %s"
        assert rows(pg_url, saved, run_id)[0][0] > 0, stage
        if stage == "render":
            assert not (out / run_id / "round-1.png").exists()

    resume_as_uninterrupted(run_id, env, work, expected, starts)
    # each node that finished before a kill ran once; each node a kill cut short (before its
    # writes were saved) ran twice, as in the SQLite suite
    once = Counter(started_nodes(clean.stderr))
    assert starts == once + Counter(stage for stage, _ in KILLS), (starts, once)
    assert runs_listed(home, monkeypatch)[run_id]["status"] == "done"
    history = "SELECT count(*) FROM store WHERE prefix = 'users.crashy.history'"
    assert rows(pg_url, history)[0][0] == 1
    assert not list(home.glob("*.sqlite")) and not (home / "memory").exists()
