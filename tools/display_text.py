"""Text a display draws that only an answer knows.

The planner writes the text to draw before any gap is answered, so it cannot hold what
search or memory find: the title of "the film that won this year's Golden Heron" on its
poster, or the bakery name of "that poster again, but with a loaf of bread". These
functions take that text from the resolved answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from tools.wording import QUOTED

_DISPLAY = re.compile(r"\b(poster|cover|title card|banner|billboard|flyer|marquee)\b", re.I)
_WORK = (
    r"(film|movie|book|novel|album|record|game|video game|show|series|play|musical|opera|"
    r"song|anime|manga|comic)"
)
_ASKS_TITLE = re.compile(rf"\b(?:(?:name|title) of the|which|what) {_WORK}\b", re.I)
MAX_TITLE_WORDS = 8


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9&]+", text.lower()))


def _is_title(value: str) -> bool:
    words = value.split()
    if not 0 < len(words) <= MAX_TITLE_WORDS or not any(c.isalpha() for c in value):
        return False
    return all(w[:1].isupper() or not w[:1].isalpha() for w in words if len(w) > 3)


def work_title(request: str, answers: Iterable[Mapping[str, Any]]) -> str:
    """The title of the work a poster or cover shows, when the request does not name it and
    a search answer does ("A poster of the film that won this year's Golden Heron" -> "The
    Salt Orchard"); "" otherwise."""
    if not (_DISPLAY.search(request) and re.search(rf"\b{_WORK}\b", request, re.I)):
        return ""
    for answer in answers:
        if not answer.get("resolved") or answer.get("provenance") != "search":
            continue
        if not _ASKS_TITLE.search(str(answer.get("question", ""))):
            continue
        value = str(answer.get("answer", "")).strip().strip("\"“”'‘’ .")
        if _is_title(value) and _norm(value) not in _norm(request):
            return value
    return ""


# answers whose words are found text (a title, a recalled bakery name); a tool's or the
# model's answer is a statement about the scene, not text to write on it
FOUND_TEXT = ("search", "memory", "user")


def found_texts(
    answers: Iterable[Mapping[str, Any]], kinds: tuple[str, ...] = FOUND_TEXT
) -> list[str]:
    """Each resolved answer of the given provenances (search, memory, user by default) with
    its detail."""
    return [
        f"{a.get('answer', '')} {a.get('detail', '')}"
        for a in answers
        if a.get("resolved") and a.get("provenance") in kinds
    ]


def answer_text(prompt: str, answers: Iterable[Mapping[str, Any]]) -> str:
    """Text the prompt quotes from a resolved search, memory or user answer ('the bakery
    name "Crumb & Co"'), to be drawn; "" when it quotes none."""
    known = " | ".join(_norm(text) for text in found_texts(answers))
    for quoted in QUOTED.findall(prompt):
        if _norm(quoted) and f" {_norm(quoted)} " in f" {known} ":
            return quoted.strip()
    return ""
