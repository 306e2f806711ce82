"""Personal context through the whole graph: profile updates, conversations, privacy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from graph.agent import build_graph
from nodes.context import Context
from tests.conftest import plan_with
from tools.memory_store import FaissStore

RENDERER = "py:tests.fakes.slow_renderer:SlowRenderer"
ROOT = Path(__file__).resolve().parents[2]


def ctx_for(spec: str, tmp_path: Path, **extra: Any) -> Context:
    base: dict[str, Any] = {
        "llm": spec,
        "renderer": RENDERER,
        "interactive": False,
        "output_dir": str(tmp_path / "out"),
        "width": 64,
        "height": 64,
        "max_rounds": 1,
    }
    return Context(**{**base, **extra})


def turn(store: FaissStore, ctx: Context, request: str, user: str, run_id: str) -> dict[str, Any]:
    app = build_graph(checkpointer=InMemorySaver(), store=store)
    config: Any = {"configurable": {"thread_id": run_id}}
    app.invoke({"request": request, "user_id": user}, config, context=ctx)
    return dict(app.get_state(config).values)


def facts(*items: tuple[str, str, str]) -> dict[str, Any]:
    return {"facts": [{"words": w, "slot": s, "value": v} for w, s, v in items]}


def calls(spec: str) -> list[dict[str, Any]]:
    path = Path(spec.split(":", 1)[1] + ".calls.jsonl")
    return [json.loads(line) for line in path.read_text().splitlines()]


def profile(store: FaissStore, user: str) -> dict[str, str]:
    return {i.key: i.value["fact"] for i in store.search(("users", user, "profile"), limit=50)}


def test_a_later_statement_replaces_a_contradicting_one(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    store = FaissStore(tmp_path / "mem")
    spec = script(
        first=[
            {
                "schema": "Facts",
                "match": "oil painting",
                "response": facts(
                    ("I like oil painting", "style", "oil painting"),
                    ("my dog Rufus is a white poodle", "pet", "Rufus, a white poodle"),
                ),
            },
            {
                "schema": "Facts",
                "match": "watercolour",
                "response": facts(("I've switched to watercolour", "style", "watercolour")),
            },
        ]
    )
    ctx = ctx_for(spec, tmp_path)
    request = "I like oil painting and my dog Rufus is a white poodle; draw him in the park"
    turn(store, ctx, request, "ana", "r1")
    assert profile(store, "ana") == {
        "style": "The user's preferred style: oil painting",
        "pet:rufus": "The user's pet: Rufus, a white poodle",
    }
    turn(store, ctx, "I've switched to watercolour. A lighthouse at dawn", "ana", "r2")
    assert profile(store, "ana") == {
        "style": "The user's preferred style: watercolour",
        "pet:rufus": "The user's pet: Rufus, a white poodle",
    }


def test_a_restatement_of_the_same_thing_keeps_one_item(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    store = FaissStore(tmp_path / "mem")
    spec = script(
        first=[
            {
                "schema": "Facts",
                "times": 1,
                "response": facts(
                    ("My dog Rufus is a white poodle", "pet", "Rufus, a white poodle")
                ),
            },
            {
                "schema": "Facts",
                "response": facts(
                    ("I have a white poodle called Rufus", "pet", "a white poodle called Rufus")
                ),
            },
        ]
    )
    ctx = ctx_for(spec, tmp_path)
    turn(store, ctx, "My dog Rufus is a white poodle, draw him", "ana", "r1")
    turn(store, ctx, "I have a white poodle called Rufus; draw him asleep", "ana", "r2")
    assert list(profile(store, "ana").values()) == ["The user's pet: Rufus, a white poodle"]


def test_profile_extraction_sees_only_the_users_words(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "news.md").write_text("# Weather\n\nVarnholt expects heavy snow this week.\n")
    gaps = [
        {
            "question": "What is the weather in Varnholt this week?",
            "kind": "dynamic_fact",
            "best_guess": "sun",
        }
    ]
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with(gaps)},
            {"schema": "Found", "response": {"found": True, "answer": "heavy snow", "passage": 1}},
        ]
    )
    store = FaissStore(tmp_path / "mem")
    ctx = ctx_for(spec, tmp_path, search=f"local:{corpus}")
    state = turn(store, ctx, "I love snow globes. This week's weather in Varnholt", "ana", "r1")
    assert state["answers"][0]["answer"] == "heavy snow"
    extraction = [c for c in calls(spec) if c["schema"] == "Facts"]
    assert len(extraction) == 1
    assert "heavy snow" not in extraction[0]["text"]
    assert "I love snow globes" in extraction[0]["text"]


def test_conversation_follow_ups_resolve_to_earlier_turns(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    fox = "a red fox wearing a blue scarf"
    spec = script(
        first=[
            {
                "schema": "PlanDraft",
                "match": "snowy forest",
                "response": plan_with([], subject=fox),
            },
            {
                "schema": "PlanDraft",
                "response": plan_with(
                    [
                        {
                            "question": "Which character was drawn before?",
                            "kind": "personal",
                            "best_guess": "a character",
                        }
                    ],
                    subject="the same character at night",
                ),
            },
            {
                "schema": "Composed",
                "match": "snowy forest",
                "response": {
                    "prompt": "A red fox wearing a blue scarf in a snowy forest",
                    "negative_prompt": "",
                },
            },
        ]
    )
    store = FaissStore(tmp_path / "mem")
    ctx = ctx_for(spec, tmp_path, conversation="c1")
    turn(store, ctx, "A red fox wearing a blue scarf in a snowy forest", "ana", "t1")
    # another conversation of the same user must not leak into c1
    turn(store, ctx_for(spec, tmp_path, conversation="c2"), "A purple owl on a roof", "ana", "x1")
    second = turn(store, ctx, "Same character as before, now at night", "ana", "t2")
    answer = second["answers"][0]
    assert answer["route"] == "memory" and answer["resolved"]
    assert fox in answer["answer"]
    assert answer["evidence"][0]["source"] == "memory:history/t1"
    assert "snowy forest" in answer["detail"]
    assert all("owl" not in e["quote"] for e in answer["evidence"])
    plans = [c for c in calls(spec) if c["schema"] == "PlanDraft"]
    assert 'Earlier turn: "A red fox wearing a blue scarf' in plans[-1]["text"]  # quoted data
    assert "owl" not in plans[-1]["text"]
    third = turn(store, ctx, "And now make the same fox sleep", "ana", "t3")
    assert len(third["earlier"]) == 2  # bounded: not every earlier turn
    assert all(len(t["prompt"]) <= 240 for t in third["earlier"])
    assert "## Earlier turns the planner saw" in Path(third["report"]).read_text()


def test_two_users_with_similar_memories_stay_apart(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    store = FaissStore(tmp_path / "mem")
    store.put(("users", "ana", "profile"), "pet:dog", {"fact": "The user's dog is a white poodle"})
    store.put(
        ("users", "ben", "profile"), "pet:dog", {"fact": "The user's dog is a black labrador"}
    )
    gaps = [
        {
            "question": "What does the user's dog look like?",
            "kind": "personal",
            "best_guess": "a dog",
        }
    ]
    spec = script(first=[{"schema": "PlanDraft", "response": plan_with(gaps)}])
    for user, mine, theirs in (("ana", "poodle", "labrador"), ("ben", "labrador", "poodle")):
        state = turn(store, ctx_for(spec, tmp_path), "My dog at the beach", user, f"r-{user}")
        answer = state["answers"][0]
        assert mine in answer["answer"] and theirs not in answer["answer"]
        assert theirs not in json.dumps(state)


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IMAGE_AGENT_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "graph.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_memory_show_and_forget_across_processes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = FaissStore(home / "memory")
    store.put(("users", "ana", "profile"), "pet:dog", {"fact": "The user's dog is a white poodle"})
    store.put(("users", "ana", "profile"), "preference:colour", {"fact": "The user likes teal"})
    store.put(("users", "bob", "profile"), "pet:dog", {"fact": "The user's dog is a labrador"})
    store.close()
    shown = json.loads(cli(home, "memory", "show", "--user", "ana", "--json").stdout)
    assert {e["id"] for e in shown} == {"profile/pet:dog", "profile/preference:colour"}
    out = cli(home, "memory", "forget", "--user", "ana", "--item", "profile/pet:dog")
    assert out.returncode == 0, out.stderr
    reopened = FaissStore(home / "memory")
    hits = reopened.search(("users", "ana"), query="poodle dog", limit=5)
    assert [h.key for h in hits] == ["preference:colour"]
    assert reopened.search(("users", "bob"), query="dog", limit=5)[0].key == "pet:dog"
    assert cli(home, "memory", "forget", "--user", "ana").returncode == 0
    assert FaissStore(home / "memory").search(("users", "ana"), query="teal", limit=5) == []
    bad = cli(home, "memory", "forget", "--user", "ana", "--item", "profile/nope")
    assert bad.returncode == 2 and "no memory item" in bad.stderr
    assert cli(home, "memory", "show", "--user", "../x").returncode == 2


@pytest.mark.parametrize("user", ["a b", "x" * 65, "../etc"])
def test_bad_user_ids_are_rejected_by_the_graph(
    user: str, home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    store = FaissStore(tmp_path / "mem")
    with pytest.raises(ValueError, match="user id"):
        turn(store, ctx_for(script(), tmp_path), "a cat", user, "r1")


def test_compose_uses_standing_preferences_not_every_fact(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    store = FaissStore(tmp_path / "mem")
    store.put(
        ("users", "ana", "profile"),
        "pet:dog",
        {"fact": "The user's dog Rufus is a white poodle", "kind": "pet"},
    )
    store.put(
        ("users", "ana", "profile"),
        "preference:art-style",
        {"fact": "The user likes watercolour", "kind": "preference"},
    )
    spec = script(first=[{"schema": "PlanDraft", "response": plan_with([])}])
    turn(store, ctx_for(spec, tmp_path), "A sailboat on a lake", "ana", "r1")
    composed = next(c for c in calls(spec) if c["schema"] == "Composed")["text"]
    assert "watercolour" in composed and "poodle" not in composed


def test_usual_style_comes_from_the_profile_not_from_past_pictures(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    store = FaissStore(tmp_path / "mem")
    put = store.put
    put(
        ("users", "ana", "profile"),
        "preference:art-style",
        {"fact": "The user likes watercolour", "topic": "art style", "kind": "preference"},
    )
    put(
        ("users", "ana", "profile"),
        "pet:dog",
        {"fact": "The user's dog Rufus is a white poodle", "topic": "dog", "kind": "pet"},
    )
    put(
        ("users", "ana", "history"),
        "old1",
        {"request": "Draw a lighthouse", "subject": "a lighthouse", "final_prompt": "A lighthouse"},
    )
    gaps = [
        {
            "question": "What is the user's usual art style?",
            "kind": "personal",
            "best_guess": "illustration",
        },
        {
            "question": "What does the user's dog look like?",
            "kind": "personal",
            "best_guess": "a dog",
        },
    ]
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with(gaps)},
            {
                "schema": "Facts",
                "response": facts(("My dog on a beach", "like", "dog on a beach")),
            },
        ]
    )
    state = turn(
        store, ctx_for(spec, tmp_path), "My dog on a beach, in my usual style", "ana", "r1"
    )
    by_gap = {a["gap_id"]: a for a in state["answers"]}
    style, dog = by_gap["g1"], by_gap["g2"]
    assert style["answer"].startswith("The user likes watercolour")
    assert "poodle" in dog["answer"]
    assert all("lighthouse" not in a["answer"] for a in state["answers"])
    assert set(profile(store, "ana")) == {"preference:art-style", "pet:dog"}  # no new fact
