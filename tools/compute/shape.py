"""The shape tool: the name of a polygon or solid described by its counts and angles.

"Six equal sides and equal angles" is a regular hexagon, "interior angles of 135 degrees"
an octagon's, "angles summing to 540 degrees" a pentagon's, "eight triangular faces" an
octahedron. Names come from `data/polygons.json` and `data/solids.json`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.compute import knowledge
from tools.compute.spec import Example, ToolError, ToolResult, ToolSpec, grounded

NUMBER = grounded("number")


class ShapeInputs(BaseModel):
    """A flat polygon or a solid, described by counts and angles; null where not stated."""

    kind: Literal["flat", "solid"] = Field(description="flat polygon, or a solid")
    thing: str = Field(
        default="",
        max_length=40,
        description="what has the shape, e.g. the tile",
        json_schema_extra=grounded("text"),
    )
    sides: int | None = Field(
        default=None, ge=3, le=1000, description="sides or corners", json_schema_extra=NUMBER
    )
    faces: int | None = Field(
        default=None, ge=4, le=200, description="faces of a solid", json_schema_extra=NUMBER
    )
    face_sides: int | None = Field(
        default=None, ge=3, le=20, description="sides of each face (square 4)"
    )
    equal_sides: bool = Field(default=False, description="all sides stated equal")
    equal_angles: bool = Field(default=False, description="all angles stated equal")
    interior_angle: float | None = Field(
        default=None,
        gt=0,
        lt=180,
        description="each interior angle, degrees",
        json_schema_extra=NUMBER,
    )
    exterior_angle: float | None = Field(
        default=None,
        gt=0,
        le=120,
        description="each exterior angle, degrees",
        json_schema_extra=NUMBER,
    )
    angle_sum: float | None = Field(
        default=None,
        ge=180,
        le=180000,
        description="interior angles' sum, degrees",
        json_schema_extra=NUMBER,
    )


def sides_from_angles(inputs: ShapeInputs) -> list[tuple[str, int]]:
    """(what, side count) for each angle given: an equiangular polygon turns 360/n at each
    corner, and its interior angles sum to 180 (n - 2)."""
    found: list[tuple[str, int]] = []
    given = [
        ("interior angles", inputs.interior_angle, lambda a: 360.0 / (180.0 - a)),
        ("exterior angles", inputs.exterior_angle, lambda a: 360.0 / a),
        ("angle sum", inputs.angle_sum, lambda a: a / 180.0 + 2),
    ]
    for what, angle, count in given:
        if angle is None:
            continue
        sides = count(angle)
        if abs(sides - round(sides)) > 1e-6:
            raise ToolError(f"no polygon has {what} of {angle:g} degrees")
        found.append((what, round(sides)))
    return found


def polygon_name(row: knowledge.Polygon, equal_sides: bool, equal_angles: bool) -> str:
    if equal_sides and equal_angles:
        return row.regular or f"regular {row.name}"
    if equal_sides:
        return row.equal_sides or f"equilateral {row.name}"
    if equal_angles:
        return row.equal_angles or f"equiangular {row.name}"
    return row.name


def _flat(inputs: ShapeInputs) -> ToolResult:
    counts = sides_from_angles(inputs)
    if inputs.sides is not None:
        counts.insert(0, ("sides", inputs.sides))
    if not counts:
        raise ToolError("no count of sides and no angle")
    if len({n for _, n in counts}) > 1:
        raise ToolError("the counts disagree: " + ", ".join(f"{w} give {n}" for w, n in counts))
    sides = counts[0][1]
    rows = knowledge.polygons()
    row = next((r for r in rows if r.sides == sides), None)
    if row is None:
        raise ToolError(f"no name for a polygon with {sides} sides")
    equal_angles = (
        inputs.equal_angles
        or inputs.interior_angle is not None
        or inputs.exterior_angle is not None
    )
    name = polygon_name(row, inputs.equal_sides, equal_angles)
    others = [
        word
        for r in rows
        if r.sides != sides
        for word in (r.name, r.regular, r.equal_sides, r.equal_angles)
        if word
    ]
    others += [w for w in (row.regular, row.equal_sides, row.equal_angles) if w and w != name]
    interior = 180.0 * (sides - 2) / sides
    detail = f"{sides} equal straight sides" if inputs.equal_sides else f"{sides} straight sides"
    if equal_angles:
        detail += f", every corner {interior:g} degrees"
    used: dict[str, Any] = {**inputs.model_dump(), "sides": sides, "from": [w for w, _ in counts]}
    article = "an" if name[0] in "aeiou" else "a"
    return ToolResult(
        name,
        f"{article} {name} outline with {detail}",
        used,
        subject=inputs.thing or "the shape",
        attribute="shape",
        excludes=tuple(dict.fromkeys(others)),
    )


def _solid(inputs: ShapeInputs) -> ToolResult:
    if inputs.faces is None or inputs.face_sides is None:
        raise ToolError("a solid needs its face count and the sides of each face")
    rows = knowledge.solids()
    row = next(
        (r for r in rows if (r.faces, r.face_sides) == (inputs.faces, inputs.face_sides)), None
    )
    if row is None:
        raise ToolError(
            f"no named solid has {inputs.faces} identical faces of {inputs.face_sides} sides"
        )
    face = next((p.name for p in knowledge.polygons() if p.sides == row.face_sides), "polygon")
    used: dict[str, Any] = {**inputs.model_dump(), "vertices": row.vertices, "edges": row.edges}
    article = "an" if row.name[0] in "aeiou" else "a"
    return ToolResult(
        row.name,
        f"{article} {row.name}: {row.faces} identical faces, each a {face}, {row.edges} "
        f"straight edges, {row.vertices} corners",
        used,
        subject=inputs.thing or "the solid",
        attribute="shape",
        excludes=tuple(r.name for r in rows if r is not row),
    )


def compute(inputs: ShapeInputs, today: date | None) -> ToolResult:
    return _solid(inputs) if inputs.kind == "solid" else _flat(inputs)


SPEC = ToolSpec(
    name="shape",
    purpose="the name of a polygon or solid described by its sides, faces or angles",
    inputs=ShapeInputs,
    compute=compute,
    examples=(
        Example(
            "A garden pond shaped like a regular polygon whose interior angles are all 140 "
            "degrees: what shape is the pond?",
            '{"kind":"flat","thing":"garden pond","sides":null,"faces":null,"face_sides":null,'
            '"equal_sides":true,"equal_angles":true,"interior_angle":140,"exterior_angle":null,'
            '"angle_sum":null}',
        ),
        Example(
            "A lantern shaped like a solid with eight identical triangular faces: which solid "
            "is it?",
            '{"kind":"solid","thing":"lantern","sides":null,"faces":8,"face_sides":3,'
            '"equal_sides":true,"equal_angles":true,"interior_angle":null,"exterior_angle":null,'
            '"angle_sum":null}',
        ),
    ),
)
