"""`image-agent bench`: scoring arithmetic, the case and WISE readers, baseline, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks import runner
from benchmarks.case_file import SUBTASKS, read_cases
from benchmarks.scoring import aggregate, case_score, context_checks, ia_score, route_scores
from benchmarks.wise import read_wise, wise_aggregate
from graph.cli import main
from tests.conftest import default_rules, plan_with
from tools.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
RENDERER = "py:tests.fakes.slow_renderer:SlowRenderer"


def verdicts(*passed: bool) -> list[dict[str, Any]]:
    return [{"item": f"i{k}", "passed": p, "reason": ""} for k, p in enumerate(passed)]


def row(cap: str, sub: str, agent: list[bool], base: list[bool] | None = None, **extra: Any) -> Any:
    out: dict[str, Any] = {"id": f"{cap}-{sub}", "capability": cap, "subtask": sub, **extra}
    out["agent"] = {"verdicts": verdicts(*agent), **extra.pop("agent_extra", {})}
    if base is not None:
        out["baseline"] = {"verdicts": verdicts(*base)}
    return out


# ---- scoring arithmetic -------------------------------------------------------------


def test_case_score_pr_is_all_items_ca_is_share() -> None:
    assert case_score(verdicts(True, True, True)) == (1.0, 1.0)
    assert case_score(verdicts(True, False, True, True)) == (0.0, 0.75)
    assert case_score([]) == (0.0, 0.0)


def test_aggregate_subtask_capability_overall_and_ia_score() -> None:
    results = [
        row("plan", "composition", [True, True], [True, False]),
        row("plan", "enumeration", [True, False], [False, False]),
        row("reason", "math", [True], [False]),
        row("reason", "math", [True, True, True, False], [False]),
        row("search", "stock", [False, True], [False, False]),
        row("memory", "user profile", [True, True], [True, True]),
    ]
    agent = aggregate(results, "agent")
    assert agent["subtask"]["plan/composition"] == {"n": 1, "pr": 1.0, "ca": 1.0}
    assert agent["subtask"]["reason/math"] == {"n": 2, "pr": 0.5, "ca": pytest.approx(0.875)}
    assert agent["capability"]["plan"] == {"n": 2, "pr": 0.5, "ca": 0.75}
    assert agent["capability"]["reason"]["pr"] == 0.5
    assert agent["capability"]["search"] == {"n": 1, "pr": 0.0, "ca": 0.5}
    assert agent["overall"]["n"] == 6
    assert agent["overall"]["pr"] == pytest.approx(3 / 6)
    # 0.3 * plan 0.5 + 0.3 * reason 0.5 + 0.3 * search 0 + 0.1 * memory 1
    assert agent["ia_score"] == pytest.approx(0.4)
    base = aggregate(results, "baseline")
    assert base["ia_score"] == pytest.approx(0.1)
    assert list(agent["subtask"]) == [
        "plan/composition",
        "plan/enumeration",
        "reason/math",
        "search/stock",
        "memory/user profile",
    ]


def test_ia_score_weights_and_missing_capability() -> None:
    full = {"plan": 1.0, "reason": 0.0, "search": 0.0, "memory": 0.0}
    assert ia_score(full) == pytest.approx(0.3)
    assert ia_score({**full, "memory": 1.0, "plan": 0.0}) == pytest.approx(0.1)
    assert ia_score({"plan": 1.0, "reason": 1.0, "search": 1.0}) is None


def test_route_precision_recall_exact() -> None:
    def routed(planned: list[str], expected: list[str]) -> Any:
        return {"agent": {"routes": planned}, "expected_routes": expected}

    results = [
        routed(["reason"], ["reason"]),  # tp 1
        routed(["reason", "search"], ["search"]),  # tp 1, one extra
        routed([], ["memory"]),  # one missed
        routed([], []),  # exact, nothing to find
    ]
    scores = route_scores(results)
    assert scores["precision"] == pytest.approx(2 / 3)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["exact"] == pytest.approx(2 / 4)


def test_wise_category_weights() -> None:
    def wise(cat: str, passed: bool) -> Any:
        return {"category": cat, "agent": {"verdicts": verdicts(passed)}}

    results = [wise("Cultural", True), wise("Cultural", False), wise("Time", True)]
    for cat in ("Space", "Biology", "Physics", "Chemistry"):
        results.append(wise(cat, False))
    out = wise_aggregate(results, "agent")
    assert out["category"]["Cultural"] == {"n": 2, "score": 0.5}
    assert out["complete"]
    # 0.4 * 0.5 + 0.167 * 1 over the weights' sum (1.0)
    assert out["weighted"] == pytest.approx(0.4 * 0.5 + 0.167)
    assert out["unweighted"] == pytest.approx(2 / 7)
    partial = wise_aggregate(results[:3], "agent")
    assert not partial["complete"]
    assert partial["weighted"] == pytest.approx((0.4 * 0.5 + 0.167) / 0.567)


# ---- the package's place ------------------------------------------------------------


def test_nothing_below_the_bench_imports_it() -> None:
    """benchmarks/ sits above graph/: graph, nodes, tools and renderers never import it, not
    even inside a function; the CLI finds `bench` through its entry point instead."""
    import ast
    import tomllib

    offenders = []
    for package in ("graph", "nodes", "tools", "renderers"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module]
                offenders += [
                    f"{path.relative_to(ROOT)}:{node.lineno}"
                    for name in names
                    if name.split(".")[0] == "benchmarks"
                ]
    assert offenders == []
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"]["image_agent.commands"] == {
        "bench": "benchmarks.cli:register",
        "profile-bench": "benchmarks.profile_bench:register",
    }


# ---- readers ------------------------------------------------------------------------


def case_line(**overrides: Any) -> str:
    case = {
        "id": "c1",
        "capability": "reason",
        "subtask": "math",
        "user": "u1",
        "turns": [],
        "prompt": "A cake with three times four candles",
        "expected_routes": ["reason"],
        "checklist": ["12 candles"],
        **overrides,
    }
    return json.dumps({k: v for k, v in case.items() if v is not None})


def test_case_reader_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"

    def error(*lines: str) -> str:
        path.write_text("\n".join(lines) + "\n")
        with pytest.raises(UserError) as caught:
            read_cases(path)
        return str(caught.value)

    message = error(case_line(), "", '{"id": "c2", "capability": ')
    assert f"{path}:3: not valid JSON" in message
    message = error("# a comment", case_line(checklist=None, prompt=None))
    assert ":2: missing field(s) prompt, checklist" in message
    message = error(case_line(capability="vision"))
    assert ":1: unknown capability 'vision'" in message
    assert "\n" not in message
    assert "unknown route(s) web" in error(case_line(expected_routes=["web"]))
    assert "duplicate id 'c1'" in error(case_line(), case_line())
    assert "'checklist' is empty" in error(case_line(checklist=[]))
    assert "id '../x'" in error(case_line(id="../x"))


def test_project_cases_cover_every_subtask_three_times() -> None:
    cases = read_cases(ROOT / "benchmarks" / "cases")
    counts = Counter((c["capability"], c["subtask"]) for c in cases)
    for cap, subs in SUBTASKS.items():
        for sub in subs:
            assert counts[(cap, sub)] >= 3, (cap, sub)
    # the first 17 lines hold one case of every subtask (so --limit 17 is representative)
    assert len({(c["capability"], c["subtask"]) for c in cases[:17]}) == 17
    corpus = ROOT / "benchmarks" / "corpus"
    assert any("near_miss" in p.name for p in corpus.glob("*.md"))


def test_wise_reader_json_and_jsonl(tmp_path: Path) -> None:
    items = [
        {
            "Prompt": "The bird on the coat of arms of a made-up land",
            "Explanation": "This refers to a golden eagle",
            "Category": "Cultural knowledge",
            "Subcategory": "Animal",
            "prompt_id": 7,
        },
        {
            "Prompt": "Ice cream left in the sun for an hour",
            "Explanation": "The ice cream is melted into a puddle",
            "Category": "Physical Knowledge",
            "Subcategory": "Thermodynamics",
            "prompt_id": 8,
        },
    ]
    as_json = tmp_path / "merge.json"
    as_json.write_text(json.dumps(items, indent=2))
    as_jsonl = tmp_path / "wise.jsonl"
    as_jsonl.write_text("\n".join(json.dumps(i) for i in items) + "\n")
    for path in (as_json, as_jsonl):
        read = read_wise(path)
        assert [(c["id"], c["category"]) for c in read] == [
            ("wise-7", "Cultural"),
            ("wise-8", "Physics"),
        ]
        assert read[1]["explanation"].startswith("The ice cream")
    as_jsonl.write_text(json.dumps(items[0]) + "\n" + json.dumps({"Prompt": "x"}) + "\n")
    with pytest.raises(UserError, match=r"wise.jsonl:2: missing field\(s\) Explanation"):
        read_wise(as_jsonl)
    as_jsonl.write_text(json.dumps({**items[0], "Category": "Music"}) + "\n")
    with pytest.raises(UserError, match="unknown WISE category 'Music'"):
        read_wise(as_jsonl)


# ---- whole benches, scripted model and the test renderer -----------------------------

APPLE_CASE = {
    "id": "newton",
    "capability": "reason",
    "subtask": "commonsense",
    "user": "u1",
    "turns": [],
    "prompt": "The fruit that fell on Newton's head",
    "expected_routes": ["reason"],
    "checklist": ["A red apple", "A tree"],
}


def rules(composed: str, extra: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The default script, composing `composed`; the bench judge finds nothing else."""
    out = [
        {"schema": "Composed", "response": {"prompt": composed, "negative_prompt": ""}},
        *(extra or []),
        {"schema": "ItemJudged", "response": {"quote": "", "passed": False}},
    ]
    return out + default_rules()


def bench_args(spec: str, out: Path, *extra: str) -> list[str]:
    return [
        "--llm",
        spec,
        "--renderer",
        RENDERER,
        "--max-rounds",
        "1",
        "--out",
        str(out),
        *extra,
    ]


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_AGENT_WIDTH", "64")
    monkeypatch.setenv("IMAGE_AGENT_HEIGHT", "64")
    monkeypatch.setenv("IMAGE_AGENT_SEARCH", "none")


def test_agent_and_direct_side_by_side(
    home: Path, tmp_path: Path, small: None, script: Callable[..., str]
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(APPLE_CASE) + "\n")
    # a judge that would claim the tree is there is never asked: the prompt names no tree
    fruit = {
        "question": "Which fruit fell on Newton's head?",
        "kind": "commonsense",
        "best_guess": "apple",
    }
    said = {"question": "Which fruit fell?", "answer": "a red apple", "visible": "an apple"}
    spec = script(
        first=rules(
            "A red apple falling on a sleeping man",
            [
                {"schema": "PlanDraft", "response": plan_with([fruit])},
                {"schema": "Reasoned", "response": said},
                {
                    "schema": "ItemJudged",
                    "match": "Item: A tree",
                    "response": {"quote": "oak tree", "passed": True},
                },
            ],
        )
    )
    out = tmp_path / "out"
    assert main(["bench", str(cases), *bench_args(spec, out, "--baseline", "direct")]) == 0
    record = json.loads((out / "results.jsonl").read_text())
    agent, base = record["agent"], record["baseline"]
    assert record["judge_mode"] == "context-level"
    assert agent["final_prompt"].startswith("A red apple")
    assert agent["routes"] == ["reason"]
    assert [v["passed"] for v in agent["verdicts"]] == [True, False]
    assert agent["verdicts"][1]["reason"] == "code: the prompt does not name 'tree'"
    assert base["final_prompt"] == APPLE_CASE["prompt"]
    assert Path(base["images"][0]).is_file()
    assert [v["passed"] for v in base["verdicts"]] == [False, False]
    # the raw request names neither an apple nor a tree: code fails both, no judge call
    assert base["model_calls"] == 0 and base["judge_calls"] == 0
    summary = (out / "summary.md").read_text()
    assert "context-level" in summary and "| PR % | 0.0 | 0.0 |" in summary
    assert "| CA % | 50.0 | 0.0 |" in summary
    assert "| reason/commonsense | 1 | 0.0 | 0.0 | 50.0 | 0.0 |" in summary
    info = json.loads((out / "summary.json").read_text())
    assert info["agent"]["capability"]["reason"]["ca"] == 0.5
    assert info["baseline"]["overall"]["ca"] == 0.0
    assert info["routes"]["exact"] == 1.0
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert agent["retention"]["resolved"] == 1 and agent["retention"]["lost"] == []
    assert info["context_checks"]["retention"] == 1.0
    assert "## Context checks (agent, deterministic)" in summary


def memory_cases(folder: Path) -> Path:
    """Two memory cases: the first replays an earlier turn, the second has none."""
    first = {**APPLE_CASE, "id": "m1", "capability": "memory", "subtask": "conversation history"}
    first["turns"] = ["A copper robot gardener"]
    first["prompt"] = "The same robot at night"
    second = {**first, "id": "m2", "turns": []}
    cases = folder / "cases.jsonl"
    cases.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n")
    return cases


def test_turns_replayed_with_fresh_memory_per_case(
    home: Path, tmp_path: Path, small: None, script: Callable[..., str]
) -> None:
    cases = memory_cases(tmp_path)
    spec = script(first=rules("A robot at night"))
    out = tmp_path / "out"
    assert main(["bench", str(cases), *bench_args(spec, out)]) == 0
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in lines] == ["m1", "m2"]
    assert lines[0]["agent"]["turns_wall_s"] > 0 and lines[1]["agent"]["turns_wall_s"] == 0
    from tools.memory_store import FaissStore

    for case_id, turns in (("m1", 2), ("m2", 1)):
        store = FaissStore(out / "memory" / case_id)
        history = store.search(("users", "u1", "history"), limit=10)
        store.close()
        assert len(history) == turns  # the turns replayed, then the prompt; nothing else
        assert {item.value["conversation"] for item in history} == {case_id}


def test_interrupted_bench_resumes_without_rerunning(
    home: Path, tmp_path: Path, small: None, script: Callable[..., str], monkeypatch: Any
) -> None:
    cases = tmp_path / "cases.jsonl"
    ids = ["a", "b", "c"]
    cases.write_text("".join(json.dumps({**APPLE_CASE, "id": i}) + "\n" for i in ids))
    spec = script(first=rules("A red apple on a tree"))
    out = tmp_path / "out"
    ran: list[str] = []
    stopped: list[str] = []
    real = runner.run_case

    def stop_at_b(config: Any, case: Any) -> Any:
        if case["id"] == "b" and not stopped:
            stopped.append("b")
            raise KeyboardInterrupt
        ran.append(case["id"])
        return real(config, case)

    monkeypatch.setattr(runner, "run_case", stop_at_b)
    assert main(["bench", str(cases), *bench_args(spec, out)]) == 130
    assert ran == ["a"]
    assert [json.loads(x)["id"] for x in (out / "results.jsonl").read_text().splitlines()] == ["a"]
    # without --resume the folder is refused rather than overwritten
    assert main(["bench", str(cases), *bench_args(spec, out)]) == 2
    # another judge cannot be mixed into the same results
    other = script(first=rules("A red apple on a tree"))
    assert main(["bench", str(cases), *bench_args(spec, out, "--judge", other, "--resume")]) == 2
    ran.clear()
    assert main(["bench", str(cases), *bench_args(spec, out, "--resume")]) == 0
    assert ran == ["b", "c"]
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in lines] == ["a", "b", "c"]
    assert json.loads((out / "summary.json").read_text())["cases"] == 3


def test_killed_bench_resumes_in_a_new_process(tmp_path: Path, script: Callable[..., str]) -> None:
    cases = tmp_path / "cases.jsonl"
    ids = ["k1", "k2", "k3"]
    cases.write_text("".join(json.dumps({**APPLE_CASE, "id": i}) + "\n" for i in ids))
    spec = script(first=rules("A red apple on a tree"))
    out = tmp_path / "out"
    log = tmp_path / "render.log"
    env = {
        **os.environ,
        "IMAGE_AGENT_HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(ROOT),
        "IMAGE_AGENT_WIDTH": "64",
        "IMAGE_AGENT_HEIGHT": "64",
        "IMAGE_AGENT_SEARCH": "none",
        "IMAGE_AGENT_TEST_RENDER_LOG": str(log),
        "IMAGE_AGENT_TEST_RENDER_DELAY": "1.5",
    }
    command = [sys.executable, "-m", "graph.cli", "bench", str(cases), *bench_args(spec, out)]
    proc = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    results = out / "results.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and not (results.is_file() and results.read_text().strip()):
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    finished = [json.loads(x)["id"] for x in results.read_text().splitlines()]
    assert finished and finished == ids[: len(finished)] and len(finished) < 3
    renders_before = len(log.read_text().splitlines())
    env["IMAGE_AGENT_TEST_RENDER_DELAY"] = "0"
    done = subprocess.run(
        [*command, "--resume"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert f"resuming: {len(finished)} case(s) already done" in done.stderr
    lines = [json.loads(x) for x in results.read_text().splitlines()]
    assert [r["id"] for r in lines] == ids
    renders_after = len(log.read_text().splitlines()) - renders_before
    assert renders_after == 3 - len(finished)  # one render per case left (max rounds 1)


def test_wise_bench_judges_the_explanation(
    home: Path, tmp_path: Path, small: None, script: Callable[..., str]
) -> None:
    wise = tmp_path / "wise.jsonl"
    wise.write_text(
        json.dumps(
            {
                "Prompt": "The fruit that fell on Newton's head",
                "Explanation": "This refers to an apple falling from a tree",
                "Category": "Cultural knowledge",
                "Subcategory": "Life",
                "prompt_id": 3,
            }
        )
        + "\n"
    )
    spec = script(
        first=rules(
            "A red apple falling on a sleeping man",
            [
                {
                    "schema": "ItemJudged",
                    "match": "Explanation:",
                    "response": {"quote": "red apple", "passed": True},
                }
            ],
        )
    )
    out = tmp_path / "out"
    assert main(["bench", "--wise", str(wise), *bench_args(spec, out, "--baseline", "direct")]) == 0
    record = json.loads((out / "results.jsonl").read_text())
    assert record["agent"]["verdicts"][0]["passed"]
    assert not record["baseline"]["verdicts"][0]["passed"]  # the raw prompt names no apple
    assert record["baseline"]["judge_calls"] == 0
    info = json.loads((out / "summary.json").read_text())
    assert info["agent"]["category"]["Cultural"]["score"] == 1.0
    assert info["agent"]["weighted"] == 1.0 and not info["agent"]["complete"]
    summary = (out / "summary.md").read_text()
    assert "WISE" in summary and "context-level" in summary and "| Cultural | 0.4 | 1 |" in summary


def test_bad_case_file_is_one_line_exit_2(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(case_line() + "\n" + case_line(id="c2", capability="painting") + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "graph.cli", "bench", str(cases), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env={**os.environ, "IMAGE_AGENT_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"{cases}:2: unknown capability 'painting'" in done.stderr
    assert not (tmp_path / "o").exists()


def test_retention_and_precheck_accounting() -> None:
    answers: list[dict[str, Any]] = [
        {"answer": "golden eagle", "resolved": True},
        {"answer": "prickly pear", "resolved": True},
        {"answer": "a guess", "resolved": False},  # unresolved: not counted
    ]
    check = runner.retention_check("A golden eagle on a cactus", answers)
    assert check == {"resolved": 2, "kept": 1, "lost": ["prickly pear"]}
    results = [
        {
            "agent": {
                "retention": check,
                "renders": 2,
                "prechecks": [
                    {"missing": ["a"], "revised": True, "render_saved": True},
                    {"missing": [], "revised": False},
                ],
            }
        },
        {
            "agent": {
                "retention": {"resolved": 2, "kept": 2},
                "renders": 1,
                "prechecks": [
                    {"missing": ["b"], "revised": True, "render_saved": False},
                ],
            }
        },
        {"agent": {"error": "boom", "rounds": 0}},
    ]
    info = context_checks(results)
    assert info["resolved"] == 4 and info["kept"] == 3 and info["retention"] == 0.75
    assert info["revisions"] == 2 and info["renders_saved"] == 1 and info["renders"] == 3
    assert context_checks([])["retention"] is None


def test_request_retention_and_cases_below_the_raw_request() -> None:
    best = {"request_retention": [{"text": "2x2 grid", "note": "laid out as 4 panels"}]}
    request = "Three kites over a 2x2 grid of fields, no houses"
    check = runner.request_check(request, "kites over fields in a grid", best)
    # "Three kites" and "no houses" are lost; the grid is realised by the panels
    assert check == {"stated": 3, "kept": 1, "lost": ["Three kites", "no houses"]}
    passed, failed = {"passed": True}, {"passed": False}
    results = [
        {
            "id": "a",
            "agent": {"request_retention": check, "verdicts": [passed, failed]},
            "baseline": {"verdicts": [passed, passed]},
        },
        {
            "id": "b",
            "agent": {"request_retention": {"stated": 1, "kept": 1}, "verdicts": [passed]},
            "baseline": {"verdicts": [failed]},
        },
    ]
    info = context_checks(results)
    assert info["stated"] == 4 and info["stated_kept"] == 2 and info["request_retention"] == 0.5
    assert info["below_direct"] == ["a"]
