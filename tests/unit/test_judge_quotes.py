"""The bench judge's quote check: the quote must be a span of the context (not the item's
own words found scattered there) and name something the request did not say; a word or two
garbled in copying is tolerated."""

from __future__ import annotations

from benchmarks.judge import quote_supported, stems
from benchmarks.wise import new_words

REQUEST = "A large animal, a symbol of national pride in Thailand"
EXPLANATION = "The model should generate an image featuring an elephant"
PROMPT = "Symbolic poster of a large elephant standing, a symbol of national pride in Thailand"


def added() -> set[str]:
    return new_words(EXPLANATION, REQUEST) & stems(PROMPT)


def test_a_quote_of_the_prompt_that_names_the_added_thing_passes() -> None:
    assert added() == {"elephant"}
    assert quote_supported("a large elephant standing", PROMPT, added())


def test_one_garbled_word_in_a_long_copied_quote_is_tolerated() -> None:
    garbled = "Symbolic poster of a large elephant standing, a symbol of national pride in Thai"
    assert quote_supported(garbled, PROMPT, added())


def test_a_quote_from_elsewhere_or_without_the_added_thing_fails() -> None:
    assert not quote_supported("an elephant with tusks in a temple garden", PROMPT, added())
    assert not quote_supported("a symbol of national pride in Thailand", PROMPT, added())
    assert not quote_supported("", PROMPT, added())
    # half the words garbled is not a copy
    assert not quote_supported("large elephant ivory tusks jungle", PROMPT, added())


def test_inflections_fold_so_a_quote_of_the_prompts_own_word_is_supported() -> None:
    prompt = "Clean poster of people holding umbrellas on a rainy city street"
    assert quote_supported("rain", prompt, stems("Rain"))
    assert stems("racing boats") == stems("the races of boats")
    assert stems("a star marked the end") == stems("star marks end")
    assert not quote_supported("snow", prompt, stems("Snow"))


def test_the_items_words_scattered_in_the_prompt_are_not_a_quote() -> None:
    prompt = "A tall ship with red sails in a harbour, a lighthouse keeper waving from the pier"
    wanted = stems("A red lighthouse")
    assert not quote_supported("red lighthouse", prompt, wanted)
    assert quote_supported("a lighthouse keeper waving", prompt, wanted)
