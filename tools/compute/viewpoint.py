"""The viewpoint tool: what an unusual camera position changes in the picture.

"A vanity table seen in a mirror, with a perfume bottle on the left ... in the real scene"
asks for the mirror image: left and right swap. "An apartment hallway seen through a door
peephole" asks for a round fisheye frame with dark edges; "the inside of a mailbox" puts
the camera inside it, its walls framing the view. Text-to-image models take the words
literally and a small language model rarely works the consequence out, but each of these
is a fixed rule of how pictures are made, so code states it. No model call: the request's
own words are the only input (the slot model is empty).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from tools.compute.result import ToolError, ToolResult, _result


class ViewpointSlots(BaseModel):
    """Nothing for the model to fill: the viewpoint is read from the request."""


@dataclass(frozen=True)
class View:
    """One viewpoint rule: how the request says it, what the image must show."""

    name: str
    pattern: re.Pattern[str]
    answer: str  # short, must survive compose; {thing} is the matched object when named
    visible: str


VIEWS: list[View] = [
    View(
        "peephole",
        re.compile(r"\bpeep ?holes?\b", re.I),
        "circular fisheye peephole view with dark edges",
        "a round fisheye frame with a dark vignette outside the circle, the scene bulging "
        "and distorted toward the rim, what is centred stays centred",
    ),
    View(
        "mirror",
        re.compile(
            r"\b(seen|shown|viewed|reflected|photographed) in (a|the) mirror\b|"
            r"\bmirror (view|image|reflection)\b",
            re.I,
        ),
        "mirror reflection, left and right swapped",
        "the scene as the mirror shows it, so what stands on the left in the room appears "
        "on the right of the picture and the other way round",
    ),
    View(
        "inside",
        re.compile(
            r"\b(?:the )?inside of (?:an? |the )?(?P<thing>[a-z][a-z -]{2,40}?)"
            r"(?= as\b| while\b| when\b| with\b|,|\.|$)|"
            r"\b(?P<thing2>[a-z][a-z -]{2,40}?) (?:seen|viewed|shown|photographed) from "
            r"(?:the )?inside\b",
            re.I,
        ),
        "view from inside the {thing}, its walls framing the image",
        "the camera inside the {thing}: its inner walls and opening surround the frame, and "
        "whatever comes in through the opening moves toward the viewer",
    ),
    View(
        "below",
        re.compile(
            r"\b(seen|viewed|shown|photographed|shot) from (directly )?(below|underneath|beneath)"
            r"\b|\bworm'?s[- ]eye\b",
            re.I,
        ),
        "worm's-eye view from directly underneath",
        "the camera below looking straight up through it, objects seen from their "
        "undersides, their left-to-right order unchanged",
    ),
    View(
        "behind",
        re.compile(
            r"\b(seen|viewed|shown|photographed) from behind (?:the |a )?(?P<thing>person|man|"
            r"woman|child|boy|girl|driver|player|figure|[a-z]+er)\b",
            re.I,
        ),
        "seen from behind the {thing}, the {thing}'s back in the foreground",
        "the {thing}'s back fills the near foreground, facing into the scene, so the "
        "{thing}'s left is the picture's left and the {thing}'s right the picture's right",
    ),
    View(
        "low angle",
        re.compile(r"\blow[- ]angle\b|\b(from|near) (the )?floor level\b", re.I),
        "low-angle view from near the floor",
        "the camera close to the floor looking slightly up: near objects loom large in the "
        "foreground and partly block what stands behind them, tall things tower overhead",
    ),
]

_SIDE = re.compile(
    r"\b(?:an?|the) (?P<thing>[a-z][a-z -]{1,30}?) (?:is |stands |sits )?"
    r"(?:on|to|at) the (?P<side>left|right)\b",
    re.I,
)


def viewpoints_in(request: str) -> list[View]:
    """The viewpoint rules the request's wording calls for, in table order."""
    return [view for view in VIEWS if view.pattern.search(request)]


def _thing(view: View, request: str) -> str:
    match = view.pattern.search(request)
    if not match:
        return ""
    found = match.groupdict().get("thing") or match.groupdict().get("thing2") or ""
    return re.sub(r"^(an?|the) ", "", " ".join(found.lower().split()))


def _mirrored(request: str) -> list[tuple[str, str]]:
    """The request's explicit left/right placements, as the mirror shows them."""
    swapped = []
    for match in _SIDE.finditer(request):
        thing = " ".join(match.group("thing").split())
        side = "right" if match.group("side").lower() == "left" else "left"
        swapped.append((thing, side))
    return swapped


def viewpoint(slots: ViewpointSlots, request: str) -> ToolResult:
    """What the request's viewpoint means for the picture."""
    views = viewpoints_in(request)
    if not views:
        raise ToolError("the request names no unusual viewpoint")
    answers, visible = [], []
    for view in views:
        thing = _thing(view, request) or "scene"
        answers.append(view.answer.format(thing=thing))
        visible.append(view.visible.format(thing=thing))
    swapped = _mirrored(request) if any(v.name == "mirror" for v in views) else []
    if swapped:
        placed = ", ".join(f"{thing} on the {side}" for thing, side in swapped)
        answers[[v.name for v in views].index("mirror")] = f"mirror view: {placed}"
        visible.insert(
            0, "in the mirror " + ", ".join(f"the {t} appears on the {s}" for t, s in swapped)
        )
    answer = "; ".join(answers)
    inputs: dict[str, Any] = {
        "viewpoints": [view.name for view in views],
        "mirrored": [f"{thing}: {side}" for thing, side in swapped],
    }
    return _result("viewpoint", answer, "; ".join(visible), inputs)
