"""How a searched person looks, kept in the prompt.

A portrait of "the chef Mirela Kostadin" or "the skateboarder Dacey Ormond doing his
famous trick" is recognisable by how the sources say they look ("She wears her hair in a
silver buzz cut", "He always wears an orange beanie"), but the reader answers only the
question asked (the dish, the trick) and the small composer drops the rest of the cited
passage. So the passage's sentences about looks (clothes, hair, glasses) of someone the
request names become clauses of the prompt when the prompt does not already say them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from tools.names import names_in, proper_names
from tools.wording import content_stems, stems

_LOOK = re.compile(
    r"\b(wears?|wearing|dressed|dresses|hair|haircut|beard|moustache|mustache|glasses|"
    r"spectacles|tattoos?|hat|cap|beanie|scarf|jacket|coat|cloak|uniform|freckles|bald)\b",
    re.I,
)
_PRONOUN = re.compile(r"^(?:he|she|they)\s+(?:(always|usually|often|still)\s+)?(\w+)\s+", re.I)
_AS_CLAUSE = {"wears": "wearing", "wear": "wearing", "has": "with", "sports": "sporting"}
_FILLER = {"always", "usually", "often", "still", "wearing", "wear", "with", "sporting", "her"}
_FILLER |= {"his", "their", "in", "dressed", "hair"}
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _clause(sentence: str) -> str:
    """'He always wears an orange beanie.' -> 'always wearing an orange beanie'."""
    sentence = sentence.strip().rstrip(".!")
    match = _PRONOUN.match(sentence)
    if not match:
        return sentence[:1].lower() + sentence[1:]
    adverb, verb = match.group(1), match.group(2)
    verb = _AS_CLAUSE.get(verb.lower(), verb)
    rest = sentence[match.end() :]
    return " ".join(part for part in (adverb, verb, rest) if part)


def looks(request: str, answers: Iterable[Mapping[str, Any]]) -> list[str]:
    """Clauses for how the people the request names look, from the cited search passages."""
    names = proper_names(request)
    out: list[str] = []
    for answer in answers:
        if not answer.get("resolved") or answer.get("provenance") != "search":
            continue
        detail = str(answer.get("detail", ""))
        if not any(names_in(name, detail) for name in names):
            continue
        out += [_clause(s) for s in _SENTENCE.split(detail) if _LOOK.search(s)]
    return list(dict.fromkeys(c for c in out if c))


def with_looks(prompt: str, clauses: Iterable[str]) -> tuple[str, list[str]]:
    """The prompt with each look clause it does not already say added; and those added."""
    added: list[str] = []
    for clause in clauses:
        wanted = content_stems(clause) - _FILLER
        if wanted and not wanted <= stems(prompt):
            prompt = f"{prompt.rstrip(' .')}, {clause}"
            added.append(clause)
    return prompt, added
