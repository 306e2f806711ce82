"""Figures of a data display (a price, a forecast) that search found, added to the text drawn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import plan_with
from tests.unit.test_graph import make_context, run
from tools.figures import data_figures, with_figures


@pytest.mark.parametrize(
    ("request_text", "source", "figures"),
    [
        (
            "A chart poster of yesterday's closing price of the ticker QLMX",
            "Quillmoth Labs (ticker QLMX) closed yesterday at 48.20, up 3.1 percent.",
            ["48.20", "+3.1%"],
        ),
        (
            "A headline graphic with this week's closing price of VRNH shares",
            "Varnholt Rail closed the week at 131.05, down 2.4 percent on lower volumes.",
            ["131.05", "-2.4%"],
        ),
        (
            "Today's weather in Varnholt as a poster",
            "Varnholt today: heavy snow all day, high of -4 °C, low of -9 °C.",
            ["-4 °C", "-9 °C"],
        ),
        ("A poster of the match result", "The final ended 3-1 after extra time.", ["3-1"]),
        # not a display of a measured value: nothing is added
        ("Tomorrow's forecast for the harbour, illustrated", "high of 12 °C", []),
        ("A poster of the chef with her signature dish", "The dish costs 12.50.", []),
        ("A chart poster of the closing price", "The company makes sonar chips.", []),
    ],
)
def test_the_figures_of_a_data_display_are_read_from_the_sources(
    request_text: str, source: str, figures: list[str]
) -> None:
    assert data_figures(request_text, [source]) == figures


def test_figures_join_the_planned_text_once() -> None:
    assert with_figures("Varnholt today", ["-4 °C", "-9 °C"]) == "Varnholt today -4 °C / -9 °C"
    assert with_figures("", ["48.20", "+3.1%"]) == "48.20 +3.1%"
    assert with_figures("QLMX 48.20", ["48.20"]) == "QLMX 48.20"
    assert with_figures("Today", []) == "Today"


def test_the_forecast_poster_draws_the_temperature_search_found(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "weather.md").write_text(
        "# Varnholt weather today\n\nVarnholt today: heavy snow all day, high of -4 °C, "
        "low of -9 °C.\n\n# Saltmere harbour\n\nSaltmere tomorrow: thunderstorms.\n"
    )
    gap = {
        "question": "What is today's weather in Varnholt?",
        "kind": "dynamic_fact",
        "best_guess": "snow",
    }
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([gap], text="Varnholt today")},
            {
                "schema": "Found",
                "response": {"found": True, "answer": "heavy snow all day", "passage": 1},
            },
            {
                "schema": "Composed",
                "response": {
                    "prompt": 'A poster of Varnholt under heavy snow, the words "Varnholt today"',
                    "negative_prompt": "",
                },
            },
        ]
    )
    ctx = make_context(spec, tmp_path, search=f"local:{corpus}")
    state = run(ctx, "Today's weather in Varnholt as a poster")
    # the planner wrote the text before search answered; the figures join it afterwards
    assert state["rounds"][0]["scene"]["text"] == "Varnholt today -4 °C / -9 °C"
    assert state["rounds"][0]["text_figures"] == ["-4 °C", "-9 °C"]
    assert "-4 °C" in state["final_prompt"]
