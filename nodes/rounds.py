"""The records of one round: the composed draft, its checks, and the render and verdicts.

State holds them as JSON-like dicts (checkpointers serialise them); `merge_rounds` is the
reducer that merges a round's record as render, collate and evaluate complete it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NotRequired

from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12 (server schemas)

from tools.wording import QUOTED, content_stems, stems


class Constraint(TypedDict):
    """A grounded answer as a rule on the prompt: `object`'s `attribute` is `value`, and
    none of `excludes` (the attribute's other values, or a guess the answer overruled)."""

    gap_id: str
    object: str
    attribute: str
    value: str
    excludes: list[str]
    source: str  # tool:NAME, search, memory, user, model, assumed
    ordered: bool  # the value is an order (placement): only its own sequence keeps it


class RetentionCheck(TypedDict):
    """Whether a grounded value (or the exact text) was in the composed prompt."""

    gap_id: str
    answer: str
    present: bool
    repaired: bool


class RequestCheck(TypedDict):
    """Whether one constraint the request states (tools.stated) was in the composed prompt."""

    kind: str  # quoted, negation, count, position, size, layout
    text: str  # the request's own words
    present: bool
    repaired: bool  # put back by compose
    note: str  # why it was not put back ("" when present or repaired)


class Verdict(TypedDict):
    item: str
    passed: bool
    reason: str
    # False: the item's words come from the planner alone (neither the request, an answer, the
    # user's memory nor an earlier turn says them); its failure alone starts no new round
    asked: NotRequired[bool]


def grounded_words(state: Mapping[str, Any]) -> set[str]:
    """The word stems of what the user and the grounding said: the request, every answer and
    what it must show, the user's profile facts, the earlier turns of the conversation."""
    texts = [str(state.get("request", ""))]
    texts += [f"{a.get('answer', '')} {a.get('detail', '')}" for a in state.get("answers", [])]
    texts += [str(f.get("fact", "")) for f in state.get("memory", []) or []]
    texts += [f"{t.get('request', '')} {t.get('prompt', '')}" for t in state.get("earlier", [])]
    return stems(" ".join(texts))


def asked(item: str, grounded: set[str]) -> bool:
    """Whether every content word of a checklist item was said by the user or the grounding
    (an item of none, "a single coherent scene", asks for nothing in particular). An item
    about quoted text is asked for when the quoted words are."""
    quoted = QUOTED.findall(item)
    wanted = content_stems(" ".join(quoted)) if quoted else content_stems(item)
    return bool(wanted) and wanted <= grounded


class PanelPrompt(TypedDict):
    panel: int
    title: str
    scene: str
    prompt: str


class Precheck(TypedDict, total=False):
    """The pre-render check of a draft against the checklist."""

    round: int
    missing: list[str]  # items the prompt did not name
    still_missing: list[str]  # after the revision
    revised: bool
    fixed: list[str]
    render_saved: bool
    send_back: bool


class Draft(TypedDict):
    """A composed prompt of one round, with what compose checked and repaired."""

    round: int
    prompt: str
    negative_prompt: str
    retention: list[RetentionCheck]
    constraints: list[Constraint]
    repairs: dict[str, list[str]]  # compose step name (nodes.compose.steps) -> its changes
    request_retention: list[RequestCheck]
    prompt_source: str  # "composer", "composer retry" or "assembled" (by code, from the plan)
    rejected: list[str]  # why the composer's prompts were rejected (nodes.compose.degenerate)
    panels: list[PanelPrompt]
    precheck: NotRequired[Precheck]


class PanelResult(TypedDict):
    panel: int
    title: str
    prompt: str
    images: list[str]
    scene: dict[str, Any]


class Round(TypedDict, total=False):
    """One render attempt: render writes the draft's record, collate the sheet, evaluate the
    verdicts (merged by `round`)."""

    round: int
    prompt: str
    negative_prompt: str
    retention: list[RetentionCheck]
    request_retention: list[RequestCheck]
    prompt_source: str
    rejected: list[str]
    repairs: dict[str, list[str]]
    precheck: Precheck
    renderer: str
    seed: int
    images: list[str]
    scene: dict[str, Any]
    panel_results: list[PanelResult]
    verdicts: list[Verdict]
    passed: int
    total: int
    judge: str
    judge_mode: str


class PanelTask(TypedDict):
    """What `render` receives through `Send` for one panel of a multi-panel plan."""

    run_id: str
    plan: dict[str, Any]
    draft: dict[str, Any]
    panel: dict[str, Any]  # {panel, title, prompt}


def merge_rounds(
    left: list[dict[str, Any]] | None, right: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """Reducer: round records merge by their `round` number (render adds, evaluate completes)."""
    merged = {entry["round"]: dict(entry) for entry in left or []}
    for entry in right or []:
        target = merged.setdefault(entry["round"], {})
        panels = {p["panel"]: p for p in target.get("panel_results", [])}
        target.update(entry)
        # panels of one round render in parallel: each adds its own (a re-run replaces it)
        panels.update({p["panel"]: p for p in entry.get("panel_results", [])})
        if panels:
            target["panel_results"] = [panels[key] for key in sorted(panels)]
    return [merged[key] for key in sorted(merged)]


def stalled(rounds: Sequence[Mapping[str, Any]]) -> bool:
    """Two rounds in a row with the same prompt and the same verdicts: feedback changed
    nothing, so another attempt would only spend time."""
    if len(rounds) < 2:
        return False
    last, before = rounds[-1], rounds[-2]
    verdicts = [[v["passed"] for v in r.get("verdicts", [])] for r in (last, before)]
    return last.get("prompt") == before.get("prompt") and verdicts[0] == verdicts[1]
