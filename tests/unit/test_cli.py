"""The `image-agent` command, run as a real subprocess with a scripted model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PLAN, plan_with

ROOT = Path(__file__).resolve().parents[2]
RENDERER = "py:tests.fakes.slow_renderer:SlowRenderer"
# two items the default prompt names only in different clauses ("A festive poster: a freshly
# baked mooncake ..."): code leaves them to the judge model, so `evaluate` makes one call
JUDGED = plan_with(
    PLAN["gaps"],
    checklist=[
        "A festive mooncake",
        "A festive full moon",
        'The text "Happy Mid-Autumn" is visible',
    ],
)


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "IMAGE_AGENT_HOME": str(home),
            "PYTHONPATH": str(ROOT),
            "IMAGE_AGENT_WIDTH": "64",
            "IMAGE_AGENT_HEIGHT": "64",
            **extra,
        }
    )
    return env


def cli(args: list[str], home: Path, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graph.cli", *args],
        capture_output=True,
        text=True,
        env=env_for(home, **extra),
        cwd=cwd,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "home"
    work = tmp_path / "work"
    work.mkdir()
    return home, work


def test_run_json_prints_one_object(paths: tuple[Path, Path], script: Callable[..., str]) -> None:
    home, work = paths
    out = cli(
        [
            "run",
            "A poster of the Mid-Autumn pastry",
            "--llm",
            script(first=[{"schema": "PlanDraft", "response": JUDGED}]),
            "--renderer",
            RENDERER,
            "--no-input",
            "--json",
        ],
        home,
        work,
    )
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)  # exactly one JSON document
    assert set(info) >= {
        "run_id",
        "images",
        "report",
        "final_prompt",
        "gaps",
        "checklist",
        "rounds",
        "timings",
        "model_calls",
    }
    assert out.stderr.splitlines()[0] == f"run {info['run_id']}"
    assert info["gaps"][0] == {
        "question": "Which pastry is eaten at the Mid-Autumn Festival?",
        "route": "reason",
        "answer": "mooncake",
        "resolved": True,
        "uncertain": False,
    }
    folder = work / "outputs" / info["run_id"]
    assert (folder / "report.md").is_file() and (folder / "context.json").is_file()
    assert Path(info["images"][0]).parent == folder
    assert info["model_calls"]["total"] == 5  # plan, reason and its sample, compose, judge
    listed = cli(["runs", "--json"], home, work)
    assert json.loads(listed.stdout)[0]["status"] == "done"


def test_no_input_takes_best_guess(paths: tuple[Path, Path], script: Callable[..., str]) -> None:
    from tests.conftest import plan_with

    home, work = paths
    gaps = [{"question": "What is the shop called?", "kind": "ambiguous", "best_guess": "Crumb"}]
    spec = script(first=[{"schema": "PlanDraft", "response": plan_with(gaps)}])
    out = cli(
        [
            "run",
            "A logo for the shop",
            "--llm",
            spec,
            "--renderer",
            RENDERER,
            "--no-input",
            "--json",
        ],
        home,
        work,
    )
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert info["gaps"] == [
        {
            "question": "What is the shop called?",
            "route": "ask_user",
            "answer": "Crumb",
            "resolved": False,
            "uncertain": False,
        }
    ]
    report = Path(info["report"]).read_text()
    assert "not asked (no input allowed)" in report and "best guess" in report


BAD_INPUTS: list[tuple[list[str], str]] = [
    (["run", "   "], "empty"),
    (["run", "x" * 4001], "limit is 4000"),
    (["run", "a cat", "--llm", "gpt9000"], "unknown model spec"),
    (["run", "a cat", "--renderer", "oilpaint"], "renderer"),
    (["run", "a cat", "--search", "google"], "search"),
    (["run", "a cat", "--search", "local:/no/such/dir"], "/no/such/dir"),
    (["run", "a cat", "--user", "../etc"], "invalid user id"),
    (["run", "a cat", "--thread", "a b"], "invalid thread id"),
    (["run", "a cat", "--max-rounds", "0"], "--max-rounds"),
    (["resume", "nope-123"], "unknown run id"),
    (["resume", "../x"], "invalid run id"),
]


@pytest.mark.parametrize(("args", "expected"), BAD_INPUTS)
def test_bad_input_is_one_line_exit_2_nothing_written(
    args: list[str], expected: str, paths: tuple[Path, Path]
) -> None:
    home, work = paths
    out = cli(args, home, work, OPENAI_API_KEY="", OPENAI_BASE_URL="")
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], out.stderr
    assert "Traceback" not in out.stderr
    assert not home.exists(), "a rejected command wrote to the data dir"
    assert list(work.iterdir()) == [], "a rejected command wrote outputs"


def test_openai_spec_without_key_or_server_is_rejected(paths: tuple[Path, Path]) -> None:
    home, work = paths
    env = {"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}
    out = cli(["run", "a cat", "--llm", "openai:gpt-4o-mini"], home, work, **env)
    assert out.returncode == 2 and "OPENAI_API_KEY" in out.stderr


def register_hello(sub: Any) -> Callable[[Any], int]:
    """A subcommand from outside graph/, as an `image_agent.commands` entry point names it."""
    hello = sub.add_parser("hello", help="say hello")
    hello.add_argument("--times", type=int, default=1)

    def handle(args: Any) -> int:
        sys.stdout.write("hello\n" * args.times)
        return 0

    return handle


def test_subcommands_come_from_the_entry_point_group(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from importlib.metadata import EntryPoint

    from graph import cli as cli_module
    from graph import plugins

    def points(group: str) -> list[EntryPoint]:
        assert group == "image_agent.commands"
        return [
            EntryPoint("hello", "tests.unit.test_cli:register_hello", group),
            EntryPoint("broken", "tests.no_such_module:register", group),
            EntryPoint("run", "tests.unit.test_cli:register_hello", group),
        ]

    monkeypatch.setattr(plugins, "entry_points", points)
    assert cli_module.main(["hello", "--times", "2"]) == 0
    out = capsys.readouterr()
    assert out.out == "hello\nhello\n"
    warnings = out.err.strip().splitlines()
    assert len(warnings) == 2 and "Traceback" not in out.err
    assert "command 'broken' (tests.no_such_module:register) left out" in warnings[0]
    assert "ModuleNotFoundError" in warnings[0]
    assert "command 'run' (tests.unit.test_cli:register_hello) left out" in warnings[1]
    # the built-in `run` is still the built-in one
    with pytest.raises(SystemExit) as caught:
        cli_module.main(["run", "--times", "2"])
    assert caught.value.code == 2


def test_bench_subcommand_is_found_through_its_entry_point(paths: tuple[Path, Path]) -> None:
    home, work = paths
    out = cli(["bench", "--help"], home, work)
    assert out.returncode == 0, out.stderr
    assert "--wise" in out.stdout and "--baseline" in out.stdout and out.stderr == ""


def _wait_for(predicate: Callable[[], bool], timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_resume_after_sigkill_mid_render(
    paths: tuple[Path, Path], script: Callable[..., str], tmp_path: Path
) -> None:
    home, work = paths
    spec = script(first=[{"schema": "PlanDraft", "response": JUDGED}])
    render_log = tmp_path / "renders.jsonl"
    extra = {"IMAGE_AGENT_TEST_RENDER_LOG": str(render_log), "IMAGE_AGENT_SCRIPT_LOG": "1"}
    args = [
        sys.executable,
        "-m",
        "graph.cli",
        "run",
        "A poster of the Mid-Autumn pastry",
        "--llm",
        spec,
        "--renderer",
        RENDERER,
        "--no-input",
    ]
    proc = subprocess.Popen(
        args,
        env=env_for(home, IMAGE_AGENT_TEST_RENDER_DELAY="30", **extra),
        cwd=work,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(lambda: render_log.exists() and render_log.read_text().strip() != "", 120)
    proc.send_signal(signal.SIGKILL)
    _, stderr = proc.communicate(timeout=30)
    run_id = stderr.splitlines()[0].removeprefix("run ")
    listed = cli(["runs"], home, work)
    assert run_id in listed.stdout + listed.stderr and "failed" in listed.stderr
    calls_before = (Path(spec.split(":", 1)[1] + ".calls.jsonl")).read_text().splitlines()
    out = cli(["resume", run_id, "--json"], home, work, IMAGE_AGENT_TEST_RENDER_DELAY="0", **extra)
    assert out.returncode == 0, out.stderr
    info: dict[str, Any] = json.loads(out.stdout)
    assert info["run_id"] == run_id and Path(info["images"][0]).is_file()
    calls_after = (Path(spec.split(":", 1)[1] + ".calls.jsonl")).read_text().splitlines()
    new_schemas = [json.loads(line)["schema"] for line in calls_after[len(calls_before) :]]
    assert new_schemas == ["Judged"], "finished nodes (plan, reason, compose) ran again"
    ran = [line.split()[1] for line in out.stderr.splitlines() if line.rstrip().endswith("…")]
    assert ran == ["render", "evaluate", "remember", "report"]
    renders = [json.loads(line) for line in render_log.read_text().splitlines()]
    assert [r["stem"] for r in renders] == ["round-1", "round-1"]  # redone once, same file
    assert json.loads(cli(["runs", "--json"], home, work).stdout)[0]["status"] == "done"


def test_asks_on_a_tty_and_uses_the_answer(
    paths: tuple[Path, Path], script: Callable[..., str]
) -> None:
    """stdin is a terminal: the question is asked on stderr and the typed answer is used."""
    import pty

    from tests.conftest import plan_with

    home, work = paths
    gaps = [{"question": "What is the shop called?", "kind": "ambiguous", "best_guess": "Crumb"}]
    spec = script(first=[{"schema": "PlanDraft", "response": plan_with(gaps)}])
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "graph.cli",
            "run",
            "A logo for the shop",
            "--llm",
            spec,
            "--renderer",
            RENDERER,
            "--json",
        ],
        env=env_for(home),
        cwd=work,
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(follower)
    assert proc.stderr is not None
    seen = ""
    while "What is the shop called?" not in seen:
        line = proc.stderr.readline()
        assert line, f"no question asked; stderr: {seen}"
        seen += line
    os.write(leader, b"Flour Power\n")
    stdout, _ = proc.communicate(timeout=120)
    os.close(leader)
    assert proc.returncode == 0
    info = json.loads(stdout)
    assert info["gaps"][0]["answer"] == "Flour Power" and info["gaps"][0]["resolved"]
    assert "Flour Power" in info["final_prompt"]
