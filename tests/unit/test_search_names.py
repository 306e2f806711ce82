"""What search reads: only passages about the named place, person or ticker; a cut-off
answer runs on to its sentence."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import plan_with
from tests.unit.test_graph import calls, make_context, run
from tools.names import naming, proper_names
from tools.search.reader import completed


def searched(answer: str, detail: str = "", question: str = "?") -> dict[str, Any]:
    return {
        "question": question,
        "answer": answer,
        "detail": detail,
        "resolved": True,
        "provenance": "search",
    }


# ------------------------------------------------------------------- names in passages


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("What is tomorrow's forecast for Saltmere harbour?", ["Saltmere"]),
        ("Tomorrow's forecast for Saltmere harbour, illustrated", ["Saltmere"]),
        ("Lake Orrin this weekend: dense fog", ["Lake Orrin"]),
        ("A headline graphic with this week's closing price of VRNH shares", ["VRNH"]),
        ("The skateboarder Dacey Ormond doing his famous trick", ["Dacey Ormond"]),
        ("Which pastry is eaten at the Mid-Autumn Festival?", ["Mid-Autumn Festival"]),
        ("What do people hold over their heads on a rainy street?", []),
    ],
)
def test_proper_names_are_the_capitalised_runs_and_tickers(text: str, names: list[str]) -> None:
    assert proper_names(text) == names


def test_only_the_passages_that_name_the_most_are_read() -> None:
    quotes = [
        "Saltmarsh tomorrow: light drizzle, calm winds.",
        "Saltmere harbour tomorrow: thunderstorms and strong winds.",
    ]
    assert naming(quotes, quotes, ["Saltmere"]) == [quotes[1]]
    assert naming(quotes, quotes, ["Varnholt"]) == quotes  # none names it: all stay
    assert naming(quotes, quotes, []) == quotes


def test_the_reader_never_sees_a_near_miss_place(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "near.md").write_text(
        "# Saltmarsh forecast, tomorrow\n\nSaltmarsh tomorrow: light drizzle, calm winds.\n"
    )
    (corpus / "weather.md").write_text(
        "# Saltmere harbour forecast, tomorrow\n\n"
        "Saltmere harbour tomorrow: thunderstorms and strong winds of 60 km/h from the west.\n"
    )
    gap = {
        "question": "What is tomorrow's forecast for Saltmere harbour?",
        "kind": "dynamic_fact",
        "best_guess": "rain",
    }
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([gap], text="")},
            {"schema": "Found", "response": {"found": True, "answer": "storms", "passage": 1}},
        ]
    )
    state = run(make_context(spec, tmp_path, search=f"local:{corpus}"), "Saltmere, illustrated")
    (answer,) = state["answers"]
    assert answer["evidence"][0]["source"].startswith("weather.md")
    assert all(not e["source"].startswith("near.md") for e in answer["evidence"])
    (reader,) = [c for c in calls(spec) if c["schema"] == "Found"]
    assert "Saltmere harbour tomorrow" in reader["text"] and "Saltmarsh" not in reader["text"]


def test_a_cut_off_answer_runs_on_to_the_end_of_its_sentence() -> None:
    quote = (
        '# Dacey Ormond\n\nThe skateboarder Dacey Ormond is famous for the "Lantern Flip", a '
        "kickflip over the fountain\nin Saltmere square. He always wears an orange beanie."
    )
    assert completed("Dacey Ormond is famous for the", quote) == (
        'Dacey Ormond is famous for the "Lantern Flip", a kickflip over the fountain in '
        "Saltmere square"
    )
    assert completed("the Lantern Flip", quote) == "the Lantern Flip"  # not cut off
    assert completed("famous for the", "nothing like it") == "famous for the"


# ------------------------------------------------------------------- text to draw
