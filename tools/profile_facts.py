"""Profile facts a user states about themselves: the closed set of slots, and the checks
that make an extracted fact verifiable against the request it came from.

An extractor (a model) proposes, for each fact, its slot, its value and `words`: the span
of the request it comes from. Code then keeps a fact only when
- the span is the user's own words (a run of the request's words; a span the model joined
  across a comma is replaced by the clause that holds the value) and holds a first-person
  statement: a clause with I / my / we ... that is not itself the image request ("draw me",
  "I'd like a poster of");
- every word of the value is a word of that statement (a plural, or the doer of a verb the
  user used, "I teach" -> "teacher", also counts): nothing the user never said;
- the slot's own condition holds: a name is written with a capital, a pet or a relative is
  the user's own ("my", "our", "I have"), a liking or dislike is stated as one ("I love",
  "I can't stand", "no more").
The fact is then written from its slot's template ("I am a glassblower" -> "The user is a
glassblower"), never from the model's paraphrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal, get_args

from PIL import ImageColor

from tools.wording import has_run

__all__ = ["OPPOSED", "SLOTS", "Slot", "SlotSpec", "content_words", "fact_text", "key_word",
           "own_words", "rejection", "slot_of", "stated_value", "statement_clauses"]  # fmt: skip

Slot = Literal[
    "name", "profession", "home", "looks", "pet", "family", "style", "colour", "like", "dislike"
]


@dataclass(frozen=True)
class SlotSpec:
    about: str  # what the slot holds, in keywords (indexed with the fact: recall finds it)
    template: str  # the stored sentence, "{value}" filled in
    kind: str  # the older coarse kind: compose adds "preference" and "avoid" to every prompt
    single: bool  # one value (a later statement replaces it); else one per thing it is about
    # conditions on the statement: "capital", "own", "attitude", "self" (said of the user:
    # I / we / me, or "my" + one of the slot's `about` words: "my job is ...")
    needs: tuple[str, ...] = ()


SLOTS: dict[str, SlotSpec] = {
    "name": SlotSpec("name, called, nickname", "The user's name is {value}",
                     "identity", True, ("capital", "self")),
    "profession": SlotSpec("profession, job, work, occupation, trade, career",
                           "The user is {article}{value}", "identity", True, ("self",)),
    "home": SlotSpec("home, lives, town, city, country",
                     "The user lives in {value}", "identity", True, ("self",)),
    "looks": SlotSpec("looks, appearance, hair, face, eyes, build, clothes, wears",
                      "The user's looks: {value}", "identity", False),
    "pet": SlotSpec("pet, animal, companion", "The user's pet: {value}",
                    "pet", False, ("own",)),
    "family": SlotSpec("family, relatives, partner, children, parents, siblings",
                       "The user's family: {value}", "family", False, ("own",)),
    "style": SlotSpec("art style, medium, technique",
                      "The user's preferred style: {value}", "preference", True),
    "colour": SlotSpec("favourite colour", "The user's favourite colour: {value}",
                       "preference", True, ("attitude",)),
    "like": SlotSpec("likes, loves, favourite things", "The user likes {value}", "like",
                     False, ("attitude",)),
    "dislike": SlotSpec("dislikes, avoid, unwanted",
                        "The user dislikes {value}", "avoid", False, ("attitude",)),
}  # fmt: skip
assert set(SLOTS) == set(get_args(Slot))

# a slot's value replaces the value of these slots when they share a word (love -> hate)
OPPOSED = {"dislike": ("like", "colour", "style"), "like": ("dislike",), "colour": ("dislike",)}

FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|i'll|me|my|mine|myself|we|we're|we've|us|our|ours)\b")
OWN = re.compile(r"\b(my|mine|our|ours)\b|\b(i|we)( also| both| still)? (have|had|own|got)\b")
ATTITUDE = re.compile(
    r"\b(like|likes|liked|love|loves|loved|adore|enjoy|prefer|favou?rite|hate|hated|dislike|"
    r"don't|do not|never|always|no more|not any more|anymore|"
    r"gone off|tired of|sick of|fan of|avoid|scare|scares|afraid|fond of|into|"
    r"(can't|cannot|can not) (bear|abide|stomach|stand)|loathe|detest|despise|allergic to|"
    r"keen on|crazy about|mad about|passionate about)\b"
)
OWN_ATTITUDE = re.compile(
    rf"\b(i|we)('[a-z]+)?( [a-z']+){{0,2}} ({ATTITUDE.pattern})"
    rf"|\b(my|our) favou?rite\b|({ATTITUDE.pattern})( [a-z']+)?( me| us)\b"
)
# the image request itself: an imperative ("draw", "please paint") or "I'd like / I want"
REQUEST = re.compile(
    r"^(please |can you |could you |would you |now |and |so |then |just )*"
    r"(draw|paint|sketch|make|create|generate|render|design|show|give|illustrate|picture|"
    r"imagine|depict|produce|put|add|turn|do|let's)\b"
    r"|\b(i|we)('d| would) (like|love)\b|\b(i|we) (want|need|wish for)\b"
)
SELF_IS = re.compile(r"(i'm|i am|we're|we are)\b")
SELF = {"i", "i'm", "i've", "i'd", "we", "we're", "we've", "me", "myself", "ourselves"}
COLOUR_WORDS = set(ImageColor.colormap) | {"light", "dark", "pale", "deep", "bright", "pastel"}
SENTENCE_BREAK = re.compile(r"[.!?;\n]+")
CLAUSE_BREAK = re.compile(r"([:,()]+|\s[-–—]\s|\s(?:and|but|so|because|then)\s)")
SUFFIXES = ("s", "es", "er", "ers", "or", "ors", "ist", "ists", "ian", "r")
FILLER = {
    "a", "an", "the", "of", "and", "with", "in", "on", "at", "to", "for", "is", "are", "am",
    "my", "our", "i", "i'm", "we", "it", "its", "very", "named", "called", "who", "that",
    "user", "user's", "their", "his", "her", "colour", "color",
}  # fmt: skip


def _norm(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", _norm(text))


def _fold(word: str) -> str:
    word = word.removesuffix("'s")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str) -> set[str]:
    return {_fold(w) for w in _words(text) if w not in FILLER}


def key_word(value: str) -> str:
    """The first content word of a value, as written ("Nib, a ginger hamster" -> "nib")."""
    return next((w for w in _words(value) if w not in FILLER), "")


def _labelled(text: str) -> list[tuple[str, bool]]:
    """The words of `text`, each marked True when it belongs to a first-person statement:
    a run of clauses between image requests ("draw me ...", "I'd like ...") holding a
    clause with I / my / we ... ("I'm Ana, a potter"; "no clowns, they scare me")."""
    out: list[tuple[str, bool]] = []
    for sentence in SENTENCE_BREAK.split(_norm(text)):
        run: list[str] = []
        # the separators are kept (odd places), so every word of the text is labelled
        for piece in [*CLAUSE_BREAK.split(sentence), None]:
            if piece is not None and not piece.strip():
                continue
            if piece is None or REQUEST.search(piece.strip()):
                stated = any(FIRST_PERSON.search(p) for p in run)
                out.extend((w, stated) for p in run for w in _words(p))
                out.extend((w, False) for w in _words(piece or ""))
                run = []
            else:
                run.append(piece.strip())
    return out


def statement_clauses(text: str) -> list[str]:
    """The words of `text` that are first-person statements, as one string per run."""
    runs: list[list[str]] = [[]]
    for word, stated in _labelled(text):
        if stated:
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [" ".join(run) for run in runs if run]


def _grounded(word: str, said: set[str], slot: str) -> bool:
    if word in said:
        return True
    # a job named after the verb the user used ("I teach" -> teacher, "I sculpt" -> sculptor)
    return slot == "profession" and any(
        word == s + suffix for s in said if len(s) >= 4 for suffix in SUFFIXES
    )


def own_words(words: str, value: str, request: str) -> str:
    """The span a fact is judged by: the model's, when it is a run of the request's words;
    else the clause of the request that holds the value word for word (the model joined
    words across a comma: "I'm a potter" for "I'm Ana, a potter"); else the model's."""
    if has_run(_words(request), _words(words)):
        return words
    for sentence in SENTENCE_BREAK.split(request):
        for piece in CLAUSE_BREAK.split(sentence):
            if has_run(_words(piece), _words(value)):
                return piece.strip()
    return words


def rejection(slot: str, value: str, words: str, request: str) -> str:
    """Why this fact is not kept ("" when it is): see the module docstring."""
    if slot not in SLOTS:
        return f"unknown slot {slot!r}"
    words = own_words(words, value, request)
    span, text = _words(words), _labelled(request)
    if not span or not value.strip():
        return "no words or no value"
    starts = [
        i
        for i in range(len(text) - len(span) + 1)
        if [w for w, _ in text[i : i + len(span)]] == span
    ]
    if not starts:
        return "its words are not in the request"
    # the words of the span that are a first-person statement (not the image request)
    said = [w for i in starts for w, stated in text[i : i + len(span)] if stated]
    if not said:
        return "its words are not a first-person statement"
    statement = " ".join(said)
    known = {_fold(w) for w in said}
    ungrounded = [w for w in sorted(content_words(value)) if not _grounded(w, known, slot)]
    if ungrounded:
        return f"value words the user did not state: {', '.join(ungrounded)}"
    needs = SLOTS[slot].needs
    if "capital" in needs and not re.search(r"\b[A-Z]", stated_value(value, request)):
        return "a name is written with a capital"
    if "own" in needs and not OWN.search(statement):
        return "not stated as the user's own"
    if "attitude" in needs and not _own_attitude(words):
        return "not stated as the user's liking or dislike"
    if "self" in needs and not _about_self(words, slot, request):
        return "not stated about the user (I / we, or my + the slot's word)"
    return ""


def _about_self(words: str, slot: str, request: str) -> bool:
    """The fact is said of the user: a clause the span covers has I / we / me in it ("I'm
    a potter", "my wife and I live in ...", "call me Jo"), or the span is an apposition to
    the clause before it, "I'm ..." ("I'm Ana, a potter"); or the span names the slot's own
    word after "my" / "our" or first ("my job is ...", "name's Jo"). Not "my uncle was a
    fisherman", "my daughter Maren", nor a scene after a statement ("I hate wasps, so a
    sunny porch")."""
    span = _words(words)
    own = {_fold(w.strip()) for w in SLOTS[slot].about.split(",")}
    if span and _fold(span[0]) in own:
        return True
    if any(w in ("my", "our") and _fold(nxt) in own for w, nxt in pairwise(span)):
        return True
    for sentence in SENTENCE_BREAK.split(_norm(request)):
        clauses: list[str] = []  # the clauses, each with the separator after it
        for piece in CLAUSE_BREAK.split(sentence):
            if clauses and (CLAUSE_BREAK.fullmatch(piece) or not piece.strip()):
                clauses[-1] += piece
            else:
                clauses.append(piece)
        flat = [(w, n) for n, clause in enumerate(clauses) for w in _words(clause)]
        for i in range(len(flat) - len(span) + 1):
            if [w for w, _ in flat[i : i + len(span)]] != span:
                continue
            covered = {n for _, n in flat[i : i + len(span)]}
            first = min(covered)
            if any(_says_self(clauses[n]) for n in covered) or (
                first > 0 and SELF_IS.match(clauses[first - 1].strip())
            ):
                return True
    return False


def _says_self(clause: str) -> bool:
    return not REQUEST.search(clause.strip()) and bool(SELF.intersection(_words(clause)))


def slot_of(slot: Slot, value: str) -> Slot:
    """The slot a fact belongs in: a liked value that is a colour name ("I love teal",
    "dark green"; the CSS colour names) is the favourite colour."""
    words = _words(value)
    if slot == "like" and words and all(w in COLOUR_WORDS for w in words):
        return "colour"
    return slot


def _own_attitude(words: str) -> bool:
    """A liking or dislike of the user's own: said by I / we ("I really love figs", "we
    can't stand noise"), "my favourite", or felt by me ("they scare me"); not someone
    else's ("my son loves trains")."""
    text = _norm(words)
    return any(
        not REQUEST.search(clause) and OWN_ATTITUDE.search(clause)
        for sentence in SENTENCE_BREAK.split(text)
        for clause in CLAUSE_BREAK.split(sentence)
    )


def stated_value(value: str, request: str = "") -> str:
    """The value as the request writes it (the model may change its case), trimmed."""
    value = re.sub(r"\s+", " ", value).strip(" .,;:")
    found = re.search(re.escape(value), request, re.I) if request and value else None
    return found.group(0) if found else value


def fact_text(slot: str, value: str) -> str:
    """The stored sentence: the slot's template with the value ("The user is a potter")."""
    article = ""
    if "{article}" in SLOTS[slot].template and not re.match(
        r"(a|an|the|one|two|\d+)\b", value, re.I
    ):
        article = "an " if value[:1].lower() in "aeiou" else "a "
    return SLOTS[slot].template.format(value=value, article=article)
