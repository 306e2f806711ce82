"""plan: find what the request leaves out, and what the image must show.

One structured call (worked examples in a fixed, cacheable prefix, `prompt.py`) proposes
the subject, the gaps as explicit questions with a kind and, where a registered tool
computes the answer, that tool; the objects, text, style and a checklist (`checklist.py`).
`routing.py` routes the gaps and records why; a request that asks for panels gets a
second call that splits it.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.config import get_config
from langgraph.runtime import Runtime

from nodes.context import Context, chat_model, context_of, emit, store_of, user_of
from nodes.plan.checklist import fallback_draft, finish_checklist, planned_text
from nodes.plan.prompt import PANEL_SYSTEM, SYSTEM, PanelDraft, PlanDraft
from nodes.plan.routing import cue, route_gaps
from nodes.state import LayoutObject, Plan, State
from tools.structured import StructuredOutputError, ask
from tools.text import clean, one_line, quoted

SIZES = {"small": 0.22, "medium": 0.38, "large": 0.6}
CENTRES = {
    "left": (0.22, 0.5),
    "center": (0.5, 0.5),
    "right": (0.78, 0.5),
    "top": (0.5, 0.22),
    "bottom": (0.5, 0.75),
    "top-left": (0.22, 0.22),
    "top-right": (0.78, 0.22),
    "bottom-left": (0.22, 0.75),
    "bottom-right": (0.78, 0.75),
}


def box_for(position: str, size: str) -> list[float]:
    """A planned position and size as a normalised box [x0, y0, x1, y1]."""
    if position == "background":
        return [0.0, 0.0, 1.0, 1.0]
    cx, cy = CENTRES.get(position, (0.5, 0.5))
    half = SIZES.get(size, 0.38) / 2
    return [
        round(max(0.0, cx - half), 3),
        round(max(0.0, cy - half), 3),
        round(min(1.0, cx + half), 3),
        round(min(1.0, cy + half), 3),
    ]


def plan_panels(request: str, llm: str) -> tuple[PanelDraft | None, str]:
    """Panels for a request that asks for several (one call, only when cues ask for it)."""
    if not cue("panels", request):
        return None, ""
    try:
        draft = ask(
            chat_model(llm),
            PanelDraft,
            [SystemMessage(content=PANEL_SYSTEM), HumanMessage(content=f"Request: {request}")],
        )
    except StructuredOutputError as exc:
        return None, f"panel planner failed, one image instead: {exc}"
    panels = [p for p in draft.panels if p.scene.strip()]
    if len(panels) < 2:
        return None, "the panel planner gave fewer than two panels; one image instead"
    return PanelDraft(characters=draft.characters.strip(), panels=panels), ""


def safe_run_id(candidate: str) -> str:
    """The thread id when it can name a folder safely, else a fresh id."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", candidate):
        return candidate
    return uuid.uuid4().hex[:12]


def load_profile(runtime: Runtime[Context], user_id: str) -> list[dict[str, Any]]:
    store = store_of(runtime)
    items = store.search(("users", user_id, "profile"), limit=50)
    return [{"id": item.key, **item.value} for item in items]


def has_history(runtime: Runtime[Context], user_id: str) -> bool:
    return bool(store_of(runtime).search(("users", user_id, "history"), limit=1))


EARLIER_TURNS = 2
EARLIER_CHARS = 240


def earlier_turns(
    runtime: Runtime[Context], user_id: str, conversation: str, request: str
) -> list[dict[str, Any]]:
    """The earlier turns of this conversation the request needs: the latest one and the most
    relevant others, at most EARLIER_TURNS, each cut to EARLIER_CHARS (the context does not
    grow with the conversation)."""
    if not conversation:
        return []
    store = store_of(runtime)
    namespace, where = ("users", user_id, "history"), {"conversation": conversation}
    latest = store.search(namespace, filter=where, limit=1)
    relevant = store.search(namespace, query=request, filter=where, limit=EARLIER_TURNS)
    items = latest + [i for i in relevant if not latest or i.key != latest[0].key]
    return [
        {
            "id": item.key,
            "request": one_line(str(item.value.get("request", "")))[:EARLIER_CHARS],
            "prompt": one_line(str(item.value.get("final_prompt", "")))[:EARLIER_CHARS],
            "score": round(float(item.score or 0.0), 3),
        }
        for item in items[:EARLIER_TURNS]
    ]


def plan(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    request = clean(state["request"]).strip()  # graph input: no invisible or control chars
    user_id = user_of(state, runtime)
    config = get_config()
    run_id = safe_run_id(
        state.get("run_id") or str(config.get("configurable", {}).get("thread_id") or "")
    )
    emit("plan", "planning what the request leaves out")
    profile = load_profile(runtime, user_id)
    earlier = earlier_turns(runtime, user_id, ctx.conversation, request)
    # earlier turns are stored data: quoted, so they can never read as this turn's request
    lines = [
        f"Earlier turn: {quoted(t['request'])} -> drawn as: {quoted(t['prompt'])}" for t in earlier
    ]
    message = "\n".join([*lines, f"Request: {request}"])
    errors: list[dict[str, str]] = []
    source = "model"
    try:
        draft = ask(
            chat_model(ctx.llm),
            PlanDraft,
            [SystemMessage(content=SYSTEM), HumanMessage(content=message)],
        )
    except StructuredOutputError as exc:
        draft, source = fallback_draft(request), "fallback"
        errors.append({"node": "plan", "message": f"planner failed, planned from cues: {exc}"})
    gaps = route_gaps(
        draft.gaps,
        request,
        subject=draft.subject,
        described=draft.described,
        names=draft.names,
        search_enabled=ctx.search.strip() not in ("", "none"),
        memory_empty=not profile and not has_history(runtime, user_id),
        has_earlier=bool(earlier),
    )
    text = planned_text(draft.text, request)
    panels, panel_error = plan_panels(request, ctx.llm)
    if panel_error:
        errors.append({"node": "plan", "message": panel_error})
    sheet = bool(panels) and not cue("separate", request)
    result = Plan(
        subject=draft.subject.strip() or request[:80],
        gaps=gaps,
        checklist=finish_checklist(draft.checklist, draft.subject, text, draft.setting),
        text_to_render=text,
        layout=[LayoutObject(name=o.name, box=box_for(o.position, o.size)) for o in draft.objects],
        style=draft.style.strip(),
        setting=draft.setting.strip(),
        palette=[p.strip() for p in draft.palette if p.strip()],
        n_images=len(panels.panels) if panels and not sheet else draft.n_images,
        panels=panels.panels if panels else [],
        characters=panels.characters if panels else "",
        sheet=sheet,
        source=source,
    )
    routes = ", ".join(f"{g.route}" for g in gaps) or "none (fast path)"
    shape = f"; {len(result.panels)} panel(s)" if result.panels else ""
    emit("plan", f"{len(gaps)} gap(s): {routes}; {len(result.checklist)} checks{shape}")
    update: dict[str, Any] = {
        "request": request,
        "run_id": run_id,
        "plan": json.loads(result.model_dump_json()),
        "memory": profile,
        "earlier": earlier,
        "user_id": user_id,
        "errors": errors,
    }
    return update
