"""Faults at Tavily (its /search wire format on a loopback server): down, slow, 429, 500
and malformed JSON. A single fault is retried (bounded, with backoff) and the search
answers; a fault that lasts leaves the gap unresolved with the planner's best guess, and
the report's gap says that search failed and why. The run itself always finishes."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from graph.agent import build_graph
from nodes.context import Context
from tests.conftest import plan_with
from tests.fakes.loopback import Loopback, serve, tavily_routes
from tests.reliability.harness import RENDERER

SEARCH = "/search"
GAP = {
    "question": "When does the Lantern Walk of Oskarby take place this year?",
    "kind": "dynamic_fact",
    "best_guess": "late autumn",
}
RESULTS = [
    {
        "title": "Oskarby Lantern Walk",
        "url": "https://example.org/oskarby/lanterns",
        "content": "The Oskarby Lantern Walk takes place on 9 November this year.",
        "score": 0.9,
    }
]
FOUND = {"schema": "Found", "response": {"found": True, "answer": "9 November", "passage": 1}}
FAULTS = ["500", "429:0", "malformed", "timeout:3"]


@pytest.fixture
def tavily(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Loopback]:
    with serve(tavily_routes(RESULTS, [])) as server:
        monkeypatch.setenv("TAVILY_API_KEY", "tvly-test-key")
        monkeypatch.setenv("TAVILY_BASE_URL", server.url)
        monkeypatch.setenv("IMAGE_AGENT_SEARCH_TIMEOUT", "1")
        yield server


def run(spec: str, tmp_path: Path) -> dict[str, Any]:
    ctx = Context(
        llm=spec,
        renderer=RENDERER,
        search="tavily",
        output_dir=str(tmp_path / "outputs"),
        interactive=False,
        width=64,
        height=64,
        max_rounds=1,
    )
    app = build_graph(checkpointer=InMemorySaver(), store=InMemoryStore())
    config: Any = {"configurable": {"thread_id": "t1"}}
    app.invoke({"request": "The Oskarby Lantern Walk this year, as a poster"}, config, context=ctx)
    return dict(app.get_state(config).values)


def search_answer(state: dict[str, Any]) -> dict[str, Any]:
    [answer] = [a for a in state["answers"] if a["route"] == "search"]
    return answer


@pytest.fixture
def spec(script: Callable[..., str]) -> str:
    return str(script(first=[{"schema": "PlanDraft", "response": plan_with([GAP])}, FOUND]))


@pytest.mark.parametrize("mode", FAULTS)
def test_one_fault_is_retried_and_the_search_answers(
    tavily: Loopback, spec: str, tmp_path: Path, mode: str
) -> None:
    tavily.fail(SEARCH, mode)
    answer = search_answer(run(spec, tmp_path))
    assert answer["resolved"] and answer["answer"] == "9 November", answer
    # the keyword query, failed then retried; one result, so the question as asked too
    assert len(tavily.calls(SEARCH)) == 3


@pytest.mark.parametrize("mode", FAULTS)
def test_a_lasting_fault_leaves_the_gap_to_the_best_guess_and_the_report_says_why(
    tavily: Loopback, spec: str, tmp_path: Path, mode: str
) -> None:
    tavily.fail(SEARCH, mode, times=50)
    state = run(spec, tmp_path)
    answer = search_answer(state)
    assert not answer["resolved"] and answer["provenance"] == "assumed"
    assert answer["answer"] == GAP["best_guess"]
    assert answer["note"].startswith("search failed: tavily search failed after 3 attempt(s)")
    assert len(tavily.calls(SEARCH)) == 3  # bounded: the first try and two retries
    report = Path(state["report"]).read_text(encoding="utf-8")
    assert f"Note: {answer['note']}" in report
    assert Path(state["images"][0]).is_file()  # the run went on


def test_tavily_down_leaves_the_gap_to_the_best_guess(
    spec: str, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TAVILY_API_KEY", "tvly-test-key")
    monkeypatch.setenv("TAVILY_BASE_URL", f"http://127.0.0.1:{port}")
    answer = search_answer(run(spec, tmp_path))
    assert not answer["resolved"] and answer["answer"] == GAP["best_guess"]
    assert "cannot connect" in answer["note"]
