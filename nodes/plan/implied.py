"""What the planner's gaps may miss: things the request describes without naming, and
proper names it hinges on that a small model may not know.

Descriptions come from a parse of definite descriptions (`tools/descriptions.py`): one
whose modifier mentions a proper name identifies something particular and always gets a
gap; another gets one when the planner's own `described` list holds it too. Names come
from capitalisation (`tools/names.py`) and the planner's `names` (only those the request
writes): with a search provider, a gap about such a name is looked up before the model
answers it, and a name the planner lists that no gap asks about gets a gap of its own.
"""

from __future__ import annotations

import re

from nodes.state import Gap
from tools.descriptions import Description, definite_descriptions
from tools.names import proper_names
from tools.wording import content_stems, stems

REASONED_KINDS = ("commonsense", "precise_fact", "reference")


def _flat(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def in_request(phrases: list[str], request: str) -> list[str]:
    """The phrases the request writes (whole words, any case): the planner's lists are
    kept only where it copied them, never where it invented them."""
    flat = f" {_flat(request)} "
    return [p.strip() for p in phrases if _flat(p) and f" {_flat(p)} " in flat]


def refer_question(text: str) -> str:
    return f"What exactly does {text[:90]!r} refer to? Name it specifically."


PREFIX = 5  # words that share their first five letters are one word here (founder, founded)


def _covered(description: Description, gaps: list[Gap]) -> bool:
    """A gap already asks about the described thing: its question shares a word of the
    noun phrase (or that word's first PREFIX letters)."""
    words = {w[:PREFIX] for w in content_stems(description.phrase)}
    return any(words & {w[:PREFIX] for w in stems(g.question)} for g in gaps)


def unnamed(request: str, described: list[str], gaps: list[Gap]) -> list[Description]:
    """The request's definite descriptions that need a gap: anchored by a name or listed by
    the planner as described, and not asked about by any gap."""
    listed = [content_stems(p) for p in in_request(described, request)]
    out = []
    for description in definite_descriptions(request):
        confirmed = description.anchored or any(
            words & content_stems(description.text) for words in listed
        )
        if confirmed and not _covered(description, gaps):
            out.append(description)
    return out


def description_why(description: Description) -> str:
    anchor = (
        f"its modifier names {', '.join(description.names)}"
        if description.anchored
        else "the planner lists it as described"
    )
    return f"the request describes a thing without naming it ({description.text!r}; {anchor})"


def hinge_names(request: str, listed: list[str]) -> tuple[list[str], list[str]]:
    """(the planner's names the request writes, every name: those and the capitalised ones)."""
    named = in_request(listed, request)
    every = list(dict.fromkeys([*named, *proper_names(request)]))
    return named, every


def mentioned(question: str, names: list[str]) -> str:
    """The first of `names` the question writes, or ""."""
    flat = f" {_flat(question)} "
    return next((n for n in names if f" {_flat(n)} " in flat), "")


def look_up_names(gaps: list[Gap], request: str, listed: list[str]) -> list[str]:
    """Mark the gaps that hinge on a name to be looked up first (route reason, `lookup`
    set: reason searches, then answers itself only if search finds nothing); returns the
    planner's names that no gap asks about."""
    named, every = hinge_names(request, listed)
    for gap in gaps:
        if gap.tool or gap.kind not in REASONED_KINDS or gap.route not in ("reason", "search"):
            continue
        name = mentioned(gap.question, every) or (named[0] if named else "")
        if name:
            gap.route, gap.lookup = "reason", name
            gap.why += f"; hinges on {name}, a name the model may not know: searched first"
    return [n for n in named if not any(g.lookup == n or mentioned(g.question, [n]) for g in gaps)]
