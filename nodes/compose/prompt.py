"""The composer's prompt: one explicit description from the request and its facts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from nodes.compose.constraints import normalise
from nodes.state import Answer
from tools.text import one_line

PROMPT_CHARS = 450


class Composed(BaseModel):
    prompt: str = Field(max_length=PROMPT_CHARS, description="the explicit generation prompt")
    negative_prompt: str = Field(max_length=120, description="what must not appear")


SYSTEM = """You write prompts for a text-to-image model.
Turn the request and the facts found for it into one explicit description: name the
specific subject (use the facts, never the vague words of the request), its look, the
setting, composition, style and colours, and any exact text in double quotes. Keep every
count, position, size and exclusion the request states.
Fix every problem listed under Feedback. Keep it under 80 words.

Example:
Request: A label for a jar of the spice that gives paella its colour, with the words "Golden Threads"
Facts:
- Which spice gives paella its golden colour? saffron (thin red-orange threads)
Style: vintage label. Setting: kitchen shelf. Colours: red, gold.
Text: "Golden Threads"
{"prompt":"Vintage jar label showing a pile of thin red-orange saffron threads on a cream background, a small glass jar on a kitchen shelf, red and gold border, the words \\"Golden Threads\\" in ornate gold letters at the top","negative_prompt":"blurry, misspelled text, extra words"}
"""


def example_text() -> str:
    """The worked example's own words (its request and its answer), which the small composer
    sometimes copies into prompts about other subjects."""
    return SYSTEM[SYSTEM.index("Example:") :]


def facts(answers: Sequence[Answer]) -> list[str]:
    """One line a distinct answer: the question, the answer, its detail, a guess marked."""
    lines: list[str] = []
    seen: set[str] = set()
    for answer in answers:
        if not answer.get("answer") or normalise(answer["answer"]) in seen:
            continue  # several questions with one answer: say it once
        seen.add(normalise(answer["answer"]))
        detail = f" ({one_line(answer['detail'])})" if answer.get("detail") else ""
        guess = " [a guess]" if answer.get("provenance") == "assumed" else ""
        # each fact on its own line: outside text can never start a line of its own
        lines.append(
            f"- {one_line(answer['question'])} {one_line(answer['answer'])}{detail}{guess}"
        )
    return lines


def message(
    request: str,
    answers: Sequence[Answer],
    plan: dict[str, Any],
    memory: Sequence[dict[str, Any]],
    feedback: Sequence[str],
) -> str:
    """The composer's input: request, facts, the user's standing preferences, the plan's
    style, setting, colours and text, and the feedback to fix."""
    lines = [f"Request: {request}", "Facts:", *(facts(answers) or ["- none needed"])]
    # standing preferences apply to every image; pets, family and identity only come in
    # through a memory gap (recall) when the request refers to them
    prefs = [
        one_line(str(m["fact"]))
        for m in memory
        if m.get("fact") and m.get("kind") in ("preference", "avoid")
    ]
    if prefs:
        lines.append("About the user: " + "; ".join(prefs[:6]))
    lines.append(
        f"Style: {plan.get('style') or 'any'}. Setting: {plan.get('setting') or 'any'}. "
        f"Colours: {', '.join(plan.get('palette', [])) or 'any'}."
    )
    text = plan.get("text_to_render", "")
    lines.append(f'Text: "{text}"' if text else "Text: none")
    if feedback:
        lines.append("Feedback:\n" + "\n".join(f"- {item}" for item in feedback))
    return "\n".join(lines)
