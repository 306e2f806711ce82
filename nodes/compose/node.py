"""compose: merge the request, the grounded answers, the user's memory and earlier feedback
into one explicit generation prompt and a negative prompt.

The declared steps (`steps.STEPS`) run around the composer's call: the plan is corrected
before it, and after it the prompt is cleaned and checked against every grounded answer
as a constraint (what contradicts one is dropped, what was lost is put back). What each
step changed travels with the draft into the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from nodes.compose.constraints import constraints_of
from nodes.compose.prompt import SYSTEM, Composed, message
from nodes.compose.steps import Work, run_stage
from nodes.context import Context, chat_model, context_of, emit
from nodes.rounds import Draft, PanelPrompt
from nodes.state import Answer, State
from tools.structured import StructuredOutputError, ask


def fallback_prompt(plan: dict[str, Any], answers: Sequence[Answer]) -> str:
    parts = [plan.get("subject", "")]
    parts += [a["answer"] for a in answers if a.get("answer")]
    parts += [plan.get("setting", ""), plan.get("style", "")]
    return ", ".join(p for p in parts if p)


def compose(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    answers = list(state.get("answers", []))
    request = state["request"]
    constraints = constraints_of(answers, state["plan"].get("gaps", []), request)
    work = Work(request=request, plan=dict(state["plan"]), answers=answers, constraints=constraints)
    repairs = run_stage("plan", work)
    number = len(state.get("rounds", [])) + 1
    emit("compose", f"composing the prompt (round {number})", round=number)
    text = message(request, answers, work.plan, state.get("memory", []), state.get("feedback", []))
    work.context = text
    errors: list[dict[str, str]] = []
    try:
        out = ask(
            chat_model(ctx.llm),
            Composed,
            [SystemMessage(content=SYSTEM), HumanMessage(content=text)],
        )
        work.prompt, negative = out.prompt.strip(), out.negative_prompt.strip()
    except StructuredOutputError as exc:
        work.prompt, negative = fallback_prompt(work.plan, answers), ""
        errors.append({"node": "compose", "message": f"composer failed, used a template: {exc}"})
    repairs |= run_stage("prompt", work)
    if not work.prompt.strip():
        work.prompt = fallback_prompt(work.plan, answers)
    put_back = len(repairs.get("restored", []))
    emit("compose", f"prompt ready ({len(work.prompt)} chars, {put_back} answer(s) put back)")
    draft: Draft = {
        "round": number,
        "prompt": work.prompt,
        "negative_prompt": negative,
        "retention": work.retention,
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
