"""compose: merge the request, the grounded answers, the user's memory and earlier feedback
into one explicit generation prompt and a negative prompt.

The declared steps (`steps.STEPS`) run around the composer's call: the plan is corrected
before it, and after it the prompt is cleaned and checked against every grounded answer
as a constraint (what contradicts one is dropped, what was lost is put back) and against
every constraint the request states. What each step changed travels with the draft into
the report. A degenerate prompt (`degenerate.problems`) is asked for once more; rejected
again, code assembles it from the plan and the answers (`prompt_source` says which).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from nodes.compose.constraints import constraints_of
from nodes.compose.degenerate import assembled, problems, sources_of
from nodes.compose.prompt import SYSTEM, Composed, message
from nodes.compose.steps import Work, run_stage
from nodes.context import Context, chat_model, context_of, emit
from nodes.rounds import Draft, PanelPrompt
from nodes.state import State
from tools.stated import stated
from tools.structured import StructuredOutputError, ask


def retry_message(text: str, prompt: str, faults: Sequence[str]) -> str:
    listed = "\n".join(f"- {fault}" for fault in faults)
    return (
        f"{text}\nYour last prompt was rejected:\n{prompt}\nProblems:\n{listed}\n"
        "Write it again: each thing once, whole words, one answer per question, only "
        "what the request, facts and plan say."
    )


def written(work: Work, ctx: Context, errors: list[dict[str, str]]) -> tuple[str, list[str]]:
    """The composer's prompt (asked once more when degenerate), or the assembled one; sets
    `work.prompt` and `work.negative`, returns where the prompt came from and the faults."""
    sources = sources_of(work.context, work.answers, work.plan)
    rejected: list[str] = []
    text = work.context
    for source in ("composer", "composer retry"):
        try:
            out = ask(
                chat_model(ctx.llm),
                Composed,
                [SystemMessage(content=SYSTEM), HumanMessage(content=text)],
            )
        except StructuredOutputError as exc:
            errors.append({"node": "compose", "message": f"composer failed, assembled: {exc}"})
            break
        prompt = out.prompt.strip()
        faults = problems(prompt, sources, work.constraints)
        if not faults:
            work.prompt, work.negative = prompt, out.negative_prompt.strip()
            return source, rejected
        rejected += [f"{source}: {fault}" for fault in faults]
        text = retry_message(work.context, prompt, faults)
    work.prompt = assembled(work.plan, work.answers, work.spans, work.text)
    work.negative = ""
    return "assembled", rejected


def compose(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    answers = list(state.get("answers", []))
    request = state["request"]
    constraints = constraints_of(answers, state["plan"].get("gaps", []), request)
    work = Work(
        request=request,
        plan=dict(state["plan"]),
        answers=answers,
        constraints=constraints,
        spans=stated(request),
        vision=bool(ctx.vlm.strip()),
    )
    repairs = run_stage("plan", work)
    number = len(state.get("rounds", [])) + 1
    emit("compose", f"composing the prompt (round {number})", round=number)
    memory, feedback = state.get("memory", []), state.get("feedback", [])
    work.context = message(request, answers, work.plan, memory, feedback)
    errors: list[dict[str, str]] = []
    source, rejected = written(work, ctx, errors)
    repairs |= run_stage("prompt", work)
    if not work.prompt.strip():
        work.prompt, source = assembled(work.plan, answers, work.spans, work.text), "assembled"
    put_back = len(repairs.get("restored", [])) + len(repairs.get("stated_kept", []))
    emit("compose", f"prompt ready ({source}, {len(work.prompt)} chars, {put_back} put back)")
    draft: Draft = {
        "round": number,
        "prompt": work.prompt,
        "negative_prompt": work.negative,
        "retention": work.retention,
        "request_retention": work.request_retention,
        "prompt_source": source,
        "rejected": rejected,
        "constraints": constraints,
        "repairs": repairs,
        "panels": panel_prompts(work.plan, work.prompt),
    }
    update: dict[str, Any] = {"draft": draft, "errors": errors}
    if work.plan != state["plan"]:  # later nodes read the corrected plan
        update["plan"] = work.plan
    return update


def panel_prompts(plan: dict[str, Any], prompt: str) -> list[PanelPrompt]:
    """One prompt per planned panel: the panel's own scene, then the shared description of
    the recurring characters and the composed prompt (the subject, facts and style every
    panel shares), so each panel draws the same characters the same way."""
    panels = plan.get("panels") or []
    characters = str(plan.get("characters") or "").strip()
    out: list[PanelPrompt] = []
    for index, panel in enumerate(panels, 1):
        parts = [f"Panel {index} of {len(panels)}: {panel['scene'].strip().rstrip('.')}"]
        if characters:
            parts.append(f"Characters: {characters.rstrip('.')}")
        parts.append(f"Context: {prompt}")
        out.append(
            {
                "panel": index,
                "title": panel.get("title", ""),
                "scene": panel["scene"],
                "prompt": ". ".join(parts),
            }
        )
    return out
