"""Faults in the files the agent keeps: a locked memory database, a missing or corrupt
FAISS index, an output folder that cannot be written, and a full disk (RLIMIT_FSIZE on a
CLI subprocess). Nothing is lost: a lock is waited out, an index is rebuilt from SQLite,
and a write that fails ends the run with one line and exit 1, which `resume` finishes."""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import faiss
import pytest
from PIL import Image

from tests.conftest import plan_with
from tests.reliability.harness import RENDERER, cli, run_args, status
from tests.unit.test_cli import ROOT, env_for
from tools.memory_store import FaissStore

PROFILE = ("users", "default", "profile")
FACT = {"fact": "The user's cat Pimento is a grey tabby", "kind": "pet"}
PET_GAP = {"question": "What does my cat look like?", "kind": "personal", "best_guess": "a cat"}
CAT_REQUEST = "My cat asleep on a windowsill"


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_AGENT_WIDTH", "64")
    monkeypatch.setenv("IMAGE_AGENT_HEIGHT", "64")


def args(out: Path, spec: str, request: str = CAT_REQUEST) -> list[str]:
    return run_args(
        out,
        "--llm",
        spec,
        "--search",
        "none",
        "--renderer",
        RENDERER,
        "--max-rounds",
        "1",
        request=request,
    )


def indexed_rows(memory: Path) -> tuple[int, int]:
    """(rows that should have a vector, vectors in the saved index)."""
    with sqlite3.connect(memory / "memory.sqlite") as conn:
        rows = conn.execute("SELECT COUNT(*) FROM items WHERE embed_text IS NOT NULL").fetchone()
    return int(rows[0]), int(faiss.read_index(str(memory / "memory.faiss")).ntotal)


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_missing_or_corrupt_index_is_rebuilt_and_recall_still_finds_the_fact(
    home: Path,
    tmp_path: Path,
    small: None,
    script: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
    damage: str,
) -> None:
    memory = home / "memory"
    store = FaissStore(memory)
    store.put(PROFILE, "cat", FACT)
    store.close()
    index = memory / "memory.faiss"
    if damage == "missing":
        index.unlink()
    else:
        index.write_bytes(b"\x00not a faiss index" * 64)
    spec = script(first=[{"schema": "PlanDraft", "response": plan_with([PET_GAP])}])
    out = cli(capsys, *args(tmp_path / "out", spec))
    assert out.code == 0, out.stderr
    [gap] = out.info["gaps"]
    assert gap["route"] == "memory" and "grey tabby" in gap["answer"]
    rows, vectors = indexed_rows(memory)
    assert rows == vectors and rows >= 1  # rebuilt from SQLite: nothing lost


def test_a_locked_memory_database_is_waited_out(
    home: Path,
    tmp_path: Path,
    small: None,
    script: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    memory = home / "memory"
    FaissStore(memory).close()
    holder = sqlite3.connect(
        memory / "memory.sqlite", isolation_level=None, timeout=30, check_same_thread=False
    )
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, for a while
    rendered = tmp_path / "out"
    released: list[float] = []

    def release_after_render() -> None:
        deadline = time.monotonic() + 120
        while not list(rendered.rglob("*.png")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # remember is waiting on the lock by now
        released.append(time.monotonic())
        holder.execute("COMMIT")

    thread = threading.Thread(target=release_after_render, daemon=True)
    thread.start()
    out = cli(capsys, *args(rendered, script(), "A grey cat on a windowsill"))
    thread.join(5)
    holder.close()
    assert out.code == 0, out.stderr
    assert released  # the lock was held while the run went through render
    with sqlite3.connect(memory / "memory.sqlite") as conn:
        stored = [row[0] for row in conn.execute("SELECT value FROM items")]
    assert any("windowsill" in value for value in stored)  # the write waited, then landed
    rows, vectors = indexed_rows(memory)
    assert rows == vectors


def blocked_output(out: Path) -> Callable[[], None]:
    """Make `out` unwritable; return the undo. As root, permissions do not stop a write:
    a file where the folder should be does."""
    if os.geteuid() == 0:
        out.write_text("not a folder")
        return out.unlink
    out.mkdir()
    out.chmod(0o500)
    return lambda: out.chmod(0o700)


def test_an_unwritable_output_folder_fails_in_one_line_and_resume_finishes(
    home: Path,
    tmp_path: Path,
    small: None,
    script: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    out_dir = tmp_path / "out"
    undo = blocked_output(out_dir)
    failed = cli(capsys, *args(out_dir, script(), "Three pears in a bowl"))
    assert failed.code == 1
    assert str(out_dir) in failed.failure_line()
    assert status(capsys, failed.run_id) == "failed"
    undo()
    resumed = cli(capsys, "resume", failed.run_id, "--json")
    assert resumed.code == 0, resumed.stderr
    assert Path(resumed.info["images"][0]).is_relative_to(out_dir)
    assert status(capsys, failed.run_id) == "done"


def test_a_full_disk_fails_in_one_line_and_resume_finishes(
    home: Path,
    tmp_path: Path,
    small: None,
    script: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = script()
    clean = cli(capsys, *args(tmp_path / "clean", spec, "Three pears in a bowl"))
    assert clean.code == 0, clean.stderr
    written = [p for p in (*home.rglob("*"), *(tmp_path / "clean").rglob("*")) if p.is_file()]
    limit = max(p.stat().st_size for p in written) // 2  # the largest file no longer fits

    def full_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    argv = args(tmp_path / "out", spec, "Three pears in a bowl")
    fresh = tmp_path / "fresh-home"  # the same run on an empty data dir, with the limit
    proc = subprocess.run(
        [sys.executable, "-m", "graph.cli", *argv],
        capture_output=True,
        text=True,
        env=env_for(fresh),
        cwd=ROOT,
        timeout=300,
        stdin=subprocess.DEVNULL,
        preexec_fn=full_disk,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    [line] = [line for line in proc.stderr.splitlines() if " failed: " in line]
    run_id = proc.stderr.splitlines()[0].split()[-1]
    assert run_id in line
    monkeypatch.setenv("IMAGE_AGENT_HOME", str(fresh))
    resumed = cli(capsys, "resume", run_id, "--json")  # the disk has room again
    assert resumed.code == 0, resumed.stderr
    assert status(capsys, run_id) == "done"
    with Image.open(resumed.info["images"][0]) as image:
        image.verify()
    folder = Path(resumed.info["report"]).parent
    assert json.loads((folder / "context.json").read_text())["summary"]["run_id"] == run_id
    assert resumed.info["final_prompt"] == clean.info["final_prompt"]
