"""The compass tool: map and grid positions worked out from the request's directions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.test_graph import run_worded_tool
from tools.compute import ToolError, compass_facts, detect_tool, run_tool


@pytest.mark.parametrize(
    ("request_text", "answer", "visible"),
    [
        (
            "A map where the lake lies north of the village and the forest lies east of the lake",
            "north up: village bottom left, lake top left, forest top right",
            "the lake above the village; the forest to the right of the lake",
        ),
        (
            "A treasure map: the palm tree stands west of the hut, and the X is three steps "
            "south of the palm tree",
            "north up: hut top right, palm tree top left, X bottom left",
            "the palm tree to the left of the hut; the X below the palm tree",
        ),
        (
            "A fantasy map: the mountains rise northeast of the capital",
            "north up: capital bottom left, mountains top right",
            "the mountains above and to the right of the capital",
        ),
        (
            "A maze poster: from the start go north two cells, then east three cells, and mark "
            "the cell where you end with a star",
            "path north 2 then east 3; a star marks the end, 2 up and 3 right of the start",
            "ending 2 up and 3 right of the start",
        ),
        (
            "A grid game: move 4 squares west, then 4 squares east",
            "path west 4 then east 4; the end is back at the start",
            "back at the start",
        ),
        (
            "A hedge maze whose exit is on the side opposite the entrance, with the entrance on "
            "the south side",
            "exit on the north side, entrance on the south side",
            "the exit at the top edge",
        ),
        (
            "A city map with a river running west to east, a bridge in the middle and a castle "
            "on the north bank",
            "castle on the north bank (top); river from left to right",
            "the river running across the picture from left to right",
        ),
    ],
)
def test_positions_are_worked_out_from_the_directions(
    request_text: str, answer: str, visible: str
) -> None:
    assert detect_tool("", request_text) == "compass"
    result = run_tool("compass", {}, request=request_text)
    assert result.tool == "compass"
    assert result.answer == answer
    assert visible in result.visible


def test_a_distance_inside_a_relation_is_not_a_grid_move() -> None:
    facts = compass_facts("the X is three steps south of the palm tree")
    assert facts == {"relations": [("X", "south", 3, "palm tree")]}


@pytest.mark.parametrize(
    "request_text",
    [
        "A forager honey bee returning to the hive after locating a sunflower field 400 meters "
        "to the northeast",
        "A mouse in a maze that turns left, then right, then left again to reach a piece of cheese",
        "The North Star above a snowy field",
        "A lighthouse on the left, a sailboat on the right and a crescent moon above them",
    ],
)
def test_requests_without_direction_facts_are_left_alone(request_text: str) -> None:
    assert compass_facts(request_text) == {}
    assert detect_tool("", request_text) != "compass"


def test_an_opposite_side_needs_the_known_side() -> None:
    with pytest.raises(ToolError, match="does not say on which side"):
        run_tool("compass", {}, request="A maze whose exit is on the side opposite the entrance")


def test_a_gap_about_something_else_is_not_taken_by_the_tool() -> None:
    request = "A map where the lake lies north of the village"
    assert detect_tool("What colour is the lake?", request) is None
    assert detect_tool("Where does each place go?", request) == "compass"


def test_compass_through_the_graph_needs_no_model_call(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    # the composer puts the star in the wrong corner; the computed path is put back
    request = (
        "A maze poster: from the start go north two cells, then east three cells, and mark "
        "the cell where you end with a star"
    )
    state, answer, schemas = run_worded_tool(
        script, tmp_path, request, "A maze poster with a star at the bottom-right corner"
    )
    assert answer["evidence"][0]["source"] == "tool:compass" and "CompassSlots" not in schemas
    assert (
        "path north 2 then east 3; a star marks the end, 2 up and 3 right of the start"
        in (state["final_prompt"])
    )
