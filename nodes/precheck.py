"""precheck: check the composed prompt against the checklist before any render is spent.

Beyond the paper, whose feedback only comes after generation: every checklist item is
compared with the composed prompt (deterministic word coverage, no model call). An item
that the prompt does not name cannot be drawn from it, so the prompt goes back to
`compose` once, with those items as feedback, before the round renders. A second draft of
the same round renders whatever it covers; the check's result travels with the draft into
the round record and the report (`renders_saved`: a revision that covered every item it
found missing spared a render that would have failed on them).
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Send

from nodes.context import Context, emit
from nodes.rounds import Draft
from nodes.state import State
from tools.wording import QUOTED, content_stems, missing_words


def uncovered(checklist: list[str], prompt: str) -> list[str]:
    """Items whose content words the prompt mostly lacks (fewer than half present).

    Items about exact quoted text are left out: compose puts the planned text back itself.
    """
    missing: list[str] = []
    for item in checklist:
        if QUOTED.search(item):
            continue
        wanted = content_stems(item)
        if not wanted:
            continue
        lacking = missing_words(item, prompt)
        if len(lacking) * 2 > len(wanted):
            missing.append(item)
    return missing


def precheck(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    draft: Draft = {**state["draft"]}
    number = draft["round"]
    checklist = list(state["plan"].get("checklist", []))
    panels = " ".join(p["prompt"] for p in draft.get("panels", []))
    missing = uncovered(checklist, f"{draft['prompt']} {panels}")
    earlier = state.get("precheck") or {}
    revision = earlier.get("round") == number and earlier.get("send_back", False)
    if revision:  # this draft is the revision: render it, and record what it fixed
        before = list(earlier.get("missing", []))
        fixed = [item for item in before if item not in missing]
        record = {
            "round": number,
            "missing": before,
            "still_missing": missing,
            "revised": True,
            "fixed": fixed,
            "render_saved": bool(before) and len(fixed) == len(before),
            "send_back": False,
        }
        emit("precheck", f"round {number}: the revision covers {len(fixed)}/{len(before)}")
    elif missing:
        record = {"round": number, "missing": missing, "revised": False, "send_back": True}
        emit(
            "precheck",
            f"round {number}: the prompt misses {len(missing)} item(s); back to compose",
            round=number,
        )
        feedback = list(state.get("feedback", []))
        feedback += [f"The prompt must also show: {item}" for item in missing]
        return {"precheck": record, "feedback": feedback}
    else:
        record = {"round": number, "missing": [], "revised": False, "send_back": False}
        emit("precheck", f"round {number}: the prompt covers every item")
    draft["precheck"] = {k: v for k, v in record.items() if k not in ("send_back", "round")}  # type: ignore[typeddict-item]
    return {"precheck": record, "draft": draft}


def after_precheck(state: State) -> Literal["compose", "render"] | list[Send]:
    """Back to compose once per round when the prompt misses checklist items; else render:
    one image, or one render per panel, all in parallel."""
    if (state.get("precheck") or {}).get("send_back"):
        return "compose"
    panels = state["draft"].get("panels") or []
    if not panels:
        return "render"
    shared = {"run_id": state["run_id"], "plan": state["plan"], "draft": state["draft"]}
    return [Send("render", {**shared, "panel": panel}) for panel in panels]
