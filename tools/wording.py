"""Word-level text matching shared by the steps that compare a checklist with a prompt.

Deterministic and cheap: lower-cased words, a plural `s` folded away, and the generic
words of checklist phrasing ("is shown", "visible", "the image") ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

GENERIC = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "be",
        "been",
        "being",
        "shown",
        "show",
        "shows",
        "visible",
        "main",
        "subject",
        "image",
        "scene",
        "picture",
        "clearly",
        "in",
        "on",
        "of",
        "with",
        "there",
        "it",
        "its",
        "at",
        "and",
        "or",
        "to",
        "has",
        "have",
        "appears",
        "appear",
        "depicted",
        "present",
        "displayed",
        "can",
        "seen",
        "as",
        "by",
        "for",
        "from",
        "this",
        "that",
        "which",
        "who",
        "one",
    ]
)

# Words that qualify a check without naming anything a prompt would have to contain.
QUALIFIERS = frozenset(
    [
        "exactly",
        "only",
        "all",
        "each",
        "every",
        "some",
        "clear",
        "clearly",
        "visibly",
        "prominently",
        "prominent",
        "entire",
        "whole",
        "should",
        "must",
        "also",
        "single",
        "coherent",
        "nothing",
        "contradict",
        "request",
    ]
)


NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
}
QUOTED = re.compile(r"[\"“]([^\"”]+)[\"”]")  # text in straight or curly double quotes


def stems(text: str) -> set[str]:
    """The words of `text`, lower-cased, possessive and a plural `s` folded away."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'s", ""))
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words}


def content_stems(text: str) -> set[str]:
    """What a checklist item names: its stems less the generic phrasing and qualifiers."""
    return stems(text) - GENERIC - QUALIFIERS


def missing_words(item: str, text: str) -> set[str]:
    """The content stems of `item` that `text` does not contain."""
    return content_stems(item) - stems(text)


def alternation(names: Iterable[str]) -> str:
    """A regex alternation of `names`, escaped, longest first (so "ice cream" wins over
    "ice")."""
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
