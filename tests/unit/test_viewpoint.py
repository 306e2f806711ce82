"""The viewpoint tool: camera positions that change the picture, stated by code from the
request's words alone (no model call)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.test_graph import run_worded_tool
from tools.compute import ToolError, detect_tool, run_tool, viewpoints_in
from tools.sides import settle_sides, stated_sides

MIRROR = (
    "A vanity table seen in a mirror, with a perfume bottle on the left, a hairbrush in the "
    "center, and a lipstick on the right in the real scene"
)


@pytest.mark.parametrize(
    ("request_text", "views"),
    [
        (MIRROR, ["mirror"]),
        ("A hallway seen through a door peephole from inside the flat", ["peephole"]),
        ("The inside of a fridge as a hand reaches for the milk", ["inside"]),
        ("A washing machine drum seen from inside as clothes go in", ["inside"]),
        ("A glass table seen from below, with a cup on top", ["below"]),
        ("A gamer at a desk, shown from behind the person", ["behind"]),
        ("A toy box in a children's room, viewed from a low angle", ["low angle"]),
    ],
)
def test_viewpoints_are_read_from_the_wording(request_text: str, views: list[str]) -> None:
    assert [v.name for v in viewpoints_in(request_text)] == views
    assert detect_tool("", request_text) == "viewpoint"


@pytest.mark.parametrize(
    "request_text",
    [
        "A lighthouse on the left and a sailboat on the right",
        "A cat looking at itself",  # no viewpoint word
        "An old mirror on a brick wall",  # a mirror as an object, not the view
        "The sun seen above the clouds",
    ],
)
def test_ordinary_requests_name_no_viewpoint(request_text: str) -> None:
    assert viewpoints_in(request_text) == []
    assert detect_tool("", request_text) != "viewpoint"


def test_a_gap_about_something_else_is_not_taken_by_the_tool() -> None:
    assert detect_tool("Which perfume brand is it?", MIRROR) is None
    assert detect_tool("What does the mirror show?", MIRROR) == "viewpoint"


def test_the_mirror_swaps_left_and_right() -> None:
    out = run_tool("viewpoint", {}, request=MIRROR)
    assert out.answer == "mirror view: perfume bottle on the right, lipstick on the left"
    assert out.visible.startswith(
        "in the mirror the perfume bottle appears on the right, the lipstick appears on the left"
    )
    assert out.inputs == {
        "viewpoints": ["mirror"],
        "mirrored": ["perfume bottle: right", "lipstick: left"],
    }


def test_the_inside_view_names_its_container() -> None:
    out = run_tool("viewpoint", {}, request="A washing machine drum seen from inside")
    assert out.answer == "view from inside the washing machine drum, its walls framing the image"
    out = run_tool("viewpoint", {}, request="The inside of a residential mailbox as mail comes in")
    assert "inside the residential mailbox" in out.answer


def test_two_viewpoints_are_both_stated() -> None:
    out = run_tool("viewpoint", {}, request="A hallway seen through a peephole, a low-angle shot")
    assert out.inputs["viewpoints"] == ["peephole", "low angle"]
    assert "fisheye" in out.answer and "low-angle" in out.answer


def test_no_viewpoint_is_a_tool_error() -> None:
    with pytest.raises(ToolError, match="no unusual viewpoint"):
        run_tool("viewpoint", {}, request="A red apple")


def test_viewpoint_through_the_graph_needs_no_model_call(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    request = "A reading nook seen through a round peephole, with an armchair in the middle"
    state, answer, schemas = run_worded_tool(
        script, tmp_path, request, "A cosy reading nook, an armchair"
    )
    assert answer["evidence"][0]["source"] == "tool:viewpoint"
    assert "ViewpointSlots" not in schemas and "Reasoned" not in schemas
    assert "circular fisheye peephole view with dark edges" in state["final_prompt"]


def test_stated_sides_are_read_from_an_answer() -> None:
    assert stated_sides("mirror view: perfume bottle on the right, lipstick on the left") == {
        "perfume bottle": "right",
        "lipstick": "left",
    }
    assert stated_sides("rabbit on the left, cat in the middle, tiger on the right") == {
        "rabbit": "left",
        "tiger": "right",
    }
    assert stated_sides("circular fisheye peephole view with dark edges") == {}


def test_a_side_the_composer_contradicts_is_settled_in_place() -> None:
    prompt = "A vanity table, a perfume bottle on the right, a lipstick on the right"
    settled, moved = settle_sides(
        prompt, ["mirror view: perfume bottle on the right, lipstick on the left"]
    )
    assert settled == "A vanity table, a perfume bottle on the right, a lipstick on the left"
    assert moved == ["lipstick: right -> left"]
    # the general rule the mirror states is no object's side and stays as written
    rule = "what stands on the left in the room appears on the right of the picture"
    assert settle_sides(rule, ["lipstick on the left"]) == (rule, [])


def test_the_mirror_prompt_does_not_contradict_itself_through_the_graph(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    # the composer swaps the perfume bottle but copies the lipstick's side from the request
    composed = (
        "A vanity table seen in a mirror, a perfume bottle on the right, a hairbrush in the "
        "center and a lipstick on the right"
    )
    request = (
        "A vanity table seen in a mirror, with a perfume bottle on the left, a hairbrush in "
        "the center, and a lipstick on the right in the real scene"
    )
    state, _answer, _schemas = run_worded_tool(script, tmp_path, request, composed)
    final = state["final_prompt"]
    assert "lipstick on the left" in final and "lipstick on the right" not in final
    assert "perfume bottle on the left" not in final
    assert state["rounds"][0]["sides_settled"] == ["lipstick: right -> left"]
    report = Path(state["report"]).read_text()
    assert "moved to where the tool put them: lipstick: right -> left" in report
