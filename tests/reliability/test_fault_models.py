"""Faults at the chat and vision servers (OpenAI wire format on a loopback server).

Each fault ends one of three ways: the client retries it (bounded: IMAGE_AGENT_OPENAI_RETRIES
and one more ask for a reply that is not JSON), the node degrades and the report's
"Problems" section says so, or the run fails with one line, exit 1, and `image-agent
resume` finishes it once the server is back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import default_rules
from tests.fakes.loopback import Loopback, openai_routes, serve
from tests.reliability.harness import RENDERER, cli, problems, run_args, status

CHAT = "/v1/chat/completions"
TRANSIENT = ["500", "429:1", "timeout:3", "reset", "truncated", "malformed", "empty"]
JUDGE_RULE = {"schema": "Judged", "images": True}


@pytest.fixture
def server(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Loopback]:
    with serve(openai_routes(default_rules())) as loopback:
        env = {
            "OPENAI_BASE_URL": f"{loopback.url}/v1",
            "OPENAI_API_KEY": "sk-test",
            "IMAGE_AGENT_OPENAI_TIMEOUT": "1",
            "IMAGE_AGENT_OPENAI_RETRIES": "1",
            "IMAGE_AGENT_WIDTH": "64",
            "IMAGE_AGENT_HEIGHT": "64",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield loopback


def chat_args(out: Path, *extra: str) -> list[str]:
    return run_args(
        out, "--llm", "openai:planner", "--search", "none", "--renderer", RENDERER, *extra
    )


def test_one_fault_is_retried_once_and_the_run_is_unchanged(
    server: Loopback, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = cli(capsys, *chat_args(tmp_path / "clean"))
    assert clean.code == 0, clean.stderr
    baseline = len(server.calls(CHAT))
    for mode in TRANSIENT:
        server.requests.clear()
        server.fail(CHAT, mode)
        out = cli(capsys, *chat_args(tmp_path / mode.replace(":", "-")))
        assert out.code == 0, (mode, out.stderr)
        assert len(server.calls(CHAT)) == baseline + 1, mode  # one retry, no more
        assert out.info["final_prompt"] == clean.info["final_prompt"], mode
        assert problems(out.info) == [], mode


@pytest.mark.parametrize("mode", ["500", "429:0", "timeout:2", "reset"])
def test_a_server_that_stays_down_fails_the_run_in_one_line_and_resume_finishes_it(
    server: Loopback, tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    server.fail(CHAT, mode, times=50)
    failed = cli(capsys, *chat_args(tmp_path / "out"))
    assert failed.code == 1
    assert failed.run_id in failed.failure_line()
    assert len(server.calls(CHAT)) == 2  # the first call and its one retry: bounded
    assert status(capsys, failed.run_id) == "failed"
    server.failures.clear()  # the server is back
    resumed = cli(capsys, "resume", failed.run_id, "--json")
    assert resumed.code == 0, resumed.stderr
    assert resumed.info["final_prompt"] and Path(resumed.info["images"][0]).is_file()
    assert status(capsys, failed.run_id) == "done"


@pytest.mark.parametrize("mode", ["truncated", "malformed", "empty"])
def test_replies_that_stay_broken_degrade_and_the_report_says_so(
    server: Loopback, tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    server.fail(CHAT, mode, times=2)  # the planner's call and its one retry
    out = cli(capsys, *chat_args(tmp_path / "out"))
    assert out.code == 0, out.stderr
    [line] = [p for p in problems(out.info) if p.startswith("plan:")]
    assert "planner failed" in line and "malformed reply" in line
    assert out.info["final_prompt"] and Path(out.info["images"][0]).is_file()


def test_an_empty_answer_from_the_model_degrades(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = [{"schema": "Composed", "response": ""}, *default_rules()]
    with serve(openai_routes(rules)) as loopback:
        monkeypatch.setenv("OPENAI_BASE_URL", f"{loopback.url}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        out = cli(capsys, *chat_args(tmp_path / "out"))
    assert out.code == 0, out.stderr
    assert any(p.startswith("compose: composer failed, assembled") for p in problems(out.info))
    assert "mooncake" in out.info["final_prompt"]  # assembled from the plan and the answers


@pytest.mark.parametrize(
    "rule",
    [
        {"status": 500},
        {"status": 429},
        {"response": ""},
        {"response": '{"verdicts": [{"item": "The mood'},
        {"delay": 3, "response": {"verdicts": []}},
    ],
    ids=["500", "429", "empty", "truncated", "timeout"],
)
def test_a_failing_vision_judge_falls_back_to_the_text_judge(
    tmp_path: Path,
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    rule: dict[str, object],
) -> None:
    with serve(openai_routes([{**JUDGE_RULE, **rule}, *default_rules()])) as loopback:
        for name, value in {
            "OPENAI_BASE_URL": f"{loopback.url}/v1",
            "OPENAI_API_KEY": "sk-test",
            "IMAGE_AGENT_OPENAI_TIMEOUT": "1",
            "IMAGE_AGENT_OPENAI_RETRIES": "1",
        }.items():
            monkeypatch.setenv(name, value)
        out = cli(capsys, *chat_args(tmp_path / "out", "--vlm", "openai:vision"))
        judged = [c for c in loopback.calls(CHAT) if c["body"]["model"] == "vision"]
    assert out.code == 0, out.stderr
    assert 1 <= len(judged) <= 2  # bounded: the client's one retry, or one more ask
    [line] = [p for p in problems(out.info) if "vision judge" in p]
    assert "text judge used" in line
    assert len(out.info["checklist"]) >= 3  # every item still has a verdict
