"""Section 1, overhead: the agent's own work per run, with a zero-latency scripted model and
a null renderer on SqliteSaver with durability="sync" (as the CLI runs), beside the same
graph skeleton with empty nodes on the same saver."""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.perf.common import context, isolated_home, loads, median, ms, quantile, script


def _saver(path: Path) -> Any:
    from langgraph.checkpoint.sqlite import SqliteSaver

    return SqliteSaver(sqlite3.connect(str(path), check_same_thread=False))


def _timed_runs(app: Any, runs: int, payload: dict[str, Any], **kwargs: Any) -> list[float]:
    walls = []
    for i in range(runs):
        config: Any = {"configurable": {"thread_id": f"t{i}"}, "recursion_limit": 100}
        started = time.perf_counter()
        for _ in app.stream(payload, config, durability="sync", **kwargs):
            pass
        walls.append(time.perf_counter() - started)
    return walls


def skeleton(saver: Any) -> Any:
    """The agent's topology for a one-gap run (plan, one grounding branch, compose,
    precheck, render, evaluate, remember, report) with nodes that do nothing."""
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Send

    from nodes.state import State

    def empty(state: Any) -> dict[str, Any]:
        return {}

    def planned(state: Any) -> dict[str, Any]:
        return {"plan": {"gaps": [{"id": "g1"}]}}

    builder = StateGraph(State)
    names = ["compose", "precheck", "render", "evaluate", "remember", "report"]
    builder.add_node("plan", planned)
    builder.add_node("reason", empty)
    for name in names:
        builder.add_node(name, empty)
    builder.add_edge(START, "plan")

    def fan_out(state: Any) -> list[Any]:
        return [Send("reason", {"gap": {"id": "g1"}})]

    builder.add_conditional_edges("plan", fan_out, ["reason"])
    builder.add_edge("reason", "compose")
    for a, b in itertools.pairwise(names):
        builder.add_edge(a, b)
    builder.add_edge("report", END)
    return builder.compile(checkpointer=saver)


def run(folder: Path, runs: int) -> dict[str, Any]:
    from langgraph.store.memory import InMemoryStore

    from graph.agent import build_graph

    with isolated_home(folder / "overhead"):
        spec = script(folder / "overhead", gaps=1)
        ctx = context(spec, folder / "overhead" / "outputs")
        app = build_graph(
            checkpointer=_saver(folder / "overhead" / "agent.sqlite"), store=InMemoryStore()
        )
        payload = {"request": "A field guide page for a nesting bird, drawn in ink"}
        _timed_runs(app, 2, payload, context=ctx)  # first runs: imports, caches
        before = dict(loads())
        walls = _timed_runs(app, runs, payload, context=ctx)
        after = dict(loads())
        config: Any = {"configurable": {"thread_id": f"t{runs - 1}"}}
        trace = app.get_state(config).values.get("trace", [])
        per_node: dict[str, list[float]] = defaultdict(list)
        for i in range(runs):
            state = app.get_state({"configurable": {"thread_id": f"t{i}"}}).values
            for entry in state.get("trace", []):
                per_node[entry["node"]].append(float(entry["seconds"]))
        floor = skeleton(_saver(folder / "overhead" / "skeleton.sqlite"))
        _timed_runs(floor, 2, {"request": "x"})
        floor_walls = _timed_runs(floor, runs, {"request": "x"})
    return {
        "runs": runs,
        "run_ms_median": ms(median(walls)),
        "run_ms_p90": ms(quantile(walls, 0.9)),
        "run_ms_mean": ms(sum(walls) / len(walls)),
        "per_node_ms_median": {node: ms(median(v)) for node, v in sorted(per_node.items())},
        "nodes_per_run": len(trace),
        "skeleton_ms_median": ms(median(floor_walls)),
        "skeleton_ms_p90": ms(quantile(floor_walls, 0.9)),
        "loads_during_runs": {
            k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)
        },
    }
