"""An indicator's computed colour against the composer's wording: a clause giving the
indicator another colour is dropped. (The phase and indicator tools themselves are
tested through their SPECs in test_compute.py.)"""

from __future__ import annotations


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
