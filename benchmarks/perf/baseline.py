"""The baseline beside the agent: the same figures for another commit, from a temporary
`git worktree` (same venv), with this bench's own modules copied in (the baseline commit
may predate them; each section falls back where its code lacks a setting)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tools.errors import UserError

HERE = Path(__file__).resolve().parent


@contextmanager
def worktree(root: Path, commit: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="perf-baseline-")) / "tree"
    added = subprocess.run(
        ["git", "worktree", "add", "--detach", str(folder), commit],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if added.returncode:
        message = (added.stderr.strip().splitlines() or ["git worktree add failed"])[-1]
        raise UserError(f"--baseline-commit {commit}: {message}")
    try:
        target = folder / "benchmarks" / "perf"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(HERE, target, ignore=shutil.ignore_patterns("__pycache__"))
        yield folder
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(folder)], cwd=root, capture_output=True
        )
        shutil.rmtree(folder.parent, ignore_errors=True)


def resolve(root: Path, commit: str) -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short=10", f"{commit}^{{commit}}"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise UserError(f"--baseline-commit {commit}: not a commit of this repository")
    return done.stdout.strip()


def run_sections(folder: Path, args: list[str]) -> dict[str, Any]:
    """`python -m benchmarks.perf --side-only ARGS` in the baseline tree: its figures."""
    out = folder / "perf-baseline.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.perf", "--side-only", str(out), *args],
        cwd=folder,
        env=None,
        capture_output=True,
        text=True,
    )
    if not out.exists():
        tail = (done.stderr or done.stdout or "no output").strip().splitlines()[-1:]
        return {"error": f"baseline run exited {done.returncode}: {tail[0][:300] if tail else ''}"}
    data: dict[str, Any] = json.loads(out.read_text())
    return data
