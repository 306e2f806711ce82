"""Property-based: whatever the CLI arguments, spec strings or graph input hold (control
characters, NUL, bytes that are not UTF-8, right-to-left text, emoji, 10,000 characters),
the agent answers with a result or with one line and exit 2, never a traceback; and no
run id, `..`, absolute path or planted link writes outside the output folder."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from graph.agent import build_graph
from graph.cli import main
from nodes.context import Context
from renderers.registry import validate_renderer_spec
from tests.reliability.harness import RENDERER
from tools.errors import UserError
from tools.ids import validate_id
from tools.models import validate_model_spec
from tools.search import validate_search_spec

FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
# what people paste: every plane of Unicode, control characters and NUL, lone surrogates
# (how Python hands over argv bytes that are not UTF-8), right-to-left text and emoji
HOSTILE = st.lists(
    st.one_of(
        st.characters(codec=None),
        st.sampled_from(["\x00", "\x1b", "\u202e", "\u200b", "\udcff", "\ufeff", "\n", "\r"]),
        st.sampled_from(["مرحبا", "שלום", "👨\u200d👩\u200d👧", "🏳️\u200d🌈", "…"]),
    ),
    max_size=40,
).map("".join)
LONG = st.integers(min_value=4001, max_value=10_000).map(lambda n: ("quince " * n)[:n])


def one_line_error(err: str) -> None:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("image-agent: error: "), err


@pytest.fixture
def scripted_env(
    home: Path, tmp_path: Path, script: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    for name, value in {
        "IMAGE_AGENT_LLM": script(),
        "IMAGE_AGENT_RENDERER": RENDERER,
        "IMAGE_AGENT_SEARCH": "none",
        "IMAGE_AGENT_WIDTH": "64",
        "IMAGE_AGENT_HEIGHT": "64",
        "IMAGE_AGENT_MAX_ROUNDS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TAVILY_API_KEY", "IMAGE_AGENT_CORPUS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "outputs"


@settings(max_examples=150, deadline=None)
@given(spec=st.one_of(HOSTILE, st.sampled_from(["openai:", "scripted:", "local:", "py:os"])))
def test_spec_strings_are_accepted_or_refused_in_one_line(spec: str) -> None:
    for check in (
        lambda s: validate_model_spec(s, "llm"),
        lambda s: validate_model_spec(s, "vlm"),
        validate_search_spec,
        validate_renderer_spec,
        lambda s: validate_id(s, "user id"),
    ):
        try:
            check(spec)
        except UserError as exc:
            assert "\n" not in str(exc)


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURES)
@given(
    flag=st.sampled_from(
        [
            "--llm",
            "--vlm",
            "--search",
            "--renderer",
            "--user",
            "--thread",
            "--max-rounds",
            "--bogus",
        ]
    ),
    value=HOSTILE,
)
def test_cli_arguments_give_a_result_or_one_line_and_exit_2(
    scripted_env: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str
) -> None:
    capsys.readouterr()
    try:
        code = main(["run", "A pear", "--no-input", "--out", str(scripted_env), flag, value])
    except SystemExit as exit:  # argparse: a value it cannot parse
        code = int(exit.code or 0)
    err = capsys.readouterr().err
    assert code in (0, 2), err
    if code == 2:
        one_line_error(err)


@settings(max_examples=8, deadline=None, suppress_health_check=FIXTURES)
@given(prompt=st.one_of(HOSTILE, LONG))
@example(prompt="\x00\u200b\u202e")  # nothing visible: an empty prompt
@example(prompt="A lamp\x00 in the \udcff attic \u202eexit\u202c, 🪔 مصباح")
def test_any_prompt_gives_a_clean_run_or_one_line_and_exit_2(
    scripted_env: Path, capsys: pytest.CaptureFixture[str], prompt: str
) -> None:
    capsys.readouterr()
    try:
        code = main(["run", prompt, "--no-input", "--json", "--out", str(scripted_env)])
    except SystemExit as exit:  # a prompt argparse reads as an option ("-x"): one line, 2
        code = int(exit.code or 0)
    out = capsys.readouterr()
    assert code in (0, 2), out.err
    if code == 2:
        one_line_error(out.err)
        return
    info = json.loads(out.out)
    report = Path(info["report"]).read_text(encoding="utf-8")  # valid UTF-8
    state = json.loads(Path(info["report"]).with_name("context.json").read_text("utf-8"))
    for text in (report, state["state"]["request"]):
        assert not any(c in text for c in "\x00\x1b\u202e\u200b\ufeff\udcff")


def test_a_script_file_that_is_not_utf8_is_refused_in_one_line(
    scripted_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"rules": [\xff\xfe]}')
    capsys.readouterr()
    assert main(["run", "A pear", "--llm", f"scripted:{bad}", "--no-input"]) == 2
    one_line_error(capsys.readouterr().err)


def test_a_bad_environment_value_is_one_line(
    scripted_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAGE_AGENT_WIDTH", "wide\u202e1")
    capsys.readouterr()
    assert main(["run", "A pear", "--no-input"]) == 2
    one_line_error(capsys.readouterr().err)


# ------------------------------------------------------------------ graph input


def invoke(request: str, out: Path, thread: str, spec: str, **state: Any) -> dict[str, Any]:
    ctx = Context(
        llm=spec,
        renderer=RENDERER,
        search="none",
        output_dir=str(out),
        interactive=False,
        width=64,
        height=64,
        max_rounds=1,
    )
    app = build_graph(checkpointer=InMemorySaver(), store=InMemoryStore())
    config: Any = {"configurable": {"thread_id": thread}}
    app.invoke({"request": request, **state}, config, context=ctx)
    return dict(app.get_state(config).values)


@settings(max_examples=6, deadline=None, suppress_health_check=FIXTURES)
@given(request=HOSTILE.filter(lambda t: any(c.isalnum() for c in t)))
def test_graph_input_is_cleaned_at_the_boundary(
    home: Path, tmp_path: Path, script: Callable[..., str], request: str
) -> None:
    state = invoke(request, tmp_path / "outputs", "t1", script())
    assert not any(c in state["request"] for c in "\x00\x1b\u202e\u200b\ufeff\udcff")
    assert Path(state["report"]).is_relative_to((tmp_path / "outputs").resolve())


@pytest.mark.parametrize(
    ("thread", "run_id"),
    [("../../escape", ""), ("t1", "../../escape"), ("/tmp/absolute", ""), ("t1", "/etc")],
)
def test_run_ids_never_leave_the_output_folder(
    home: Path, tmp_path: Path, script: Callable[..., str], thread: str, run_id: str
) -> None:
    out = tmp_path / "nest" / "outputs"
    extra = {"run_id": run_id} if run_id else {}
    state = invoke("A pear", out, thread, script(), **extra)
    written = [p for p in (tmp_path / "nest").rglob("*") if p.is_file()]
    assert written and all(p.resolve().is_relative_to(out.resolve()) for p in written), written
    assert Path(state["images"][0]).resolve().parent.parent == out.resolve()
    assert not Path("/tmp/absolute").exists() and not Path("/etc/report.md").exists()
    assert not (tmp_path / "escape").exists()


def test_links_planted_in_the_run_folder_are_not_followed(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    out, outside = tmp_path / "outputs", tmp_path / "outside"
    outside.mkdir()
    target = outside / "precious.txt"
    target.write_text("keep me")
    folder = out / "run-1"
    folder.mkdir(parents=True)
    for name in ("round-1.png", "report.md", "context.json"):
        os.symlink(target, folder / name)
    state = invoke("A pear", out, "run-1", script())
    assert target.read_text() == "keep me"
    assert not any(p.is_symlink() for p in folder.iterdir())
    assert Path(state["images"][0]).resolve().parent == folder.resolve()


def test_a_run_folder_that_is_a_link_is_refused(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    out, outside = tmp_path / "outputs", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    os.symlink(outside, out / "run-2")
    with pytest.raises(ValueError, match="would write outside"):
        invoke("A pear", out, "run-2", script())
    assert list(outside.iterdir()) == []
