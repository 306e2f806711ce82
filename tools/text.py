"""Text from outside (a prompt, a search passage, a corpus file, a memory item, a user's
answer) made safe to carry: invisible and control characters removed at the boundary, and
one-line or quoted forms for putting it beside our own words.

`clean` keeps every visible character of every script (right-to-left text, emoji with
their joiners, accents) and drops what a reader cannot see: C0/C1 control characters but
newline and tab, NUL, zero-width spaces and joiners between words, bidirectional
overrides and isolates, the invisible "tag" characters, byte-order marks. A lone
surrogate (from bytes that were not UTF-8) becomes U+FFFD.
"""

from __future__ import annotations

import json
import re
import unicodedata

# Format characters kept: the joiners inside emoji sequences and some scripts.
_KEEP_FORMAT = frozenset({"\u200c", "\u200d"})
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[^a-z0-9\s])")
_SPACES = re.compile(r"\s+")


def _kept(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cs":
        return "\ufffd"
    if char in "\n\t":
        return char
    if category == "Cc" or (category == "Cf" and char not in _KEEP_FORMAT):
        return ""
    return char


def clean(text: str) -> str:
    """`text` without invisible or control characters (newlines and tabs kept)."""
    if text.isascii() and text.isprintable():
        return text
    out = "".join(_kept(char) for char in text.replace("\r\n", "\n").replace("\r", "\n"))
    # a joiner is kept only between two visible characters (an emoji sequence, a word)
    return re.sub(r"(?:^|(?<=\s))[\u200c\u200d]+|[\u200c\u200d]+(?=\s|$)", "", out)


def one_line(text: str) -> str:
    """`clean(text)` with every run of whitespace (newlines too) made one space."""
    return _SPACES.sub(" ", clean(text)).strip()


def quoted(text: str) -> str:
    """`text` as one double-quoted JSON string: data beside our instructions, never a line
    of its own (its newlines and quotes are escaped)."""
    return json.dumps(clean(text), ensure_ascii=False)


def first_statement(text: str) -> str:
    """The first line's first sentence of `text`, on one line: a stored fact is one
    statement, and whatever an item carries after it is not part of the fact."""
    line = next((part for part in clean(text).split("\n") if part.strip()), "")
    for end in _SENTENCE_END.finditer(line):
        word = line[: end.start()].rsplit(maxsplit=1)[-1]
        if not (word[:1].isupper() and len(word) <= 3):  # not "St." / "Dr." / "Mt."
            return one_line(line[: end.start() + 1])
    return one_line(line)
