"""The whole graph, run in-process with a scripted model, a test renderer and real stores."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore
from langgraph.types import Command

from graph.agent import build_graph
from nodes.context import Context
from tests.conftest import PLAN, plan_with

RENDERER = "py:tests.fakes.slow_renderer:SlowRenderer"


def make_context(spec: str, tmp_path: Path, **extra: Any) -> Context:
    defaults: dict[str, Any] = {
        "llm": spec,
        "renderer": RENDERER,
        "output_dir": str(tmp_path / "outputs"),
        "interactive": False,
        "width": 64,
        "height": 64,
        "search": "none",
    }
    return Context(**{**defaults, **extra})


def run(ctx: Context, request: str, *, store: Any = None, thread: str = "t1") -> dict[str, Any]:
    app = build_graph(checkpointer=InMemorySaver(), store=store or InMemoryStore())
    config: Any = {"configurable": {"thread_id": thread}}
    app.invoke({"request": request}, config, context=ctx)
    return dict(app.get_state(config).values)


def nodes_run(state: dict[str, Any]) -> list[str]:
    return [entry["node"] for entry in state["trace"]]


def calls(spec: str) -> list[dict[str, Any]]:
    path = Path(spec.split(":", 1)[1] + ".calls.jsonl")
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_fast_path_skips_grounding(home: Path, tmp_path: Path, script: Callable[..., str]) -> None:
    cats = ["Three cats are shown", "The cats are black", "The sofa is red"]
    plan = plan_with([], subject="three black cats on a red sofa", checklist=cats, text="")
    composed = {"prompt": "Three black cats on a red velvet sofa, photo", "negative_prompt": ""}
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan},
            {"schema": "Composed", "response": composed},
        ]
    )
    state = run(make_context(spec, tmp_path), "Three black cats on a red sofa")
    assert nodes_run(state) == [
        "plan",
        "compose",
        "precheck",
        "render",
        "evaluate",
        "remember",
        "report",
    ]
    assert state["answers"] == [] if "answers" in state else True
    assert Path(state["images"][0]).is_file()
    assert Path(state["report"]).is_file()


def test_each_route_reaches_its_node(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "fest.md").write_text(
        "# Lumen Festival\n\nThe Lumen Festival of Varnholt returns on 14 March this year.\n\n"
        "# Bakery\n\nThe Varnholt bakery sells rye bread.\n"
    )
    gaps = [
        {
            "question": "Which pastry is eaten at the Mid-Autumn Festival?",
            "kind": "commonsense",
            "best_guess": "mooncake",
        },
        {
            "question": "When is the Lumen Festival this year?",
            "kind": "dynamic_fact",
            "best_guess": "spring",
        },
        {
            "question": "What does the user's dog look like?",
            "kind": "personal",
            "best_guess": "a dog",
        },
        {
            "question": "Which colour should the banner be?",
            "kind": "ambiguous",
            "best_guess": "blue",
        },
    ]
    spec = script(first=[{"schema": "PlanDraft", "response": plan_with(gaps)}])
    from tools.memory_store import FaissStore

    store = FaissStore(tmp_path / "memory")
    store.put(
        ("users", "default", "profile"),
        "dog",
        {"fact": "The user's dog Rufus is a white poodle", "kind": "pet"},
    )
    ctx = make_context(spec, tmp_path, search=f"local:{corpus}")
    state = run(ctx, "My dog at this year's Lumen Festival with the Mid-Autumn pastry", store=store)
    by_route = {a["route"]: a for a in state["answers"]}
    assert set(by_route) == {"reason", "search", "memory", "ask_user"}
    assert {"reason", "search", "recall", "ask_user"} <= set(nodes_run(state))
    assert by_route["reason"]["answer"] == "mooncake"
    assert by_route["search"]["resolved"] and by_route["search"]["evidence"][0][
        "source"
    ].startswith("fest.md")
    assert "poodle" in by_route["memory"]["answer"]
    assert by_route["memory"]["evidence"][0]["source"].startswith("memory:profile/")
    # not interactive: the planner's best guess stands in, marked as assumed
    assert by_route["ask_user"]["provenance"] == "assumed"
    assert by_route["ask_user"]["answer"] == "blue" and not by_route["ask_user"]["resolved"]


def test_grounding_branches_run_in_parallel(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    gaps = [
        {"question": f"Question number {i}?", "kind": "commonsense", "best_guess": f"x{i}"}
        for i in range(3)
    ]
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with(gaps)},
            {
                "schema": "Reasoned",
                "delay": 0.6,
                "response": {"question": "q", "answer": "a", "visible": "b"},
            },
        ]
    )
    run(make_context(spec, tmp_path), "three implicit things")
    reasoned = [c for c in calls(spec) if c["schema"] == "Reasoned"]
    samples = [c for c in reasoned if "Asked another way" in c["text"]]
    assert len(reasoned) == 6 and len(samples) == 3  # each gap: its answer and one sample
    spans = [(c["start"], c["end"]) for c in reasoned]
    latest_start = max(start for start, _ in spans)
    earliest_end = min(end for _, end in spans)
    # the branches overlap, and within each the sample runs beside the answer
    assert latest_start < earliest_end, "the reason calls did not overlap in time"


def judged(*passes: bool) -> dict[str, Any]:
    return {
        "verdicts": [{"item": "x", "passed": p, "reason": "ok" if p else "missing"} for p in passes]
    }


# the default prompt names these items' words only in different clauses ("A festive poster:
# a freshly baked mooncake ..."): code leaves them to the judge model
OPEN_ITEMS = ["A festive mooncake", "A festive full moon", "A festive baked pastry"]
# the items' words are the request's or the answer's: their failures start new rounds
ASKING = "A festive poster of the baked Mid-Autumn pastry under a full moon"


def test_feedback_loop_fail_then_pass(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = script(
        first=[
            {
                "schema": "PlanDraft",
                "response": plan_with(PLAN["gaps"], checklist=OPEN_ITEMS, text=""),
            },
            {"schema": "Judged", "times": 1, "response": judged(True, False, True)},
            {"schema": "Judged", "response": judged(True, True, True)},
        ]
    )
    state = run(make_context(spec, tmp_path), ASKING)
    assert len(state["rounds"]) == 2
    assert state["best_round"] == 2
    assert all(v["passed"] for v in state["checklist"])
    composes = [c for c in calls(spec) if c["schema"] == "Composed"]
    assert len(composes) == 2
    assert state["rounds"][1]["seed"] != state["rounds"][0]["seed"]


def test_stops_at_max_rounds_and_keeps_best(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = script(
        first=[
            {
                "schema": "PlanDraft",
                "response": plan_with(PLAN["gaps"], checklist=OPEN_ITEMS, text=""),
            },
            {"schema": "Judged", "times": 1, "response": judged(True, False, False)},
            {"schema": "Judged", "times": 1, "response": judged(True, True, False)},
            {"schema": "Judged", "response": judged(False, False, False)},
        ]
    )
    state = run(make_context(spec, tmp_path, max_rounds=3), ASKING)
    assert len(state["rounds"]) == 3
    assert state["best_round"] == 2
    assert state["images"][0].endswith("round-2.png")
    # "A festive mooncake" names the answer already: compose adds no item for it
    assert [v["passed"] for v in state["checklist"]][:3] == [True, True, False]
    report = Path(state["report"]).read_text()
    assert "Round 2 (kept)" in report


def test_ask_user_interrupts_and_resumes(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    gaps = [
        {"question": "What is your bakery called?", "kind": "ambiguous", "best_guess": "Bakery"}
    ]
    spec = script(first=[{"schema": "PlanDraft", "response": plan_with(gaps)}])
    ctx = make_context(spec, tmp_path, interactive=True)
    app = build_graph(checkpointer=InMemorySaver(), store=InMemoryStore())
    config: Any = {"configurable": {"thread_id": "ask"}}
    first = app.invoke({"request": "A logo for the bakery"}, config, context=ctx)
    assert "__interrupt__" in first
    snapshot = app.get_state(config)
    assert snapshot.interrupts[0].value["question"] == "What is your bakery called?"
    assert snapshot.next == ("ask_user",)
    app.invoke(Command(resume="Crumb & Co"), config, context=ctx)
    state = app.get_state(config).values
    answer = state["answers"][0]
    assert (
        answer["answer"] == "Crumb & Co" and answer["provenance"] == "user" and answer["resolved"]
    )
    assert "Crumb & Co" in state["final_prompt"]


def test_state_is_json_serialisable(home: Path, tmp_path: Path, script: Callable[..., str]) -> None:
    state = run(make_context(script(), tmp_path), "A poster of the Mid-Autumn pastry")
    text = json.dumps(state)
    assert json.loads(text)["final_prompt"] == state["final_prompt"]


def test_malformed_json_is_repaired(home: Path, tmp_path: Path, script: Callable[..., str]) -> None:
    fenced = 'Sure! ```json\n{"question": "q", "answer": "mooncake", "visible": "a pastry",}\n```'
    spec = script(first=[{"schema": "Reasoned", "response": fenced}])
    state = run(make_context(spec, tmp_path), "A poster of the Mid-Autumn pastry")
    answer = state["answers"][0]
    assert answer["answer"] == "mooncake" and answer["resolved"] and answer["provenance"] == "model"
    # the answer and its cross-check sample, each repaired, neither retried
    assert [c["schema"] for c in calls(spec)].count("Reasoned") == 2


def test_planner_garbage_degrades_and_still_renders(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = script(first=[{"schema": "PlanDraft", "response": "I cannot do JSON, sorry"}])
    state = run(make_context(spec, tmp_path), 'A red kite over a green hill, text "Fly"')
    plan_calls = [c for c in calls(spec) if c["schema"] == "PlanDraft"]
    assert len(plan_calls) == 2  # one retry, then degrade
    assert state["plan"]["source"] == "fallback"
    assert state["plan"]["text_to_render"] == "Fly"
    assert any(e["node"] == "plan" for e in state["errors"])
    assert Path(state["images"][0]).is_file()
    assert "planner failed" in Path(state["report"]).read_text()


def test_retention_puts_back_a_dropped_answer(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = script(
        first=[
            {
                "schema": "Composed",
                "response": {"prompt": "A round pastry under the moon", "negative_prompt": ""},
            },
        ]
    )
    state = run(make_context(spec, tmp_path), "A poster of the Mid-Autumn pastry")
    assert "mooncake" in state["final_prompt"]
    retention = state["rounds"][0]["retention"]
    assert {"gap_id": "g1", "answer": "mooncake", "present": False, "repaired": True} in retention


@pytest.mark.parametrize("node", ["plan", "compose", "evaluate"])
def test_report_and_context_json_written(
    node: str, home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    checks = [*PLAN["checklist"], *OPEN_ITEMS[:2]]  # two items for the judge model
    spec = script(
        first=[{"schema": "PlanDraft", "response": plan_with(PLAN["gaps"], checklist=checks)}]
    )
    state = run(make_context(spec, tmp_path), "A poster of the Mid-Autumn pastry")
    folder = Path(state["report"]).parent
    data = json.loads((folder / "context.json").read_text())
    assert data["summary"]["run_id"] == state["run_id"] == "t1"
    assert node in data["summary"]["timings"]
    assert data["summary"]["model_calls"]["per_node"][node] == 1


def test_context_given_as_a_dict_is_honoured(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    """LangGraph Server passes the context as a plain dict."""
    ctx = make_context(script(), tmp_path, max_rounds=1, output_dir=str(tmp_path / "elsewhere"))
    app = build_graph(checkpointer=InMemorySaver(), store=InMemoryStore())
    config: Any = {"configurable": {"thread_id": "dict-ctx"}}
    app.invoke({"request": "A poster of the Mid-Autumn pastry"}, config, context=vars(ctx))
    state = app.get_state(config).values
    assert Path(state["images"][0]).is_relative_to(tmp_path / "elsewhere")


def test_a_stalled_loop_stops_early(home: Path, tmp_path: Path, script: Callable[..., str]) -> None:
    """Same prompt and same verdicts twice: a third attempt would change nothing."""
    spec = script(
        first=[
            {
                "schema": "PlanDraft",
                "response": plan_with(PLAN["gaps"], checklist=OPEN_ITEMS, text=""),
            },
            {"schema": "Judged", "response": judged(True, False, False)},
        ]
    )
    state = run(make_context(spec, tmp_path, max_rounds=3), ASKING)
    assert len(state["rounds"]) == 2
    assert state["best_round"] == 1


def test_an_item_only_the_planner_asked_for_starts_no_round(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    """A failed item whose words neither the request nor an answer says (the planner's own
    elaboration, "on a brick wall") is reported, marked, and does not cost another round;
    an item the request asks for still does."""
    checks = ["A mooncake is shown", "The poster is on a brick wall", "A festive full moon"]
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with(PLAN["gaps"], checklist=checks, text="")},
            {"schema": "Judged", "response": judged(False)},
        ]
    )
    state = run(make_context(spec, tmp_path, max_rounds=3), "A poster of the Mid-Autumn pastry")
    assert len(state["rounds"]) == 1
    verdicts = {v["item"]: v for v in state["checklist"]}
    assert verdicts["The poster is on a brick wall"]["passed"] is False
    assert verdicts["The poster is on a brick wall"]["asked"] is False
    assert verdicts["A mooncake is shown"]["asked"] is True  # the answer's word
    report = Path(state["report"]).read_text()
    assert "FAIL (planner's own detail: started no round)" in report
    again = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with(PLAN["gaps"], checklist=checks, text="")},
            {"schema": "Judged", "response": judged(False)},
        ]
    )
    asked = run(make_context(again, tmp_path, max_rounds=3), ASKING + " on a brick wall")
    assert len(asked["rounds"]) > 1


def test_items_the_context_names_pass_without_a_judge_call(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    checks = [
        "A mooncake is the main subject",
        "A full moon is shown",
        "Steam rises from it",
        "Nothing hides the moon",
    ]
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with(PLAN["gaps"], checklist=checks, text="")},
            {
                "schema": "Judged",
                "response": {
                    "verdicts": [{"item": checks[3], "passed": False, "reason": "a cloud hides it"}]
                },
            },
        ]
    )
    state = run(make_context(spec, tmp_path, max_rounds=1), "A poster of the Mid-Autumn pastry")
    verdicts = state["checklist"]
    assert [v["passed"] for v in verdicts] == [True, True, False, False]
    assert verdicts[0]["reason"] == "named by the prompt"
    assert verdicts[2]["reason"] == "the prompt does not name 'steam', 'rises'"
    assert verdicts[3]["reason"] == "a cloud hides it"
    judge_calls = [c for c in calls(spec) if c["schema"] == "Judged"]
    assert len(judge_calls) == 1  # one call, for the one item code could not decide


def test_a_search_answer_carries_its_cited_passage_to_compose(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "films.md").write_text(
        "# Golden Heron awards, this year\n\nThis year's Golden Heron for best picture went to "
        '"The Salt Orchard", a drama set in a lemon grove on the edge of a white salt flat.\n'
    )
    gap = {
        "question": "Which film won this year's Golden Heron for best picture?",
        "kind": "dynamic_fact",
        "best_guess": "a film",
    }
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([gap], text="")},
            {
                "schema": "Found",
                "response": {"found": True, "answer": "The Salt Orchard", "passage": 1},
            },
        ]
    )
    ctx = make_context(spec, tmp_path, search=f"local:{corpus}")
    state = run(ctx, "A poster of the film that won this year's Golden Heron for best picture")
    (answer,) = state["answers"]
    # the reader's short answer names the film; what the poster must show is in the passage
    assert answer["answer"] == "The Salt Orchard"
    assert "lemon grove on the edge of a white salt flat" in answer["detail"]
    assert not answer["detail"].startswith("#")
    composer = [c for c in calls(spec) if c["schema"] == "Composed"]
    assert composer and "lemon grove" in composer[0]["text"]
    # the answer is a constraint on the prompt: kept (or put back) in the final prompt
    assert "The Salt Orchard" in state["final_prompt"]
    assert state["rounds"][0]["retention"][0]["answer"] == "The Salt Orchard"


def test_answers_merge_by_gap_a_later_answer_replaces_the_earlier() -> None:
    from nodes.state import merge_answers, resolved

    first = resolved(
        {"id": "g1", "question": "Q1", "route": "reason"}, "alpha", [], provenance="model"
    )
    other = resolved(
        {"id": "g2", "question": "Q2", "route": "search"}, "beta", [], provenance="search"
    )
    fixed = resolved(
        {"id": "g1", "question": "Q1", "route": "reason"}, "gamma", [], provenance="user"
    )
    merged = merge_answers(merge_answers([], [first, other]), [fixed])
    assert [(a["gap_id"], a["answer"], a["provenance"]) for a in merged] == [
        ("g1", "gamma", "user"),
        ("g2", "beta", "search"),
    ]


def test_sequential_grounds_gaps_one_after_another(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    gaps = [
        {"question": f"Which kite is number {i}?", "kind": "commonsense", "best_guess": f"k{i}"}
        for i in range(3)
    ]
    reasoned = {"question": "q", "answer": "a", "visible": "b"}
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with(gaps)},
            {"schema": "Reasoned", "delay": 0.2, "response": reasoned},
        ]
    )
    state = run(make_context(spec, tmp_path, sequential=True), "three kites in a row")
    grounded = [e["gap_id"] for e in state["trace"] if e["node"] == "reason"]
    assert grounded == [g["id"] for g in state["plan"]["gaps"]]  # each once, in plan order
    assert len(state["answers"]) == 3
    reasoned_calls = [c for c in calls(spec) if c["schema"] == "Reasoned"]
    by_gap = [reasoned_calls[i : i + 2] for i in range(0, 6, 2)]
    for earlier, later in itertools.pairwise(by_gap):
        # a gap's calls start only once the gap before it has finished
        assert max(c["end"] for c in earlier) <= min(c["start"] for c in later)
