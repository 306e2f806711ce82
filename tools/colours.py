"""The colour an indicator tool settles, which the composed prompt must not contradict.

The indicator tool works out that "hydrochloric acid after phenolphthalein" stays
colorless; the small composer still writes from habit that "the solution turns pink", and
putting the answer back then leaves a prompt that says both. So after compose, a clause
that gives the indicator another colour (a colour word with a change or colour word:
"turns pink", "a pink tint") is dropped when an indicator answer settled the colour.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

COLOURS = (
    "red", "pink", "blue", "purple", "yellow", "green", "orange", "colorless", "colourless",
    "magenta", "violet",
)  # fmt: skip
_SETTLED = re.compile(r"\b(?:turns|stays) (?:[a-z]+ )*?(" + "|".join(COLOURS) + r")\b")
# "colours" (plural) is the palette, not the indicator: "blue and white colours" stays
_CHANGE = re.compile(r"\b(turn\w*|chang\w*|becom\w*|colou?r|hue|tint\w*|shade)\b", re.I)


def _colours_in(text: str) -> set[str]:
    found = {c for c in COLOURS if re.search(rf"\b{c}\b", text, re.I)}
    return {"colorless" if c == "colourless" else c for c in found}


def settle_colours(prompt: str, answers: Iterable[str]) -> tuple[str, list[str]]:
    """The prompt without clauses that give the indicator a colour the answers did not
    settle; returns the prompt and the clauses dropped."""
    settled = {
        "colorless" if c == "colourless" else c for a in answers for c in _SETTLED.findall(a)
    }
    if not settled:
        return prompt, []
    kept: list[str] = []
    dropped: list[str] = []
    for clause in re.split(r"\s*,\s*", prompt.strip()):
        named = _colours_in(clause)
        if named and not named & settled and _CHANGE.search(clause):
            dropped.append(clause)
        else:
            kept.append(clause)
    return ", ".join(kept), dropped
