"""Proper names in a question, and the search passages that name them.

A search for a forecast of one town also returns a neighbouring town's forecast, and one
for a ticker the close of another: the passages are near in meaning, and the small reader
then quotes the wrong place's weather or the wrong ticker's price. A passage
that does not name the place, person or ticker asked about cannot answer for it, so when
some passages name more of the question's proper names than others, only those are read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

# capitalised words that start questions and titles rather than name something
COMMON = {
    "a", "an", "and", "are", "at", "by", "can", "did", "do", "does", "for", "from", "how",
    "i", "if", "in", "is", "it", "its", "of", "on", "or", "the", "this", "that", "these",
    "those", "to", "was", "what", "when", "where", "which", "who", "whom", "whose", "why",
    "with", "will", "would", "celsius", "fahrenheit", "kelvin",
}  # fmt: skip
_TOKEN = re.compile(r"[A-Za-z0-9][\w&'’-]*|[.!?:;\"“”‘(]")
_TICKER = re.compile(r"[A-Z]{2,6}")

P = TypeVar("P")


def _bare(token: str) -> str:
    return re.sub(r"['’]s$", "", token)


def proper_names(text: str) -> list[str]:
    """The names `text` uses: runs of capitalised words that do not merely start a
    sentence ("Port Vela", "Tova Lindqvist"), and tickers ("ZRKQ")."""
    names: list[str] = []
    run: list[str] = []
    for token in _TOKEN.findall(text):
        word = _bare(token)
        if _TICKER.fullmatch(word) or (word[:1].isupper() and word.lower() not in COMMON):
            run.append(word)
            continue
        if run:
            names.append(" ".join(run))
            run = []
    if run:
        names.append(" ".join(run))
    # a lone sentence-initial capital ("Tomorrow's forecast") is not a name; a ticker is
    return list(
        dict.fromkeys(
            n for n in names if " " in n or _TICKER.fullmatch(n) or not _starts_text(n, text)
        )
    )


def _starts_text(name: str, text: str) -> bool:
    """Whether every use of the one-word `name` in `text` starts a sentence."""
    for match in re.finditer(rf"\b{re.escape(name)}\b", text):
        before = text[: match.start()].rstrip()
        if before and before[-1] not in '.!?:;"“”‘(':
            return False
    return True


def names_in(name: str, passage: str) -> bool:
    """`passage` says every word of `name` (any case, as whole words)."""
    words = set(re.findall(r"[a-z0-9&]+", passage.lower()))
    return set(re.findall(r"[a-z0-9&]+", name.lower())) <= words


def naming(passages: Sequence[P], quotes: Sequence[str], names: Sequence[str]) -> list[P]:
    """The passages that name the most of `names` (their order kept); all of them when
    none names any, or all name as many."""
    if not names:
        return list(passages)
    counts = [sum(names_in(name, quote) for name in names) for quote in quotes]
    best = max(counts, default=0)
    if best == 0:
        return list(passages)
    return [p for p, count in zip(passages, counts, strict=True) if count == best]
