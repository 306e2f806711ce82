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
