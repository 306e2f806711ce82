"""Every model answer is cross-checked: the planner's guess, the reasoner's answer and an
independent sample. Agreement (synonyms too) stands; disagreement goes to search, else the
user, else the majority marked uncertain in the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore
from langgraph.types import Command

from graph.agent import build_graph
from nodes.reason.crosscheck import candidates, tally
from tests.conftest import plan_with
from tests.unit.test_graph import calls, make_context, run
from tools.agreement import groups, words_agree

REQUEST = "A stained-glass window of the bird that wakes the farm at dawn"
SAMPLE = "Asked another way"  # the independent sample's prompt says so


def bird_gap(guess: str) -> dict[str, Any]:
    return {
        "question": "Which bird wakes the farm at dawn?",
        "kind": "commonsense",
        "best_guess": guess,
    }


def reasoned(answer: str, **rule: Any) -> dict[str, Any]:
    return {
        "schema": "Reasoned",
        **rule,
        "response": {
            "question": "Which bird wakes a farm at dawn?",
            "answer": answer,
            "visible": f"a {answer}",
        },
    }


def bird_script(script: Callable[..., str], guess: str, answer: str, sample: str) -> str:
    return script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([bird_gap(guess)], text="")},
            reasoned(sample, match=SAMPLE),
            reasoned(answer),
        ]
    )


def farm_corpus(tmp_path: Path) -> str:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "farm.md").write_text(
        "# Farm birds at dawn\n\nOn a farm the rooster crows at first light and wakes the "
        "whole yard; its red comb and long tail feathers make it easy to spot.\n"
    )
    (corpus / "garden.md").write_text("# Garden tools\n\nA spade, a rake and a watering can.\n")
    return f"local:{corpus}"


def test_a_disagreement_is_settled_by_search(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    read = {"schema": "Found", "response": {"found": True, "answer": "the rooster", "passage": 1}}
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([bird_gap("owl")], text="")},
            reasoned("barn owl", match=SAMPLE),
            reasoned("sparrow"),
            read,
        ]
    )
    state = run(make_context(spec, tmp_path, search=farm_corpus(tmp_path)), REQUEST)
    (answer,) = state["answers"]
    assert answer["answer"] == "the rooster" and answer["provenance"] == "search"
    assert answer["crosscheck"]["decided_by"] == "search"
    assert answer["evidence"][0]["source"].startswith("farm.md")
    sources = [c["source"] for c in answer["crosscheck"]["candidates"]]
    assert sources == ["planner", "reasoner", "sample", "search"]
    assert set(answer["crosscheck"]["alternatives"]) == {"owl", "sparrow"}  # barn owl ~ owl
    assert not answer.get("uncertain")
    report = Path(state["report"]).read_text()
    assert "decided by search" in report and "WARNING" not in report


def test_a_disagreement_asks_the_user_with_the_candidates(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = bird_script(script, guess="owl", answer="sparrow", sample="rooster")
    ctx = make_context(spec, tmp_path, interactive=True)
    app = build_graph(checkpointer=InMemorySaver(), store=InMemoryStore())
    config: Any = {"configurable": {"thread_id": "cross"}}
    first = app.invoke({"request": REQUEST}, config, context=ctx)
    assert "__interrupt__" in first
    asked = app.get_state(config).interrupts[0].value
    assert asked["question"] == "Which bird wakes the farm at dawn?"
    assert asked["candidates"] == ["owl", "sparrow", "rooster"]
    app.invoke(Command(resume="a speckled hen"), config, context=ctx)
    state = app.get_state(config).values
    (answer,) = state["answers"]
    assert answer["answer"] == "a speckled hen" and answer["provenance"] == "user"
    assert answer["crosscheck"]["decided_by"] == "user" and not answer.get("uncertain")
    assert "speckled hen" in state["final_prompt"]


def test_a_disagreement_nothing_settles_is_the_majority_marked_uncertain(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = bird_script(script, guess="rooster", answer="a rooster", sample="owl")
    state = run(make_context(spec, tmp_path), REQUEST)  # no search, not interactive
    (answer,) = state["answers"]
    assert answer["answer"] == "a rooster" and answer["provenance"] == "model"
    assert answer["uncertain"] is True
    assert answer["crosscheck"]["decided_by"] == "majority"
    assert answer["crosscheck"]["alternatives"] == ["owl"]
    report = Path(state["report"]).read_text()
    assert "WARNING: uncertain answer" in report and "alternatives: 'owl'" in report
    assert "planner 'rooster' · reasoner 'a rooster' · sample 'owl'" in report


def test_when_the_planner_and_the_sample_outvote_the_reasoner_the_sample_says_what_shows(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = bird_script(script, guess="rooster", answer="owl", sample="cockerel rooster")
    state = run(make_context(spec, tmp_path), REQUEST)
    (answer,) = state["answers"]
    assert answer["answer"] == "rooster" and answer["crosscheck"]["decided_by"] == "majority"
    assert answer["crosscheck"]["alternatives"] == ["owl"]
    # the winning group's own call said what must be visible; the outvoted one did not count
    assert answer["detail"] == "a cockerel rooster"


def test_a_synonym_agrees_without_search(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    gap = {
        "question": "What do people sit on in a living room?",
        "kind": "commonsense",
        "best_guess": "couch",
    }
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([gap], text="")},
            reasoned("sofa"),
        ]
    )
    ctx = make_context(spec, tmp_path, search=farm_corpus(tmp_path))
    state = run(ctx, "A cosy living room with the seat people sink into after work")
    (answer,) = state["answers"]
    assert answer["answer"] == "sofa" and answer["provenance"] == "model"
    assert answer["crosscheck"]["agreed"] and answer["crosscheck"]["decided_by"] == "agreement"
    assert not answer.get("uncertain")
    assert "Found" not in [c["schema"] for c in calls(spec)]  # no search was needed


def test_without_a_best_guess_a_second_sample_is_taken_at_a_temperature(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = bird_script(script, guess="", answer="rooster", sample="rooster")
    state = run(make_context(spec, tmp_path), REQUEST)
    (answer,) = state["answers"]
    assert [c["source"] for c in answer["crosscheck"]["candidates"]] == [
        "reasoner",
        "sample",
        "sample",
    ]
    temperatures = sorted(c["temperature"] or 0 for c in calls(spec) if c["schema"] == "Reasoned")
    assert temperatures[0] == 0 and temperatures[-1] > 0 and len(temperatures) == 3


def test_answers_agree_by_words_or_meaning_and_group() -> None:
    assert words_agree("saffron threads", "Saffron")  # one holds the other
    assert words_agree("moon-cake", "mooncake")
    assert words_agree("boat racing", "a boat race")  # inflections fold alike
    assert not words_agree("owl", "rooster")
    assert groups(["couch", "sofa", "owl"]) == [[0, 1], [2]]  # by embedding
    assert groups(["owl", "rooster", "sparrow"]) == [[0], [1], [2]]


def test_a_sentence_is_normalised_to_its_answer_before_comparing() -> None:
    asked = "A crest with the bird of the marsh Which bird is on the crest?"
    cands = candidates("heron", "grey heron", ["The bird on the crest is a heron."], asked)
    assert [c["value"] for c in cands] == ["heron", "grey heron", "a heron"]
    assert tally(cands).agreed
    # no majority at all: the reasoner's answer stands, the others are the alternatives
    split = tally(candidates("owl", "rooster", ["sparrow"], asked))
    assert (split.agreed, split.value, split.alternatives) == (False, "rooster", ["owl", "sparrow"])


def test_a_sample_that_restates_the_request_casts_no_vote() -> None:
    asked = "A poster of the tall bird that wades in the marsh Which bird wades in the marsh?"
    cands = candidates("heron", "egret", ["The tall bird that wades in the marsh"], asked)
    assert [c["source"] for c in cands] == ["planner", "reasoner"]
    # the reasoner's own answer is always compared, a restatement or not
    kept = candidates("", "the tall bird", ["heron"], asked)
    assert [c["value"] for c in kept] == ["the tall bird", "heron"]
