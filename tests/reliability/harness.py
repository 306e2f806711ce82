"""Shared plumbing for the reliability suite: the CLI run in-process, its one-line outcome,
and the run's report and registry record.

`cli()` calls `graph.cli.main` in this process (the loopback servers and fakes live here
too), with the data dir and output folder of the test; the suite's subprocess tests use
`tests.unit.test_cli.cli` instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graph.cli import main

RENDERER = "py:tests.fakes.slow_renderer:SlowRenderer"
REQUEST = "A poster of the Mid-Autumn pastry on a red plate"


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def run_id(self) -> str:
        first = self.stderr.splitlines()[0] if self.stderr else ""
        return first.split()[-1] if first.startswith("run ") else ""

    @property
    def info(self) -> dict[str, Any]:
        return dict(json.loads(self.stdout))

    def failure_line(self) -> str:
        """The one line that says why the run failed (and no traceback anywhere)."""
        assert "Traceback" not in self.stderr, self.stderr
        lines = [line for line in self.stderr.splitlines() if " failed: " in line]
        assert len(lines) == 1, self.stderr
        return lines[0]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Outcome:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return Outcome(code, out.out, out.err)


def run_args(out: Path, *extra: str, request: str = REQUEST) -> list[str]:
    return ["run", request, "--out", str(out), "--no-input", "--json", *extra]


def status(capsys: pytest.CaptureFixture[str], run_id: str) -> str:
    records = json.loads(cli(capsys, "runs", "--json").stdout)
    [record] = [r for r in records if r["id"] == run_id]
    return str(record["status"])


def report_text(info: dict[str, Any]) -> str:
    return Path(info["report"]).read_text(encoding="utf-8")


def problems(info: dict[str, Any]) -> list[str]:
    """The report's "Problems" lines: the degradations the run recorded."""
    text = report_text(info)
    if "## Problems" not in text:
        return []
    section = text.split("## Problems", 1)[1].split("\n## ", 1)[0]
    return [line[2:] for line in section.splitlines() if line.startswith("- ")]


def context_state(info: dict[str, Any]) -> dict[str, Any]:
    path = Path(info["report"]).with_name("context.json")
    return dict(json.loads(path.read_text(encoding="utf-8"))["state"])
