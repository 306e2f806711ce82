"""Known-wrong answers fed through the whole graph: every round must fail an item.

Each scenario is a request with one gap. The planner's checklist names the right thing (as
its best guess would); the reasoner, or the search reader, answers something else, and the
composer writes that answer into the prompt. The context-level judge must fail the round:
by the grounded answer's constraint (the item states the guess the answer overruled), or by
the item's key word that the prompt does not name. All subjects are invented for this test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import plan_with
from tests.unit.test_graph import make_context, run


@dataclass
class Wrong:
    name: str
    request: str
    question: str
    guess: str  # the planner's best guess: the right thing
    answer: str  # what the reasoner (or the search reader) answers: wrong
    prompt: str  # what the composer writes, with the wrong answer
    right_item: str  # the checklist item that names the right thing
    why: str  # the expected failure reason contains this
    others: list[str] = field(default_factory=list)  # items the prompt does show
    kind: str = "commonsense"
    corpus: str = ""  # a passage for the search reader (the route is then search)
    drawn: str = ""  # what the planner's layout names (default: its guess)


SCENARIOS = [
    Wrong(
        "bird",
        "The bird that dives for fish from a riverside branch, in flight",
        "Which bird dives for fish from riverside branches?",
        "kingfisher",
        "heron",
        "A heron in flight over a river, wings spread",
        "A kingfisher is shown in flight",
        "'heron'",
        ["A river", "Wings spread"],
    ),
    Wrong(
        "count",
        "An egg carton holding a dozen eggs, seen from above",
        "How many eggs are in a dozen?",
        "12",
        "10",
        "Top view of an egg carton with 10 eggs, soft daylight",
        "12 eggs in the carton",
        "'10'",
        ["An egg carton", "Top view"],
    ),
    Wrong(
        "colour",
        "The colour a ripe lime turns when it is left for weeks, on a chopping board",
        "What colour does an overripe lime turn?",
        "yellow",
        "purple",
        "A purple lime on a wooden chopping board",
        "The lime is yellow",
        "'purple'",
        ["A wooden chopping board", "A lime"],
    ),
    Wrong(
        "shared word",
        "The fox that turns white in winter, sitting in snow",
        "Which fox turns white in winter?",
        "arctic fox",
        "red fox",
        "A red fox sitting in deep snow, winter light",
        "An arctic fox sits in the snow",
        "'arctic'",
        ["Deep snow", "Winter light"],
    ),
    Wrong(
        "tool",
        "The tool a cooper uses to drive hoops onto a barrel, on a workbench",
        "Which tool drives hoops onto a barrel?",
        "hoop driver",
        "chisel",
        "A chisel lying on a wooden workbench next to a barrel",
        "A hoop driver lies on the workbench",
        "'chisel'",
        ["A barrel", "A wooden workbench"],
    ),
    Wrong(
        "state",
        "A copper roof after a century of rain, close-up",
        "What does a copper roof look like after a century of rain?",
        "green patina",
        "shiny orange metal",
        "Close-up of a copper roof of shiny orange metal, rain drops",
        "A green patina covers the roof",
        "'shiny orange metal'",
        ["A copper roof", "Rain drops"],
    ),
    Wrong(
        "instrument",
        "The instrument with pedals and forty-seven strings, in a concert hall",
        "Which instrument has pedals and 47 strings?",
        "harp",
        "cello",
        "A cello on a stage in an empty concert hall, warm spotlight",
        "A harp stands on the stage",
        "'cello'",
        ["An empty concert hall", "A warm spotlight"],
    ),
    Wrong(
        "number word",
        "A milking stool in a barn, with the usual number of legs",
        "How many legs does a milking stool have?",
        "three",
        "4",
        "A wooden milking stool with 4 legs on the straw of a barn",
        "The stool has three legs",
        "'4'",  # "three" and "3" fold alike, so the ruled-out guess is found in the item
        ["A wooden milking stool", "A barn"],
    ),
    Wrong(
        "search reader",
        "The mascot of the Brindlemoor Rovers football club on a scarf",
        "What is the mascot of the Brindlemoor Rovers?",
        "badger",
        "otter",
        "A knitted scarf showing an otter mascot, club colours green and white",
        "A badger on the scarf",
        "'otter'",
        ["A knitted scarf", "Green and white"],
        kind="precise_fact",
        corpus=(
            "# Brindlemoor Rovers\n\nThe Brindlemoor Rovers play in green and white; the club's "
            "crest shows an otter beside a stone bridge, and fans knit it into their scarves.\n"
        ),
    ),
    Wrong(
        "no guess",
        "The flower that opens only at night, in a moonlit garden",
        "Which flower opens only at night?",
        "",  # the planner had no guess; its checklist still names the flower it expects
        "tulip",
        "A tulip in a moonlit garden, silver light",
        "A moonflower opens in the garden",
        "'moonflower'",
        ["A moonlit garden", "Silver light"],
        drawn="moonflower",
    ),
]


def rules(case: Wrong) -> list[dict[str, Any]]:
    gap = {"question": case.question, "kind": case.kind, "best_guess": case.guess}
    checklist = [case.right_item, *case.others]
    # the layout names the planner's guess, so the sketch draws a pictogram labelled with it
    objects = [{"name": case.drawn or case.guess, "position": "center", "size": "large"}]
    plan = plan_with(
        [gap], subject=case.request, checklist=checklist, objects=objects, text="", setting=""
    )
    reasoned = {"question": case.question, "answer": case.answer, "visible": case.answer}
    return [
        {"schema": "PlanDraft", "response": plan},
        {"schema": "Reasoned", "response": reasoned},
        {"schema": "Found", "response": {"found": True, "answer": case.answer, "passage": 1}},
        {"schema": "Composed", "response": {"prompt": case.prompt, "negative_prompt": ""}},
        {"schema": "Facts", "response": {"facts": []}},
    ]


@pytest.mark.parametrize("case", SCENARIOS, ids=[c.name for c in SCENARIOS])
def test_a_round_with_a_wrong_answer_fails(
    case: Wrong, home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    extra: dict[str, Any] = {"max_rounds": 1}
    if case.corpus:
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        (corpus / "club.md").write_text(case.corpus)
        extra["search"] = f"local:{corpus}"
    state = run(make_context(script(rules=rules(case)), tmp_path, **extra), case.request)
    (answer,) = state["answers"]
    assert answer["answer"] == case.answer  # the wrong answer was grounded and composed
    (round_,) = state["rounds"]
    verdicts = {v["item"]: v for v in round_["verdicts"]}
    failed = [v for v in round_["verdicts"] if not v["passed"]]
    assert failed, f"{case.name}: every item passed with a wrong answer"
    right = verdicts[case.right_item]
    assert not right["passed"], right
    assert case.why in right["reason"], right["reason"]
    assert "not judged" not in right["reason"]
    if case.name == "no guess":  # the sketch's label names the flower; the prompt does not
        assert "only the sketch's labels do: moonflower" in right["reason"]
    # the items the prompt does show still pass: the round fails on the wrong answer only
    assert all(verdicts[item]["passed"] for item in case.others), round_["verdicts"]
