"""The bench's summary: summary.json, summary.md (its tables, each labelled with the judge's
level) and chart.png, with the commit and machine the cases ran on."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.chart import chart
from benchmarks.config import BenchConfig
from benchmarks.scoring import aggregate, context_checks, cost, route_scores
from benchmarks.wise import WISE_WEIGHTS, wise_aggregate


def machine() -> str:
    memory = ""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        memory = f", {total / 2**30:.0f} GiB RAM"
    except (ValueError, OSError, AttributeError):
        pass
    cpu = platform.processor() or platform.machine()
    return f"{platform.system()} {platform.machine()} ({cpu}), {os.cpu_count()} CPU cores{memory}"


def commit() -> str:
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=10", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" (with uncommitted changes)" if dirty else "")


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}"


def below_direct_lines(info: Mapping[str, Any]) -> list[str]:
    """With a baseline: the cases whose context satisfies fewer items than the raw request."""
    if "baseline" not in info:
        return []
    below = list(info["context_checks"].get("below_direct", []))
    ids = f" ({', '.join(below)})" if below else ""
    return [
        "Cases where the agent's context satisfies fewer checklist items than the raw "
        f"request: {len(below)}{ids}.",
        "",
    ]


def summarise(
    config: BenchConfig, results: Sequence[Mapping[str, Any]], total: int, at: str = ""
) -> dict[str, Any]:
    sides = ["agent", "baseline"] if config.baseline else ["agent"]
    info: dict[str, Any] = {
        "meta": {**config.meta(), "commit": at or commit(), "machine": machine()},
        "cases": len(results),
        "selected": total,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "failed_runs": sum(1 for r in results if r.get("agent", {}).get("error")),
    }
    for side in sides:
        if config.kind == "wise":
            info[side] = wise_aggregate(results, side)
        else:
            info[side] = aggregate(results, side)
        info[f"{side}_cost"] = cost(results, side)
    if config.kind == "ia":
        info["routes"] = route_scores(results)
    info["context_checks"] = context_checks(results)
    return info


def side_cells(info: Mapping[str, Any], path: Sequence[str], field: str) -> list[str]:
    cells = []
    for side in ("agent", "baseline"):
        if side not in info:
            continue
        node: Any = info[side]
        for key in path:
            node = node.get(key, {}) if isinstance(node, Mapping) else {}
        cells.append(pct(node.get(field)) if isinstance(node, Mapping) and field in node else "-")
    return cells


def markdown(config: BenchConfig, info: Mapping[str, Any]) -> str:
    meta = info["meta"]
    level = config.mode
    both = "baseline" in info
    heads = ["agent", "direct"] if both else ["agent"]
    lines = [
        f"# image-agent bench ({level})",
        "",
        f"- cases: {info['cases']} of {info['selected']} selected, from `{meta['source']}`",
        f"- commit `{meta['commit']}`, {info['date']}; machine: {meta['machine']}",
        f"- agent: llm `{meta['llm']}`, renderer `{meta['renderer']}`, search `{meta['search']}`, "
        f"max rounds {meta['max_rounds']}",
        f"- judge: `{meta['judge']}`, **{level}**"
        + (
            " (each item judged against the final prompt and the scene the renderer reports, "
            "not pixels)"
            if level == "context-level"
            else " (each item judged on the rendered image)"
        ),
        "- direct: the raw request rendered as is (no plan, grounding or composing), "
        "judged the same way in the same run"
        if both
        else "- no baseline (pass --baseline direct)",
        f"- agent runs that failed (scored 0): {info['failed_runs']}",
        "",
    ]
    if config.kind == "wise":
        lines += [
            f"## WISE: Explanation made explicit, % ({level})",
            "",
            "| category | WISE weight | n | " + " | ".join(heads) + " |",
            "|---|---|---|" + "---|" * len(heads),
        ]
        for cat, weight in WISE_WEIGHTS.items():
            node = info["agent"]["category"].get(cat)
            if node:
                cells = side_cells(info, ["category", cat], "score")
                lines.append(f"| {cat} | {weight} | {node['n']} | " + " | ".join(cells) + " |")
        weighted = side_cells(info, [], "weighted")
        lines.append(
            "| **WISE-weighted overall** | | "
            + f"{info['agent']['n']} | "
            + " | ".join(weighted)
            + " |"
        )
        unweighted = side_cells(info, [], "unweighted")
        lines.append(
            "| unweighted mean | | " + f"{info['agent']['n']} | " + " | ".join(unweighted) + " |"
        )
        if not info["agent"]["complete"]:
            lines += [
                "",
                "Not every WISE category is present: the weights of those present were renormalised.",
            ]
    else:
        pr_ca = [f"{h} PR" for h in heads] + [f"{h} CA" for h in heads]
        lines += [
            f"## Overall ({level})",
            "",
            "| | " + " | ".join(heads) + " |",
            "|---|" + "---|" * len(heads),
            "| PR % | " + " | ".join(side_cells(info, ["overall"], "pr")) + " |",
            "| CA % | " + " | ".join(side_cells(info, ["overall"], "ca")) + " |",
            "| IA-score % | "
            + " | ".join(pct(info[s]["ia_score"]) for s in ("agent", "baseline") if s in info)
            + " |",
            "",
            "IA-score = 0.3 Plan + 0.3 Reason + 0.3 Search + 0.1 Memory (micro-averaged PR; n/a "
            "when a capability has no case).",
            "",
        ]
        for group in ("capability", "subtask"):
            lines += [
                f"## Per {group} ({level})",
                "",
                f"| {group} | n | " + " | ".join(pr_ca) + " |",
                "|---|---|" + "---|" * len(pr_ca),
            ]
            for name, node in info["agent"][group].items():
                cells = side_cells(info, [group, name], "pr") + side_cells(
                    info, [group, name], "ca"
                )
                lines.append(f"| {name} | {node['n']} | " + " | ".join(cells) + " |")
            lines.append("")
        lines.pop()
        routes = info["routes"]
        lines += [
            "",
            "## Routes (agent's plan of the final turn against expected_routes)",
            "",
            "| precision % | recall % | exact route set % | n |",
            "|---|---|---|---|",
            f"| {pct(routes['precision'])} | {pct(routes['recall'])} | {pct(routes['exact'])} "
            f"| {routes['n']} |",
        ]
    checks = info.get("context_checks")
    if checks:
        lines += [
            "",
            "## Context checks (agent, deterministic)",
            "",
            "| answer retention | request retention | pre-render revisions | renders saved "
            "| renders spent |",
            "|---|---|---|---|---|",
            f"| {checks['kept']}/{checks['resolved']} ({pct(checks['retention'])}) "
            f"| {checks.get('stated_kept', 0)}/{checks.get('stated', 0)} "
            f"({pct(checks.get('request_retention'))}) "
            f"| {checks['revisions']} | {checks['renders_saved']} | {checks['renders']} |",
            "",
            *below_direct_lines(info),
            "Answer retention: resolved answers the final prompt contains (normalised words). "
            "Request retention: the constraints the request states (counts, positions, sizes, "
            "exclusions, layouts, quoted text) that the final prompt keeps. A "
            "render saved: the pre-render check found checklist items the draft did not name, "
            "and the revised draft named them all before the round rendered.",
        ]
    lines += [
        "",
        "## Cost per case (means)",
        "",
        "| | rounds | wall s | model calls |",
        "|---|---|---|---|",
    ]
    for side, head in (("agent", "agent"), ("baseline", "direct")):
        if f"{side}_cost" in info:
            c = info[f"{side}_cost"]
            lines.append(
                f"| {head} | {c['rounds']:.2f} | {c['wall_s']:.1f} | {c['model_calls']:.1f} |"
            )
    lines += [
        "",
        "Wall time and model calls are the agent's run of the final turn (turns replayed "
        "before it and the judge's calls are recorded apart in results.jsonl).",
        "",
    ]
    return "\n".join(lines)


def write_summary(
    config: BenchConfig, results: Sequence[Mapping[str, Any]], total: int, at: str = ""
) -> dict[str, Any]:
    info = summarise(config, results, total, at)
    (config.out / "summary.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    (config.out / "summary.md").write_text(markdown(config, info), encoding="utf-8")
    if results:
        chart(config, info, config.out / "chart.png")
    return info
