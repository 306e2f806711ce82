"""The composer's answer-retention check."""

from __future__ import annotations

from nodes.compose import contains, retain_answers


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
