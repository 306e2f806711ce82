"""What search and memory answers add to the image: only passages about the named place,
person or ticker are read; a cut-off answer runs on to its sentence; a poster of a
searched film draws its title; text quoted from an answer is drawn; a price chart shows
its trend; a searched person's looks stay in the prompt."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nodes.compose import drop_invented_text
from nodes.search import completed
from tests.conftest import plan_with
from tests.unit.test_graph import calls, make_context, run
from tools.appearance import looks, with_looks
from tools.display_text import answer_text, work_title
from tools.figures import data_trend, with_trend
from tools.names import naming, proper_names


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


def test_a_poster_of_a_searched_work_draws_its_title() -> None:
    request = "A poster of the film that won this year's Golden Heron for best picture"
    film = searched("The Salt Orchard", question="What is the name of the film that won?")
    assert work_title(request, [film]) == "The Salt Orchard"
    assert work_title("A photo of the film set", [film]) == ""  # no poster
    assert work_title(request, [{**film, "question": "Where was it shot?"}]) == ""
    assert work_title(request, [{**film, "answer": "a drama about lemon growers"}]) == ""
    assert work_title(request, [{**film, "provenance": "model"}]) == ""


def test_text_quoted_from_an_answer_is_drawn_and_kept() -> None:
    recalled = {"answer": "Crumb & Co bakery poster", "resolved": True, "provenance": "memory"}
    prompt = 'Clean poster of a loaf of bread, the bakery name "Crumb & Co" in white letters'
    assert answer_text(prompt, [recalled]) == "Crumb & Co"
    assert answer_text('A loaf, the words "Fresh Bread"', [recalled]) == ""
    # a tool's computed statement is no text to write on the image
    computed = {"answer": "the acid stays colorless", "resolved": True, "provenance": "tool"}
    assert answer_text('A flask, the words "the acid stays colorless"', [computed]) == ""
    worded = 'A loaf of bread, with the words "Crumb & Co" in white'
    assert drop_invented_text(worded, "", "that poster again", "Crumb & Co bakery poster") == (
        worded
    )
    assert drop_invented_text(worded, "", "that poster again") == "A loaf of bread"


# ------------------------------------------------------------------- trend and looks


@pytest.mark.parametrize(
    ("request_text", "source", "trend"),
    [
        (
            "A chart poster of yesterday's closing price of QLMX",
            "closed yesterday at 48.20, up 3.1 percent",
            "an upward trend",
        ),
        (
            "A headline graphic with this week's closing price of VRNH shares",
            "closed the week at 131.05, down 2.4 percent",
            "a downward trend",
        ),
        ("A chart poster of the closing price", "closed at 7.62", ""),  # no change given
        ("The chef's signature dish", "sales up 3 percent", ""),  # not a price display
    ],
)
def test_a_price_display_shows_the_trend_search_found(
    request_text: str, source: str, trend: str
) -> None:
    assert data_trend(request_text, [source]) == trend


def test_the_trend_is_added_once() -> None:
    prompt, added = with_trend("A chart of QLMX at 48.20", "an upward trend")
    assert prompt.endswith("a chart line showing an upward trend") and added
    assert with_trend(prompt, "an upward trend") == (prompt, "")
    assert with_trend("A chart", "") == ("A chart", "")


def test_a_searched_persons_looks_join_the_prompt() -> None:
    chef = searched(
        "beetroot dumplings",
        "Mirela Kostadin is a chef from Varnholt. Her signature dish is beetroot dumplings "
        "served in a copper pan. She wears her hair in a silver buzz cut.",
    )
    request = "A portrait of the chef Mirela Kostadin with her signature dish"
    clauses = looks(request, [chef])
    assert clauses == ["wearing her hair in a silver buzz cut"]
    prompt, added = with_looks("Portrait of Mirela Kostadin with beetroot dumplings", clauses)
    assert prompt.endswith(", wearing her hair in a silver buzz cut") and added == clauses
    assert with_looks("Mirela with a silver buzz cut", clauses)[1] == []  # already said
    assert looks("A portrait of the chef Ana Lind", [chef]) == []  # someone else
    assert looks(request, [{**chef, "provenance": "model"}]) == []


def test_looks_survive_the_composer_through_the_graph(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "people.md").write_text(
        "# Dacey Ormond, skateboarder\n\nThe skateboarder Dacey Ormond is famous for the "
        '"Lantern Flip", a kickflip over the fountain in Saltmere square. He always wears an '
        "orange beanie.\n"
    )
    gap = {
        "question": "What is Dacey Ormond's famous trick?",
        "kind": "precise_fact",
        "best_guess": "a kickflip",
    }
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([gap], text="")},
            {
                "schema": "Found",
                "response": {
                    "found": True,
                    "answer": "Dacey Ormond is famous for the",
                    "passage": 1,
                },
            },
            {
                "schema": "Composed",
                "response": {"prompt": "A skateboarder doing a kickflip", "negative_prompt": ""},
            },
        ]
    )
    ctx = make_context(spec, tmp_path, search=f"local:{corpus}")
    state = run(ctx, "The skateboarder Dacey Ormond doing his famous trick")
    (answer,) = state["answers"]
    assert answer["answer"].endswith(
        'the "Lantern Flip", a kickflip over the fountain in Saltmere square'
    )
    assert "always wearing an orange beanie" in state["final_prompt"]
    assert state["rounds"][0]["looks_added"] == ["always wearing an orange beanie"]
    report = Path(state["report"]).read_text()
    assert "How the sources say the person looks, added to the prompt: always wearing" in report
