"""The one check that rejects a degenerate composed prompt, and the prompt code assembles
when the composer fails it twice.

A small composer can loop ("a red X in style, a green X in style, a yellow X ..."), stop
mid-word, carry two answers to one question (the planner's guess and the answer that
overruled it), or wander into content nobody asked for. `problems` names each such fault
of a prompt; compose asks once more with the faults as feedback, then falls back to
`assembled`: the plan and the answers joined by code, which cannot degenerate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nodes.compose.prompt import PROMPT_CHARS
from nodes.rounds import Constraint
from nodes.state import Answer
from tools.stated import Stated
from tools.wording import content_stems, stems

NEAR_SHARED = 3  # two clauses sharing this many content words, and differing in at most
# one word each, say one thing ("a red tulip in watercolour style, a green tulip in ...")
# A prompt whose content words are this new is not about the request, when at least
# NOVEL_MIN are new. The composer's own styling stays under it: on 15 own tuning cases
# at 7e27996 its first prompts had at most 39% (7) words found in no source.
NOVEL_SHARE = 0.6
NOVEL_MIN = 6
CUT_SHARE = 0.9  # a prompt this close to its length limit may have been cut there
ENDINGS = (".", "!", "?", '"', "”", ")")


def _clauses(prompt: str) -> list[str]:
    return [c for c in re.split(r"\s*[,;]\s*|\.\s+", prompt.strip().rstrip(".")) if c.strip()]


def repeated(prompt: str) -> list[str]:
    """Clauses that say the same as an earlier one: word for word, or with one word
    swapped in a clause of at least NEAR_SHARED shared words."""
    seen: list[set[str]] = []
    out: list[str] = []
    for clause in _clauses(prompt):
        words = content_stems(clause)
        if words and any(_same(words, other) for other in seen):
            out.append(clause)
        seen.append(words)
    return out


def _same(one: set[str], other: set[str]) -> bool:
    if one == other:
        return True
    shared = len(one & other)
    return shared >= NEAR_SHARED and len(one - other) <= 1 and len(other - one) <= 1


def cut_words(prompt: str, sources: str, limit: int = PROMPT_CHARS) -> list[str]:
    """Words the prompt cut off: any word with a letter outside ASCII that no source
    writes (a garbled token), and, when the prompt ran into its length limit, a last word
    that is only the start of a word the sources use."""
    known = set(re.findall(r"[^\W\d_]+", sources.lower()))
    words = re.findall(r"[^\W\d_]+", prompt.lower())
    out = [w for w in words if not w.isascii() and w not in known]
    if words and len(prompt) >= CUT_SHARE * limit and not prompt.rstrip().endswith(ENDINGS):
        last = words[-1]
        if last not in known and any(k.startswith(last) and k != last for k in known):
            out.append(last)
    return out


def _states(prompt: str, value: str) -> bool:
    wanted = content_stems(value)
    return bool(wanted) and wanted <= stems(prompt)


def two_answers(prompt: str, constraints: Sequence[Constraint]) -> list[str]:
    """Answers the prompt gives together with a value the same answer rules out."""
    return [
        f"{c['value']} / {ruled}"
        for c in constraints
        if _states(prompt, c["value"])
        for ruled in c["excludes"]
        if _states(prompt, ruled)
    ]


def novel_words(prompt: str, sources: str) -> list[str]:
    """The prompt's content words that no source (request, plan, answers, memory, feedback)
    has, when they make up too much of it to be the composer's styling."""
    words = content_stems(prompt)
    new = sorted(words - stems(sources))
    if len(new) >= NOVEL_MIN and len(new) >= NOVEL_SHARE * len(words):
        return new
    return []


def problems(
    prompt: str, sources: str, constraints: Sequence[Constraint], limit: int = PROMPT_CHARS
) -> list[str]:
    """Why the prompt is degenerate, one line a fault; [] when it is sound."""
    out: list[str] = []
    if not prompt.strip():
        return ["the prompt is empty"]
    if rep := repeated(prompt):
        out.append("repeats a clause: " + "; ".join(rep[:3]))
    if cut := cut_words(prompt, sources, limit):
        out.append("cuts a word off: " + ", ".join(cut[:3]))
    if both := two_answers(prompt, constraints):
        out.append("gives two answers to one question: " + "; ".join(both[:3]))
    if new := novel_words(prompt, sources):
        out.append("adds what nothing asked for: " + ", ".join(new[:8]))
    return out


def sources_of(context: str, answers: Sequence[Answer], plan: dict[str, Any]) -> str:
    """Everything a prompt may draw on: the composer's input, the answers with their
    evidence, and the plan (its layout, checklist, panels and characters)."""
    parts = [context, str(plan.get("characters") or "")]
    parts += [str(o.get("name", "")) for o in plan.get("layout", [])]
    parts += [str(i) for i in plan.get("checklist", [])]
    parts += [f"{p.get('title', '')} {p.get('scene', '')}" for p in plan.get("panels", [])]
    for answer in answers:
        parts += [answer.get("answer", ""), answer.get("detail", "")]
        parts += [e.get("quote", "") for e in answer.get("evidence", [])]
    return " ".join(p for p in parts if p)


def assembled(
    plan: dict[str, Any], answers: Sequence[Answer], spans: Sequence[Stated], text: str
) -> str:
    """A prompt code writes from the structured plan: the subject, each answer and what it
    must show, the request's stated constraints, the setting, style and colours, the text."""
    parts = [str(plan.get("subject") or "").strip()]
    for answer in answers:
        value = str(answer.get("answer") or "").strip()
        detail = str(answer.get("detail") or "").strip()
        parts.append(f"{value} ({detail})" if value and detail else value)
    parts += [s["text"] for s in spans if s["kind"] != "quoted"]
    if plan.get("setting"):
        parts.append(f"setting: {plan['setting']}")
    if plan.get("style"):
        parts.append(f"{plan['style']} style")
    if plan.get("palette"):
        parts.append("colours: " + ", ".join(plan["palette"]))
    if text:
        parts.append(f'the text "{text}"')
    out: list[str] = []
    for part in parts:  # each thing once: a part another one states is left out
        if not part or any(_states(kept, part) for kept in out):
            continue
        out = [kept for kept in out if not _states(part, kept)]
        out.append(part)
    return ", ".join(out)
