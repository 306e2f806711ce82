"""The planner's routing: the model's questions routed by kind, completed by general cues
(data in nodes/plan/cues.json); the tool the planner chose; layout boxes and checklist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nodes.plan.checklist import finish_checklist, planned_text
from nodes.plan.node import box_for
from nodes.plan.prompt import SYSTEM, DraftGap
from nodes.plan.routing import cues, implied_subject, restates_request, route_gaps

NO_SOURCES = {"search_enabled": False, "memory_empty": True}
WITH_SEARCH = {"search_enabled": True, "memory_empty": True}


def gap(question: str, kind: str, guess: str = "", tool: str = "none") -> DraftGap:
    return DraftGap(question=question, kind=kind, best_guess=guess, tool=tool)  # type: ignore[arg-type]


def routes(gaps: list[DraftGap], request: str, **kw: bool) -> list[tuple[str, str]]:
    options = {"search_enabled": True, "memory_empty": False, **kw}
    return [(g.kind, g.route) for g in route_gaps(gaps, request, **options)]


def test_model_routes_follow_kinds() -> None:
    found = routes(
        [
            gap("Which cheese is it?", "commonsense"),
            gap("What is its price today?", "precise_fact"),
        ],
        "the cheese of the fair at its price",
    )
    assert found[0] == ("commonsense", "reason")
    assert ("dynamic_fact", "search") in found  # "today": a changing fact


def test_first_person_adds_a_memory_gap_the_model_missed() -> None:
    assert routes([], "my cat in my usual style") == [("personal", "memory")]


def test_memory_gap_asks_the_user_when_memory_is_empty() -> None:
    found = route_gaps([], "draw me like last time", search_enabled=True, memory_empty=True)
    assert found[0].route == "ask_user" and "memory is empty" in found[0].why


def test_time_deixis_adds_a_search_gap() -> None:
    assert routes([], "this week's tide table for Brest as a poster") == [
        ("dynamic_fact", "search")
    ]


def test_requests_that_state_everything_get_no_gap() -> None:
    for request in [
        "a red bicycle leaning on a blue wall",
        "Three black cats sitting on a red sofa",
        "A lighthouse on the left and a sailboat on the right, nothing else",
        "Show me a weather icon with a sun and one cloud",
        "A price tag on a green sweater",
    ]:
        assert routes([], request) == [], request


def test_personal_without_first_person_is_not_memory() -> None:
    found = routes([gap("What does the dog look like?", "personal", "a brown dog")], "a dog")
    assert found == [("commonsense", "reason")]


def test_questions_the_request_answers_are_dropped() -> None:
    found = routes([gap("What colour is the cat?", "commonsense", "black")], "three black cats")
    assert found == []


def test_ambiguous_questions_are_kept_even_if_the_guess_echoes_the_request() -> None:
    found = routes([gap("What is the shop called?", "ambiguous", "shop")], "a shop logo")
    assert found == [("ambiguous", "ask_user")]


def test_a_subject_the_request_only_describes_gets_a_reasoning_gap() -> None:
    request = "the spice that colours a Spanish rice dish yellow, in a bowl"
    found = route_gaps([], request, subject="saffron threads", **NO_SOURCES)
    assert [(g.route, g.best_guess) for g in found] == [("reason", "saffron threads")]
    assert "without naming it" in found[0].why  # a definite description, named by "Spanish"
    found = route_gaps([], "a spice to colour rice yellow", subject="saffron", **NO_SOURCES)
    assert [(g.best_guess, "only describes" in g.why) for g in found] == [("saffron", True)]
    assert implied_subject("saffron", request)
    assert not implied_subject("a red bicycle on a blue wall", "a red bicycle by a blue wall")


def test_precise_facts_reason_when_no_search_is_configured() -> None:
    found = route_gaps([gap("Who built the bridge?", "precise_fact")], "the bridge", **NO_SOURCES)
    assert found[0].route == "reason" and "no search provider" in found[0].why


def test_the_tool_the_planner_chose_routes_to_reason() -> None:
    question = "What time is it in Lima when it is 8 pm in Oslo?"
    found = route_gaps(
        [gap(question, "precise_fact", tool="timezone")],
        "A Lima street when it is 8 pm in Oslo",
        search_enabled=True,
        memory_empty=False,
    )
    assert [(g.route, g.tool) for g in found] == [("reason", "timezone")]
    assert "timezone tool" in found[0].why
    # an unknown tool name is no tool
    assert gap("q", "commonsense", tool="teleporter").tool == "none"


def test_the_planner_is_offered_every_registered_tool() -> None:
    from tools.compute.registry import TOOLS

    assert TOOLS and all(f"- {name}:" in SYSTEM for name in TOOLS)
    schema = DraftGap.model_json_schema()["properties"]["tool"]
    assert set(schema["enum"]) == {"none", *TOOLS}


def test_a_name_the_request_hinges_on_is_looked_up_before_the_model_answers() -> None:
    # the planner's own extraction: a name no gap asks about gets a gap of its own
    found = route_gaps(
        [], "Cover art for Lantern Orchard, moody", names=["Lantern Orchard"], **WITH_SEARCH
    )
    assert [(g.route, g.kind, g.lookup) for g in found] == [
        ("reason", "reference", "Lantern Orchard")
    ]
    # capitalisation: a question about a capitalised name is searched first
    question = gap("What does the sculptor Ines Varga look like?", "commonsense")
    found = route_gaps([question], "A portrait of the sculptor Ines Varga", **WITH_SEARCH)
    assert [(g.route, g.lookup) for g in found] == [("reason", "Ines Varga")]
    assert "searched first" in found[0].why
    # a planner gap routed to search that hinges on a name goes the same way (with fallback)
    question = gap("Who founded Orrin Mills?", "precise_fact")
    found = route_gaps([question], "The founder of Orrin Mills as a statue", **WITH_SEARCH)
    assert [(g.route, g.lookup) for g in found] == [("reason", "Orrin Mills")]


def test_names_are_not_looked_up_without_search_nor_when_the_planner_invents_them() -> None:
    assert route_gaps([], "a lighthouse at dusk", names=["Quillmere"], **WITH_SEARCH) == []
    found = route_gaps(
        [gap("What does Ines Varga look like?", "commonsense")],
        "A portrait of Ines Varga",
        names=["Ines Varga"],
        **NO_SOURCES,
    )
    assert [(g.route, g.lookup) for g in found] == [("reason", "")]


def test_a_definite_description_gets_a_gap_when_the_planner_found_none() -> None:
    request = "A mosaic of the bird on the crest of Quillmere, in gold"
    found = route_gaps([], request, **NO_SOURCES)
    assert [g.route for g in found] == ["reason"]
    assert "the bird on the crest of Quillmere" in found[0].question
    assert "without naming it" in found[0].why
    # with search, the name in it is looked up first
    (looked,) = route_gaps([], request, **WITH_SEARCH)
    assert looked.lookup == "Quillmere"
    # a description without a name counts when the planner lists it as described
    request = "the gas that plants breathe out at night, as bubbles in a jar"
    assert route_gaps([], request, **NO_SOURCES) == []
    listed = ["the gas that plants breathe out at night"]
    found = route_gaps([], request, described=listed, **NO_SOURCES)
    assert len(found) == 1 and "the gas that plants breathe out" in found[0].question
    # the planner's gap about it already asks: no second gap
    asked = [gap("Which gas do plants breathe out at night?", "commonsense", "carbon dioxide")]
    assert len(route_gaps(asked, request, described=listed, **NO_SOURCES)) == 1


def test_a_fully_stated_request_gets_no_gap_even_with_every_source() -> None:
    for request in [
        "a red kite above three green hills, watercolour",
        "the cat on the sofa in the kitchen, oil painting",
        "A sign that says 'Open' on the door, nothing else",
        "The Old Bridge at night, two lamps lit",
    ]:
        found = route_gaps([], request, search_enabled=True, memory_empty=False)
        assert found == [], request


def test_a_gap_the_request_settles_is_dropped_by_one_check() -> None:
    request = "a green banner over the bakery door"
    for question, kind in [
        ("Which colour should the banner be?", "ambiguous"),  # asks the user what it fixes
        ("What colour is the banner?", "commonsense"),
    ]:
        assert route_gaps([gap(question, kind, "green")], request, **WITH_SEARCH) == []
    # a guess that only repeats the question's words is no answer: the user is asked
    kept = route_gaps(
        [gap("What is the bakery called?", "ambiguous", "bakery")], request, **NO_SOURCES
    )
    assert [g.route for g in kept] == ["ask_user"]


def test_memory_cues_need_the_user_not_just_a_word() -> None:
    assert routes([], "The same robot as before, now in a greenhouse") == [("personal", "memory")]
    assert "memory" not in [r for _, r in routes([], "The heroine in her usual outfit")]
    assert routes([], "Show me a mouse that turns left twice") == []


def test_a_repeated_question_is_asked_once() -> None:
    same = [gap("What is the red fox wearing?", "personal")] * 4
    found = route_gaps(same, "Same character as before", search_enabled=True, memory_empty=False)
    assert [g.question for g in found] == ["What is the red fox wearing?"]


def test_a_question_that_only_restates_the_request_asks_what_it_refers_to() -> None:
    request = "A striped wild horse of the African plains, drinking at a river"
    found = route_gaps([gap("What is a striped wild horse?", "commonsense")], request, **NO_SOURCES)
    assert len(found) == 1 and found[0].route == "reason"
    assert "refer to" in found[0].question and "restated" in found[0].why
    assert restates_request("What is dry ice?", "Dry ice in a glass of water")
    assert not restates_request("Which pastry is it?", "which pastry is it")


def test_cues_are_validated_data(tmp_path: Path) -> None:
    bad = tmp_path / "cues.json"
    bad.write_text(json.dumps({"memory": []}))
    with pytest.raises(ValueError, match=r"cues\.json: invalid routing cues"):
        cues(bad)
    assert cues()["panels"].search("a four-panel comic")


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
    assert planned_text("Waving Hand", "A hand waving goodbye") == ""
    assert planned_text("Oslo tomorrow", "Tomorrow's tides in Oslo as a poster") == "Oslo tomorrow"
    assert planned_text("Hi", 'A card that says "Happy birthday, Ana"') == "Happy birthday, Ana"
    assert planned_text("", "the children's toy and the dog's bone on a card") == ""
    assert planned_text("", "a card with the words 'Buon Natale'") == "Buon Natale"


def test_checks_for_text_that_is_not_rendered_are_dropped() -> None:
    items = ['The text "Wave" is visible', "A hand is raised", "A beach", "Sunset"]
    assert finish_checklist(items, "hand", "", "") == ["A hand is raised", "A beach", "Sunset"]


def test_words_that_point_back_count_only_in_a_conversation_with_earlier_turns() -> None:
    request = "The same lamp again, now on a desk"
    assert routes([], request) == []  # no earlier turn: "the same" refers to nothing
    found = route_gaps(
        [gap("Which lamp was drawn before?", "personal", "lamp")],
        request,
        search_enabled=True,
        memory_empty=False,
        has_earlier=True,
    )
    assert [(g.kind, g.route) for g in found] == [("personal", "memory")]
    found = route_gaps([], request, search_enabled=True, memory_empty=False, has_earlier=True)
    assert [g.route for g in found] == ["memory"] and "earlier turn" in found[0].why
