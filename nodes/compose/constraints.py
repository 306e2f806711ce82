"""Grounded answers as constraints on the prompt, and the one step that enforces them.

Every answer (a tool's, a search's, a memory's, the user's, the model's) is a constraint:
an object, an attribute, a value, and the values it rules out. A tool declares its own
(the time of day at a place rules out the other periods' words; a state rules out the
other states); for any other answer the planner's best guess is ruled out when the answer
differs from it, unless the answer is only a name and the guess a description with none
("a young woman" is what "Bronwen Achterberg" may well look like, not an alternative to her), or
the answer's sources state the guess (a memory of "a robot with a copper body" answering
"what is the robot's body?" as "a robot gardener" confirms the guess "copper"). The check
drops what contradicts a constraint and puts back a value the prompt lost; what it did
travels with the draft (`retention`, and the step's changes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nodes.rounds import Constraint, RetentionCheck
from nodes.state import FOUND_OUTSIDE, Answer
from tools.names import proper_names
from tools.wording import content_stems, stems

STOPWORDS = {"a", "an", "the", "and", "or", "of", "with", "in", "on", "at", "to", "for", "its"}
# memory answers are sentences about the user ("The user's dog Rufus is a white poodle"):
# their content is the dog, not the phrasing
STOPWORDS |= {"user", "users", "s", "is", "are", "was", "has", "likes", "like", "prefers"}
NEGATION = re.compile(r"\b(no|not|without|never|nor|instead of|rather than)\s+(\w+\s+){0,2}$", re.I)
CLAUSES = re.compile(r"\s*[,;]\s*|\.\s+")


def normalise(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def contains(prompt: str, answer: str) -> bool:
    """The answer's words all appear in the prompt (order, articles and "and" aside)."""
    if normalise(answer) in normalise(prompt):
        return True
    wanted = set(normalise(answer).split()) - STOPWORDS
    return bool(wanted) and wanted <= set(normalise(prompt).split())


def constraints_of(
    answers: Sequence[Answer], gaps: Sequence[dict[str, Any]], request: str
) -> list[Constraint]:
    """One constraint per answer with a value."""
    guesses = {str(g.get("id")): str(g.get("best_guess") or "") for g in gaps}
    out: list[Constraint] = []
    for answer in answers:
        value = str(answer.get("answer") or "").strip()
        if not value:
            continue
        given = answer.get("constraint")
        excludes = list(given["excludes"]) if given else []
        guess = guesses.get(answer["gap_id"], "").strip()
        overruled = bool(guess) and not content_stems(guess) & content_stems(value)
        overruled = overruled and not (only_a_name(value) and not proper_names(guess))
        overruled = overruled and not content_stems(guess) <= stems(quoted(answer))
        # the guess an answer overruled is ruled out, unless the request says its words
        if answer.get("resolved") and overruled and not content_stems(guess) <= stems(request):
            excludes.append(guess)
        out.append(
            {
                "gap_id": answer["gap_id"],
                "object": given["object"] if given else answer["question"],
                "attribute": given["attribute"] if given else "answer",
                "value": value,
                "excludes": [e for e in excludes if e.strip() and not contains(value, e)],
                "source": given["source"] if given else str(answer.get("provenance", "")),
                "ordered": bool(answer.get("placement")),
            }
        )
    return out


def quoted(answer: Answer) -> str:
    """What the sources an answer was found in say (a passage, a memory, the user's words):
    a guess they state is confirmed, not overruled. A model's own words are not a source."""
    if answer.get("provenance") not in FOUND_OUTSIDE:
        return ""
    return " ".join(str(e.get("quote", "")) for e in answer.get("evidence", []))


def only_a_name(value: str) -> bool:
    """The value is a proper name and nothing more ("Bronwen Achterberg", not "Rufus, a poodle")."""
    named = stems(" ".join(proper_names(value)))
    return bool(named) and content_stems(value) <= named


def _names(clause: str, phrase: str) -> bool:
    """`clause` states `phrase` (whole words), and not under a negation ("no steam")."""
    for match in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", clause, re.I):
        if not NEGATION.search(clause[: match.start()]):
            return True
    return False


def drop_contradictions(prompt: str, constraints: Sequence[Constraint]) -> tuple[str, list[str]]:
    """The prompt without what a constraint rules out: a later clause that states a ruled-out
    value is dropped; in the first clause (the subject's) only the words go."""
    ruled = [(e, c["value"]) for c in constraints for e in c["excludes"]]
    if not ruled:
        return prompt, []
    dropped: list[str] = []
    kept: list[str] = []
    for index, clause in enumerate(CLAUSES.split(prompt.strip().rstrip("."))):
        hits = [e for e, _ in ruled if _names(clause, e)]
        if not hits:
            kept.append(clause)
        elif index == 0:
            for word in hits:
                clause = re.sub(rf"\s*(?<!\w){re.escape(word)}(?!\w)", "", clause, flags=re.I)
            dropped += hits
            kept.append(" ".join(clause.split()))
        else:
            dropped.append(clause)
    joined = ", ".join(k for k in kept if k)
    return (joined[:1].upper() + joined[1:]) if dropped else prompt, dropped


def restore(
    prompt: str, constraints: Sequence[Constraint], text: str
) -> tuple[str, list[RetentionCheck]]:
    """Put back every constrained value (and the exact text) the prompt lost."""
    checks: list[RetentionCheck] = []
    for constraint in constraints:
        value = constraint["value"]
        # an order is its sequence: the same words in another order do not keep it
        if constraint["ordered"]:
            present = normalise(value) in normalise(prompt)
        else:
            present = contains(prompt, value)
        if not present:
            prompt = f"{prompt.rstrip(' .')}, {value}"
        checks.append(
            {
                "gap_id": constraint["gap_id"],
                "answer": value,
                "present": present,
                "repaired": not present,
            }
        )
    if text and not contains(prompt, text):
        prompt = f'{prompt.rstrip(" .")}, with the text "{text}"'
        checks.append({"gap_id": "text", "answer": text, "present": False, "repaired": True})
    return prompt, checks
