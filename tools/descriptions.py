"""Definite descriptions: things a request picks out by a property instead of naming them.

A definite description is "the" + a noun phrase of lower-case words + a restrictive
modifier: a relative clause ("the gas that ..."), or a prepositional phrase, possibly after
a participle or a clause with its own subject ("the coin minted in ...", "the song sailors
sing on ..."). A noun phrase followed by a capitalised word is named by it ("the painter
Ines Varga"), and one that starts with a capital is a name itself ("the Old Bridge").
The parse is word-level (no tagger): it cannot tell "the cat on the mat" (a thing the
image just shows) from "the bird on the crest of ..." (a thing to identify), so a
description counts as *anchored* only when its modifier mentions a proper name; the
planner confirms the others (`nodes/plan/routing.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.names import proper_names

RELATIVE = frozenset(["that", "which", "who", "whom", "whose", "where"])
PREPOSITIONS = frozenset(
    [
        "of", "from", "on", "in", "at", "behind", "inside", "under", "over", "above", "below",
        "near", "beside", "by", "for", "during", "after", "before", "between", "among",
        "across", "through", "around", "along", "against", "into", "onto", "upon", "within",
        "to", "with", "without", "like",
    ]
)  # fmt: skip
# words that end a noun phrase without restricting it
CLOSING = frozenset(
    [
        "and", "or", "but", "as", "is", "are", "was", "were", "be", "the", "a", "an", "this",
        "these", "those", "its", "their", "his", "her", "our", "my", "your", "not", "no",
        "then", "than", "so", "very", "too", "while", "when", "if",
    ]
)  # fmt: skip
NP_WORDS = 6  # at most this many words between "the" and the modifier
MODIFIER_WORDS = 10  # the description is cut after this many words of modifier
# a clause ends at punctuation or a quotation mark (quoted text is stated, not described)
_CLAUSES = re.compile(r"[,.;:!?()\[\]\"“”]|(?<![A-Za-z])['‘’]|['‘’](?![A-Za-z])")
_WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")


@dataclass(frozen=True)
class Description:
    text: str  # "the bird on the crest of Quillmere"
    phrase: str  # the noun phrase: "bird"
    names: tuple[str, ...]  # proper names its modifier mentions

    @property
    def anchored(self) -> bool:
        """The modifier ties it to a named thing, so it identifies something particular."""
        return bool(self.names)


def _in_clause(clause: str) -> list[Description]:
    words = _WORD.findall(clause)
    out: list[Description] = []
    i = 0
    while i < len(words):
        if words[i].lower() != "the":
            i += 1
            continue
        j = i + 1
        while (
            j < len(words)
            and j - i - 1 < NP_WORDS
            and words[j][0].islower()
            and words[j].lower() not in RELATIVE | PREPOSITIONS | CLOSING
        ):
            j += 1
        restrictor = words[j].lower() if j < len(words) else ""
        if j == i + 1 or restrictor not in RELATIVE | PREPOSITIONS:
            i = max(j, i + 1)  # no noun phrase, a name, or nothing restricts it
            continue
        modifier = words[j : j + MODIFIER_WORDS]
        text = " ".join(words[i : j + len(modifier)])
        names = tuple(proper_names(" ".join(modifier)))
        out.append(Description(text=text, phrase=" ".join(words[i + 1 : j]), names=names))
        break  # descriptions nested in this one's modifier are part of it
    return out


def definite_descriptions(text: str) -> list[Description]:
    """The definite descriptions of `text`, one at most per clause, in order."""
    return [d for clause in _CLAUSES.split(text) for d in _in_clause(clause)]
