"""The cross-check of a model answer: the candidates, how they group, what is recorded.

A model answer is compared with the planner's best guess and at least one independent
sample (`node.py` takes them concurrently). The values are grouped by agreement
(`tools/agreement.py`: normalised words, then embedding similarity). One group: the
answer stands. Several: the node settles it by search, the user or the majority, and
this module writes down which, with the values it set aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nodes.state import CrossCheck
from tools.agreement import groups
from tools.wording import content_stems, stems

# "The <what was asked> is <the answer>.": a sentence whose subject only restates the question
_SENTENCE = re.compile(r"^(?P<subject>.+?)\s+(?:is|are|was|were)\s+(?P<answer>.+?)[.!]?$", re.I)


def short_answer(value: str, asked: str) -> str:
    """The answer without a sentence around it: "The bird on the crest is a heron." → "a
    heron" when the subject's words all come from the question or request (`asked`)."""
    value = value.strip().rstrip(".!").strip()
    match = _SENTENCE.match(value)
    if match and content_stems(match.group("subject")) <= stems(asked):
        return match.group("answer").strip()
    return value


def candidates(
    best_guess: str, reasoned: str, samples: list[str], asked: str = ""
) -> list[dict[str, str]]:
    """The values to compare, each with where it came from, normalised to the answer
    alone; besides the reasoner's, a value that names nothing beyond `asked` (empty, or a
    restatement of the request) is left out."""
    pairs = [("planner", best_guess), ("reasoner", reasoned), *(("sample", s) for s in samples)]
    out = [{"source": source, "value": short_answer(v, asked)} for source, v in pairs]
    return [c for c in out if c["source"] == "reasoner" or names_something(c["value"], asked)]


def names_something(value: str, asked: str) -> bool:
    """The value says a word the request and question do not: a sample that only restates
    the description ("the large bird of the valley") answers nothing and casts no vote."""
    return bool(content_stems(value) - stems(asked))


@dataclass(frozen=True)
class Tally:
    """How the candidates group: the majority's value and source, and the others."""

    agreed: bool  # one group: every candidate names the same thing
    value: str  # the majority's value (the reasoner's own wording when it is in it)
    source: str  # the candidate that value came from
    alternatives: list[str]  # one value of every other group
    members: list[int]  # the indices of the candidates in the winning group


def tally(cands: list[dict[str, str]]) -> Tally:
    """The largest group wins; a tie goes to the group that holds the reasoner's answer
    (it had the worked examples), and the winner is worded as the reasoner worded it."""
    reasoner = next(i for i, c in enumerate(cands) if c["source"] == "reasoner")
    clusters = groups([c["value"] for c in cands])
    best = max(clusters, key=lambda g: (len(g), reasoner in g))
    chosen = reasoner if reasoner in best else best[0]
    return Tally(
        agreed=len(clusters) == 1,
        value=cands[chosen]["value"],
        source=cands[chosen]["source"],
        alternatives=_others(cands, chosen, clusters),
        members=best,
    )


def winners(
    cands: list[dict[str, str]], counted: Tally, answers: list[str], asked: str
) -> list[int]:
    """The indices of `answers` (the calls' own, before normalising) that are in the
    winning group: what those calls said must be visible is the winner's detail, also when
    the planner's wording won."""
    won = {cands[i]["value"] for i in counted.members}
    return [i for i, answer in enumerate(answers) if short_answer(answer, asked) in won]


def _others(cands: list[dict[str, str]], chosen: int, clusters: list[list[int]]) -> list[str]:
    values = [cands[g[0]]["value"] for g in clusters if chosen not in g]
    return list(dict.fromkeys(values))


def settled_by(cands: list[dict[str, str]], source: str, value: str) -> CrossCheck:
    """The record when a source outside the candidates (search, the user) decided: the
    candidates that do not agree with its value are the alternatives."""
    every = [*cands, {"source": source, "value": value}]
    clusters = groups([c["value"] for c in every])
    return {
        "candidates": every,
        "agreed": False,
        "decided_by": source,
        "alternatives": _others(every, len(every) - 1, clusters),
    }


def by_tally(cands: list[dict[str, str]], counted: Tally) -> CrossCheck:
    """The record when the candidates themselves decided: agreement, or the majority."""
    return {
        "candidates": cands,
        "agreed": counted.agreed,
        "decided_by": "agreement" if counted.agreed else "majority",
        "alternatives": counted.alternatives,
    }
