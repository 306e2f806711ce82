"""Running a bench: the agent (and the direct baseline) over benchmark cases, then judged.

All cases run in one process, so the embedded model is loaded once and its cached prompt
prefixes serve every case. Each case gets its own memory store (a fresh folder, so one
user's memories never carry over between cases; with --db, the shared PostgreSQL store with
the case's user's memory cleared first); its `turns` are replayed through the agent
first, with the same user and conversation. Every finished case is appended to
`results.jsonl` and flushed, so an interrupted bench loses at most the case in flight and
`--resume` skips the finished ones (benchmarks/results.py). Scores: benchmarks/scoring.py
and benchmarks/wise.py; judge: benchmarks/judge.py; baseline: benchmarks/baseline.py.
"""

from __future__ import annotations

import secrets
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from benchmarks.baseline import run_baseline
from benchmarks.case_file import Case
from benchmarks.config import BenchConfig
from benchmarks.judge import judge_items
from benchmarks.report import commit, write_summary
from benchmarks.results import RESULTS, append_result, prepare_out
from benchmarks.wise import judge_wise
from graph.cli import console
from nodes.context import Context
from tools.redact import redact


def _context(config: BenchConfig, case: Case) -> Context:
    return Context(
        llm=config.llm,
        vlm=config.vlm,
        search=config.search,
        renderer=config.renderer,
        max_rounds=config.max_rounds,
        user_id=case["user"],
        conversation=case["id"],
        output_dir=str(config.out / "runs"),
        interactive=False,
    )


@contextmanager
def case_memory(config: BenchConfig, case: Case) -> Iterator[tuple[Any, Any, str]]:
    """(store, checkpointer, thread prefix) for one case, its user's memory empty. In the
    data dir: a fresh FAISS folder and checkpoints in memory. On PostgreSQL (--db): the
    shared store, the case's user's items deleted first (point --db at a bench database),
    and PostgresSaver threads named afresh for this bench run."""
    from graph.runs import checkpointer
    from tools.database import database_url

    if database_url() is None:
        from langgraph.checkpoint.memory import InMemorySaver

        from tools.memory_store import FaissStore

        store_dir = config.out / "memory" / case["id"]
        shutil.rmtree(store_dir, ignore_errors=True)  # a case cut off before: start afresh
        store = FaissStore(store_dir)
        try:
            yield store, InMemorySaver(), case["id"]
        finally:
            store.close()
        return
    from tools.memory_store import default_store

    shared = default_store()
    for kind in ("profile", "history"):
        for item in shared.search(("users", case["user"], kind), limit=100_000):
            shared.delete(item.namespace, item.key)
    with checkpointer() as saver:
        yield shared, saver, f"{case['id']}-{secrets.token_hex(3)}"


def run_agent(config: BenchConfig, case: Case) -> dict[str, Any]:
    """The case's turns, then its prompt, through the agent with a fresh memory store."""
    from graph.agent import build_graph
    from graph.report import summary

    ctx = _context(config, case)
    payload = {"user_id": case["user"]}
    with case_memory(config, case) as (store, saver, prefix):
        app = build_graph(checkpointer=saver, store=store)
        started = time.perf_counter()
        for number, turn in enumerate(case["turns"], 1):
            cfg: Any = {"configurable": {"thread_id": f"{prefix}-turn{number}"}}
            app.invoke({**payload, "request": turn}, cfg, context=ctx)
        turns_s = time.perf_counter() - started
        config_final: Any = {"configurable": {"thread_id": f"{prefix}-final"}}
        started = time.perf_counter()
        app.invoke({**payload, "request": case["prompt"]}, config_final, context=ctx)
        wall = time.perf_counter() - started
        state: Any = app.get_state(config_final).values
    info = summary(state)
    best = next(
        (r for r in state.get("rounds", []) if r.get("round") == state.get("best_round")),
        (state.get("rounds") or [{}])[-1],
    )
    return {
        "final_prompt": info["final_prompt"],
        "scene": best.get("scene", {}),
        "images": info["images"],
        "report": info["report"],
        "routes": sorted({g["route"] for g in state.get("plan", {}).get("gaps", [])}),
        "gaps": info["gaps"],
        "own_checklist": info["checklist"],
        "rounds": info["rounds"],
        "wall_s": round(wall, 3),
        "turns_wall_s": round(turns_s, 3),
        "model_calls": info["model_calls"]["total"],
        "timings": info["timings"],
        "errors": list(state.get("errors", [])),
        "retention": retention_check(info["final_prompt"], state.get("answers", [])),
        "request_retention": request_check(
            str(state.get("request", "")), info["final_prompt"], best
        ),
        "prechecks": [r.get("precheck", {}) for r in state.get("rounds", [])],
        "renders": len(state.get("rounds", [])),
    }


def retention_check(prompt: str, answers: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Deterministic: does the final prompt contain every resolved answer (normalised)?"""
    from nodes.compose import contains

    kept = [str(a["answer"]) for a in answers if a.get("resolved") and a.get("answer")]
    lost = [answer for answer in kept if not contains(prompt, answer)]
    return {"resolved": len(kept), "kept": len(kept) - len(lost), "lost": lost}


def request_check(request: str, prompt: str, best: Mapping[str, Any]) -> dict[str, Any]:
    """Deterministic: does the final prompt state every constraint the request states
    (tools.stated), or did the run record why not (a layout its panels realise, a span an
    answer contradicts)?"""
    from tools.stated import kept, stated

    spans = stated(request)
    noted = {c["text"] for c in best.get("request_retention", []) if c.get("note")}
    negative = str(best.get("negative_prompt", ""))
    lost = [s["text"] for s in spans if not kept(s, prompt, negative) and s["text"] not in noted]
    return {"stated": len(spans), "kept": len(spans) - len(lost), "lost": lost}


def judge_side(config: BenchConfig, case: Case, side: dict[str, Any]) -> None:
    """Add `verdicts` (and the judge's model calls) to one side of a case's result."""
    from tools.usage import track

    with track() as usage:
        if config.kind == "wise":
            verdicts = [
                judge_wise(
                    case["prompt"],
                    case["explanation"],
                    side["final_prompt"],
                    side.get("scene", {}),
                    side.get("images", []),
                    config.judge,
                    config.mode,
                )
            ]
        else:
            verdicts = judge_items(
                case["checklist"],
                side["final_prompt"],
                side.get("scene", {}),
                side.get("images", []),
                config.judge,
                config.mode,
            )
    side["verdicts"] = verdicts
    side["judge_calls"] = usage.calls


def run_case(config: BenchConfig, case: Case) -> dict[str, Any]:
    record: dict[str, Any] = {
        **case,
        "judge_mode": config.mode,
        "judge": config.judge,
    }
    try:
        agent = run_agent(config, case)
    except Exception as exc:  # one broken case must not stop the bench; it scores 0
        detail = redact(f"{type(exc).__name__}: {exc}".splitlines()[0])[:300]
        agent = {"final_prompt": "", "scene": {}, "images": [], "routes": [], "rounds": 0}
        agent.update({"wall_s": 0.0, "model_calls": 0, "error": detail})
    judge_side(config, case, agent)
    record["agent"] = agent
    if config.baseline:
        baseline = run_baseline(config, case)
        judge_side(config, case, baseline)
        record["baseline"] = baseline
    return record


def run_bench(config: BenchConfig, cases: Sequence[Case], *, resume: bool) -> dict[str, Any]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    earlier = prepare_out(config, resume)
    at = commit()  # the code the cases run with (HEAD may move while a long bench runs)
    wanted = {c["id"] for c in cases}
    done = {r["id"]: r for r in earlier if r["id"] in wanted}
    todo = [c for c in cases if c["id"] not in done]
    if resume and done:
        console.print(f"resuming: {len(done)} case(s) already done, {len(todo)} to run")
    columns = (
        TextColumn("[bold]bench[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("", total=len(cases), completed=len(done))
        for case in todo:
            progress.update(task, description=case["id"])
            record = run_case(config, case)
            append_result(config.out / RESULTS, record)
            done[case["id"]] = record
            progress.advance(task)
            if not console.is_terminal:  # no live bar: one line per case instead
                passed = sum(1 for v in record["agent"]["verdicts"] if v["passed"])
                console.print(
                    f"bench {len(done)}/{len(cases)} {case['id']}: agent "
                    f"{passed}/{len(record['agent']['verdicts'])} in {record['agent']['wall_s']:.1f}s"
                )
    results = [done[c["id"]] for c in cases if c["id"] in done]
    return write_summary(config, results, len(cases), at)
