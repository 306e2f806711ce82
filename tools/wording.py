"""Word-level text matching shared by the steps that compare a checklist with a prompt.

Deterministic and cheap: lower-cased words, a plural `s` folded away, and the generic
words of checklist phrasing ("is shown", "visible", "the image") ignored. `fold` is a
stronger form (inflections alike) for the judge (tools/judging.py).
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


def has_run(words: list[str], run: list[str]) -> bool:
    """`run` occurs in `words` as consecutive items (an empty run never does)."""
    return bool(run) and any(words[i : i + len(run)] == run for i in range(len(words)))


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text` (a compact way to write a word list)."""
    return frozenset(text.split())


# Function words and the phrasing of a check ("should depict", "is known for"): never key.
FUNCTION_WORDS = word_set(
    """refers refer should must depict depicts depicting showing like such so not no rather
    than also typically usually often would will into their they them his her these those
    other some very more most any all each when while where what how why because due known
    famous called but both either neither then now out up its our your my we
    you he she i me us was were being been do does did"""
)
# Words that name an aspect of a check rather than its content ("the mood is calm": calm is
# the content, mood the aspect): an item's value words carry it, so these are never key.
ASPECT_WORDS = word_set(
    """mood atmosphere tone feel feeling overall style look looks appearance composition
    arrangement arranged position positioned placed located situated set depiction feature
    features featuring include includes including contain contains containing colour colours
    color colors"""
)
STOP = GENERIC | QUALIFIERS | FUNCTION_WORDS | ASPECT_WORDS
WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")


def fold(word: str) -> str:
    """One form for a word and its inflections: "rainy" and "rain", "racing" and "races",
    "marked" and "marks", "cities" and "city" fold alike; a number word is its digits
    ("three" and "3"). A light suffix stripper, not a dictionary."""
    if word in NUMBER_WORDS:
        return str(NUMBER_WORDS[word])
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix, shortest in (("ing", 6), ("ed", 5), ("ly", 6), ("y", 5)):
        if len(word) >= shortest and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # "sunn" -> "sun", "runn" -> "run"
    return word


def words_of(text: str) -> list[str]:
    """The words of `text` in order, lower-cased, a possessive dropped (not folded)."""
    return WORD.findall(text.lower().replace("'s", "").replace("\u2019s", ""))
