"""The deterministic rules of the context-level judge, shared by the agent's `evaluate` and
the bench's judge (benchmarks/judge.py). Pure text: no model, no state.

- An item's key words (`tools.wording.key_words`: its words less checklist phrasing) must
  be named by the text the image is made from; a word it lacks fails the item, by name.
- An item that states a value a grounded answer rules out fails, naming the answer.
- An item that quotes text ("The sign reads "Open"") is about that exact text: it passes
  when the text carries the quote word for word, and fails naming the quote when it does not
  (the words that only say text is shown, "text", "reads", "written", are not key).
- A model's quote counts only as a span of that text (most of its content words sit next
  to the same neighbour there), so a quote made of the item's own words does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any

from tools.wording import QUOTED, STOP, fold, has_run, word_set, words_of

NEGATIONS = word_set("no not without nothing none never nor neither cannot isn aren")
# plurals that a suffix stripper cannot fold (English morphology, not a list of subjects)
IRREGULAR = {
    "men": "man",
    "women": "woman",
    "children": "child",
    "people": "person",
    "mice": "mouse",
    "geese": "goose",
    "teeth": "tooth",
    "feet": "foot",
}
# English words that only say that text is shown, whatever it says
TEXT_WORDS = word_set(
    "text texts word words wording lettering letters written writing write reads read says "
    "say saying caption captioned label labelled labeled title titled"
)
TEXT_FORMS = frozenset(fold(w) for w in TEXT_WORDS)
CLAUSE = re.compile(r"[,;:.!?\n]+\s*|\s+-\s+")
QUOTE_SPAN = 0.75  # share of the quote's words that must sit in a pair of the context's


def forms(word: str) -> set[str]:
    """The folded forms a written word may stand for ("leaves": leaf or leave)."""
    out = {fold(word)}
    if word in IRREGULAR:
        out.add(fold(IRREGULAR[word]))
    if len(word) > 4 and word.endswith("ves"):
        out |= {fold(word[:-3] + "f"), fold(word[:-3] + "fe")}
    return out


def vocabulary(text: str) -> set[str]:
    return {form for word in words_of(text) for form in forms(word)}


def key_words(item: str) -> dict[str, str]:
    """An item's key words, folded, each with the form it was written in."""
    out: dict[str, str] = {}
    for word in words_of(item):
        if word not in STOP and fold(word) not in STOP:
            out.setdefault(fold(word), word)
    return out


def negated(item: str) -> bool:
    """The item asks for an absence ("no people", "nothing else"): its words are expected
    to be missing, so neither the missing-word rule nor a word match decides it."""
    return bool(NEGATIONS & set(words_of(item)))


def missing_key_words(item: str, text: str) -> list[str]:
    """The item's key words (as written) that `text` does not name, in the item's order."""
    have = vocabulary(text)
    return [word for word in key_words(item).values() if not forms(word) & have]


def in_one_clause(item: str, text: str) -> bool:
    """Every key word of the item is named within one clause of `text` (not scattered)."""
    wanted = [forms(word) for word in key_words(item).values()]
    return any(
        all(f & have for f in wanted)
        for have in (vocabulary(clause) for clause in CLAUSE.split(text))
    )


def _content(text: str) -> list[str]:
    return [fold(w) for w in words_of(text) if w not in STOP and fold(w) not in STOP]


def _states(item: list[str], phrase: list[str]) -> bool:
    """`phrase` occurs in `item` (folded words), and not right after a negation."""
    n = len(phrase)
    for start in range(len(item) - n + 1):
        if item[start : start + n] == phrase and not NEGATIONS & set(
            item[max(0, start - 3) : start]
        ):
            return True
    return False


def contradiction(item: str, constraints: Iterable[Mapping[str, Any]]) -> tuple[str, str] | None:
    """(answer, ruled-out value) when the item states a value that a grounded answer's
    constraint excludes and does not state the answer itself; else None."""
    words = [fold(w) for w in words_of(item) if w not in {"a", "an", "the"}]
    for constraint in constraints:
        value = str(constraint.get("value", ""))
        if not _content(value) or set(_content(value)) <= set(words):
            continue
        for excluded in constraint.get("excludes", []):
            phrase = [fold(w) for w in words_of(str(excluded)) if w not in {"a", "an", "the"}]
            if _content(str(excluded)) and _states(words, phrase):
                return value, str(excluded)
    return None


def quote_supported(quote: str, context: str, wanted: Iterable[str]) -> bool:
    """The judge's quote is a span of the context that names one of `wanted` (folded).

    A span: most of the quote's content words (QUOTE_SPAN) sit next to a neighbour they sit
    next to in the context too, so a word or two garbled in copying a long passage is
    tolerated, while the item's own words, found scattered in the context, are not a quote.
    """
    said = _content(quote)
    text = _content(context)
    if not said or not set(said) & set(wanted) & set(text):
        return False
    if len(said) == 1:
        return said[0] in text
    known = set(pairwise(text))
    spanned = [(a, b) in known for a, b in pairwise(said)]
    # a word is copied when a pair it is in is the context's: a garbled word costs itself
    copied = [
        left or right for left, right in zip([False, *spanned], [*spanned, False], strict=True)
    ]
    return sum(copied) >= QUOTE_SPAN * len(said)


def _carries(text: str, quote: str) -> bool:
    """`text` has the quote's words in order, next to each other (case and punctuation aside)."""
    return has_run([fold(w) for w in words_of(text)], [fold(w) for w in words_of(quote)])


def quoted_verdict(item: str, text: str) -> tuple[bool, str] | None:
    """(passed, reason) for an item that quotes text: the text must carry the quote, and
    name the item's other key words; None for an item without a quote with words in it."""
    match = QUOTED.search(item)
    if match is None or not words_of(match.group(1)):
        return None
    quote = match.group(1).strip()
    if not _carries(text, quote):
        return False, f"the prompt does not carry the text {quote!r}"
    rest = f"{item[: match.start()]} {item[match.end() :]}"
    missing = [w for w in missing_key_words(rest, text) if fold(w) not in TEXT_FORMS]
    if missing:
        return False, "the prompt does not name " + ", ".join(repr(word) for word in missing)
    return True, "the prompt carries the exact text"


def rule_verdict(
    item: str, constraints: Iterable[Mapping[str, Any]], text: str | None, labels: str = ""
) -> tuple[bool, str] | None:
    """(passed, reason) when a rule decides the item, else None (the model judges it).

    An item a grounded answer contradicts fails. Judging the text the image is made from
    (`text` given): an item the text lacks a key word of fails (naming the word, and saying
    so when only the sketch's `labels` name it); one whose key words one clause of the text
    names passes; scattered words and an absence asked for are left to the model."""
    found = contradiction(item, constraints)
    if found is not None:
        return False, f"contradicts the grounded answer {found[0]!r} (which rules out {found[1]!r})"
    if text is None or negated(item):
        return None
    quoted = quoted_verdict(item, text)
    if quoted is not None:
        return quoted
    missing = missing_key_words(item, text)
    if missing:
        drawn = [word for word in missing if not missing_key_words(word, labels)]
        reason = "the prompt does not name " + ", ".join(repr(word) for word in missing)
        return False, reason + (
            f" (only the sketch's labels do: {', '.join(drawn)})" if drawn else ""
        )
    if key_words(item) and in_one_clause(item, text):
        return True, "named by the prompt"
    return None
