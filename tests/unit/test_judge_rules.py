"""The context-level judge's rules (tools/judging.py, through `decided_by_code` as evaluate
and the bench judge use them): a missing key word fails, a contradicted item fails, a
label alone passes nothing, and a quote made of the item's own words is not a quote."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks.judge import judge_item_text
from nodes.evaluate import decided_by_code
from nodes.rounds import Constraint
from tools.judging import key_words, missing_key_words, quote_supported

SCENE: dict[str, Any] = {"objects": [{"name": "lighthouse"}, {"name": "gull"}], "text": ""}
PROMPT = "A gull gliding over a rocky coast at dusk, waves breaking on the rocks"


def constraint(value: str, *excludes: str) -> Constraint:
    return {
        "gap_id": "g1",
        "object": "Which bird nests on the cliff?",
        "attribute": "answer",
        "value": value,
        "excludes": list(excludes),
        "source": "model",
        "ordered": False,
    }


def test_key_words_drop_checklist_phrasing_and_fold_inflections() -> None:
    assert set(key_words("A gull is clearly shown in the image")) == {"gull"}
    assert set(key_words("The mood is calm")) == {"calm"}
    assert key_words("Three waves are visible")["3"] == "three"
    assert missing_key_words("Gulls gliding", PROMPT) == []
    assert missing_key_words("3 gulls", "three gulls") == []
    assert missing_key_words("Wolves on a ridge", "a grey wolf on a ridge") == []
    assert missing_key_words("A puffin on the rocks", PROMPT) == ["puffin"]


def test_an_item_missing_a_key_word_fails_naming_it() -> None:
    verdict = decided_by_code("A seal basking on the rocks", SCENE, PROMPT)
    assert verdict == {
        "item": "A seal basking on the rocks",
        "passed": False,
        "reason": "the prompt does not name 'seal', 'basking'",
    }


def test_an_item_the_prompt_names_in_one_clause_passes_by_code() -> None:
    verdict = decided_by_code("Waves break on the rocks", SCENE, PROMPT)
    assert verdict is not None and verdict["passed"]
    assert verdict["reason"] == "named by the prompt"


def test_a_label_alone_no_longer_passes_an_item() -> None:
    """The sketch labels its pictograms from the planner's layout: a lighthouse drawn there
    is not a lighthouse the prompt asks for."""
    verdict = decided_by_code("A lighthouse on the coast", SCENE, PROMPT)
    assert verdict is not None and not verdict["passed"]
    assert "'lighthouse'" in verdict["reason"]
    assert "only the sketch's labels do: lighthouse" in verdict["reason"]
    # the same item passes once the prompt says it
    named = decided_by_code(
        "A lighthouse on the coast", SCENE, f"{PROMPT}, a lighthouse on the coast"
    )
    assert named is not None and named["passed"]


def test_an_item_a_grounded_answer_contradicts_fails_naming_the_answer() -> None:
    rules = [constraint("cormorant", "puffin")]
    prompt = "A cormorant drying its wings on a cliff, a puffin carved on the signpost"
    verdict = decided_by_code("A puffin nests on the cliff", SCENE, prompt, rules)
    assert verdict is not None and not verdict["passed"]
    assert "'cormorant'" in verdict["reason"] and "'puffin'" in verdict["reason"]
    # inflections fold, and pixel-level judging (no prompt) applies the rule too
    assert decided_by_code("Two puffins", SCENE, None, rules)["passed"] is False  # type: ignore[index]
    # an item that asks for the ruled-out value's absence, or states the answer, is not one
    assert decided_by_code("Not a puffin", SCENE, None, rules) is None
    assert decided_by_code("A cormorant, not a puffin", SCENE, None, rules) is None
    assert decided_by_code("A cormorant on the cliff", SCENE, prompt, rules)["passed"]  # type: ignore[index]


def test_absences_and_scattered_words_are_left_to_the_model() -> None:
    assert decided_by_code("No people on the beach", SCENE, PROMPT) is None
    # every word is in the prompt, but in different clauses: the words alone do not show it
    assert decided_by_code("Waves at dusk", SCENE, PROMPT) is None


def test_a_quote_of_the_items_own_words_is_not_a_quote_of_the_context() -> None:
    context = "An old barn at dusk, a copper kettle on the iron stove"
    wanted = set(key_words("An old copper stove"))
    # every word is in the context, scattered: copied from the item, not from the context
    assert not quote_supported("old copper stove", context, wanted)
    assert quote_supported("a copper kettle on the iron stove", context, wanted)
    # a word or two garbled in a long copied span is tolerated
    assert quote_supported("An old barn at dusk, a coper kettle on the iron stove", context, wanted)


def test_the_bench_judge_rejects_an_item_copied_quote(script: Callable[..., str]) -> None:
    prompt = "An old barn at dusk, a copper kettle on the iron stove"
    scene: dict[str, Any] = {"objects": [{"name": "kettle"}], "text": ""}
    copied = script(
        rules=[{"schema": "ItemJudged", "response": {"quote": "old copper stove", "passed": True}}]
    )
    verdict = judge_item_text("An old copper stove", prompt, scene, copied)
    assert not verdict["passed"] and "unsupported" in verdict["reason"]
    spanned = script(
        rules=[
            {
                "schema": "ItemJudged",
                "response": {"quote": "a copper kettle on the iron stove", "passed": True},
            }
        ]
    )
    verdict = judge_item_text("An old copper stove", prompt, scene, spanned)
    assert verdict["passed"] and verdict["reason"].startswith("model: ")


def test_an_item_quoting_text_is_judged_by_the_quote_when_no_text_was_drawn() -> None:
    # a renderer that does not report what it wrote: the prompt must carry the quote
    scene: dict[str, Any] = {"objects": [{"name": "banner"}]}
    prompt = 'A harbour festival banner with the words "Tide Fair 2031" in blue'
    item = 'The text "Tide Fair 2031" is visible'
    carried = decided_by_code(item, scene, prompt)
    assert carried is not None and carried["passed"], carried
    lost = decided_by_code(item, scene, "A harbour festival banner in blue")
    assert lost is not None and not lost["passed"]
    assert "Tide Fair 2031" in lost["reason"]
    # the words around the quote still count: a banner the prompt never names fails
    other = decided_by_code(
        'A banner reads "Tide Fair 2031"', scene, 'A flag saying "Tide Fair 2031"'
    )
    assert other is not None and not other["passed"] and "'banner'" in other["reason"]
    # the quote's words in another order are not the text
    shuffled = decided_by_code(item, scene, 'A banner with the words "Fair Tide 2031"')
    assert shuffled is not None and not shuffled["passed"]
