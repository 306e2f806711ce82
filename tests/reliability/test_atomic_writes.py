"""Output files are whole or absent: a writer killed mid-write leaves the old file (or
none) under the name, and the next write clears the dead writer's temp file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.reliability.procs import ROOT, Stopped, env_for, wait_for
from tools.files import write_atomic

WRITER = "import sys; from tools.files import write_atomic; write_atomic(sys.argv[1], sys.argv[2])"


def test_a_writer_killed_half_way_leaves_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    write_atomic(target, "old report\n")
    env = {
        **env_for(tmp_path / "home", tmp_path / "out"),
        "IMAGE_AGENT_TEST_STOP_AT": "half-written:report.md",
        "IMAGE_AGENT_TEST_STOP_MARKER": str(tmp_path / "marker"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target), "new report " * 1000],
        env=env,
        cwd=ROOT,
    )
    try:
        wait_for(lambda: (tmp_path / "marker").exists(), 120, "the writer to stop half way")
        temps = list(tmp_path.glob(".report.md.*.tmp"))
        assert len(temps) == 1 and temps[0].stat().st_size == len("new report " * 1000) // 2
    finally:
        proc.kill()
        proc.wait(timeout=60)
    assert target.read_text() == "old report\n"  # never the half-written bytes
    write_atomic(target, "newer report\n")
    assert target.read_text() == "newer report\n"
    assert not list(tmp_path.glob(".*.tmp")), "the dead writer's temp file was left"


def test_stopped_reports_a_process_that_never_reaches_its_point(tmp_path: Path) -> None:
    stopped = Stopped(["runs"], env_for(tmp_path / "home", tmp_path / "out"), tmp_path, "nowhere")
    try:
        try:
            stopped.wait_stopped(timeout=120)
        except AssertionError as exc:
            assert "exited (0) before nowhere" in str(exc)
        else:
            raise AssertionError("a process that never stops was taken for stopped")
    finally:
        stopped.close()
