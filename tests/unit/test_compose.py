"""Compose: the grounded answers as constraints (what contradicts one is dropped, what the
prompt lost is put back), the declared repair steps, and the guessed subject."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nodes.compose.constraints import constraints_of, contains, drop_contradictions, restore
from nodes.compose.prompt import example_text
from nodes.compose.repairs import drop_example_echo, drop_invented_text, drop_repeats, replace_guess
from nodes.compose.steps import LABELS, STEPS
from nodes.rounds import Constraint
from nodes.state import Answer
from tests.conftest import plan_with
from tests.unit.test_graph import calls, make_context, run


def constraint(value: str, excludes: list[str] | None = None, ordered: bool = False) -> Constraint:
    return {
        "gap_id": "g1",
        "object": "it",
        "attribute": "answer",
        "value": value,
        "excludes": excludes or [],
        "source": "model",
        "ordered": ordered,
    }


def test_retention_match_ignores_order_and_joining_words() -> None:
    assert contains(
        "skeletons, skulls, flowers, and candles", "skeletons, skulls, flowers, candles"
    )
    assert contains("A Golden-Eagle on a cactus", "golden eagle")
    assert not contains("an eagle on a cactus", "golden eagle")
    prompt, checks = restore("an eagle on a cactus", [constraint("golden eagle")], "")
    assert prompt.endswith("golden eagle") and checks[0]["repaired"]
    prompt, checks = restore("an eagle on a cactus", [], "Hola")
    assert prompt.endswith('with the text "Hola"') and checks[0]["gap_id"] == "text"


def test_text_nobody_asked_for_is_dropped() -> None:
    prompt = 'A fox in the snow, red lanterns, the words "Happy Mid-Autumn" in bold gold letters'
    assert (
        drop_invented_text(prompt, "", "same fox, now at night")
        == "A fox in the snow, red lanterns"
    )
    kept = 'A card, with the words "Buon Natale" in red'
    assert drop_invented_text(kept, "Buon Natale", "a card") == kept
    assert drop_invented_text(kept, "", 'a card saying "Buon Natale"') == kept


def test_request_words_in_quotes_are_not_text_unless_quoted_by_the_user() -> None:
    prompt = 'A dog on a beach, the words "My dog on a beach" in blue'
    assert drop_invented_text(prompt, "", "My dog on a beach, in my usual style") == (
        "A dog on a beach"
    )


def test_a_memory_sentence_counts_as_kept_when_its_content_is_there() -> None:
    prompt = "Watercolour drawing of Rufus the white poodle running on a beach"
    assert contains(prompt, "The user's dog Rufus is a white poodle") is False  # no "dog"
    assert contains(prompt + ", a dog", "The user's dog Rufus is a white poodle")
    assert contains(prompt, "The user likes watercolour")


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
            {  # "the koala is native to Australia": its words sit in two clauses
                "schema": "Judged",
                "response": {"verdicts": [{"item": "x", "passed": True, "reason": "named"}]},
            },
        ]
    )
    state = run(make_context(spec, tmp_path, max_rounds=1), MARSUPIAL)
    assert "kangaroo" not in state["final_prompt"].lower()
    assert state["plan"]["checklist"][0] == "A koala is the main subject"
    assert [c["schema"] for c in calls(spec)].count("Composed") == 1  # no revision for a kangaroo
    record = state["rounds"][0]
    assert record["repairs"]["guess_replaced"] == ["kangaroo -> koala"]
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
    rule = constraints_of([placed], [], "")
    repaired, checks = restore(prompt, rule, "")
    assert checks[0]["repaired"] is True
    assert repaired.endswith("key far left, spoon second, rolling pin third, bat far right")
    kept, checks = restore(repaired, rule, "")
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


def tool_answer(answer: str, excludes: list[str]) -> Answer:
    return {
        **_answer(answer, "tool"),
        "constraint": {
            "object": "the pond",
            "attribute": "state",
            "value": answer,
            "excludes": excludes,
            "source": "tool:phase",
        },
    }


def test_a_tool_constraint_drops_the_clauses_it_rules_out() -> None:
    rules = constraints_of([tool_answer("solid ice", ["liquid", "melted", "steam"])], [], "a pond")
    assert rules[0]["excludes"] == ["liquid", "melted", "steam"]
    prompt = "A frozen pond in winter, steam rising from the water, no melted patches, pine trees"
    fixed, dropped = drop_contradictions(prompt, rules)
    assert fixed == "A frozen pond in winter, no melted patches, pine trees"  # a negation stays
    assert dropped == ["steam rising from the water"]


def test_in_the_subject_clause_only_the_ruled_out_words_go() -> None:
    rules = [constraint("solid", ["liquid"])]
    fixed, dropped = drop_contradictions("A liquid block of wax on a table, warm light", rules)
    assert fixed == "A block of wax on a table, warm light" and dropped == ["liquid"]


def test_an_answer_that_overrules_the_planners_guess_rules_the_guess_out() -> None:
    gaps = [{"id": "g1", "best_guess": "wolf"}]
    rules = constraints_of([_answer("red fox")], gaps, "the animal in the old fable")
    assert rules[0]["excludes"] == ["wolf"]
    fixed, dropped = drop_contradictions("A red fox in a forest, a grey wolf howling", rules)
    assert fixed == "A red fox in a forest" and dropped == ["a grey wolf howling"]
    # a guess the answer agrees with, or that the request says, is not ruled out
    assert (
        constraints_of([_answer("red fox")], [{"id": "g1", "best_guess": "fox"}], "")[0]["excludes"]
        == []
    )
    assert constraints_of([_answer("red fox")], gaps, "a wolf or a fox")[0]["excludes"] == []


def test_a_guess_the_answers_source_states_is_not_ruled_out() -> None:
    remembered = _answer("a lighthouse keeper at dusk", provenance="memory")
    remembered["evidence"] = [{"source": "memory:history/t1", "quote": "a keeper in a red coat"}]
    guessed = [{"id": "g1", "best_guess": "a red coat"}]
    kept = constraints_of([remembered], guessed, "the same keeper, now at dawn")
    assert kept[0]["excludes"] == []
    # the model's own words are no source: its answer still overrules the guess
    reasoned = {**remembered, "provenance": "model"}
    assert constraints_of([reasoned], guessed, "")[0]["excludes"] == ["a red coat"]


def test_a_name_does_not_rule_out_the_description_it_was_guessed_as() -> None:
    guessed = [{"id": "g1", "best_guess": "a young woman in a red hat"}]
    request = "the heroine of the film Paper Lanterns"
    assert constraints_of([_answer("Odile Marchetti")], guessed, request)[0]["excludes"] == []
    # a name still rules out another name, and a description beside a name is no bare name
    named = [{"id": "g1", "best_guess": "Anna Berg"}]
    assert constraints_of([_answer("Odile Marchetti")], named, request)[0]["excludes"] == [
        "Anna Berg"
    ]
    described = constraints_of([_answer("Rufus, a white poodle")], guessed, request)
    assert described[0]["excludes"] == ["a young woman in a red hat"]


def test_without_constraints_the_prompt_is_left_alone() -> None:
    prompt = "A harbour at midnight, boats"
    assert drop_contradictions(prompt, [constraint("boats")]) == (prompt, [])


def test_every_step_is_declared_once_with_a_label() -> None:
    names = [step.name for step in STEPS]
    assert len(names) == len(set(names)) and set(LABELS) == set(names)
    assert [s.name for s in STEPS if s.stage == "plan"] == ["guess_replaced", "grounded_checklist"]
    # nothing but the two put-back checks may change the prompt after the answers' check
    assert names[-2:] == ["restored", "stated_kept"]


def test_phrases_copied_from_the_worked_example_are_cut() -> None:
    example = "Example: a small glass jar on a kitchen shelf, red and gold border"
    context = "Request: a loaf of bread on a bakery poster. Colours: yellow, brown."
    prompt = "A loaf of bread, a small glass jar on a kitchen shelf, a gold border, a yellow border"
    kept, dropped = drop_example_echo(prompt, example, context)
    assert kept == "A loaf of bread, a yellow border"  # yellow is the plan's colour
    assert dropped == ["a small glass jar on a kitchen shelf", "a gold border"]
    # inside a clause that names the request's things, only the copied phrase goes
    own = "A bakery poster, a loaf of bread on a kitchen shelf near a window"
    assert drop_example_echo(own, example, context) == (
        "A bakery poster, a loaf of bread near a window",
        ["on a kitchen shelf"],
    )
    # a copied phrase opening a clause takes its trailing function words with it
    opening = "a small glass jar on a plain brown background"
    assert drop_example_echo(opening, example, context) == (
        "plain brown background",
        ["a small glass jar on a"],
    )
    # the example's words the context uses are the request's own: nothing is cut
    shelf = "Request: a jar of honey on a kitchen shelf."
    assert drop_example_echo("a glass jar of honey on a kitchen shelf", example, shelf) == (
        "a glass jar of honey on a kitchen shelf",
        [],
    )
    # one word of the example alone is the composer's styling, not a copy
    assert drop_example_echo("a loaf of bread, a red ribbon", example, context)[1] == []
    assert "Example:" in example_text() and "Request:" in example_text()
