"""The own cases' first round on the embedded model, in one process (run by end_to_end.py
as `python -m benchmarks.perf.cases_probe CASES_FILE FIRST LAST OUT [--budget S]`).

Each case: a fresh memory store, its turns replayed, then its prompt with max_rounds=1;
wall time, time to its first image, model calls and tokens per node from the run's
trace, then judged (context level, the same judge as `image-agent bench`) for the IA-score
and the deterministic retention checks. Prints one JSON line per case (`CASE {...}`).
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

AFTER_RENDER = ("evaluate", "remember", "report")


def load(path: Path, first: int, last: int) -> list[Any]:
    """The cases on lines FIRST..LAST (1-based, inclusive) of a cases file, taken one of
    each capability in turn: when the time budget stops the run, every capability has its
    cases (the IA-score needs them all), not only the ones that come first in the file."""
    from benchmarks.case_file import parse_case

    lines = path.read_text(encoding="utf-8").splitlines()
    cases = [parse_case(json.loads(lines[n - 1]), f"{path}:{n}") for n in range(first, last + 1)]
    by_capability: dict[str, list[Any]] = defaultdict(list)
    for case in cases:
        by_capability[case["capability"]].append(case)
    queues = list(by_capability.values())
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


def per_node(trace: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for entry in trace:
        row = out[entry["node"]]
        row["seconds"] += float(entry["seconds"])
        row["model_calls"] += int(entry.get("model_calls", 0))
        row["input_tokens"] += int(entry.get("input_tokens", 0))
        row["output_tokens"] += int(entry.get("output_tokens", 0))
    return {node: {k: round(v, 3) for k, v in row.items()} for node, row in out.items()}


def run_case(case: Any, out: Path, search: str) -> dict[str, Any]:
    from langgraph.checkpoint.memory import InMemorySaver

    from benchmarks.config import BenchConfig
    from benchmarks.judge import CONTEXT_LEVEL
    from benchmarks.perf.common import context
    from benchmarks.runner import judge_side, request_check, retention_check
    from graph.agent import build_graph
    from graph.report import summary
    from tools.memory_store import FaissStore

    store = FaissStore(out / "memory" / case["id"])
    ctx = context(
        "local",
        out / "runs",
        renderer="sketch",
        search=search,
        max_rounds=1,
        user_id=case["user"],
        conversation=case["id"],
        width=1024,
        height=1024,
    )
    app = build_graph(checkpointer=InMemorySaver(), store=store)
    payload = {"user_id": case["user"]}
    for number, turn in enumerate(case["turns"], 1):
        app.invoke(
            {**payload, "request": turn},
            {"configurable": {"thread_id": f"turn{number}"}},
            context=ctx,
        )
    config: Any = {"configurable": {"thread_id": "final"}}
    started = time.perf_counter()
    app.invoke({**payload, "request": case["prompt"]}, config, context=ctx)
    wall = time.perf_counter() - started
    state: Any = app.get_state(config).values
    store.close()
    trace = state.get("trace", [])
    nodes = per_node(trace)
    after = sum(nodes.get(n, {}).get("seconds", 0.0) for n in AFTER_RENDER)
    info = summary(state)
    best = (state.get("rounds") or [{}])[-1]
    side: dict[str, Any] = {
        "final_prompt": info["final_prompt"],
        "scene": best.get("scene", {}),
        "images": info["images"],
        "wall_s": round(wall, 2),
        "first_image_s": round(wall - after, 2),
        "model_calls": info["model_calls"]["total"],
        "per_node": nodes,
        "retention": retention_check(info["final_prompt"], state.get("answers", [])),
        "request_retention": request_check(
            str(state.get("request", "")), info["final_prompt"], best
        ),
        "routes": sorted({g["route"] for g in state.get("plan", {}).get("gaps", [])}),
    }
    config_b = BenchConfig(
        kind="ia",
        source="",
        out=out,
        llm="local",
        vlm="",
        judge="local",
        mode=CONTEXT_LEVEL,
        renderer="sketch",
        search=search,
        baseline=False,
        max_rounds=1,
    )
    judge_side(config_b, case, side)
    return {key: case[key] for key in ("id", "capability", "subtask", "expected_routes")} | {
        "agent": side
    }


def main() -> None:
    path, first, last, out = (
        Path(sys.argv[1]),
        int(sys.argv[2]),
        int(sys.argv[3]),
        Path(sys.argv[4]),
    )
    budget = float(sys.argv[sys.argv.index("--budget") + 1]) if "--budget" in sys.argv else 1e9
    search = sys.argv[sys.argv.index("--search") + 1] if "--search" in sys.argv else "none"
    started = time.perf_counter()
    for case in load(path, first, last):
        if time.perf_counter() - started > budget:
            print(
                "SKIPPED " + json.dumps({"id": case["id"], "why": "time budget spent"}), flush=True
            )
            continue
        try:
            record = run_case(case, out, search)
        except Exception as exc:  # one broken case must not stop the bench
            detail = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            record = {key: case[key] for key in ("id", "capability", "subtask")}
            record["error"] = detail
        print("CASE " + json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
