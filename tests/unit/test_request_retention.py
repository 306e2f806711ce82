"""The request's own words survive compose, and a degenerate prompt is never rendered.

Spans come from grammar (tools.stated); compose puts back a lost span, rejects a prompt
that repeats, cuts or doubles an answer, asks once more, then assembles one by code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nodes.compose.degenerate import assembled, cut_words, problems, repeated, two_answers
from nodes.compose.stated import grounded_items, put_back
from nodes.rounds import Constraint
from tests.conftest import PLAN, plan_with
from tests.unit.test_graph import calls, make_context, run
from tools.stated import kept, stated


def texts(request: str) -> list[tuple[str, str]]:
    return [(s["kind"], s["text"]) for s in stated(request)]


def test_spans_are_found_by_grammar_not_by_topic() -> None:
    assert texts("Five paper boats on a pond, the largest on the left, nothing else") == [
        ("count", "Five paper boats"),
        ("position", "on the left"),
        ("negation", "nothing else"),
    ]
    assert texts('A 3x3 grid of tiles, no people, a sign saying "Open late"') == [
        ("layout", "3x3 grid"),
        ("negation", "no people"),
        ("quoted", "Open late"),
    ]
    assert ("size", "tiny lighthouse") in texts("A tiny lighthouse behind the pier")
    assert ("position", "behind the pier") in texts("A tiny lighthouse behind the pier")
    # a clock time counts nothing; a request without such words states no span
    assert texts("A train station when it is 9 pm in Oslo") == []
    assert texts("the bird on the state flag of a southern country") == []
    # a sum is for a gap to work out: it states no count or size
    assert texts("A bowl with as many plums as two times six, minus 3, on the left") == [
        ("position", "on the left")
    ]
    assert texts("A tower three times taller than the tree") == [("size", "times taller")]
    assert ("count", "Two boats") in texts("Two boats circling three times")


def test_a_span_is_kept_in_other_words_but_not_when_lost() -> None:
    boats = {"kind": "count", "text": "Five paper boats"}
    assert kept(boats, "5 folded paper boats drifting")
    assert not kept(boats, "paper boats drifting")  # the count is lost
    assert not kept(boats, "five ducks near paper boats")  # not the same five
    nobody = {"kind": "negation", "text": "no people"}
    assert kept(nobody, "an empty square without people")
    assert kept(nobody, "an empty square", negative="people, crowds")
    assert not kept(nobody, "an empty square with people")


def constraint(value: str, excludes: list[str]) -> Constraint:
    return {
        "gap_id": "g1",
        "object": "which bird",
        "attribute": "answer",
        "value": value,
        "excludes": excludes,
        "source": "model",
        "ordered": False,
    }


def test_lost_spans_are_put_back_unless_an_answer_rules_them_out() -> None:
    spans = stated("Two owls on a branch, no moon, three stars")
    prompt, checks = put_back("Two owls on a branch at night", "", spans, [], {})
    assert prompt == "Two owls on a branch at night, no moon, three stars"
    assert [(c["text"], c["present"], c["repaired"]) for c in checks] == [
        ("Two owls", True, False),
        ("no moon", False, True),
        ("three stars", False, True),
    ]
    # "three stars" would contradict an answer that rules stars out: the answer wins
    prompt, checks = put_back("Two owls", "", spans, [constraint("sunrise", ["stars"])], {})
    assert "three stars" not in prompt
    assert checks[2]["note"] == "contradicts the answer 'sunrise'"
    # a layout the plan lays out as panels is kept by the panels
    grid = stated("A 2x2 grid of seasons")
    _, checks = put_back("spring", "", grid, [], {"panels": [{}, {}, {}, {}]})
    assert checks[0]["present"] and "4 panels" in checks[0]["note"]


def test_checklist_gets_the_stated_spans_and_one_item_per_answer() -> None:
    answer: Any = {"answer": "kingfisher", "resolved": True, "question": "Which bird?"}
    guess: Any = {"answer": "heron", "resolved": False, "question": "Which other bird?"}
    plan = {"checklist": ["A river bank at dawn"]}
    items = grounded_items(plan, [answer, guess], stated("Two birds, no people"), vision=False)
    assert items == ["Two birds", "No people", "The image shows kingfisher"]
    # what the planner's checklist already names is not added twice
    plan = {"checklist": ["A kingfisher on a branch", "Two birds are shown"]}
    assert grounded_items(plan, [answer], stated("Two birds"), vision=False) == []
    uncertain: Any = {
        **answer,
        "uncertain": True,
        "crosscheck": {"alternatives": ["heron"], "candidates": [], "agreed": False},
    }
    assert grounded_items({}, [uncertain], [], vision=True) == [
        "The image shows kingfisher, not heron"
    ]


def test_degenerate_prompts_are_named() -> None:
    loop = "a red tulip in ink wash, a yellow tulip in ink wash, a white tulip in ink wash"
    assert repeated(loop) == ["a yellow tulip in ink wash", "a white tulip in ink wash"]
    assert repeated("boats, boats") == ["boats"]
    assert repeated("a red apple on the left, a red apple on the right") == []
    assert cut_words("a field of tulí", "tulip field") == ["tulí"]
    assert cut_words("a café by the sea", "café sea") == []  # a source writes it
    long = "a field of tulips, " * 23 + "a windm"
    assert "windm" in cut_words(long, "windmill tulips field", limit=450)
    assert two_answers("a tulip beside a sunflower", [constraint("sunflower", ["tulip"])])
    assert problems("A quiet harbour, boats", "harbour boats quiet", []) == []
    wander = "desert dunes, camels, cactus, sandstorm, oasis, palm, pyramid"
    assert problems(wander, "a harbour with boats", [])[0].startswith("adds what nothing")


def test_the_assembled_prompt_says_each_thing_once() -> None:
    answer: Any = {"answer": "kingfisher", "detail": "blue and orange plumage"}
    plan = {**PLAN, "subject": "a kingfisher", "text_to_render": ""}
    out = assembled(plan, [answer], stated("Two birds, no people"), "")
    assert out == (
        "kingfisher (blue and orange plumage), Two birds, no people, setting: night sky, "
        "poster style, colours: red, gold"
    )


def rules_for(prompts: list[str]) -> list[dict[str, Any]]:
    checks = ["A lighthouse is shown", "The sea is calm", "The sky is clear"]
    plan = plan_with([], subject="a lighthouse", text="", checklist=checks)
    out: list[dict[str, Any]] = [{"schema": "PlanDraft", "response": plan}]
    for prompt in prompts:
        response = {"prompt": prompt, "negative_prompt": ""}
        out.append({"schema": "Composed", "times": 1, "response": response})
    return out


def test_a_constraint_compose_dropped_is_put_back(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = script(first=rules_for(["A lighthouse on a cliff at dusk, poster style"] * 4))
    request = "A lighthouse on a cliff, three gulls, no boats"
    state = run(make_context(spec, tmp_path, max_rounds=1), request)
    assert state["final_prompt"].endswith(", three gulls, no boats")
    checks = state["rounds"][0]["request_retention"]
    assert [(c["text"], c["repaired"]) for c in checks] == [
        ("three gulls", True),
        ("no boats", True),
    ]
    report = Path(state["report"]).read_text()
    assert "Request retention: 0/2 stated constraints kept by the composer" in report
    assert "put back: three gulls, no boats" in report


def test_a_degenerate_prompt_is_retried_then_assembled(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    loop = "a tall lighthouse in black ink, a red tall lighthouse in black ink, a blue tall lighthouse in black ink"
    spec = script(first=rules_for([loop, loop]))
    state = run(make_context(spec, tmp_path, max_rounds=1), "A lighthouse, three gulls")
    first = state["rounds"][0]
    assert first["prompt_source"] == "assembled"
    assert [r.split(":")[0] for r in first["rejected"]] == ["composer", "composer retry"]
    assert first["prompt"].startswith("a lighthouse, three gulls, setting: night sky")
    composed = [c for c in calls(spec) if c["schema"] == "Composed"]
    assert "Your last prompt was rejected" in composed[1]["text"]
    assert "repeats a clause" in composed[1]["text"]
    report = Path(state["report"]).read_text()
    assert "Prompt written by code, assembled from the plan and the answers" in report


def test_a_sound_retry_is_used(home: Path, tmp_path: Path, script: Callable[..., str]) -> None:
    loop = "a tall lighthouse in black ink, a red tall lighthouse in black ink, a blue tall lighthouse in black ink"
    fixed = "A lighthouse on a headland by a calm sea, clear sky, three gulls, ink drawing"
    spec = script(first=rules_for([loop, fixed]))
    state = run(make_context(spec, tmp_path, max_rounds=1), "A lighthouse, three gulls")
    assert state["rounds"][0]["prompt_source"] == "composer retry"
    assert state["final_prompt"].startswith(fixed)
