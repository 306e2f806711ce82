"""The arrange tool: placement rules read from the request by code, positions computed from
the sizes or colours the (scripted) model fills, and the sketch layout moved to match."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import plan_with
from tests.unit.test_graph import calls, make_context, run
from tools.compute import (
    ArrangeSlots,
    ToolError,
    arrange,
    arrangement_rules,
    detect_tool,
    place_layout,
    run_tool,
)

ANIMALS = (
    "A rabbit, a cat, and a tiger, with the smallest animal on the left, the largest on the "
    "right, and the remaining one between them"
)


def items(*rows: tuple[str, float, str, str]) -> dict[str, Any]:
    return {"items": [{"name": n, "size": s, "unit": u, "colour": c} for n, s, u, c in rows]}


def placed(request: str, *rows: tuple[str, float, str, str]) -> list[str]:
    return run_tool("arrange", items(*rows), request=request).inputs["placed"]


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        (ANIMALS, [("size", "low", "horizontal", 0), ("size", "high", "horizontal", 1)]),
        (
            "A bicycle, a motorcycle and a car, arranged so the smallest vehicle is leftmost",
            [("size", "low", "horizontal", 0)],
        ),
        (
            "An owl and a chick, with the larger bird on the right and the smaller one on the left",
            [("size", "high", "horizontal", 1), ("size", "low", "horizontal", 0)],
        ),
        (
            "A rabbit, a fox and a deer, with the smallest animal nearest the viewer",
            [("size", "low", "depth", 0)],
        ),
        ("Three jars, the tallest at the back", [("size", "high", "depth", 1)]),
        (
            "A bat, a key and a spoon, placed from left to right from shortest to longest",
            [("size", "low", "horizontal", 0)],
        ),
        ("Three dogs from largest to smallest, left to right", [("size", "high", "horizontal", 0)]),
        (
            "A banana, grapes and a strawberry, with the yellow fruit on the left",
            [("colour", "yellow", "horizontal", 0)],
        ),
    ],
)
def test_rules_are_read_from_the_request(
    request_text: str, expected: list[tuple[str, str, str, int]]
) -> None:
    rules = arrangement_rules(request_text)
    assert [(r.by, r.value, r.axis, r.end) for r in rules] == expected


@pytest.mark.parametrize(
    "request_text",
    [
        "A yellow taxi on the left and a red bus on the right",  # each object already placed
        "A lighthouse on the left, a sailboat on the right and a crescent moon above them",
        "The tallest building in the world at night",  # a superlative, but no position
        "Five green apples and two pears in a wooden bowl",
        "A small red kite at the top of the picture",  # not a comparison
    ],
)
def test_requests_that_place_nothing_by_comparison_have_no_rules(request_text: str) -> None:
    assert arrangement_rules(request_text) == []
    assert detect_tool("", request_text) != "arrange"


def test_detector_prefers_arrange_over_plain_ordering() -> None:
    request = "A bat, a key and a spoon, placed from left to right from shortest to longest"
    assert detect_tool("", request) == "arrange"
    assert detect_tool("", "List the planets from smallest to largest") == "ordering"


def test_sizes_place_the_objects_whatever_order_the_model_lists_them_in() -> None:
    out = run_tool(
        "arrange",
        items(("tiger", 2.5, "m", "orange"), ("rabbit", 40, "cm", "grey"), ("cat", 0.7, "m", "")),
        request=ANIMALS,
    )
    assert out.answer == "rabbit on the left, cat in the middle, tiger on the right"
    assert out.inputs["placed"] == ["rabbit", "cat", "tiger"]
    assert out.inputs["axis"] == "horizontal"
    assert "the rabbit smallest, the tiger largest" in out.visible
    assert out.tool == "arrange"


def test_largest_first_reverses_the_order() -> None:
    request = "A backpack, a duffel bag and a suitcase, with the smallest on the right"
    got = placed(
        request,
        ("backpack", 45, "cm", ""),
        ("duffel bag", 60, "cm", ""),
        ("suitcase", 75, "cm", ""),
    )
    assert got == ["suitcase", "duffel bag", "backpack"]


def test_two_objects_are_smaller_and_larger() -> None:
    request = (
        "An owl and a chick, with the larger bird on the right and the smaller one on the left"
    )
    out = run_tool("arrange", items(("owl", 40, "cm", ""), ("chick", 8, "cm", "")), request=request)
    assert out.answer == "chick on the left, owl on the right"
    assert "the chick smaller, the owl larger" in out.visible


def test_depth_uses_foreground_and_background() -> None:
    request = "A rabbit, a fox and a deer, with the smallest animal nearest the viewer"
    out = run_tool(
        "arrange",
        items(("deer", 90, "kg", ""), ("fox", 6, "kg", ""), ("rabbit", 2, "kg", "")),
        request=request,
    )
    assert (
        out.answer == "rabbit in the foreground, fox in the middle distance, deer in the background"
    )


def test_four_objects_name_the_ends_and_rank_the_rest() -> None:
    request = (
        "A baseball bat, a key, a rolling pin, and a spoon, placed from left to right from "
        "shortest to longest"
    )
    out = run_tool(
        "arrange",
        items(
            ("baseball bat", 85, "cm", ""),
            ("key", 6, "cm", ""),
            ("rolling pin", 45, "cm", ""),
            ("spoon", 15, "cm", ""),
        ),
        request=request,
    )
    assert out.answer == "key far left, spoon second, rolling pin third, baseball bat far right"
    assert "the spoon second from the left, the rolling pin third from the left" in out.visible
    assert out.visible.startswith("the key on the far left")


def test_many_long_names_fall_back_to_a_plain_sequence() -> None:
    request = "Six instruments placed from left to right from shortest to longest"
    rows = [
        ("concert grand piano", 270, "cm", ""),
        ("alto saxophone", 70, "cm", ""),
        ("double bass", 180, "cm", ""),
        ("piccolo flute", 32, "cm", ""),
        ("acoustic guitar", 100, "cm", ""),
        ("electric violin", 60, "cm", ""),
    ]
    out = run_tool("arrange", items(*rows), request=request)
    assert out.answer.startswith("left to right: piccolo flute, electric violin")
    assert len(out.answer) <= 80


def test_colour_rules_pin_the_ends_and_the_rest_fill_the_middle() -> None:
    request = (
        "A banana, a bunch of grapes, and a strawberry, with the yellow fruit on the left, the "
        "red fruit on the right, and the remaining fruit between them"
    )
    got = placed(
        request,
        ("strawberry", 4, "cm", "red"),
        ("banana", 20, "cm", "bright yellow"),
        ("grapes", 15, "cm", "green"),
    )
    assert got == ["banana", "grapes", "strawberry"]


def test_unit_conversion_decides_the_order() -> None:
    got = placed(ANIMALS, ("rabbit", 45, "cm", ""), ("cat", 0.5, "m", ""), ("tiger", 3, "m", ""))
    assert got == ["rabbit", "cat", "tiger"]  # 45 cm < 0.5 m


@pytest.mark.parametrize(
    ("request_text", "rows", "message"),
    [
        ("A cat and a dog", [("cat", 4, "kg", ""), ("dog", 9, "kg", "")], "no placement"),
        (
            "A cat and a dog, the smallest on the left, the smallest on the right",
            [("cat", 4, "kg", ""), ("dog", 9, "kg", "")],
            "contradict",
        ),
        (
            ANIMALS,
            [("rabbit", 5, "kg", ""), ("cat", 5, "kg", ""), ("tiger", 9, "kg", "")],
            "do not tell",
        ),
        (
            ANIMALS,
            [("rabbit", 2, "kg", ""), ("cat", 40, "cm", ""), ("tiger", 9, "kg", "")],
            "cannot compare",
        ),
        (
            "An apple and a cherry, with the red fruit on the left",
            [("apple", 8, "cm", "red"), ("cherry", 2, "cm", "red")],
            "2 objects are red",
        ),
        (
            "A cat and a dog, the smallest on the left and the largest at the back",
            [("cat", 4, "kg", ""), ("dog", 9, "kg", "")],
            "two axes",
        ),
        (ANIMALS, [("cat", 4, "kg", ""), ("Cat", 9, "kg", "")], "distinct names"),
    ],
)
def test_slots_that_cannot_be_placed_raise_a_tool_error(
    request_text: str, rows: list[tuple[str, float, str, str]], message: str
) -> None:
    with pytest.raises(ToolError, match=message):
        arrange(ArrangeSlots.model_validate(items(*rows)), request_text)


def test_without_the_request_the_tool_cannot_run() -> None:
    with pytest.raises(ToolError, match="no placement"):
        run_tool("arrange", items(("cat", 4, "kg", ""), ("dog", 9, "kg", "")))


def test_place_layout_moves_planned_objects_and_adds_missing_ones() -> None:
    layout = [
        {"name": "tiger", "box": [0.0, 0.0, 0.3, 0.3]},
        {"name": "tree", "box": [0.5, 0.5, 0.9, 0.9]},
        {"name": "rabbits", "box": [0.6, 0.2, 0.9, 0.5]},
    ]
    out = place_layout(layout, "horizontal", ["rabbit", "cat", "tiger"])
    assert out[0] == {"name": "tree", "box": [0.5, 0.5, 0.9, 0.9]}  # not arranged: untouched
    names = [o["name"] for o in out[1:]]
    assert names == ["rabbits", "cat", "tiger"]  # the plan's own name is kept
    lefts = [o["box"][0] for o in out[1:]]
    assert lefts == sorted(lefts) and all(0 <= v <= 1 for o in out for v in o["box"])


def test_place_layout_scales_about_the_bottom_centre() -> None:
    half, full = place_layout([], "horizontal", ["mouse", "dog"], [0.5, 1.0])
    assert full["box"] == [0.52, 0.35, 0.9, 0.75]  # the right-hand slot, full size
    assert half["box"][3] == 0.75  # stands on the same ground line
    assert half["box"][2] - half["box"][0] == pytest.approx(0.19, abs=0.002)  # half of 0.38
    assert (half["box"][0] + half["box"][2]) / 2 == pytest.approx(0.29)  # the slot's centre


def test_place_layout_in_depth_draws_the_front_object_last_and_largest() -> None:
    out = place_layout([], "depth", ["rabbit", "fox", "deer"])
    assert [o["name"] for o in out] == ["deer", "fox", "rabbit"]
    sizes = {o["name"]: o["box"][2] - o["box"][0] for o in out}
    bottoms = {o["name"]: o["box"][3] for o in out}
    assert sizes["rabbit"] > sizes["fox"] > sizes["deer"]
    assert bottoms["rabbit"] > bottoms["fox"] > bottoms["deer"]


def test_arrangement_through_the_graph(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    """No gap from the planner: the rules add one, the model fills sizes (in the wrong
    order), code places the animals, the prompt keeps the placement and the sketch follows."""
    plan = plan_with(
        [],
        objects=[
            {"name": "tiger", "position": "left", "size": "large"},
            {"name": "rabbit", "position": "right", "size": "small"},
        ],
    )
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan},
            {
                "schema": "ArrangeSlots",
                "response": items(
                    ("tiger", 250, "cm", "orange"), ("cat", 60, "cm", ""), ("rabbit", 40, "cm", "")
                ),
            },
            {
                "schema": "Composed",
                "response": {
                    "prompt": "Three animals in a meadow, a painting",
                    "negative_prompt": "",
                },
            },
        ]
    )
    state = run(make_context(spec, tmp_path), ANIMALS)
    (answer,) = state["answers"]
    assert answer["provenance"] == "tool" and answer["evidence"][0]["source"] == "tool:arrange"
    assert answer["placement"] == {
        "axis": "horizontal",
        "order": ["rabbit", "cat", "tiger"],
        "scale": [0.45, 0.49, 1.0],  # sqrt of 40/250 and 60/250, none below 45%
    }
    assert "Reasoned" not in [c["schema"] for c in calls(spec)]
    assert "rabbit on the left, cat in the middle, tiger on the right" in state["final_prompt"]
    objects = state["rounds"][0]["scene"]["objects"]
    x = {o["name"]: o["box"][0] for o in objects}
    assert x["rabbit"] < x["cat"] < x["tiger"]
    width = {o["name"]: o["box"][2] - o["box"][0] for o in objects}
    assert width["rabbit"] < width["cat"] < width["tiger"]  # drawn true to scale
