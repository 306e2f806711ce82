"""Deterministic routing cues, layout boxes and checklist completion of the planner."""

from __future__ import annotations

from nodes.plan import (
    DraftGap,
    box_for,
    finish_checklist,
    outcome_question,
    restates_request,
    route_gaps,
)

NO_SOURCES = {"search_enabled": False, "memory_empty": True}


def gap(question: str, kind: str, guess: str = "") -> DraftGap:
    return DraftGap(question=question, kind=kind, best_guess=guess)  # type: ignore[arg-type]


def routes(gaps: list[DraftGap], request: str, **kw: bool) -> list[tuple[str, str]]:
    options = {"search_enabled": True, "memory_empty": False, **kw}
    return [(g.kind, g.route) for g in route_gaps(gaps, request, **options)]


def test_model_routes_follow_kinds() -> None:
    found = routes(
        [gap("Which pastry is it?", "commonsense"), gap("What is the price?", "precise_fact")],
        "the pastry of the festival at its price",
    )
    assert found[0] == ("commonsense", "reason")
    assert ("dynamic_fact", "search") in found  # "price" is a changing fact


def test_first_person_adds_a_memory_gap_the_model_missed() -> None:
    assert routes([], "my cat in my usual style") == [("personal", "memory")]


def test_memory_gap_asks_the_user_when_memory_is_empty() -> None:
    found = route_gaps([], "draw me like last time", search_enabled=True, memory_empty=True)
    assert found[0].route == "ask_user" and "memory is empty" in found[0].why


def test_dynamic_cues_add_a_search_gap() -> None:
    assert routes([], "this week's forecast for Oslo as a poster") == [("dynamic_fact", "search")]


def test_personal_without_first_person_is_not_memory() -> None:
    found = routes(
        [gap("What does the dog look like?", "personal", "a brown dog")], "a dog on a beach"
    )
    assert found == [("commonsense", "reason")]


def test_questions_the_request_answers_are_dropped() -> None:
    found = routes(
        [gap("What colour is the middle cat?", "commonsense", "black")],
        "three black cats on a sofa",
    )
    assert found == []


def test_ambiguous_questions_are_kept_even_if_the_guess_echoes_the_request() -> None:
    found = routes([gap("What is the bakery called?", "ambiguous", "bakery")], "a bakery logo")
    assert found == [("ambiguous", "ask_user")]


def test_implicit_description_gets_a_reasoning_gap() -> None:
    found = route_gaps(
        [],
        "the pastry traditionally eaten at the Mid-Autumn Festival",
        search_enabled=False,
        memory_empty=True,
    )
    assert [(g.kind, g.route) for g in found] == [("commonsense", "reason")]


def test_precise_facts_reason_when_no_search_is_configured() -> None:
    found = route_gaps(
        [gap("Who designed the tower?", "precise_fact")],
        "the tower's designer",
        search_enabled=False,
        memory_empty=True,
    )
    assert found[0].route == "reason" and "no search provider" in found[0].why


def test_explicit_request_has_no_gaps() -> None:
    assert routes([], "a red bicycle leaning on a blue wall") == []


def test_boxes_are_normalised() -> None:
    for position in ("left", "center", "top-right", "bottom", "background"):
        x0, y0, x1, y1 = box_for(position, "large")
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1


def test_checklist_is_three_to_eight_distinct_items() -> None:
    short = finish_checklist(["A cat", "a cat"], "a cat", "Hello", "a garden")
    assert 3 <= len(short) <= 8 and len({s.lower() for s in short}) == len(short)
    assert any('"Hello"' in item for item in short)
    assert len(finish_checklist([f"item {i}" for i in range(12)], "x", "", "")) == 8


def test_text_is_rendered_only_where_the_request_wants_text() -> None:
    from nodes.plan import planned_text

    assert planned_text("Prayer Hands", "A hand gesture used during prayer") == ""
    assert (
        planned_text("Oslo tomorrow", "Tomorrow's weather in Oslo as a poster") == "Oslo tomorrow"
    )
    assert planned_text("Hi", 'A card that says "Happy birthday, Ana"') == "Happy birthday, Ana"


def test_quoted_text_ignores_apostrophes() -> None:
    from nodes.plan import planned_text

    assert planned_text("", "the children's toy and the dog's bone on a card") == ""
    assert planned_text("", "a card with the words 'Buon Natale'") == "Buon Natale"
    assert planned_text("", "a sign saying “Open”") == "Open"


def test_checks_for_text_that_is_not_rendered_are_dropped() -> None:
    items = ['The text "Prayer" is visible', "Hands are joined", "A church", "Candles"]
    assert finish_checklist(items, "hands", "", "") == ["Hands are joined", "A church", "Candles"]


def test_computable_gaps_go_to_reason_with_the_tool_named() -> None:
    request = "The square beneath Big Ben when Singapore reaches noon"
    # the model sent it to search as a precise fact: the tool cue wins
    found = route_gaps(
        [gap("What time is it at Big Ben when it is noon in Singapore?", "precise_fact")],
        request,
        search_enabled=True,
        memory_empty=False,
    )
    assert [(g.route, g.why) for g in found] == [
        ("reason", "cue: computable by the timezone tool (code, not model)")
    ]


def test_a_computable_request_without_gaps_gets_one() -> None:
    found = route_gaps(
        [], "Which is older, the Eiffel Tower or Big Ben?", search_enabled=True, memory_empty=False
    )
    assert len(found) == 1 and found[0].route == "reason" and "ordering" in found[0].why
    # a changing fact keeps its search route even in a request with arithmetic in it
    found = route_gaps(
        [gap("What is today's price of a kilo of apples?", "dynamic_fact")],
        "Today's price of 3 kilos of apples plus 2 kilos of pears in total",
        search_enabled=True,
        memory_empty=False,
    )
    assert ("dynamic_fact", "search") in [(g.kind, g.route) for g in found]


def test_plain_counts_are_not_computable() -> None:
    assert routes([], "Three black cats sitting on a red sofa") == []


def test_a_named_work_person_or_ticker_needs_search() -> None:
    for request, name in [
        ("Box art of the video game Starfall Dredgers", "Starfall Dredgers"),
        ("The heroine of the anime Kiriboshi Station in her usual outfit", "Kiriboshi Station"),
        ("A portrait of the chef Mirela Kostadin with her signature dish", "Mirela Kostadin"),
        ("A headline graphic with the closing price of VRNH shares", "VRNH"),
    ]:
        found = route_gaps([], request, search_enabled=True, memory_empty=True)
        assert [g.route for g in found] == ["search"], request
        assert name in found[0].question
    # the model's question about the named person goes to search too, not to its knowledge
    found = route_gaps(
        [gap("What is the chef's signature dish?", "commonsense")],
        "A portrait of the chef Mirela Kostadin with her signature dish",
        search_enabled=True,
        memory_empty=True,
    )
    assert [(g.route, g.kind) for g in found] == [("search", "precise_fact")]
    assert "Mirela Kostadin" in found[0].why
    # without a search provider the question goes to the model, marked as such
    found = route_gaps([], "The film Underbridge Lanterns", search_enabled=False, memory_empty=True)
    assert found[0].route == "reason" and "no search provider" in found[0].why


def test_worked_out_content_gets_a_reasoning_gap() -> None:
    for request in [
        "A road sign shaped like a polygon with six equal sides",
        "A map where the lake lies north of the village",
        "A glass of water left outside overnight at minus 20 degrees Celsius",
        "A bookshelf holding half of two dozen books",
    ]:
        assert routes([], request) == [("commonsense", "reason")], request
    assert routes([], "A lighthouse on the left and a sailboat on the right") == []


def test_memory_cues_need_the_user_not_just_a_word() -> None:
    assert routes([], "Draw that dragon again, now over a castle") == [("personal", "memory")]
    assert routes([], "The same robot, now in a winter greenhouse") == [("personal", "memory")]
    # "her usual outfit" is the heroine's, "again" is the mouse's: nothing about the user
    assert "memory" not in [r for _, r in routes([], "The heroine in her usual outfit")]
    assert routes([], "A mouse that turns left, then left again") == [("commonsense", "reason")]


def test_a_repeated_question_is_asked_once() -> None:
    same = [gap("What is the red fox wearing?", "personal")] * 4
    found = route_gaps(same, "Same character as before", search_enabled=True, memory_empty=False)
    assert [g.question for g in found] == ["What is the red fox wearing?"]


def test_a_question_that_only_restates_the_request_asks_what_it_refers_to() -> None:
    request = "An iconic reptile, a symbol of biodiversity in Indonesia"
    found = route_gaps([gap("What is an iconic reptile?", "commonsense")], request, **NO_SOURCES)
    assert len(found) == 1 and found[0].route == "reason"
    assert "refer to" in found[0].question and "Indonesia" in found[0].question
    assert "restated" in found[0].why


def test_restating_is_judged_by_the_words_of_the_request() -> None:
    assert restates_request("What is dry ice?", "Dry ice in a glass of water")
    assert restates_request("What is the instrument's long neck?", "An instrument, long neck")
    assert not restates_request("What is a mooncake?", "the pastry of the Mid-Autumn Festival")
    long_question = "What is traditional decoration for the Mexican Day of the Dead?"
    assert not restates_request(long_question, "Traditional decoration for the Day of the Dead")
    assert not restates_request("Which pastry is it?", "which pastry is it")


def test_a_situation_gets_a_question_about_its_visible_outcome() -> None:
    request = "Dry ice in a glass of water, highlighting the state of the dry ice and the water"
    restating = [gap("What is dry ice?", "commonsense"), gap("What is water?", "commonsense")]
    found = route_gaps(restating, request, **NO_SOURCES)
    assert [(g.route, g.question) for g in found] == [("reason", outcome_question(request))]
    assert "outcome" in found[0].why
    bare = route_gaps([], "A small piece of sodium metal added to water", **NO_SOURCES)
    assert [g.route for g in bare] == ["reason"] and "state, colour or change" in bare[0].question


def test_a_good_question_about_a_situation_is_kept_alone() -> None:
    question = "What colour is the flame of burning potassium?"
    found = route_gaps(
        [gap(question, "commonsense")],
        "The potassium is burning, highlighting the color",
        **NO_SOURCES,
    )
    assert [g.question for g in found] == [question]
