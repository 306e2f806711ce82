"""The composer's answer-retention check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nodes.compose import (
    contains,
    drop_other_clock,
    drop_repeats,
    replace_guess,
    retain_answers,
)
from nodes.state import Answer
from tests.conftest import plan_with
from tests.unit.test_graph import calls, make_context, run


def test_retention_match_ignores_order_and_joining_words() -> None:
    assert contains(
        "skeletons, skulls, flowers, and candles", "skeletons, skulls, flowers, candles"
    )
    assert contains("A Golden-Eagle on a cactus", "golden eagle")
    assert not contains("an eagle on a cactus", "golden eagle")
    prompt, checks = retain_answers(
        "an eagle on a cactus",
        [
            {
                "gap_id": "g1",
                "question": "?",
                "route": "reason",
                "answer": "golden eagle",
                "evidence": [],
                "resolved": True,
                "provenance": "model",
                "detail": "",
                "note": "",
            }
        ],
        "",
    )
    assert prompt.endswith("golden eagle") and checks[0]["repaired"]


def test_text_nobody_asked_for_is_dropped() -> None:
    from nodes.compose import drop_invented_text

    prompt = 'A fox in the snow, red lanterns, the words "Happy Mid-Autumn" in bold gold letters'
    assert (
        drop_invented_text(prompt, "", "same fox, now at night")
        == "A fox in the snow, red lanterns"
    )
    kept = 'A card, with the words "Buon Natale" in red'
    assert drop_invented_text(kept, "Buon Natale", "a card") == kept
    assert drop_invented_text(kept, "", 'a card saying "Buon Natale"') == kept


def test_request_words_in_quotes_are_not_text_unless_quoted_by_the_user() -> None:
    from nodes.compose import drop_invented_text

    prompt = 'A dog on a beach, the words "My dog on a beach" in blue'
    assert drop_invented_text(prompt, "", "My dog on a beach, in my usual style") == (
        "A dog on a beach"
    )


def test_a_memory_sentence_counts_as_kept_when_its_content_is_there() -> None:
    from nodes.compose import contains

    prompt = "Watercolour drawing of Rufus the white poodle running on a beach"
    assert contains(prompt, "The user's dog Rufus is a white poodle") is False  # no "dog"
    assert contains(prompt + ", a dog", "The user's dog Rufus is a white poodle")
    assert contains(prompt, "The user likes watercolour")


def _timezone_answer(answer: str, detail: str, source: str = "tool:timezone") -> Answer:
    return {
        "gap_id": "g0",
        "question": "What local time is it at the place shown?",
        "route": "reason",
        "answer": answer,
        "evidence": [{"source": source, "quote": "{} -> " + answer}],
        "resolved": True,
        "provenance": "tool" if source.startswith("tool:") else "model",
        "detail": detail,
        "note": "",
    }


def test_the_other_places_clock_is_dropped_when_the_tool_computed_the_time() -> None:
    request = "The harbor in Vancouver when Tokyo is just entering midnight."
    answer = _timezone_answer(
        "sunrise, 07:00 local time in Vancouver", "early morning: a low rising sun"
    )
    composed = (
        "Clean poster of a harbor in Vancouver at midnight, with Tokyo's sunrise at 07:00 "
        "local time in Vancouver, blue and white colors"
    )
    prompt, dropped = drop_other_clock(composed, [answer], request)
    assert "midnight" not in prompt and "Tokyo" not in prompt
    assert prompt.startswith("Clean poster of a harbor in Vancouver, blue and white")
    assert dropped == ["midnight", "with Tokyo's sunrise at 07:00 local time in Vancouver"]
    prompt, checks = retain_answers(prompt, [answer], "")
    assert prompt.endswith("sunrise, 07:00 local time in Vancouver") and checks[0]["repaired"]


def test_time_words_the_computed_answer_uses_are_kept() -> None:
    answer = _timezone_answer(
        "afternoon, 14:00 local time at Eiffel Tower", "daytime: warm afternoon daylight"
    )
    composed = "Night scene of the afternoon at the Eiffel Tower, Sydney is settling into midnight"
    prompt, dropped = drop_other_clock(
        composed,
        [answer],
        "The avenue beneath the Eiffel Tower when Sydney is settling into midnight.",
    )
    assert prompt == "Scene of the afternoon at the Eiffel Tower"
    assert dropped == ["night", "Sydney is settling into midnight"]


def test_without_a_computed_time_the_prompt_is_left_alone() -> None:
    composed = "A harbor in Vancouver at midnight, Tokyo skyline"
    request = "The harbor in Vancouver when Tokyo is just entering midnight."
    model_answer = _timezone_answer("sunrise", "", source="model:local")
    assert drop_other_clock(composed, [model_answer], request) == (composed, [])
    assert drop_other_clock(composed, [], request) == (composed, [])


def _answer(answer: str, provenance: str = "model", resolved: bool = True) -> Answer:
    return {
        "gap_id": "g1",
        "question": "?",
        "route": "reason",
        "answer": answer,
        "evidence": [],
        "resolved": resolved,
        "provenance": provenance,
        "detail": "",
        "note": "",
    }


MARSUPIAL = "A fluffy, tree-dwelling marsupial native to Australia"
GUESSED_PLAN = {
    "subject": "a kangaroo",
    "checklist": ["A kangaroo is the main subject", "The kangaroo is native to Australia"],
    "layout": [{"name": "kangaroo", "box": [0.2, 0.2, 0.8, 0.8]}, {"name": "tree", "box": []}],
}


def test_the_answer_replaces_the_planners_guessed_subject() -> None:
    plan, replaced = replace_guess(GUESSED_PLAN, [_answer("koala")], MARSUPIAL)
    assert replaced == ["kangaroo -> koala"]
    assert plan["subject"] == "koala"
    assert plan["checklist"] == [
        "A koala is the main subject",
        "The koala is native to Australia",
    ]
    assert [o["name"] for o in plan["layout"]] == ["koala", "tree"]
    assert GUESSED_PLAN["subject"] == "a kangaroo"  # the state's plan is not mutated


def test_a_subject_the_request_names_is_no_guess() -> None:
    plan = {**GUESSED_PLAN, "subject": "a marsupial"}
    assert replace_guess(plan, [_answer("koala")], MARSUPIAL) == (plan, [])


def test_no_replacement_without_exactly_one_new_named_answer() -> None:
    cases = [
        [],
        [_answer("koala"), _answer("wombat")],  # two candidates: ambiguous
        [_answer("koala", resolved=False)],
        [_answer("03:00 night", provenance="tool")],  # a tool's answer is not a subject
        [_answer("a fluffy marsupial native to Australia")],  # nothing new
        [_answer("a koala sleeping in the fork of a eucalyptus tree")],  # a sentence
        [_answer("red kangaroo")],  # agrees with the guess
    ]
    for answers in cases:
        assert replace_guess(GUESSED_PLAN, answers, MARSUPIAL) == (GUESSED_PLAN, []), answers


def test_through_the_graph_the_checklist_asks_for_the_answer_not_the_guess(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    gap = {"question": "Which marsupial is it?", "kind": "commonsense", "best_guess": ""}
    plan = plan_with(
        [gap],
        subject="a kangaroo",
        objects=[{"name": "kangaroo", "position": "center", "size": "large"}],
        checklist=[
            "A kangaroo is the main subject",
            "The kangaroo is native to Australia",
            "A eucalyptus tree is shown",
        ],
        text="",
    )
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan},
            {
                "schema": "Reasoned",
                "response": {"question": "q", "answer": "koala", "visible": "grey fur"},
            },
            {
                "schema": "Composed",
                "response": {
                    "prompt": "A fluffy grey koala, native to Australia, in a eucalyptus tree",
                    "negative_prompt": "",
                },
            },
        ]
    )
    state = run(make_context(spec, tmp_path), MARSUPIAL)
    assert "kangaroo" not in state["final_prompt"].lower()
    assert state["plan"]["checklist"][0] == "A koala is the main subject"
    assert [c["schema"] for c in calls(spec)].count("Composed") == 1  # no revision for a kangaroo
    record = state["rounds"][0]
    assert record["guess_replaced"] == ["kangaroo -> koala"]
    assert record["precheck"]["missing"] == []
    assert [o["name"] for o in record["scene"]["objects"]] == ["koala"]
    assert "kangaroo -> koala" in Path(state["report"]).read_text()


def test_a_placement_is_kept_only_in_its_own_order() -> None:
    placed = {
        **_answer("key far left, spoon second, rolling pin third, bat far right", "tool"),
        "placement": {"axis": "horizontal", "order": ["key", "spoon", "rolling pin", "bat"]},
    }
    # every word is there (the request lists the objects), but not the order
    prompt = "A bat, a key, a rolling pin and a spoon, placed from the far left to the right"
    repaired, checks = retain_answers(prompt, [placed], "")
    assert checks[0]["repaired"] is True
    assert repaired.endswith("key far left, spoon second, rolling pin third, bat far right")
    kept, checks = retain_answers(repaired, [placed], "")
    assert kept == repaired and checks[0]["present"] is True


def test_a_composer_loop_is_cut_to_one_clause() -> None:
    looped = (
        "Illustration of a red balloon coming into contact with long hair, the balloon "
        "inflated with air, red balloon inflated with air, red balloon inflated with air, "
        "Red balloon inflated with air"
    )
    assert drop_repeats(looped) == (
        "Illustration of a red balloon coming into contact with long hair, the balloon "
        "inflated with air, red balloon inflated with air"
    )
    once = "A cat, a dog, a bird"
    assert drop_repeats(once) == once
