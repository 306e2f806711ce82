"""The composer's answer-retention check."""

from __future__ import annotations

from nodes.compose import contains, drop_other_clock, retain_answers
from nodes.state import Answer


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
