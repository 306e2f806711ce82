"""Correcting a grounded answer and rerunning from compose, the way the web UI does it:
a state update written as the gap's grounding node on the checkpoint before compose, then
a run from the forked checkpoint. In-process graph, scripted model, real checkpointer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from graph.agent import build_graph
from tests.unit.test_graph import calls, make_context


@pytest.mark.parametrize("sequential", [False, True])
def test_a_corrected_answer_forks_the_thread_at_compose(
    home: Path, tmp_path: Path, script: Callable[..., str], sequential: bool
) -> None:
    corrected = {
        "schema": "Composed",
        "match": "red bean bun",
        "response": {"prompt": "A festive poster of a red bean bun", "negative_prompt": ""},
    }
    spec = script(first=[corrected])
    ctx = make_context(spec, tmp_path, sequential=sequential)
    app = build_graph(checkpointer=InMemorySaver(), store=InMemoryStore())
    config: Any = {"configurable": {"thread_id": "fork"}}
    app.invoke(
        {"request": "A poster of the pastry eaten at the autumn moon festival"}, config, context=ctx
    )
    first = app.get_state(config).values
    assert "mooncake" in first["final_prompt"]
    before = [s for s in app.get_state_history(config) if s.next == ("compose",)][-1]
    answer = {**first["answers"][0], "answer": "red bean bun", "provenance": "user"}
    forked = app.update_state(before.config, {"answers": [answer]}, as_node="reason")
    assert app.get_state(forked).next == ("compose",)
    assert app.get_state(forked).parent_config == before.config  # a fork, not a restart
    made = len(calls(spec))
    app.invoke(None, forked, context=ctx)
    rerun = {call["schema"] for call in calls(spec)[made:]}
    assert "Composed" in rerun and not rerun & {"PlanDraft", "Reasoned"}
    after = app.get_state(config).values
    assert "red bean bun" in after["final_prompt"]
    assert [a["answer"] for a in after["answers"]] == ["red bean bun"]
