"""The compose repairs other than the constraint check: quoted text nobody asked for,
clauses the small composer repeats, and the planner's guessed subject once an answer
named it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from nodes.compose.constraints import normalise
from nodes.state import Answer
from tools.wording import QUOTED, STOP, content_stems, stems, words_of

INVENTED_TEXT = re.compile(
    r"(?:,\s*|\s+)(?:with\s+)?(?:the\s+)?(?:words?|text|title|caption|slogan)\s+"
    r"[\"“]([^\"”]*)[\"”](?:\s+in\s+[^,.]*)?",
    re.I,
)


def drop_invented_text(prompt: str, text: str, request: str, known: str = "") -> str:
    """Remove quoted text the composer wrote that neither the plan nor the request asks for
    (small models copy it from the worked example); text an answer holds (`known`, the
    answers' words: a bakery name recalled from the user's last poster) stays."""

    def keep(match: re.Match[str]) -> str:
        quoted = match.group(1).strip().lower()
        asked = {q.strip().lower() for q in QUOTED.findall(request)}
        wanted = (text and quoted == text.strip().lower()) or quoted in asked
        wanted = wanted or (bool(normalise(quoted)) and normalise(quoted) in normalise(known))
        return match.group(0) if wanted else ""

    return INVENTED_TEXT.sub(keep, prompt).strip()


def drop_repeats(prompt: str) -> str:
    """The prompt without clauses it repeats word for word: the small composer sometimes
    loops ("red balloon inflated with air, red balloon inflated with air, ...") until the
    length limit cuts it."""
    kept: list[str] = []
    seen: set[str] = set()
    for clause in re.split(r"\s*,\s*", prompt.strip()):
        key = normalise(clause)
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(clause)
    return ", ".join(kept)


ARTICLE = re.compile(r"^(a|an|the|some)\s+", re.I)


def replace_guess(
    plan: dict[str, Any], answers: Sequence[Answer], request: str
) -> tuple[dict[str, Any], list[str]]:
    """The plan with the planner's guessed subject replaced by the answer that resolved it.

    The planner writes the subject, checklist and layout before any gap is answered; when
    the request does not name its subject, the small model guesses ("a wolf" for "the
    animal that outwits the crow in the old fable"). Once one answer names the subject
    ("fox"), a checklist still asking for a wolf would send the prompt back to compose for
    the wrong animal. So when the subject is a short phrase none of whose
    words the request says, and exactly one resolved answer (not a tool's) names something
    new, the guess is replaced by that answer in the subject, the checklist and the layout.
    """
    guess = ARTICLE.sub("", str(plan.get("subject", "")).strip())
    guessed = content_stems(guess)
    if not guessed or len(guess.split()) > 3 or guessed & stems(request):
        return plan, []
    named = [
        str(a["answer"]).strip()
        for a in answers
        if a.get("resolved")
        and a.get("provenance") != "tool"
        and 0 < len(str(a.get("answer", "")).split()) <= 4
        and not content_stems(str(a["answer"])) <= stems(request)
    ]
    if len(named) != 1 or content_stems(named[0]) & guessed:
        return plan, []
    answer = named[0]
    pattern = re.compile(rf"\b{re.escape(guess)}\b", re.I)
    new = dict(plan)
    new["subject"] = answer
    new["checklist"] = [pattern.sub(answer, item) for item in plan.get("checklist", [])]
    new["layout"] = [
        {**obj, "name": pattern.sub(answer, str(obj.get("name", "")))}
        for obj in plan.get("layout", [])
    ]
    return new, [f"{guess} -> {answer}"]


def _example_pairs(example: str, context: str) -> set[tuple[str, str]]:
    """Neighbouring content words of the worked example that the context does not use
    ("glass jar", "kitchen shelf"): the example's own phrases."""
    words = [w for w in words_of(example) if w not in STOP]
    ours = stems(context)
    return {
        (one, two)
        for one, two in pairwise(stems(w).pop() for w in words if stems(w))
        if one not in ours and two not in ours
    }


def _echo_spans(words: list[str], pairs: set[tuple[str, str]], theirs: set[str]) -> list[range]:
    """The runs of `words` that copy an example phrase: function words and the example's
    own words (`theirs`), holding one of its neighbouring pairs. A run keeps the function
    words before it ("on a kitchen shelf"), and those after it only when it opens the
    clause ("a small glass jar on a | plain white background")."""
    keys = [next(iter(stems(w)), "") for w in words]
    content = [bool(k) and k not in STOP for k in keys]
    spans: list[range] = []
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and (not content[j] or keys[j] in theirs):
            j += 1
        run = [k for k, c in zip(keys[i:j], content[i:j], strict=True) if c]
        if any(pair in pairs for pair in pairwise(run)):
            end = j
            while i > 0 and end > i and not content[end - 1]:
                end -= 1
            spans.append(range(i, end))
        i = j + 1
    return spans


def drop_example_echo(prompt: str, example: str, context: str) -> tuple[str, list[str]]:
    """The prompt without what it copied from the composer's worked example: a phrase of
    two neighbouring content words of the example that the context (request, facts, plan,
    memory) does not use is cut with its run of such words ("a small glass jar", "on a
    kitchen shelf"); a clause left with no content word is dropped whole."""
    pairs = _example_pairs(example, context)
    theirs = {word for pair in pairs for word in pair}
    kept: list[str] = []
    dropped: list[str] = []
    for clause in re.split(r"\s*,\s*", prompt.strip()):
        words = re.findall(r"\S+", clause)
        spans = _echo_spans(words, pairs, theirs)
        if not spans:
            kept.append(clause)
            continue
        cut = {i for span in spans for i in span}
        dropped += [" ".join(words[i] for i in span) for span in spans]
        rest = " ".join(w for i, w in enumerate(words) if i not in cut)
        if content_stems(rest) - STOP:
            kept.append(rest)
    return (", ".join(kept) if dropped else prompt), dropped
