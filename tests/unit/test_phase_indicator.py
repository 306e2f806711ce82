"""The phase and indicator tools: a substance's state at a temperature, an indicator's
colour in a liquid, both read from the request's words with no model call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.test_graph import run_worded_tool
from tools.compute import (
    ToolError,
    describes_indicator,
    describes_phase,
    detect_tool,
    run_tool,
    temperature_c,
)


@pytest.mark.parametrize(
    ("request_text", "celsius"),
    [
        ("water left outside at minus 20 degrees Celsius", -20),
        ("a bar of chocolate at 104 °F", 40),
        ("a pond at 5 degrees below zero Celsius", -5),
        ("a pond at 5 degrees Celsius below zero", -5),
        ("oil at above 170 degrees Celsius", 171),
        ("wax kept below 50°C", 49),
        ("a tub of butter in a freezer", -18),
        ("chocolate at room temperature", 20),
        ("a garden sprinkler angled at 45 degrees", None),
    ],
)
def test_the_temperature_is_read_in_celsius(request_text: str, celsius: float | None) -> None:
    found = temperature_c(request_text)
    assert (found is None) == (celsius is None)
    if celsius is not None:
        assert found == pytest.approx(celsius)


@pytest.mark.parametrize(
    ("request_text", "state", "words"),
    [
        (
            "A glass of water left outside overnight at minus 20 degrees Celsius",
            "solid",
            "the water is frozen solid into ice",
        ),
        ("A container of mercury in a freezer", "liquid", "shiny liquid metal"),
        ("A pot of water on a stove at 105 °C", "gas", "boiling, giving off steam"),
        ("A chocolate bar left in a car at 104 °F", "liquid", "melted into a glossy liquid"),
        ("A bar of chocolate at room temperature", "solid", "a firm solid bar"),
        ("A steel beam at 1600 degrees Celsius", "liquid", "molten iron"),
        ("A scoop of ice cream at 30°C", "liquid", "melted into a runny puddle"),
    ],
)
def test_the_state_follows_from_melting_and_boiling_points(
    request_text: str, state: str, words: str
) -> None:
    assert detect_tool("", request_text) == "phase"
    result = run_tool("phase", {}, request=request_text)
    assert result.tool == "phase" and words in result.answer
    assert f"it is a {state}" in result.visible


@pytest.mark.parametrize(
    "request_text",
    [
        "A glass of water on a table",  # no temperature
        "A thermostat strip inside an oven set to 150°C",  # no substance of the table
        "A garden sprinkler nozzle angled at 45 degrees above horizontal, spraying water",
    ],
)
def test_requests_without_a_substance_at_a_temperature_are_left_alone(request_text: str) -> None:
    assert not describes_phase(request_text)
    assert detect_tool("", request_text) != "phase"
    with pytest.raises(ToolError, match="no known substance"):
        run_tool("phase", {}, request=request_text)


@pytest.mark.parametrize(
    ("request_text", "answer"),
    [
        (
            "A strip of blue litmus paper just after it was dipped in lemon juice",
            "the blue litmus paper turns red",
        ),
        ("Red litmus paper dipped in soapy water", "the red litmus paper turns blue"),
        ("Blue litmus paper dipped in bleach", "the blue litmus paper stays blue"),
        (
            "Table vinegar after a few drops of litmus indicator have been stirred in",
            "the vinegar with litmus turns red",
        ),
        (
            "Hydrochloric acid after phenolphthalein has been added",
            "the hydrochloric acid with phenolphthalein stays colorless",
        ),
        ("Phenolphthalein dropped into ammonia", "the ammonia with phenolphthalein turns"),
        ("Universal indicator in distilled water", "the distilled water with universal"),
        ("Bromothymol blue added to vinegar", "turns yellow"),
        ("Red cabbage juice mixed with baking soda", "turns blue"),
    ],
)
def test_the_indicator_colour_follows_from_the_ph(request_text: str, answer: str) -> None:
    assert detect_tool("", request_text) == "indicator"
    result = run_tool("indicator", {}, request=request_text)
    assert answer in result.answer and result.tool == "indicator"
    assert "pH about" in result.visible


def test_universal_indicator_in_pure_water_is_green() -> None:
    result = run_tool("indicator", {}, request="Universal indicator in distilled water")
    assert result.answer.endswith("turns green")
    assert "neutral" in result.visible


@pytest.mark.parametrize(
    "request_text",
    ["A glass of lemon juice on a table", "A litmus test of a new policy", "Red cabbage soup"],
)
def test_requests_without_indicator_and_liquid_are_left_alone(request_text: str) -> None:
    assert not describes_indicator(request_text)
    with pytest.raises(ToolError, match="no known indicator"):
        run_tool("indicator", {}, request=request_text)


def test_a_gap_about_something_else_is_not_taken() -> None:
    request = "A strip of blue litmus paper just after it was dipped in lemon juice"
    assert detect_tool("Who invented litmus paper?", request) is None
    assert detect_tool("What colour is the paper now?", request) == "indicator"
    request = "A glass of water left outside overnight at minus 20 degrees Celsius"
    assert detect_tool("What kind of glass is it?", request) is None
    assert detect_tool("What state is the water in?", request) == "phase"


@pytest.mark.parametrize(
    ("request_text", "composed", "tool", "kept"),
    [
        (
            # the composer writes "freezing water": the computed state is put back
            "A glass of water left outside overnight at minus 20 degrees Celsius",
            "A glass of freezing water outside at night",
            "phase",
            "frozen solid into ice",
        ),
        (
            "A strip of blue litmus paper just after it was dipped in lemon juice",
            "A strip of blue litmus paper dipped in lemon juice",
            "indicator",
            "turns red",
        ),
        (
            # the composer's habit ("turns pink") goes; the computed colour stays
            "Hydrochloric acid after phenolphthalein has been added",
            "Hydrochloric acid in a flask, the solution turns pink",
            "indicator",
            "stays colorless",
        ),
    ],
)
def test_through_the_graph_no_model_call_is_needed(
    home: Path,
    tmp_path: Path,
    script: Callable[..., str],
    request_text: str,
    composed: str,
    tool: str,
    kept: str,
) -> None:
    state, answer, schemas = run_worded_tool(script, tmp_path, request_text, composed)
    assert answer["evidence"][0]["source"] == f"tool:{tool}"
    assert not any(schema.endswith("Slots") for schema in schemas)
    assert kept in state["final_prompt"]
    assert "pink" not in state["final_prompt"]


def test_a_clause_giving_the_indicator_another_colour_is_dropped() -> None:
    from tools.colours import settle_colours

    settled = ["the hydrochloric acid with phenolphthalein stays colorless"]
    prompt = (
        "Chemical illustration of hydrochloric acid with phenolphthalein, showing the solution "
        "turns pink after adding phenolphthalein, blue and white colours, "
        "the hydrochloric acid with phenolphthalein stays colorless"
    )
    kept, dropped = settle_colours(prompt, settled)
    assert dropped == ["showing the solution turns pink after adding phenolphthalein"]
    assert "blue and white colours" in kept and kept.endswith("stays colorless")
    red = "A strip of blue litmus paper, a bright yellow light, the blue litmus paper turns red"
    assert settle_colours(red, ["the blue litmus paper turns red"]) == (red, [])
    assert settle_colours("litmus turning blue", ["x"]) == ("litmus turning blue", [])
