"""Names the small model cannot know are looked up: a gap that hinges on a proper name is
searched before the model answers, the answer cites its passage, and when search finds
nothing about the name the model answers with a note that says so. Definite descriptions
are parsed without a tagger."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import plan_with
from tests.unit.test_graph import calls, make_context, run
from tools.descriptions import definite_descriptions

REQUEST = "Cover art for Lantern Orchard, moody and dark"
STORY_GAP = {
    "question": "What is Lantern Orchard about?",
    "kind": "commonsense",
    "best_guess": "an orchard at night",
}


def corpus_with(tmp_path: Path, text: str) -> str:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "books.md").write_text(text)
    (corpus / "tools.md").write_text("# Garden tools\n\nA spade, a rake and a watering can.\n")
    return f"local:{corpus}"


def story_script(script: Callable[..., str], *more: dict[str, Any]) -> str:
    plan = plan_with([STORY_GAP], text="", names=["Lantern Orchard"])
    return script(first=[{"schema": "PlanDraft", "response": plan}, *more])


def test_an_unknown_name_is_searched_and_the_answer_cites_its_passage(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    search = corpus_with(
        tmp_path,
        "# Lantern Orchard\n\nLantern Orchard is a novel about a girl who tends glowing pear "
        "trees on a cliff above a fishing town.\n",
    )
    found = {"found": True, "answer": "a girl who tends glowing pear trees", "passage": 1}
    spec = story_script(script, {"schema": "Found", "response": found})
    state = run(make_context(spec, tmp_path, search=search), REQUEST)
    (answer,) = state["answers"]
    assert answer["provenance"] == "search" and answer["resolved"]
    assert answer["answer"] == "a girl who tends glowing pear trees"
    assert answer["evidence"][0]["source"].startswith("books.md")
    assert "Lantern Orchard is a name the model may not know" in answer["note"]
    assert "Reasoned" not in [c["schema"] for c in calls(spec)]  # not from the model's memory
    gap = state["plan"]["gaps"][0]
    assert gap["lookup"] == "Lantern Orchard" and "searched first" in gap["why"]
    assert "books.md" in Path(state["report"]).read_text()


def test_when_search_knows_nothing_of_the_name_the_model_answers_and_says_so(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    # a passage about another book: it does not name the one asked about, so it is not read
    search = corpus_with(
        tmp_path, "# Salt Harbour\n\nSalt Harbour is a novel about a lighthouse.\n"
    )
    reasoned = {
        "schema": "Reasoned",
        "response": {"question": "q", "answer": "an orchard lit by lanterns", "visible": "trees"},
    }
    spec = story_script(script, reasoned)
    state = run(make_context(spec, tmp_path, search=search), REQUEST)
    (answer,) = state["answers"]
    assert answer["provenance"] == "model" and answer["answer"] == "an orchard lit by lanterns"
    assert "search found nothing for Lantern Orchard" in answer["note"]
    assert "Found" not in [c["schema"] for c in calls(spec)]
    assert answer["crosscheck"]["candidates"][0] == {
        "source": "planner",
        "value": "an orchard at night",
    }


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "A mosaic of the bird on the crest of Quillmere, in gold",
            "the bird on the crest of Quillmere",
        ),
        (
            "the song sailors sing at the Quillmere regatta, as a poster",
            "the song sailors sing at the Quillmere regatta",
        ),
        ("the gas that plants breathe out at night", "the gas that plants breathe out at night"),
        (  # a long noun phrase, its modifier after an adverb and a participle
            "a vase of the pale green glazed stoneware long made in Korean kilns",
            "the pale green glazed stoneware long made in Korean kilns",
        ),
        ("A portrait of the sculptor Ines Varga", ""),  # named by the name after it
        ("The Old Bridge at night", ""),  # a name itself
        ("a red kite above three green hills, watercolour", ""),  # nothing definite
        ("a boat on the left and a buoy on the right", ""),  # nothing restricts them
    ],
)
def test_definite_descriptions_are_parsed(text: str, found: str) -> None:
    descriptions = definite_descriptions(text)
    assert [d.text for d in descriptions] == ([found] if found else [])
    if "Quillmere" in found:
        assert descriptions[0].anchored
