"""The plan's checklist and the exact text to render."""

from __future__ import annotations

import re

from nodes.plan.prompt import DraftObject, PlanDraft

QUOTED = re.compile(r'"([^"]{1,80})"|“([^”]{1,80})”|(?:^|\s)\'([^\']{1,80})\'(?=$|[\s.,!?;:])')
# where a model-proposed text belongs: the request asks for lettering or a text medium
TEXT_CUES = re.compile(
    r"\b(text|words?|saying|says|titled?|caption|label|lettering|slogan|headline|poster|card|"
    r"infographic|sign|logo|banner|cover|menu|flyer|invitation|chart|calendar|forecast)\b",
    re.I,
)


def quoted_text(request: str) -> str:
    match = QUOTED.search(request)
    return next((group for group in match.groups() if group), "") if match else ""


def planned_text(proposed: str, request: str) -> str:
    """Exact text to render: quoted text wins; model-proposed text only where text belongs."""
    quoted = quoted_text(request)
    if quoted:
        return quoted
    return proposed.strip() if TEXT_CUES.search(request) else ""


def finish_checklist(items: list[str], subject: str, text: str, setting: str) -> list[str]:
    """3 to 8 distinct, non-empty checks; deterministic ones fill a short list."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        clean = item.strip()
        quoted = quoted_text(clean)
        if quoted and quoted.lower() != text.lower():
            continue  # a check for text the plan no longer renders
        if clean and clean.lower() not in seen:
            seen.add(clean.lower())
            out.append(clean)
    fillers = [f"{subject} is clearly shown"]
    if text:
        fillers.append(f'The text "{text}" is visible')
    if setting:
        fillers.append(f"The setting is {setting}")
    fillers.append("The image is a single coherent scene")
    for filler in fillers:
        if len(out) >= 3:
            break
        if filler.lower() not in seen:
            seen.add(filler.lower())
            out.append(filler)
    if text and not any(text.lower() in item.lower() for item in out):
        out.append(f'The text "{text}" is visible')
    return out[:8]


def fallback_draft(request: str) -> PlanDraft:
    """What we plan when the model's call fails: the request itself, no model gaps."""
    subject = request.strip()[:80]
    return PlanDraft(
        subject=subject,
        gaps=[],
        objects=[
            DraftObject(
                name=" ".join(subject.split()[:3])[:30] or "subject",
                position="center",
                size="large",
            )
        ],
        setting="",
        style="",
        palette=[],
        text=quoted_text(request)[:60],
        checklist=[
            f"{subject} is shown",
            "The image is a single coherent scene",
            "Nothing contradicts the request",
        ],
        n_images=1,
    )
