"""`python -m benchmarks.perf`: the latency figures in one run; see benchmarks/perf/__init__.py.

Caps, so that a full run fits in 20 minutes on a 2-core machine: the own cases stop
starting new cases once --cases-budget seconds are spent (the rest are listed as skipped;
with a baseline, it runs the same cases the agent ran); the baseline commit runs the
sections named by --baseline-sections (default: the cheap ones and the demo).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.perf import baseline as base
from benchmarks.perf import cold, end_to_end, overhead, parallel, render_memory
from benchmarks.perf.table import markdown, write_doc
from tools.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = [
    "overhead",
    "parallel-fake",
    "parallel-embedded",
    "cold",
    "demo",
    "cases",
    "sketch",
    "recall",
]
BASELINE_SECTIONS = "overhead,parallel-fake,cold,demo,sketch,recall"
CASE_LINES = (35, 51)  # the own cases' third set: one case per subtask (17)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.perf", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--only", help="comma-separated sections: " + ",".join(SECTIONS))
    parser.add_argument("--quick", action="store_true", help="fewer runs and cases (a smoke test)")
    parser.add_argument("--baseline-commit", help="also run the figures for this commit")
    parser.add_argument("--baseline-sections", default=BASELINE_SECTIONS)
    parser.add_argument(
        "--cases-budget", type=float, default=420.0, help="seconds for the cases (a side)"
    )
    parser.add_argument("--out", help="JSON file (default benchmarks/results/perf-COMMIT.json)")
    parser.add_argument(
        "--doc", action="store_true", help="write the table into docs/benchmarks.md"
    )
    parser.add_argument("--side-only", help=argparse.SUPPRESS)  # a baseline tree's run
    parser.add_argument("--case-count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    chosen = (args.only or ",".join(SECTIONS)).split(",")
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        raise UserError(
            f"--only {args.only}: unknown section(s) {', '.join(unknown)}; use {', '.join(SECTIONS)}"
        )
    args.sections = chosen
    return args


def side(args: argparse.Namespace, root: Path, work: Path) -> dict[str, Any]:
    """Every chosen section for the code in `root` (this process imports it)."""
    env = {**cold.bench_env(work / "home"), "PYTHONPATH": str(root)}
    out: dict[str, Any] = {}
    quick = args.quick
    for section in args.sections:
        started = time.perf_counter()
        print(f"perf: {section} ...", file=sys.stderr, flush=True)
        if section == "overhead":
            out["overhead"] = overhead.run(work, 10 if quick else 100)
        elif section == "parallel-fake":
            out["parallel_fake"] = parallel.fake_model(work, delay=0.3 if quick else 1.0)
        elif section == "parallel-embedded":
            out["parallel_embedded"] = parallel.embedded_model(2 if quick else 4)
        elif section == "cold":
            out["cold"] = cold.run(root, env, repeat=1 if quick else 3, llm=not quick)
        elif section == "demo":
            out["demo"] = end_to_end.demo(root, env, work / "demo")
        elif section == "cases":
            first, last = CASE_LINES
            if quick:
                last = first + 1
            if args.case_count is not None:
                last = min(last, first + args.case_count - 1)
            search = f"local:{root / 'benchmarks' / 'corpus'}"
            out["cases"] = end_to_end.cases(
                root, env, work / "cases", (first, last), args.cases_budget, search
            )
        elif section == "sketch":
            out["sketch"] = render_memory.sketch(root, env)
        elif section == "recall":
            items, searches = (10_000, 50) if quick else (100_000, 200)
            out["recall"] = render_memory.recall(root, env, items, searches)
        out.setdefault("section_seconds", {})[section] = round(time.perf_counter() - started, 1)
    return out


def commit_of(root: Path) -> str:
    from benchmarks.report import commit

    return commit()


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse(argv)
        work = Path(tempfile.mkdtemp(prefix="perf-"))
        if args.side_only:  # inside a baseline tree
            Path(args.side_only).write_text(json.dumps(side(args, ROOT, work)))
            return 0
        baseline_commit = base.resolve(ROOT, args.baseline_commit) if args.baseline_commit else ""
        started = time.perf_counter()
        agent = side(args, ROOT, work)
        result = run_result(args, agent, baseline_commit, started)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    target = (
        Path(args.out)
        if args.out
        else ROOT / "benchmarks" / "results" / f"perf-{result['commit'].split()[0]}.json"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=1) + "\n")
    table = markdown(result)
    print(table)
    print(f"perf: {target}", file=sys.stderr)
    if args.doc:
        write_doc(ROOT / "docs" / "benchmarks.md", table)
    return 0


def run_result(
    args: argparse.Namespace, agent: dict[str, Any], baseline_commit: str, started: float
) -> dict[str, Any]:
    from benchmarks.report import machine

    notes = [
        "own cases: lines 35-51 of benchmarks/cases/ia_cases.jsonl, max_rounds 1, sketch "
        f"renderer, local corpus search; new cases stop after {args.cases_budget:g} s a side",
    ]
    result: dict[str, Any] = {
        "commit": commit_of(ROOT),
        "machine": machine(),
        "date": datetime.date.today().isoformat(),
        "mode": "quick" if args.quick else "full",
        "contention": f"load average {os.getloadavg()[0]:.1f} at the start",
        "sections": args.sections,
        "agent": agent,
    }
    if baseline_commit:
        wanted = [s for s in args.baseline_sections.split(",") if s in args.sections]
        passed = ["--only", ",".join(wanted), "--cases-budget", str(args.cases_budget)]
        if "cases" in wanted and "cases" in agent:
            passed += [
                "--case-count",
                str(agent["cases"].get("cases_run", 0) + len(agent["cases"].get("errors", {}))),
            ]
        passed += ["--quick"] if args.quick else []
        with base.worktree(ROOT, baseline_commit) as folder:
            result["baseline"] = base.run_sections(folder, passed)
        result["baseline_commit"] = baseline_commit
        notes.append(
            f"baseline {baseline_commit}: sections {', '.join(wanted)} (the others not run for it)"
        )
    result["total_s"] = round(time.perf_counter() - started, 1)
    notes.append(f"whole run {result['total_s']:g} s")
    result["notes"] = notes
    return result


if __name__ == "__main__":
    sys.exit(main())
