"""Left and right that an answer settles and the composed prompt must not contradict.

The viewpoint tool works out that a mirror shows "the perfume bottle on the right, the
lipstick on the left"; the arrange tool that "the rabbit is on the left, the tiger on the
right". The small composer copies the request's own sides for some objects and the
computed ones for others ("a perfume bottle on the right ... a lipstick on the right"),
and putting the answer back at the end then leaves a prompt that says both. So after
compose, a side the prompt gives an object against a settled answer is corrected in place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PLACED = re.compile(
    r"^(?:[^:]*:\s*)?(?:an?\s+|the\s+)?(?P<thing>[a-z][a-z' -]{0,40}?)\s+"
    r"(?:is\s+|stands\s+|sits\s+)?(?:on|to|at)\s+the\s+(?:far\s+)?(?P<side>left|right)$",
    re.I,
)
_LINK = r"(?:\s+(?:is|stands|sits|placed|positioned|appears|lies))?\s+(?:on|to|at)\s+the\s+"


def stated_sides(answer: str) -> dict[str, str]:
    """The objects an answer puts on a side: "mirror view: perfume bottle on the right,
    lipstick on the left" -> {"perfume bottle": "right", "lipstick": "left"}."""
    sides: dict[str, str] = {}
    for part in re.split(r"\s*[,;]\s*", answer.strip().rstrip(".")):
        match = _PLACED.match(part.strip())
        if match:
            sides[" ".join(match.group("thing").lower().split())] = match.group("side").lower()
    return sides


def settle_sides(prompt: str, answers: Iterable[str]) -> tuple[str, list[str]]:
    """The prompt with every object an answer places on one side moved to that side where
    the prompt says the other; returns the prompt and the corrections ("lipstick: right ->
    left")."""
    settled: dict[str, str] = {}
    for answer in answers:
        settled.update(stated_sides(answer))
    moved: list[str] = []
    for thing, side in settled.items():
        other = "left" if side == "right" else "right"
        pattern = re.compile(rf"(\b{re.escape(thing)}{_LINK}(?:far\s+)?){other}\b", re.I)
        prompt, count = pattern.subn(rf"\g<1>{side}", prompt)
        if count:
            moved.append(f"{thing}: {other} -> {side}")
    return prompt, moved
