"""The shape tool: the name of the polygon or solid a request describes by its counts.

"A road sign shaped like a polygon with six equal sides" is a regular hexagon; "the
regular polygon whose four interior angles are all 90 degrees" is a square; "a solid with
six square faces" is a cube. Text-to-image models draw the words ("a polygon"), and a small
language model miscounts; the rules are geometry, so code applies them. No model call:
the counts and angles are read from the request (the slot model is empty).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from tools.compute.result import ToolError, ToolResult, _result
from tools.wording import NUMBER_WORDS


class ShapeSlots(BaseModel):
    """Nothing for the model to fill: the counts are read from the request."""


# "two sides" or "one side" describe no polygon: counts start at three
NUMBERS = {word: n for word, n in NUMBER_WORDS.items() if n >= 3}
POLYGONS = {
    3: "triangle",
    4: "quadrilateral",
    5: "pentagon",
    6: "hexagon",
    7: "heptagon",
    8: "octagon",
    9: "nonagon",
    10: "decagon",
    12: "dodecagon",
}
# the five regular solids, by face count and face shape
SOLIDS = {
    (4, 3): "tetrahedron",
    (6, 4): "cube",
    (8, 3): "octahedron",
    (12, 5): "dodecahedron",
    (20, 3): "icosahedron",
}
FACE_SHAPES = {"triangular": 3, "triangle": 3, "square": 4, "pentagonal": 5, "pentagon": 5}

_COUNT = r"(?P<n>\d{1,2}|" + "|".join(NUMBERS) + r")"
_SIDES = re.compile(
    rf"\b{_COUNT}(?P<equal> (?:equal|equally long|identical|same-length)(?: straight)?)?"
    r" (?:sides|edges)\b|"
    rf"\b{_COUNT.replace('<n>', '<n2>')}-sided\b",
    re.I,
)
_CORNERS = re.compile(rf"\b{_COUNT} (?:equal )?(?:corners|vertices)\b", re.I)
_ANGLE = re.compile(
    rf"(?:\b{_COUNT.replace('<n>', '<n3>')} )?(?P<kind>interior|inside|internal|exterior|"
    r"outside)? ?angles? (?:are |is |of |measuring |each |all |that are )*"
    r"(?P<deg>\d{2,3}(?:\.\d+)?) ?(?:degrees|°)",
    re.I,
)
_FACES = re.compile(
    rf"\b{_COUNT} (?:identical |equal |congruent )?(?P<face>triangular|triangle|square|"
    r"pentagonal|pentagon) faces\b",
    re.I,
)
_REGULAR = re.compile(r"\bregular\b|\bequal angles\b|\bequilateral\b", re.I)
_SHAPE_WORDS = re.compile(
    r"\b(polygon|shape|shaped|figure|sides|sided|angles|corners|vertices|faces|solid)\b", re.I
)


def _count(text: str | None) -> int:
    if not text:
        return 0
    text = text.lower()
    return int(text) if text.isdigit() else NUMBERS.get(text, 0)


def shape_counts(request: str) -> dict[str, Any]:
    """What the request says about the shape: sides, corners, angles, faces, regularity."""
    counts: dict[str, Any] = {}
    if match := _FACES.search(request):
        counts["faces"] = _count(match.group("n"))
        counts["face_sides"] = FACE_SHAPES[match.group("face").lower()]
        return counts
    if match := _SIDES.search(request):
        counts["sides"] = _count(match.group("n") or match.group("n2"))
        counts["equal_sides"] = bool(match.group("equal"))
    if match := _CORNERS.search(request):
        counts.setdefault("sides", _count(match.group("n")))
    if match := _ANGLE.search(request):
        degrees = float(match.group("deg"))
        exterior = (match.group("kind") or "").lower() in ("exterior", "outside")
        counts["angle"] = degrees
        counts["exterior"] = exterior
        if match.group("n3"):
            counts.setdefault("sides", _count(match.group("n3")))
    counts["regular"] = bool(_REGULAR.search(request))
    return counts


def describes_shape(request: str) -> bool:
    """The request describes a polygon or solid by counts or angles, not by its name."""
    counts = shape_counts(request)
    return bool(_SHAPE_WORDS.search(request)) and any(
        key in counts for key in ("faces", "sides", "angle")
    )


def _sides_from_angle(degrees: float, exterior: bool) -> int:
    turn = degrees if exterior else 180.0 - degrees
    if turn <= 0:
        raise ToolError(
            f"no polygon has {'exterior' if exterior else 'interior'} angles of {degrees:g} degrees"
        )
    sides = 360.0 / turn
    if abs(sides - round(sides)) > 1e-6 or round(sides) < 3:
        raise ToolError(f"no regular polygon has angles of {degrees:g} degrees")
    return round(sides)


def _polygon(sides: int, equal_sides: bool, equal_angles: bool) -> tuple[str, str]:
    if sides not in POLYGONS:
        raise ToolError(f"no name for a polygon with {sides} sides")
    word = {v: k for k, v in NUMBERS.items()}.get(sides, str(sides))
    if sides == 3:
        name = "equilateral triangle" if equal_sides or equal_angles else "triangle"
    elif sides == 4:
        if equal_sides and equal_angles:
            name = "square"
        elif equal_sides:
            name = "rhombus"
        elif equal_angles:
            name = "rectangle"
        else:
            name = "quadrilateral"
    else:
        regular = equal_sides or equal_angles
        name = f"regular {POLYGONS[sides]}" if regular else POLYGONS[sides]
    outline = "equal straight sides" if equal_sides or equal_angles else "straight sides"
    if name == "square":
        outline = "equal sides and four right-angled corners"
    return name, f"a {name.removeprefix('regular ')} outline with {word} {outline}"


def shape(slots: ShapeSlots, request: str) -> ToolResult:
    """The polygon or solid the request's counts and angles describe."""
    counts = shape_counts(request)
    if "faces" in counts:
        key = (counts["faces"], counts["face_sides"])
        if key not in SOLIDS:
            raise ToolError(f"no regular solid has {key[0]} faces with {key[1]} sides")
        name = SOLIDS[key]
        visible = f"a {name}: {key[0]} identical {POLYGONS[key[1]]} faces, flat and straight-edged"
        return _result("shape", name, visible, {"faces": key[0], "face_sides": key[1]})
    sides = counts.get("sides", 0)
    equal_angles = False
    if "angle" in counts:
        from_angle = _sides_from_angle(counts["angle"], counts["exterior"])
        if sides and sides != from_angle:
            raise ToolError(f"{sides} sides do not fit angles of {counts['angle']:g} degrees")
        sides, equal_angles = from_angle, True
    if not sides:
        raise ToolError("the request gives no count of sides, corners, angles or faces")
    equal_sides = counts.get("equal_sides", False) or counts.get("regular", False)
    equal_angles = equal_angles or counts.get("regular", False)
    name, visible = _polygon(sides, equal_sides, equal_angles)
    inputs = {"sides": sides, "equal_sides": equal_sides, "equal_angles": equal_angles}
    if "angle" in counts:
        inputs["angle"] = counts["angle"]
    return _result("shape", name, visible, inputs)
