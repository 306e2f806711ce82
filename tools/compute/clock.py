"""Reading a time-zone request deterministically: which place shows, which holds the clock."""

from __future__ import annotations

import re
from typing import Any

from tools.compute.places import places_in

# --- reading a time-zone request deterministically --------------------------------------
# Requests say "<the place shown> when <the other place> <reaches a time>": the clause after
# the link word holds the clock; the place before it is what the image shows. The small
# model often swaps the two when it fills the slots, so code orients them when it can.

_CLOCK_LINK = re.compile(r"\b(when|while|whenever|as soon as|at the (same )?(time|moment))\b", re.I)
_CLOCK_WORDS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"\b(noon|midday|lunch ?(hour|time)|lunchtime)\b", re.I), 12),
    (re.compile(r"\bbreakfast ?time\b", re.I), 7),
    (re.compile(r"\b(dinner|supper) ?time\b", re.I), 19),
    (re.compile(r"\bmidnight\b", re.I), 0),
    (re.compile(r"\b(dawn|sunrise|first light)\b", re.I), 6),
    (re.compile(r"\bmorning\b", re.I), 9),
    (re.compile(r"\bafternoon\b", re.I), 13),
    (re.compile(r"\b(sunset)\b", re.I), 18),
    (re.compile(r"\b(dusk|evening)\b", re.I), 19),
    (re.compile(r"\bnight\b", re.I), 22),
]
_CLOCK_DIGITS = re.compile(
    r"\b(?:(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)|(?P<h12>1[0-2]|0?[1-9])(?::(?P<m12>[0-5]\d))?"
    r"\s*(?P<ampm>am|pm|a\.m\.|p\.m\.))(?!\w)",
    re.I,
)


def clock_in(text: str) -> tuple[int, int] | None:
    """The local time a phrase gives (noon, 9pm, 21:30, "approaching midnight"), or None."""
    digits = _CLOCK_DIGITS.search(text)
    if digits:
        if digits.group("h24") is not None:
            hour, minute = int(digits.group("h24")), int(digits.group("m24"))
        else:
            hour, minute = int(digits.group("h12")) % 12, int(digits.group("m12") or 0)
            hour += 12 if digits.group("ampm").lower().startswith("p") else 0
    else:
        words = [(m.start(), h) for pattern, h in _CLOCK_WORDS for m in pattern.finditer(text)]
        if not words:
            return None
        hour, minute = min(words)[1], 0
    total = hour * 60 + minute
    if re.search(r"\b(approaching|nearly|almost|about to|before)\b", text, re.I):
        total -= 30
    elif re.search(r"\b(just (passed|after|past)|past|after)\b", text, re.I):
        total += 15
    total %= 24 * 60
    return total // 60, total % 60


def clock_places(request: str) -> list[str]:
    """The places of the request's clock clause: "The harbor in Vancouver when Tokyo is just
    entering midnight" -> ["Tokyo"]; [] when it has none."""
    link = _CLOCK_LINK.search(request)
    return places_in(request[link.end() :]) if link else []


def orient_timezone(slots: dict[str, Any], request: str) -> dict[str, Any]:
    """Slots with the request's own reading put first: the place after the link word and
    its clock are `from`, the place shown before it is `to` (the model's zones are kept
    only for places code does not know)."""
    link = _CLOCK_LINK.search(request)
    if not link:
        return slots
    head, tail = request[: link.start()], request[link.end() :]
    shown, clock_places, clock = places_in(head), places_in(tail), clock_in(tail)
    out = dict(slots)
    if clock_places:
        out["from_place"], out["from_zone"] = clock_places[0], ""
    if shown:
        out["to_place"], out["to_zone"] = shown[-1], ""
    if clock is not None:
        out["hour"], out["minute"] = clock
    return out
