"""reason: answer a commonsense gap with code where code can, else the model's knowledge,
cross-checked.

A gap the planner (or the embedding suggestion) gave a tool goes to that tool (`tool.py`);
inputs that do not validate fall back to reasoning, and the answer's note says so.
A gap that hinges on a proper name (`gap.lookup`, set by the planner's routing when a
search provider is set) is looked up first and answered from the cited passage; when
search finds nothing, reasoning answers it and the note says so.
Everything else: one short JSON call (worked examples in a fixed, cacheable prefix) for
the specific answer and what must be visible, cross-checked against the planner's best
guess and an independent sample (the question asked another way; a second sample at a
temperature above 0 when the planner gave no guess), all calls at once. Agreement: the
answer stands. Disagreement: search decides when a provider is set, else the user when
the run is interactive, else the majority, marked uncertain with the alternatives.
"""

from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from nodes.context import Context, chat_model, context_of, emit
from nodes.reason import crosscheck
from nodes.reason.prompts import (
    SAMPLE_SEED,
    SAMPLE_SYSTEM,
    SAMPLE_TEMPERATURE,
    SYSTEM,
    Reasoned,
    asked_another_way,
)
from nodes.reason.tool import computed
from nodes.state import Answer, GapTask, resolved, unresolved
from tools.compute.registry import TOOLS
from tools.search.reader import Reading, read, reference_evidence
from tools.structured import StructuredOutputError, ask

MODEL_NOTE = "from the model's own knowledge; double-check"


def searching(ctx: Context) -> bool:
    return ctx.search.strip() not in ("", "none")


def from_search(gap: dict[str, Any], reading: Reading, ctx: Context, note: str) -> Answer:
    """An answer read from a cited passage."""
    answer = resolved(
        gap,
        reading["answer"],
        reading["evidence"],
        provenance="search",
        route="search",
        detail=reading["detail"],
        note=f"{note}; from {ctx.search}, cited passage {reading['source']}",
    )
    answer["evidence"] += reference_evidence(reading)
    return answer


Call = tuple[str, str, dict[str, Any]]  # system prompt, human message, call options


def _call(ctx: Context, call: Call) -> Reasoned | None:
    system, prompt, options = call
    try:
        return ask(
            chat_model(ctx.llm),
            Reasoned,
            [SystemMessage(content=system), HumanMessage(content=prompt)],
            options=options,
        )
    except StructuredOutputError:
        return None


def answers_at_once(task: GapTask, ctx: Context) -> tuple[Reasoned | None, list[Reasoned]]:
    """The reasoner's answer and the independent samples, asked concurrently (the local
    server batches parallel requests); a sample that fails is left out."""
    gap = task["gap"]
    asked = f"Request: {task['request']}\nQuestion: {gap['question']}"
    calls: list[Call] = [
        (SYSTEM, asked, {}),
        (SAMPLE_SYSTEM, asked_another_way(task["request"], gap["question"]), {}),
    ]
    if not str(gap.get("best_guess") or "").strip():  # three candidates at least
        calls.append((SYSTEM, asked, {"temperature": SAMPLE_TEMPERATURE, "seed": SAMPLE_SEED}))
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        # each call in a copy of this context: model calls count toward this node's trace
        futures = [pool.submit(contextvars.copy_context().run, _call, ctx, call) for call in calls]
        results = [future.result() for future in futures]
    return results[0], [r for r in results[1:] if r is not None and r.answer.strip()]


def asked_user(gap: dict[str, Any], cands: list[dict[str, str]], majority: str) -> str:
    """The user's choice among the disagreeing candidates (a LangGraph interrupt)."""
    offered = list(dict.fromkeys(c["value"] for c in cands))
    reply = interrupt(
        {
            "gap_id": gap["id"],
            "question": gap["question"],
            "best_guess": majority,
            "candidates": offered,
            "why": "the model's answers disagree: " + " / ".join(offered),
        }
    )
    return str(reply if not isinstance(reply, dict) else reply.get("answer", "")).strip()


def reason(task: GapTask, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    gap = task["gap"]
    tool = str(gap.get("tool") or "")
    notes: list[str] = []
    if tool in TOOLS:
        emit("reason", f"computing with the {tool} tool: {gap['question']}", gap_id=gap["id"])
        by_tool, fallback_note = computed(task, TOOLS[tool], ctx)
        if by_tool is not None:
            emit("reason", f"{gap['id']}: {by_tool['answer']} ({tool})", gap_id=gap["id"])
            return {"answers": [by_tool]}
        emit("reason", f"{gap['id']}: {fallback_note}; reasoning instead", gap_id=gap["id"])
        notes.append(fallback_note)
    lookup = str(gap.get("lookup") or "")
    searched = False
    if lookup and searching(ctx):
        emit("reason", f"looking up {lookup}: {gap['question']}", gap_id=gap["id"])
        images = gap.get("kind") == "reference"
        reading, why = read(
            chat_model(ctx.llm),
            ctx.search,
            gap["question"],
            names=[lookup],
            require=lookup,
            images=images,
        )
        searched = True
        if reading is not None:
            note = f"{lookup} is a name the model may not know: looked up"
            return {"answers": [from_search(gap, reading, ctx, note)]}
        notes.append(f"search found nothing for {lookup} ({why}); answered by the model instead")
    emit("reason", f"reasoning: {gap['question']}", gap_id=gap["id"])
    out, samples = answers_at_once(task, ctx)
    if out is None:
        return {"answers": [unresolved(gap, "reasoning failed: invalid JSON", guess=True)]}
    if not out.answer.strip():
        return {"answers": [unresolved(gap, "the model gave no answer", guess=True)]}
    asked = f"{task['request']} {gap['question']}"
    cands = crosscheck.candidates(
        str(gap.get("best_guess") or ""), out.answer, [s.answer for s in samples], asked
    )
    counted = crosscheck.tally(cands)
    if not counted.agreed and searching(ctx) and not searched:
        emit("reason", f"{gap['id']}: answers disagree; searching", gap_id=gap["id"])
        reading, why = read(chat_model(ctx.llm), ctx.search, gap["question"])
        if reading is not None:
            check = crosscheck.settled_by(cands, "search", reading["answer"])
            answer = from_search(
                gap, reading, ctx, "the model's answers disagreed; search settled it"
            )
            answer["crosscheck"] = check
            return {"answers": [answer]}
        notes.append(f"the answers disagreed and {why}")
    if not counted.agreed and ctx.interactive:
        reply = asked_user(gap, cands, counted.value)
        if reply:
            check = crosscheck.settled_by(cands, "user", reply[:300])
            answer = resolved(
                gap,
                reply[:300],
                [{"source": "user", "quote": reply[:300]}],
                provenance="user",
                route="ask_user",
                note="; ".join([*notes, "the model's answers disagreed; the user chose"]),
            )
            answer["crosscheck"] = check
            return {"answers": [answer]}
    check = crosscheck.by_tally(cands, counted)
    # what must be visible, as the call whose answer won said it (the planner said nothing)
    results = [out, *samples]
    won = crosscheck.winners(cands, counted, [r.answer for r in results], asked)
    visible = next((results[i].visible.strip() for i in won if results[i].visible.strip()), "")
    emit("reason", f"{gap['id']}: {counted.value} ({check['decided_by']})", gap_id=gap["id"])
    answer = resolved(
        gap,
        counted.value,
        [{"source": f"model:{ctx.llm}", "quote": f"{out.question.strip()} {counted.value}"}],
        provenance="model",
        route="reason",
        detail=visible,
        note="; ".join([*notes, MODEL_NOTE]),
    )
    answer["crosscheck"] = check
    if not counted.agreed:
        answer["uncertain"] = True
    return {"answers": [answer]}
