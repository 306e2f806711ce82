"""Benchmark arithmetic, pure functions over result records (no models, no files).

As in IA-Bench: each checklist item of a case is judged pass/fail; a case's pass rate
(PR) is 1 when every item passes, else 0; its checklist accuracy (CA) is the share of
items that pass. Subtask, capability and overall figures are means over cases (so a
capability's PR is micro-averaged over its cases, whatever their subtask).
IA-score = 0.3 Plan + 0.3 Reason + 0.3 Search + 0.1 Memory, from those micro-averaged PRs.
Routes: the planned routes of the final turn against `expected_routes`, micro-averaged
precision and recall over cases, and the share of cases whose route set is exactly right.
WISE's category-weighted score: benchmarks/wise.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from benchmarks.case_file import CAPABILITIES, SUBTASKS

IA_WEIGHTS: dict[str, float] = {"plan": 0.3, "reason": 0.3, "search": 0.3, "memory": 0.1}


def case_score(verdicts: Sequence[Mapping[str, Any]]) -> tuple[float, float]:
    """(PR, CA) of one case: PR 1.0 only when every item passed; no verdicts scores 0."""
    if not verdicts:
        return 0.0, 0.0
    passed = sum(1 for v in verdicts if v.get("passed"))
    return (1.0 if passed == len(verdicts) else 0.0), passed / len(verdicts)


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _group(scores: Sequence[tuple[float, float]]) -> dict[str, float]:
    return {
        "n": len(scores),
        "pr": mean([s[0] for s in scores]),
        "ca": mean([s[1] for s in scores]),
    }


def ia_score(capability_pr: Mapping[str, float]) -> float | None:
    """0.3 Plan + 0.3 Reason + 0.3 Search + 0.1 Memory; None when a capability is missing."""
    if any(cap not in capability_pr for cap in IA_WEIGHTS):
        return None
    return sum(weight * capability_pr[cap] for cap, weight in IA_WEIGHTS.items())


def subtask_order(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """IA-Bench's order (capability, then its known subtasks, then any others by name)."""

    def key(pair: tuple[str, str]) -> tuple[int, int, str]:
        cap, sub = pair
        cap_index = CAPABILITIES.index(cap) if cap in CAPABILITIES else len(CAPABILITIES)
        known = SUBTASKS.get(cap, ())
        return cap_index, known.index(sub) if sub in known else len(known), sub

    return sorted(set(pairs), key=key)


def aggregate(results: Sequence[Mapping[str, Any]], side: str) -> dict[str, Any]:
    """PR and CA per subtask, per capability and overall, and the IA-score, for one side
    (`agent` or `baseline`) of the results that have it."""
    rows = [r for r in results if isinstance(r.get(side), Mapping)]
    scored = [(r, case_score(r[side].get("verdicts", []))) for r in rows]
    by_sub: dict[tuple[str, str], list[tuple[float, float]]] = {}
    by_cap: dict[str, list[tuple[float, float]]] = {}
    for row, score in scored:
        by_sub.setdefault((row["capability"], row["subtask"]), []).append(score)
        by_cap.setdefault(row["capability"], []).append(score)
    capability = {
        cap: _group(by_cap[cap])
        for cap in [*CAPABILITIES, *sorted(set(by_cap) - set(CAPABILITIES))]
        if cap in by_cap
    }
    return {
        "overall": _group([s for _, s in scored]),
        "capability": capability,
        "subtask": {
            f"{cap}/{sub}": _group(by_sub[(cap, sub)]) for cap, sub in subtask_order(by_sub)
        },
        "ia_score": ia_score({cap: g["pr"] for cap, g in capability.items()}),
    }


def route_scores(results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Planned routes (final turn) against expected ones: micro precision and recall, and
    the share of cases whose set of routes is exactly the expected set."""
    rows = [r for r in results if isinstance(r.get("agent"), Mapping)]
    tp = planned_n = expected_n = exact = 0
    for row in rows:
        planned = set(row["agent"].get("routes", []))
        expected = set(row.get("expected_routes", []))
        tp += len(planned & expected)
        planned_n += len(planned)
        expected_n += len(expected)
        exact += planned == expected
    return {
        "n": len(rows),
        "precision": tp / planned_n if planned_n else 1.0,
        "recall": tp / expected_n if expected_n else 1.0,
        "exact": exact / len(rows) if rows else 0.0,
    }


def cost(results: Sequence[Mapping[str, Any]], side: str) -> dict[str, float]:
    """Mean rounds, wall seconds and model calls per case for one side."""
    rows = [r[side] for r in results if isinstance(r.get(side), Mapping)]
    return {
        "rounds": mean([float(r.get("rounds", 0)) for r in rows]),
        "wall_s": mean([float(r.get("wall_s", 0.0)) for r in rows]),
        "model_calls": mean([float(r.get("model_calls", 0)) for r in rows]),
    }


def context_checks(results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The agent's deterministic context checks over a bench: answer retention (resolved
    answers the final prompt contains), request retention (constraints the request states
    that the final prompt keeps), pre-render revisions and the renders they saved."""
    rows = [r["agent"] for r in results if isinstance(r.get("agent"), Mapping)]
    resolved = sum(int(r.get("retention", {}).get("resolved", 0)) for r in rows)
    kept = sum(int(r.get("retention", {}).get("kept", 0)) for r in rows)
    checks = [c for r in rows for c in r.get("prechecks", []) if c]
    stated = sum(int(r.get("request_retention", {}).get("stated", 0)) for r in rows)
    stated_kept = sum(int(r.get("request_retention", {}).get("kept", 0)) for r in rows)
    return {
        "resolved": resolved,
        "kept": kept,
        "retention": kept / resolved if resolved else None,
        "stated": stated,
        "stated_kept": stated_kept,
        "request_retention": stated_kept / stated if stated else None,
        "below_direct": below_direct(results),
        "revisions": sum(1 for c in checks if c.get("revised")),
        "renders_saved": sum(1 for c in checks if c.get("render_saved")),
        "renders": sum(int(r.get("renders", r.get("rounds", 0))) for r in rows),
    }


def below_direct(results: Sequence[Mapping[str, Any]]) -> list[str]:
    """Cases whose agent context satisfies fewer checklist items than the raw request
    (the baseline) does: the agent must never lose what the request already gave."""
    out: list[str] = []
    for row in results:
        agent, direct = row.get("agent"), row.get("baseline")
        if not isinstance(agent, Mapping) or not isinstance(direct, Mapping):
            continue
        if case_score(agent.get("verdicts", []))[1] < case_score(direct.get("verdicts", []))[1]:
            out.append(str(row.get("id", "")))
    return out
