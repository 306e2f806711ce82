"""`image-agent bench`: run the agent (and the direct baseline) over benchmark cases.

All cases run in one process, so the embedded model is loaded once and its cached prompt
prefixes serve every case. Each case gets its own memory store (a fresh folder, so one
user's memories never carry over between cases); its `turns` are replayed through the agent
first, with the same user and conversation. Every finished case is appended to
`results.jsonl` and flushed, so an interrupted bench loses at most the case in flight and
`--resume` skips the finished ones. Scores: graph/bench_scoring.py; judge and baseline:
nodes/judge_bench.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.bench_cases import WISE_WEIGHTS, Case, read_cases, read_wise
from graph.bench_scoring import aggregate, context_checks, cost, route_scores, wise_aggregate
from tools.errors import UserError

RESULTS = "results.jsonl"
META = "bench.json"
# what must match for --resume to add to earlier results (never mix judges in one table)
RESUME_KEYS = ("kind", "source", "mode", "judge", "llm", "renderer", "search", "baseline")


def register(sub: Any) -> Any:
    """The `image_agent.commands` entry point: add `bench` to the CLI; its handler."""
    add_parser(sub)
    return cmd_bench


def add_parser(sub: Any) -> None:
    bench = sub.add_parser(
        "bench",
        help="score the agent (and the direct baseline) on benchmark cases or WISE prompts",
    )
    bench.add_argument("cases", nargs="?", help="cases .jsonl file, or a folder of them")
    bench.add_argument("--wise", help="a WISE / WISE-Verified prompt file (.json or .jsonl)")
    bench.add_argument("--corpus", help="folder of documents for search (local:DIR)")
    bench.add_argument("--llm", help="model for the agent (default: local)")
    bench.add_argument("--vlm", help="vision model: the agent's and the bench's judge on pixels")
    bench.add_argument(
        "--judge",
        help="the bench's judge model (default: --vlm when given, pixel-level; else --llm, "
        "context-level)",
    )
    bench.add_argument("--renderer", help="renderer spec (default: sketch)")
    bench.add_argument("--baseline", choices=["direct"], help="also render the raw request")
    bench.add_argument("--max-rounds", type=int, help="the agent's render attempts (default 3)")
    bench.add_argument("--out", default="outputs/bench", help="output folder")
    bench.add_argument("--limit", type=int, help="run only the first N cases (after --stride)")
    bench.add_argument("--stride", type=int, default=1, help="take every K-th case (default 1)")
    bench.add_argument("--resume", action="store_true", help="skip cases already in --out")


@dataclass
class BenchConfig:
    kind: str  # "ia" or "wise"
    source: str
    out: Path
    llm: str
    vlm: str
    judge: str
    mode: str  # context-level | pixel-level
    renderer: str
    search: str
    baseline: bool
    max_rounds: int

    def meta(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "mode": self.mode,
            "judge": self.judge,
            "llm": self.llm,
            "vlm": self.vlm,
            "renderer": self.renderer,
            "search": self.search,
            "baseline": "direct" if self.baseline else "",
            "max_rounds": self.max_rounds,
        }


def config_from_args(args: argparse.Namespace) -> tuple[BenchConfig, list[Case]]:
    """The bench's settings and its cases, all checked before any model loads."""
    from graph.cli import validate_context
    from nodes.context import Context
    from nodes.judge_bench import CONTEXT_LEVEL, PIXEL_LEVEL
    from tools.models import validate_model_spec

    if bool(args.cases) == bool(args.wise):
        raise UserError("bench: give a cases file (or folder), or --wise FILE, not both")
    if args.limit is not None and args.limit < 1:
        raise UserError(f"--limit {args.limit}: use 1 or more")
    if args.stride < 1:
        raise UserError(f"--stride {args.stride}: use 1 or more")
    if args.corpus and not Path(args.corpus).is_dir():
        raise UserError(f"--corpus {args.corpus}: no such folder")
    cases = read_wise(Path(args.wise)) if args.wise else read_cases(Path(args.cases))
    cases = cases[:: args.stride][: args.limit]
    ctx = Context()
    for name, value in (("llm", args.llm), ("vlm", args.vlm), ("renderer", args.renderer)):
        if value:
            setattr(ctx, name, value.strip())
    if args.max_rounds is not None:
        ctx.max_rounds = args.max_rounds
    if args.corpus:
        ctx.search = f"local:{Path(args.corpus).resolve()}"
    validate_context(ctx)
    mode = PIXEL_LEVEL if ctx.vlm else CONTEXT_LEVEL
    judge = (args.judge or ctx.vlm or ctx.llm).strip()
    validate_model_spec(judge, "vlm" if mode == PIXEL_LEVEL else "judge")
    from tools.search import resolve_search_spec

    config = BenchConfig(
        kind="wise" if args.wise else "ia",
        source=str(Path(args.wise or args.cases).resolve()),
        out=Path(args.out).expanduser().resolve(),
        llm=ctx.llm,
        vlm=ctx.vlm,
        judge=judge,
        mode=mode,
        renderer=ctx.renderer,
        search=resolve_search_spec(ctx.search),
        baseline=args.baseline == "direct",
        max_rounds=ctx.max_rounds,
    )
    return config, cases


def load_results(path: Path) -> list[dict[str, Any]]:
    """The finished cases in results.jsonl (a line cut off by a crash is skipped)."""
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and "id" in row:
            rows.append(row)
    return rows


def prepare_out(config: BenchConfig, resume: bool) -> list[dict[str, Any]]:
    """Create the output folder, or check that --resume continues the same bench."""
    config.out.mkdir(parents=True, exist_ok=True)
    meta_path = config.out / META
    earlier = load_results(config.out / RESULTS)
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if not resume and earlier:
            raise UserError(
                f"{config.out} already has results; pass --resume to continue, or another --out"
            )
        if resume:
            changed = [k for k in RESUME_KEYS if meta.get(k) != config.meta().get(k)]
            if changed:
                raise UserError(
                    f"--resume: {config.out} was run with other settings ({', '.join(changed)}); "
                    "use another --out"
                )
    if not resume:
        (config.out / RESULTS).unlink(missing_ok=True)
        earlier = []
    meta_path.write_text(json.dumps(config.meta(), indent=2) + "\n", encoding="utf-8")
    return earlier


def _context(config: BenchConfig, case: Case) -> Any:
    from nodes.context import Context

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


def run_agent(config: BenchConfig, case: Case) -> dict[str, Any]:
    """The case's turns, then its prompt, through the agent with a fresh memory store."""
    from langgraph.checkpoint.memory import InMemorySaver

    from graph.agent import build_graph
    from graph.report import summary
    from tools.memory_store import FaissStore

    store_dir = config.out / "memory" / case["id"]
    shutil.rmtree(store_dir, ignore_errors=True)  # a case cut off before: start it afresh
    store = FaissStore(store_dir)
    ctx = _context(config, case)
    app = build_graph(checkpointer=InMemorySaver(), store=store)
    payload = {"user_id": case["user"]}
    try:
        started = time.perf_counter()
        for number, turn in enumerate(case["turns"], 1):
            cfg: Any = {"configurable": {"thread_id": f"{case['id']}-turn{number}"}}
            app.invoke({**payload, "request": turn}, cfg, context=ctx)
        turns_s = time.perf_counter() - started
        config_final: Any = {"configurable": {"thread_id": f"{case['id']}-final"}}
        started = time.perf_counter()
        app.invoke({**payload, "request": case["prompt"]}, config_final, context=ctx)
        wall = time.perf_counter() - started
        state: Any = app.get_state(config_final).values
    finally:
        store.close()
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
        "prechecks": [r.get("precheck", {}) for r in state.get("rounds", [])],
        "renders": len(state.get("rounds", [])),
    }


def retention_check(prompt: str, answers: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Deterministic: does the final prompt contain every resolved answer (normalised)?"""
    from nodes.compose import contains

    kept = [str(a["answer"]) for a in answers if a.get("resolved") and a.get("answer")]
    lost = [answer for answer in kept if not contains(prompt, answer)]
    return {"resolved": len(kept), "kept": len(kept) - len(lost), "lost": lost}


def run_baseline(config: BenchConfig, case: Case) -> dict[str, Any]:
    from nodes.context import Context
    from nodes.judge_bench import render_direct

    size = Context()
    started = time.perf_counter()
    out = render_direct(
        case["prompt"],
        config.renderer,
        config.out / "runs" / f"{case['id']}-direct",
        width=size.width,
        height=size.height,
        seed=size.seed,
    )
    return {
        "final_prompt": case["prompt"],
        **out,
        "rounds": 1,
        "wall_s": round(time.perf_counter() - started, 3),
        "model_calls": 0,
    }


def judge_side(config: BenchConfig, case: Case, side: dict[str, Any]) -> None:
    """Add `verdicts` (and the judge's model calls) to one side of a case's result."""
    from nodes.judge_bench import judge_items, judge_wise
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
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        agent = {"final_prompt": "", "scene": {}, "images": [], "routes": [], "rounds": 0}
        agent.update({"wall_s": 0.0, "model_calls": 0, "error": detail})
    judge_side(config, case, agent)
    record["agent"] = agent
    if config.baseline:
        baseline = run_baseline(config, case)
        judge_side(config, case, baseline)
        record["baseline"] = baseline
    return record


def append_result(path: Path, record: Mapping[str, Any]) -> None:
    """One line, flushed and synced: a crash later loses nothing written before."""
    needs_newline = path.is_file() and path.stat().st_size > 0
    if needs_newline:
        with path.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            needs_newline = handle.read(1) != b"\n"
    with path.open("a", encoding="utf-8") as handle:
        if needs_newline:  # the line a crash cut off stays alone on its own line
            handle.write("\n")
        handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


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


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}"


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


def _side_cells(info: Mapping[str, Any], path: Sequence[str], field: str) -> list[str]:
    cells = []
    for side in ("agent", "baseline"):
        if side not in info:
            continue
        node: Any = info[side]
        for key in path:
            node = node.get(key, {}) if isinstance(node, Mapping) else {}
        cells.append(_pct(node.get(field)) if isinstance(node, Mapping) and field in node else "-")
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
                cells = _side_cells(info, ["category", cat], "score")
                lines.append(f"| {cat} | {weight} | {node['n']} | " + " | ".join(cells) + " |")
        weighted = _side_cells(info, [], "weighted")
        lines.append(
            "| **WISE-weighted overall** | | "
            + f"{info['agent']['n']} | "
            + " | ".join(weighted)
            + " |"
        )
        unweighted = _side_cells(info, [], "unweighted")
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
            "| PR % | " + " | ".join(_side_cells(info, ["overall"], "pr")) + " |",
            "| CA % | " + " | ".join(_side_cells(info, ["overall"], "ca")) + " |",
            "| IA-score % | "
            + " | ".join(_pct(info[s]["ia_score"]) for s in ("agent", "baseline") if s in info)
            + " |",
            "",
            "IA-score = 0.3 Plan + 0.3 Reason + 0.3 Search + 0.1 Memory (micro-averaged PR; n/a "
            "when a capability has no case).",
            "",
            f"## Per capability ({level})",
            "",
            "| capability | n | " + " | ".join(pr_ca) + " |",
            "|---|---|" + "---|" * len(pr_ca),
        ]
        for cap, node in info["agent"]["capability"].items():
            cells = _side_cells(info, ["capability", cap], "pr") + _side_cells(
                info, ["capability", cap], "ca"
            )
            lines.append(f"| {cap} | {node['n']} | " + " | ".join(cells) + " |")
        lines += [
            "",
            f"## Per subtask ({level})",
            "",
            "| subtask | n | " + " | ".join(pr_ca) + " |",
            "|---|---|" + "---|" * len(pr_ca),
        ]
        for sub, node in info["agent"]["subtask"].items():
            cells = _side_cells(info, ["subtask", sub], "pr") + _side_cells(
                info, ["subtask", sub], "ca"
            )
            lines.append(f"| {sub} | {node['n']} | " + " | ".join(cells) + " |")
        routes = info["routes"]
        lines += [
            "",
            "## Routes (agent's plan of the final turn against expected_routes)",
            "",
            "| precision % | recall % | exact route set % | n |",
            "|---|---|---|---|",
            f"| {_pct(routes['precision'])} | {_pct(routes['recall'])} | {_pct(routes['exact'])} "
            f"| {routes['n']} |",
        ]
    checks = info.get("context_checks")
    if checks:
        lines += [
            "",
            "## Context checks (agent, deterministic)",
            "",
            "| answer retention | pre-render revisions | renders saved | renders spent |",
            "|---|---|---|---|",
            f"| {checks['kept']}/{checks['resolved']} ({_pct(checks['retention'])}) "
            f"| {checks['revisions']} | {checks['renders_saved']} | {checks['renders']} |",
            "",
            "Retention: resolved answers the final prompt contains (normalised words). A "
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


def chart(config: BenchConfig, info: Mapping[str, Any], path: Path) -> None:
    """Bars: PR per capability (WISE: score per category), agent against direct."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    group = "category" if config.kind == "wise" else "capability"
    field = "score" if config.kind == "wise" else "pr"
    names = list(info["agent"][group])
    sides = [("agent", "agent", "#2b6cb0"), ("baseline", "direct", "#a0aec0")]
    sides = [s for s in sides if s[0] in info]
    width = 0.8 / len(sides)
    fig, ax = plt.subplots(figsize=(max(4.0, 1.4 * len(names) + 2), 4))
    for k, (side, label, colour) in enumerate(sides):
        values = [100 * info[side][group].get(n, {}).get(field, 0.0) for n in names]
        xs = [i + (k - (len(sides) - 1) / 2) * width for i in range(len(names))]
        ax.bar(xs, values, width, label=label, color=colour)
    ax.set_xticks(range(len(names)), names)
    ax.set_ylim(0, 100)
    ax.set_ylabel("PR %" if config.kind == "ia" else "explicit %")
    title = "WISE" if config.kind == "wise" else "Pass rate per capability"
    ax.set_title(f"{title} ({config.mode}, {info['cases']} cases)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_summary(
    config: BenchConfig, results: Sequence[Mapping[str, Any]], total: int, at: str = ""
) -> dict[str, Any]:
    info = summarise(config, results, total, at)
    (config.out / "summary.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    (config.out / "summary.md").write_text(markdown(config, info), encoding="utf-8")
    if results:
        chart(config, info, config.out / "chart.png")
    return info


def run_bench(config: BenchConfig, cases: Sequence[Case], *, resume: bool) -> dict[str, Any]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from graph.cli import console

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


def cmd_bench(args: argparse.Namespace) -> int:
    from graph.cli import console

    config, cases = config_from_args(args)
    console.print(
        f"bench: {len(cases)} case(s), judge {config.judge} ({config.mode}), out {config.out}"
    )
    try:
        info = run_bench(config, cases, resume=args.resume)
    except KeyboardInterrupt:
        console.print(f"\nbench interrupted; finished cases are in {config.out / RESULTS}")
        console.print("continue with the same command and --resume")
        return 130
    console.print(f"summary: {config.out / 'summary.md'}")
    agent = info["agent"]
    figure = agent["weighted"] if config.kind == "wise" else agent["overall"]["pr"]
    console.print(f"agent: {_pct(figure)}% ({config.mode})")
    if "baseline" in info:
        base = info["baseline"]
        figure = base["weighted"] if config.kind == "wise" else base["overall"]["pr"]
        console.print(f"direct: {_pct(figure)}% ({config.mode})")
    return 0
