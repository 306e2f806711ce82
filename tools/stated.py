"""What a request states outright about the image, as spans a rewrite must keep.

The agent adds grounded context to a request; it must never rewrite the request's explicit
constraints away. These are found by English grammar, not by the request's topic: quoted
text, negations ("no people", "nothing else", "without a hat"), counts of things ("three
green hills", "4 panels"), positions ("on the left", "behind the barn", "in the top
corner"), sizes ("a tiny house", "twice as tall as"), and layouts ("a 3x3 grid", "side by
side"). Closed word classes (numbers, negators, spatial and size words) open a span; the
span runs to the end of its noun phrase (the next punctuation, conjunction or preposition).
A sum ("two times six, minus 3") states no span: it is for a gap to work out.

`kept(span, prompt, negative)` says whether a prompt still states a span: its key words in
order within a short window (number words and digits alike, plurals folded, "without" and
"no" alike), or, for a negation, the negated words in the negative prompt.
"""

from __future__ import annotations

import re
from typing import Literal, TypedDict

from tools.wording import NUMBER_WORDS

Kind = Literal["quoted", "negation", "count", "position", "size", "layout"]


class Stated(TypedDict):
    kind: str  # Kind
    text: str  # the request's own words


NUMBERS = r"\d+|" + "|".join(NUMBER_WORDS) + r"|a dozen|a pair of|a couple of|dozens of"
NEGATORS = r"no|without|nothing|not|never|none|neither|nor"
SIDES = (
    r"left|right|above|below|under|underneath|beneath|behind|in front of|next to|beside|"
    r"between|atop|on top of|foreground|background|centre|center|middle|corner|top|bottom|"
    r"far|near|facing|opposite|around|inside|outside"
)
SIZES = (
    r"tiny|small|little|large|big|huge|giant|enormous|massive|tall|short|wide|narrow|long|"
    r"miniature|oversized|twice|half|times"
)
LAYOUTS = r"grid|panels?|rows?|columns?|side by side|split|diptych|triptych|collage|sequence"
# a span ends at punctuation, a conjunction, a relative word or the next preposition
STOP = (
    r"and|but|or|while|with|in|on|at|of|for|from|to|by|into|onto|over|under|that|which|who|"
    r"where|when|as|so|because|than|then|is|are|was|were|has|have|"
    r"left|right|above|below|beneath|behind|beside|between|next|atop|no|without|not"
)
TAIL = rf"(?:\s+(?!(?:{STOP})\b)[\w'’-]+){{0,4}}"
PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("negation", re.compile(rf"\b(?:{NEGATORS})\b(?:\s+(?:any|a|an|the|more|other))?{TAIL}", re.I)),
    (
        "layout",
        re.compile(rf"\b(?:(?:{NUMBERS}|\d+\s*[x×]\s*\d+)[- ])?(?:{LAYOUTS})\b{TAIL}", re.I),
    ),
    ("count", re.compile(rf"\b(?:{NUMBERS})\b{TAIL}", re.I)),
    (
        "position",
        re.compile(
            rf"\b(?:(?:on|in|at|to|towards?)\s+(?:the\s+)?(?:far\s+)?)?(?:{SIDES})\b"
            rf"(?:\s+(?:of|the|a|an|side|half|left|right|corner))*{TAIL}",
            re.I,
        ),
    ),
    ("size", re.compile(rf"\b(?:{SIZES})\b{TAIL}", re.I)),
)
QUOTED = re.compile(r'"([^"]{1,80})"|“([^”]{1,80})”')
# arithmetic ("two times six, minus 3") is a sum for a gap to work out, not a count,
# size or layout of the image: no span starts inside it
OPERATORS = r"times|plus|minus|multiplied by|divided by"
ARITHMETIC = re.compile(rf"\b(?:{NUMBERS})(?:,?\s+(?:{OPERATORS})\s+(?:{NUMBERS})\b)+", re.I)
ARTICLES = {"a", "an", "the", "some"}
PLURAL_ENDINGS = ("s", "es")


def _tail_trim(text: str) -> str:
    words = text.strip(" ,.;:!?").split()
    while words and words[-1].lower() in ARTICLES | {"of"}:
        words.pop()
    return " ".join(words)


def _counted(text: str) -> str:
    """A count up to the things it counts (its last plural word), or "" when it counts
    nothing ("9 pm", "three times taller")."""
    words = text.split()
    for end in range(len(words), 1, -1):
        if words[end - 1].lower() == "times":  # a multiplier ("three times taller")
            continue
        if words[end - 1].lower().endswith(PLURAL_ENDINGS):
            return " ".join(words[:end])
    return ""


def stated(request: str) -> list[Stated]:
    """The request's explicit constraints, in order, without overlaps (a longer span and an
    earlier kind win)."""
    spans: list[tuple[int, int, Kind, str]] = []
    sums = [m.span() for m in ARITHMETIC.finditer(request)]
    for match in QUOTED.finditer(request):
        spans.append((match.start(), match.end(), "quoted", match.group(1) or match.group(2)))
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(request):
            text = _tail_trim(match.group(0))
            if len(text.split()) < 2 and kind != "layout":
                continue  # a lone "small" or "no" states nothing to keep
            if kind == "count" and not (text := _counted(text)):
                continue
            start = match.start()
            if any(s <= start < e for s, e in sums):
                continue
            spans.append((start, start + len(text), kind, text))
    kept: list[tuple[int, int, Kind, str]] = []
    for start, end, kind, text in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if any(start < e and s < end for s, e, _, _ in kept):
            continue
        kept.append((start, end, kind, text))
    return [{"kind": kind, "text": text} for _, _, kind, text in kept]


NEGATION_FORMS = {"without": "no", "not": "no", "nothing": "no", "never": "no", "none": "no"}


def _key(word: str) -> str:
    word = word.lower()
    if word in NUMBER_WORDS:
        return str(NUMBER_WORDS[word])
    word = NEGATION_FORMS.get(word, word)
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [_key(w) for w in re.findall(r"[a-z0-9]+", text.lower().replace("'s", ""))]


def key_words(text: str) -> list[str]:
    """The span's words that must survive, in order (articles and "of" aside)."""
    return [w for w in _words(text) if w not in ARTICLES | {"of", "any"}]


def _in_order(wanted: list[str], words: list[str]) -> bool:
    """`wanted` appears in `words` in order, within a window one word longer ("5 folded
    paper boats" keeps "five paper boats"; "five ducks near paper boats" does not)."""
    if not wanted:
        return True
    window = len(wanted) + 1
    for start, word in enumerate(words):
        if word != wanted[0]:
            continue
        rest = iter(words[start + 1 : start + window])
        if all(any(w == want for w in rest) for want in wanted[1:]):
            return True
    return False


def kept(span: Stated, prompt: str, negative: str = "") -> bool:
    """Whether `prompt` (or, for a negation, the negative prompt) still states `span`."""
    wanted = key_words(span["text"])
    if _in_order(wanted, _words(prompt)):
        return True
    if span["kind"] == "negation" and negative:
        negated = [w for w in wanted if w != "no" and w not in ("else", "more", "other")]
        return bool(negated) and _in_order(negated, _words(negative))
    return False
