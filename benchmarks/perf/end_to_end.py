"""Section 5, end to end on the embedded model (sketch renderer, search none).

- the demo request (`make demo`'s, read from the Makefile): a fresh process runs the CLI
  twice with no model host; the first run from the process's launch is the cold CLI figure,
  the second the warm one (with what it loaded: nothing, when every cache holds). Then a CLI
  process that starts the warm model host, and a new one that finds it warm;
- the own cases' first round (cases_probe.py), summarised: median and p90 wall, time to
  first image, model calls, tokens per node, IA-score and retention from the same run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

from benchmarks.perf.common import median, quantile

DEMO = """
import json, sys, time
from graph.cli import main
from benchmarks.perf.common import loads
prompt, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
times, seen = [], []
for i in range(runs):
    before = loads()
    main(["run", prompt, "--no-input", "--json", "--out", out])
    times.append(time.perf_counter())
    after = loads()
    seen.append({k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)})
print("DEMO " + json.dumps({"ends": times, "loads": seen}))
"""


def demo_prompt(root: Path) -> str:
    text = (root / "Makefile").read_text()
    found = re.search(r"^DEMO_PROMPT\s*:=\s*(.+)$", text, re.M)
    return found.group(1).strip().replace('\\"', '"') if found else ""


def _demo_process(root: Path, env: dict[str, str], out: Path, runs: int) -> dict[str, Any]:
    """One fresh process running the demo `runs` times: the seconds from its launch to the
    end of each run, and what each run loaded."""
    launched = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", DEMO, demo_prompt(root), str(out), str(runs)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    for line in done.stdout.splitlines():
        if line.startswith("DEMO "):
            data = json.loads(line[len("DEMO ") :])
            # the child's perf_counter shares the parent's clock (CLOCK_MONOTONIC on Linux)
            ends = [launched, *data["ends"]]
            return {
                "seconds": [round(b - a, 2) for a, b in pairwise(ends)],
                "loads": data["loads"],
            }
    tail = (done.stderr or "no output").strip().splitlines()[-1:]
    return {"error": f"demo exited {done.returncode}: {tail[0][:300] if tail else ''}"}


def demo(root: Path, env: dict[str, str], out: Path) -> dict[str, Any]:
    """Each process loading its own models (IMAGE_AGENT_MODEL_HOST=0, as before the host):
    the cold CLI run and a warm second run in one process. Then, where the code has the
    warm model host: a CLI process that starts it, and a new CLI process that finds it warm."""
    own = _demo_process(root, {**env, "IMAGE_AGENT_MODEL_HOST": "0"}, out, 2)
    if "error" in own:
        return own
    result: dict[str, Any] = {
        "cold_cli_s": own["seconds"][0],
        "warm_s": own["seconds"][1],
        "loads_first_run": own["loads"][0],
        "loads_second_run": own["loads"][1],
        "process_s": round(sum(own["seconds"]), 2),
    }
    if not (root / "tools" / "model_host.py").exists():
        return result
    hosted = {k: v for k, v in env.items() if k != "IMAGE_AGENT_MODEL_HOST"}
    try:
        starts = _demo_process(root, hosted, out, 1)
        finds = _demo_process(root, hosted, out, 1)
    finally:
        subprocess.run(
            [sys.executable, "-m", "graph.cli", "host", "stop"],
            cwd=root, env=hosted, capture_output=True, timeout=120,
        )  # fmt: skip
    if "error" in starts or "error" in finds:
        result["host_error"] = starts.get("error") or finds.get("error")
        return result
    result["host_starting_cli_s"] = starts["seconds"][0]
    result["host_warm_cli_s"] = finds["seconds"][0]
    result["host_warm_cli_loads"] = finds["loads"][0]
    return result


def cases(
    root: Path, env: dict[str, str], out: Path, lines: tuple[int, int], budget: float, search: str
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.perf.cases_probe",
        str(root / "benchmarks/cases/ia_cases.jsonl"),
        str(lines[0]),
        str(lines[1]),
        str(out),
        "--budget",
        str(budget),
        "--search",
        search,
    ]
    done = subprocess.run(
        cmd, cwd=root, env=env, capture_output=True, text=True, timeout=budget + 1800
    )
    records, skipped = [], []
    for line in done.stdout.splitlines():
        if line.startswith("CASE "):
            records.append(json.loads(line[len("CASE ") :]))
        elif line.startswith("SKIPPED "):
            skipped.append(json.loads(line[len("SKIPPED ") :])["id"])
    if not records and done.returncode:
        tail = (done.stderr or "no output").strip().splitlines()[-1:]
        return {"error": f"cases exited {done.returncode}: {tail[0][:300] if tail else ''}"}
    return summarise(records, skipped, lines)


def summarise(
    records: list[dict[str, Any]], skipped: list[str], lines: tuple[int, int]
) -> dict[str, Any]:
    from benchmarks.scoring import aggregate, context_checks

    ran = [r for r in records if "agent" in r]
    walls = [r["agent"]["wall_s"] for r in ran]
    firsts = [r["agent"]["first_image_s"] for r in ran]
    nodes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in ran:
        for node, row in r["agent"]["per_node"].items():
            for key, value in row.items():
                nodes[node][key] += value
    n = max(1, len(ran))
    failed = [r | {"agent": {"verdicts": []}} for r in records if "error" in r]  # score 0
    agg = aggregate([*ran, *failed], "agent") if records else {}
    checks = context_checks(ran) if ran else {}
    return {
        "lines": f"{lines[0]}-{lines[1]}",
        "cases_run": len(ran),
        "errors": {r["id"]: r["error"] for r in records if "error" in r},
        "skipped_for_time": skipped,
        "wall_s_median": round(median(walls), 2),
        "wall_s_p90": round(quantile(walls, 0.9), 2),
        "first_image_s_median": round(median(firsts), 2),
        "model_calls_mean": round(sum(r["agent"]["model_calls"] for r in ran) / n, 2),
        "per_node_mean": {
            node: {key: round(value / n, 2) for key, value in row.items()}
            for node, row in sorted(nodes.items())
        },
        "ia_score": agg.get("ia_score"),
        "pass_rate": agg.get("overall", {}).get("pr"),
        "checklist_accuracy": agg.get("overall", {}).get("ca"),
        "retention": checks.get("retention"),
        "request_retention": checks.get("request_retention"),
        "per_case": {
            r["id"]: {"wall_s": r["agent"]["wall_s"], "model_calls": r["agent"]["model_calls"]}
            for r in ran
        },
    }
