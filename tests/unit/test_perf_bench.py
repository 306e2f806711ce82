"""`python -m benchmarks.perf`: a quick run writes its figures (never checked for speed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.perf.table import END, START, markdown, write_doc

ROOT = Path(__file__).resolve().parents[2]


def number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def test_quick_run_writes_the_figures(tmp_path: Path) -> None:
    out = tmp_path / "perf.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.perf",
            "--quick",
            "--only",
            "overhead,parallel-fake",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "IMAGE_AGENT_HOME": str(tmp_path / "h"),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text())
    assert {"commit", "machine", "date", "agent", "notes"} <= set(result)
    over = result["agent"]["overhead"]
    assert over["runs"] == 10
    for key in ("run_ms_median", "run_ms_p90", "skeleton_ms_median"):
        assert number(over[key]), key
    # every node of a one-gap run is timed, and the repeated runs loaded nothing
    assert {"plan", "reason", "compose", "precheck", "render", "evaluate", "report"} <= set(
        over["per_node_ms_median"]
    )
    assert over["loads_during_runs"] == {}
    fake = result["agent"]["parallel_fake"]
    assert fake["parallel"]["gaps"] == 4 and fake["sequential"]["gaps"] == 4
    for side in ("parallel", "sequential"):
        assert number(fake[side]["grounding_wall_s"]) and number(fake[side]["slowest_gap_s"])
        assert number(fake[side]["wall_over_slowest"])
    assert "overhead, one run" in done.stdout  # the table is printed


def test_doc_section_is_replaced_between_markers(tmp_path: Path) -> None:
    result = {
        "commit": "abc123",
        "machine": "a test machine",
        "date": "2030-01-01",
        "mode": "quick",
        "contention": "none",
        "agent": {"overhead": {"run_ms_median": 12.5}},
        "notes": ["a note"],
    }
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nearlier text\n")
    write_doc(doc, markdown(result))
    result["agent"]["overhead"]["run_ms_median"] = 99.0
    write_doc(doc, markdown(result))
    text = doc.read_text()
    assert text.count(START) == 1 and text.count(END) == 1
    assert "99 ms" in text and "12.5 ms" not in text and "earlier text" in text


def test_the_gpu_script_runs_its_tiny_configs_on_the_cpu(tmp_path: Path) -> None:
    """benchmarks/perf/gpu.py is left ready for a GPU machine: the same code, tiny configs."""
    from benchmarks.perf.gpu import main

    out = tmp_path / "gpu.json"
    assert (
        main(
            [
                "--tiny",
                "--steps",
                "2",
                "--repeats",
                "1",
                "--sizes",
                "64",
                "--no-compile",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    rows = json.loads(out.read_text())
    assert [(r["arch"], r["size"], r["compiled"]) for r in rows] == [
        ("sd-class", 64, False),
        ("sdxl-class", 64, False),
    ]
    assert all(r["s_per_image"] > 0 and r["steps_per_s"] > 0 for r in rows)


def test_the_cases_probe_takes_one_case_of_each_capability_in_turn() -> None:
    """A time budget that stops the own cases early still leaves every capability run."""
    from benchmarks.perf.cases_probe import load

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "cases" / "ia_cases.jsonl"
    ordered = load(path, 35, 51)
    capabilities = {case["capability"] for case in ordered}
    assert len(ordered) == 17 and len({case["id"] for case in ordered}) == 17
    assert len(capabilities) > 1
    assert {case["capability"] for case in ordered[: len(capabilities)]} == capabilities
