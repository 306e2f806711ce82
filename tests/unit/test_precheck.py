"""The pre-render check: a prompt that misses checklist items goes back to compose once,
before any render is spent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nodes.precheck import uncovered
from tests.unit.test_graph import calls, make_context, nodes_run, run

CHECKLIST = ["The mood is festive", 'The text "Happy Mid-Autumn" is visible', "A full moon"]


def composed(prompt: str) -> dict[str, Any]:
    return {"prompt": prompt, "negative_prompt": ""}


def test_uncovered_reads_content_words_not_phrasing() -> None:
    prompt = "Three black cats on a red sofa under a full moon"
    assert uncovered(["Exactly three cats are visible", "The sofa is red"], prompt) == []
    assert uncovered(["A full moon is shown in the sky"], prompt) == []  # 2 of 3 words
    assert uncovered(["A dog is lying on the rug"], prompt) == ["A dog is lying on the rug"]
    # exact text is compose's job (it puts the planned text back), not the check's
    assert uncovered(['The text "Hello" is visible'], prompt) == []


def test_a_prompt_missing_items_is_revised_before_rendering(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = script(
        first=[
            {"schema": "Composed", "times": 1, "response": composed("A mooncake on a plate")},
            {
                "schema": "Composed",
                "response": composed("A festive mooncake on a plate under a full moon"),
            },
        ]
    )
    state = run(make_context(spec, tmp_path, max_rounds=1), "A poster of the Mid-Autumn pastry")
    assert nodes_run(state)[1:6] == ["reason", "compose", "precheck", "compose", "precheck"]
    assert nodes_run(state).count("render") == 1
    second = [c for c in calls(spec) if c["schema"] == "Composed"][1]
    assert "The prompt must also show: The mood is festive" in second["text"]
    check = state["rounds"][0]["precheck"]
    assert check["missing"] == ["The mood is festive", "The pastry looks freshly baked"]
    assert check["revised"] and check["fixed"] == ["The mood is festive"]
    assert check["still_missing"] == ["The pastry looks freshly baked"]
    assert check["render_saved"] is False  # one item is still missing
    report = Path(state["report"]).read_text()
    assert "Pre-render check: the first draft missed 2 item(s)" in report


def test_the_revision_is_rendered_even_when_it_still_misses_items(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = script(
        first=[
            {"schema": "Composed", "response": composed("A mooncake on a plate")},
            {"schema": "Judged", "response": {"verdicts": []}},
        ]
    )
    state = run(make_context(spec, tmp_path, max_rounds=1), "A poster of the Mid-Autumn pastry")
    assert [c["schema"] for c in calls(spec)].count("Composed") == 2  # once back, not more
    assert nodes_run(state).count("render") == 1
    check = state["rounds"][0]["precheck"]
    assert check["revised"] and check["fixed"] == [] and not check["render_saved"]


def test_a_revision_that_covers_everything_counts_as_a_render_saved(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    good = 'A festive poster: a freshly baked mooncake pastry, the words "Happy Mid-Autumn"'
    spec = script(
        first=[
            {"schema": "Composed", "times": 1, "response": composed("A mooncake on a plate")},
            {"schema": "Composed", "response": composed(good)},
        ]
    )
    state = run(make_context(spec, tmp_path), "A poster of the Mid-Autumn pastry")
    check = state["rounds"][0]["precheck"]
    assert check["render_saved"] is True and check["still_missing"] == []
    assert state["final_prompt"].startswith("A festive poster")
