"""The shape tool: polygons and solids named from the counts and angles a request gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.test_graph import run_worded_tool
from tools.compute import ToolError, describes_shape, detect_tool, run_tool


@pytest.mark.parametrize(
    ("request_text", "name"),
    [
        ("A road sign shaped like a polygon with six equal sides, painted blue", "regular hexagon"),
        ("A kite shaped like a polygon with three equal sides", "equilateral triangle"),
        (
            "A tabletop shaped like the regular polygon whose four interior angles are all "
            "90 degrees",
            "square",
        ),
        (
            "A window shaped like a regular polygon with interior angles of 135 degrees",
            "regular octagon",
        ),
        ("A tile whose exterior angles are 72 degrees, a regular polygon", "regular pentagon"),
        ("A stop sign with eight sides", "octagon"),
        ("A five-sided building seen from above", "pentagon"),
        ("A mat shaped like a figure with four equal sides", "rhombus"),
        ("A paperweight shaped like a solid with six square faces", "cube"),
        ("A die shaped like a solid with twenty triangular faces", "icosahedron"),
    ],
)
def test_the_shape_is_named_from_its_counts(request_text: str, name: str) -> None:
    assert detect_tool("", request_text) == "shape"
    result = run_tool("shape", {}, request=request_text)
    assert result.answer == name and result.tool == "shape"
    assert name.removeprefix("regular ") in result.visible


@pytest.mark.parametrize(
    "request_text",
    [
        "A garden sprinkler nozzle angled at 45 degrees above horizontal, actively spraying water",
        "The child and the leaf are standing on both sides of the teeter-totter",
        "A hexagonal honeycomb in warm light",
        "Three cats on a sofa",
    ],
)
def test_requests_that_name_no_counted_shape_are_left_alone(request_text: str) -> None:
    assert not describes_shape(request_text)
    assert detect_tool("", request_text) != "shape"


@pytest.mark.parametrize(
    ("request_text", "why"),
    [
        ("A regular polygon with interior angles of 100 degrees", "no regular polygon"),
        ("A polygon with five sides and interior angles of 90 degrees", "do not fit"),
        ("A solid with seven square faces", "no regular solid"),
        ("A polygon with eleven sides", "no name for a polygon with 11 sides"),
    ],
)
def test_impossible_or_unreadable_shapes_are_tool_errors(request_text: str, why: str) -> None:
    with pytest.raises(ToolError, match=why):
        run_tool("shape", {}, request=request_text)


def test_a_gap_about_something_else_is_not_taken_by_the_tool() -> None:
    request = "A road sign shaped like a polygon with six equal sides, painted blue"
    assert detect_tool("What colour is the road?", request) is None
    assert detect_tool("What shape is the sign?", request) == "shape"


def test_shape_through_the_graph_needs_no_model_call(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    # the planner asks nothing, the cue adds the tool's gap; the composer forgets the name
    request = "A road sign shaped like a polygon with six equal sides, painted blue"
    state, answer, schemas = run_worded_tool(
        script, tmp_path, request, "A blue road sign, a polygon with six equal sides"
    )
    assert answer["evidence"][0]["source"] == "tool:shape"
    assert answer["answer"] == "regular hexagon" and "ShapeSlots" not in schemas
    assert "regular hexagon" in state["final_prompt"]
