"""The run's record beside its images: `report.md` for people, `context.json` for programs.

Both say, for every gap, its route and why, the answer, where it came from (tool, search,
memory, the user, a guess, or the small model's own knowledge) with sources; the final
prompt; checklist verdicts per round; timings and model calls per node.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from graph.report_checks import crosscheck_lines, uncertain_lines
from nodes.compose.steps import STEPS
from nodes.context import Context, context_of, emit, run_folder
from nodes.evaluate import JUDGE_MODE
from nodes.state import State
from tools.files import write_atomic
from tools.text import one_line

PROVENANCE = {
    "model": "the model's own knowledge (double-check)",
    "tool": "a deterministic tool",
    "search": "search results",
    "memory": "the user's memory",
    "user": "the user",
    "assumed": "a guess (nobody could answer)",
    "none": "unresolved",
}


def timings(trace: list[dict[str, Any]]) -> dict[str, float]:
    """Wall seconds per node (parallel branches add up)."""
    out: dict[str, float] = defaultdict(float)
    for entry in trace:
        out[entry["node"]] += float(entry["seconds"])
    return {node: round(seconds, 3) for node, seconds in out.items()}


def model_calls(trace: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for entry in trace:
        out[entry["node"]] += int(entry.get("model_calls", 0))
    return dict(out)


def gap_rows(state: State) -> list[dict[str, Any]]:
    answers = {a["gap_id"]: a for a in state.get("answers", [])}
    rows = []
    for gap in state.get("plan", {}).get("gaps", []):
        answer: dict[str, Any] = dict(answers.get(gap["id"]) or {})
        rows.append({**gap, **{k: v for k, v in answer.items() if k not in ("gap_id", "route")}})
    return rows


def summary(state: State) -> dict[str, Any]:
    """The CLI's `--json` object and the core of context.json."""
    trace = state.get("trace", [])
    calls = model_calls(trace)
    return {
        "run_id": state.get("run_id", ""),
        "images": list(state.get("images", [])),
        "report": state.get("report", ""),
        "final_prompt": state.get("final_prompt", ""),
        "gaps": [
            {
                "question": row["question"],
                "route": row["route"],
                "answer": row.get("answer", ""),
                "resolved": bool(row.get("resolved", False)),
                "uncertain": bool(row.get("uncertain", False)),
            }
            for row in gap_rows(state)
        ],
        "checklist": list(state.get("checklist", [])),
        "rounds": len(state.get("rounds", [])),
        "timings": timings(trace),
        "model_calls": {"total": sum(calls.values()), "per_node": calls},
    }


_MARKUP = str.maketrans(
    {c: "\\" + c for c in "\\`*_[]|"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
)


def _md_escape(text: Any) -> str:
    """Text from outside or from a model, shown as data: one line, no invisible or control
    characters, and no markdown or HTML of its own (links, emphasis, tags, table cells)."""
    return one_line(str(text)).translate(_MARKUP)


PROMPT_SOURCES = {
    "composer": "the composer",
    "composer retry": "the composer, asked again after its first prompt was rejected",
    "assembled": "code, assembled from the plan and the answers (the composer's were rejected)",
}


def compose_lines(rnd: Mapping[str, Any]) -> list[str]:
    """Who wrote the round's prompt, what was rejected, and the request's stated
    constraints the prompt kept or had put back."""
    source = str(rnd.get("prompt_source") or "composer")
    lines = [f"Prompt written by {PROMPT_SOURCES.get(source, source)}.", ""]
    lines += [f"- rejected: {why}" for why in rnd.get("rejected", [])]
    lines += [""] if rnd.get("rejected") else []
    checks = rnd.get("request_retention", [])
    if checks:
        back = [c["text"] for c in checks if c.get("repaired")]
        left = [f"{c['text']} ({c['note']})" for c in checks if not c["present"] and c["note"]]
        kept = sum(1 for c in checks if c.get("present"))
        lines += [
            f"Request retention: {kept}/{len(checks)} stated constraints kept by the composer"
            + (f"; put back: {', '.join(back)}" if back else "")
            + (f"; not put back: {', '.join(left)}" if left else ""),
            "",
        ]
    return lines


def precheck_lines(check: Mapping[str, Any]) -> list[str]:
    """What the pre-render check found in the round's first draft and what the revision fixed."""
    if not check:
        return []
    missing = list(check.get("missing", []))
    if not missing:
        return ["Pre-render check: the prompt named every checklist item.", ""]
    line = f"Pre-render check: the first draft missed {len(missing)} item(s) ({'; '.join(missing)})"
    if check.get("revised"):
        still = list(check.get("still_missing", []))
        line += "; revised before rendering" + (
            f", still missing: {'; '.join(still)}" if still else ", the revision covers them"
        )
    return [_md_escape(line), ""]


def render_markdown(state: State, ctx: Context) -> str:
    plan = state.get("plan", {})
    info = summary(state)
    lines = [
        f"# image-agent run {info['run_id']}",
        "",
        f"**Request:** {_md_escape(state.get('request', ''))}",
    ]
    lines += [
        "",
        f"User: `{state.get('user_id', '')}` · llm `{ctx.llm}` · judge "
        f"`{ctx.vlm or ctx.llm}` · search `{ctx.search}` · renderer `{ctx.renderer}`",
    ]
    lines += ["", "## Plan", "", f"- Subject: {plan.get('subject', '')}"]
    lines += [
        f"- Style: {plan.get('style') or '-'}; setting: {plan.get('setting') or '-'}; "
        f"palette: {', '.join(plan.get('palette', [])) or '-'}"
    ]
    lines += [f"- Text to render: {plan.get('text_to_render') or '(none)'}"]
    if plan.get("panels"):
        shape = "on one sheet" if plan.get("sheet") else "as separate images"
        lines += [
            f"- {len(plan['panels'])} panels, {shape}; shared description: "
            f"{plan.get('characters') or '(none)'}"
        ]
    if plan.get("source") == "fallback":
        lines += ["- The planner's call failed: this plan was made from cues only."]
    earlier = state.get("earlier", [])
    if earlier:
        lines += ["", "## Earlier turns the planner saw", ""]
        lines += [
            f'- `{t["id"]}`: "{_md_escape(t["request"])}" -> "{_md_escape(t["prompt"])}"'
            for t in earlier
        ]
    if state.get("memory"):
        lines += ["", f"Profile facts available: {len(state['memory'])}"]
    lines += ["", "## Gaps", ""]
    rows = gap_rows(state)
    if not rows:
        lines += ["No gaps: the request was explicit enough (fast path)."]
    lines += uncertain_lines(rows)
    for row in rows:
        status = "resolved" if row.get("resolved") else "UNRESOLVED"
        origin = PROVENANCE.get(str(row.get("provenance", "none")), str(row.get("provenance")))
        lines += [f"### {row['id']}: {_md_escape(row['question'])}", ""]
        lines += [f"- Kind `{row['kind']}`, route **{row['route']}** ({row['why']})"]
        answer = f'"{_md_escape(row["answer"])}"' if row.get("answer") else "-"
        lines += [f"- Answer ({status}, from {origin}): {answer}"]
        if row.get("detail"):
            lines += [f'- Must show: "{_md_escape(row["detail"])}"']
        if row.get("note"):
            lines += [f"- Note: {_md_escape(row['note'])}"]
        lines += crosscheck_lines(row)
        for evidence in row.get("evidence", []):
            lines += [f'- Source `{evidence["source"]}`: "{_md_escape(evidence["quote"])}"']
        lines += [""]
    lines += ["## Final prompt", "", _md_escape(info["final_prompt"]) or "(none)", ""]
    if state.get("negative_prompt"):
        lines += [f"Negative prompt: {_md_escape(state['negative_prompt'])}", ""]
    lines += [
        "## Rounds",
        "",
        "Checks are "
        + "; ".join(
            sorted({str(r.get("judge_mode") or JUDGE_MODE) for r in state.get("rounds", [])})
            or [JUDGE_MODE]
        )
        + ("." if ctx.vlm else ". Pixel-level checks need a vision model (`--vlm`)."),
        "",
    ]
    for rnd in state.get("rounds", []):
        best = " (kept)" if rnd["round"] == state.get("best_round") else ""
        lines += [
            f"### Round {rnd['round']}{best}: {rnd.get('passed', 0)}/{rnd.get('total', 0)} passed",
            "",
        ]
        lines += [f"Prompt: {_md_escape(rnd['prompt'])}", ""]
        for panel in rnd.get("panel_results", []):
            lines += [f"- Panel {panel['panel']} ({panel.get('title', '')}): {panel['prompt']}"]
        if rnd.get("panel_results"):
            lines += [""]
        lines += [f"Images: {', '.join(Path(p).name for p in rnd.get('images', []))}", ""]
        repaired = [c["answer"] for c in rnd.get("retention", []) if c.get("repaired")]
        if rnd.get("retention"):
            lines += [
                f"Answer retention: {len(rnd['retention']) - len(repaired)}/"
                f"{len(rnd['retention'])} kept by the composer"
                + (f"; put back: {', '.join(repaired)}" if repaired else ""),
                "",
            ]
        lines += compose_lines(rnd)
        repairs = rnd.get("repairs", {})
        for step in STEPS:  # each compose step's changes, under the label it declares
            if repairs.get(step.name) and step.name not in ("restored", "stated_kept"):
                lines += [f"{step.label}: {'; '.join(repairs[step.name])}", ""]
        lines += precheck_lines(rnd.get("precheck", {}))
        lines += ["| item | verdict | reason |", "|---|---|---|"]
        for verdict in rnd.get("verdicts", []):
            mark = "pass" if verdict["passed"] else "FAIL"
            if not verdict["passed"] and verdict.get("asked") is False:
                mark = "FAIL (planner's own detail: started no round)"
            lines += [
                f"| {_md_escape(verdict['item'])} | {mark} | {_md_escape(verdict['reason'])} |"
            ]
        lines += [""]
    lines += ["## Timings and model calls", "", "| node | seconds | model calls |", "|---|---|---|"]
    for node, seconds in info["timings"].items():
        lines += [f"| {node} | {seconds:.2f} | {info['model_calls']['per_node'].get(node, 0)} |"]
    lines += [""]
    errors = state.get("errors", [])
    if errors:
        lines += ["## Problems", ""] + [
            f"- {e['node']}: {_md_escape(e['message'])}" for e in errors
        ]
        lines += [""]
    scene_notes = {str(r.get("scene", {}).get("attribution", "")) for r in state.get("rounds", [])}
    scene_notes.discard("")
    if scene_notes:
        lines += ["## Credits", ""] + [f"- {note}" for note in sorted(scene_notes)] + [""]
    return "\n".join(lines)


def report(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    folder = run_folder(ctx.output_dir, state["run_id"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report.md"
    final = {**state, "report": str(path)}
    write_atomic(path, render_markdown(final, ctx))  # type: ignore[arg-type]
    record = {"summary": summary(final), "context": asdict(ctx), "state": final}  # type: ignore[arg-type]
    write_atomic(folder / "context.json", json.dumps(record, indent=2, default=str) + "\n")
    emit("report", f"report written to {path}")
    return {"report": str(path)}
