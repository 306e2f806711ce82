"""The perf bench's markdown table (figure, target, this commit, the baseline commit), and
its section of docs/benchmarks.md between marker comments."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

START = "<!-- perf:start -->"
END = "<!-- perf:end -->"


def dig(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "not run"
    if isinstance(value, float):
        return f"{value:g} {unit}".strip()
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "nothing"
    return f"{value} {unit}".strip()


# (figure, target, path in a side's JSON, unit)
ROWS: list[tuple[str, str, str, str]] = [
    (
        "overhead, one run (scripted model, null renderer)",
        "≤ 40 ms",
        "overhead.run_ms_median",
        "ms",
    ),
    ("overhead floor: the same skeleton, empty nodes", "", "overhead.skeleton_ms_median", "ms"),
    (
        "parallel grounding, fake model (1 s; quick 0.3 s): wall / slowest gap",
        "≤ 1.3×",
        "parallel_fake.parallel.wall_over_slowest",
        "×",
    ),
    (
        "the same, sequential (`--sequential`)",
        "",
        "parallel_fake.sequential.wall_over_slowest",
        "×",
    ),
    (
        "parallel grounding, embedded model (4 calls; quick 2): at once / in a row",
        "≤ 0.6×",
        "parallel_embedded.concurrent_over_sequential",
        "×",
    ),
    ("`import graph.agent`", "≤ 1.5 s", "cold.import_graph_agent_s", "s"),
    ("models loaded by that import", "none", "cold.import_loads", ""),
    ("`image-agent --help` (process)", "", "cold.help_process_s", "s"),
    ("embedded model load", "", "cold.model_load_s", "s"),
    ("first planner call of a process", "", "cold.first_call.seconds", "s"),
    ("second planner call, same process", "", "cold.second_call_same_process.seconds", "s"),
    ("first planner call of a second process", "", "cold.first_call_second_process.seconds", "s"),
    ("second run in one process loads", "nothing", "cold.loads_counted.second_run.loads", ""),
    (
        "demo request, cold CLI, no model host (each process loads)",
        "≤ 18 s",
        "demo.cold_cli_s",
        "s",
    ),
    ("demo request, warm (second run, one process)", "≤ 10 s", "demo.warm_s", "s"),
    ("demo's second run loads", "nothing", "demo.loads_second_run", ""),
    ("demo request, CLI that starts the model host", "", "demo.host_starting_cli_s", "s"),
    ("demo request, cold CLI, model host warm", "≤ 18 s", "demo.host_warm_cli_s", "s"),
    ("that CLI process loads", "nothing", "demo.host_warm_cli_loads", ""),
    ("own cases, first round: cases run", "17", "cases.cases_run", ""),
    ("own cases, first round: median wall", "≤ 18 s", "cases.wall_s_median", "s"),
    ("own cases, first round: p90 wall", "", "cases.wall_s_p90", "s"),
    ("own cases: time to first image, median", "", "cases.first_image_s_median", "s"),
    ("own cases: model calls a case", "", "cases.model_calls_mean", ""),
    ("own cases: IA-score (context level, first round)", "≥ baseline", "cases.ia_score", ""),
    ("own cases: answer retention", "≥ baseline", "cases.retention", ""),
    ("sketch render, cold (fresh process)", "", "sketch.cold_s", "s"),
    ("sketch render, warm", "≤ 1 s", "sketch.warm_s", "s"),
    ("memory recall p50 (100k items; quick: 10k)", "≤ 10 ms", "recall.recall_p50_ms", "ms"),
    ("memory recall p99 (100k items; quick: 10k)", "", "recall.recall_p99_ms", "ms"),
]


def markdown(result: Mapping[str, Any]) -> str:
    agent = result["agent"]
    base = result.get("baseline") or {}
    head = f"| figure | target | {result['commit']} |"
    rule = "|---|---|---|"
    if base:
        head += f" baseline {result.get('baseline_commit', '')} |"
        rule += "---|"
    lines = [
        f"Perf bench at `{result['commit']}` on {result['machine']}, {result['date']}"
        f" ({result['mode']}; {result['contention']}).",
        "",
        head,
        rule,
    ]

    def cell(side: Mapping[str, Any], path: str, unit: str) -> str:
        return _fmt(dig(side, path), unit)

    for figure, target, path, unit in ROWS:
        if dig(agent, path) is None and dig(base, path) is None:
            continue
        row = f"| {figure} | {target} | {cell(agent, path, unit)} |"
        if base:
            row += f" {cell(base, path, unit)} |"
        lines.append(row)
    notes = result.get("notes", [])
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    return "\n".join(lines) + "\n"


def write_doc(path: Path, table: str) -> None:
    """Put `table` between the markers in `path` (appended under a heading when absent)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{START}\n{table}{END}"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n## Latency (`make bench-perf`)\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
