"""The request's own words survive: its stated constraints are checked against every
composed prompt and put back when lost, and become checklist items with one item per
grounded answer, so a round can fail on what the request or an answer says.

The spans come from `tools.stated` (grammar, not topic). A span that would contradict a
grounded answer is not put back (the answer wins; the check says so); a layout the plan
realises as panels counts as kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nodes.rounds import Constraint, RequestCheck
from nodes.state import Answer
from tools.stated import Stated, kept, key_words
from tools.wording import content_stems, stems

MAX_CHECKLIST = 10


def _conflict(span: Stated, constraints: Sequence[Constraint]) -> str:
    words = set(key_words(span["text"]))
    for constraint in constraints:
        for ruled in constraint["excludes"]:
            if content_stems(ruled) and content_stems(ruled) <= words:
                return f"contradicts the answer {constraint['value']!r}"
    return ""


def put_back(
    prompt: str,
    negative: str,
    spans: Sequence[Stated],
    constraints: Sequence[Constraint],
    plan: dict[str, Any],
) -> tuple[str, list[RequestCheck]]:
    """The prompt with every lost span put back, and one check per span."""
    checks: list[RequestCheck] = []
    panels = len(plan.get("panels") or [])
    for span in spans:
        note = ""
        present = kept(span, prompt, negative)
        if not present and span["kind"] == "layout" and panels >= 2:
            present, note = True, f"laid out as the plan's {panels} panels"
        repaired = False
        if not present:
            note = _conflict(span, constraints)
            if not note:
                text = f'"{span["text"]}"' if span["kind"] == "quoted" else span["text"]
                prompt = f"{prompt.rstrip(' .')}, {text}"
                repaired = True
        checks.append(
            {
                "kind": span["kind"],
                "text": span["text"],
                "present": present,
                "repaired": repaired,
                "note": note,
            }
        )
    return prompt, checks


def grounded_items(
    plan: dict[str, Any], answers: Sequence[Answer], spans: Sequence[Stated], *, vision: bool
) -> list[str]:
    """Checklist items the plan lacks: each stated constraint of the request, and each
    resolved answer ("The image shows saffron"); an uncertain answer, when a vision model
    judges, also names what it must not be."""
    have = list(plan.get("checklist", []))

    def covered(value: str) -> bool:
        wanted = content_stems(value)
        return not wanted or any(wanted <= stems(item) for item in have)

    wanted: list[str] = []
    for span in spans:
        if span["kind"] != "quoted" and not covered(span["text"]):
            wanted.append(span["text"][:1].upper() + span["text"][1:])
    for answer in answers:
        value = str(answer.get("answer") or "").strip()
        if not value or not answer.get("resolved") or covered(value):
            continue
        alternatives = answer.get("crosscheck", {}).get("alternatives", [])
        if answer.get("uncertain") and vision and alternatives:
            wanted.append(f"The image shows {value}, not {' or '.join(alternatives[:2])}")
        else:
            wanted.append(f"The image shows {value}")
    out: list[str] = []
    for item in wanted:
        if len(have) + len(out) >= MAX_CHECKLIST:
            break
        if item.lower() not in {i.lower() for i in have + out}:
            out.append(item)
    return out
