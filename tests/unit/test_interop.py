"""LangChain/LangGraph interop in-process: `as_tool()` (also inside `create_agent`), the
examples, the dev-server launcher's environment, and the store fix the server needs."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import ToolMessage
from langgraph.store.base import PutOp
from langgraph.store.memory import InMemoryStore

from graph.dev import server_env
from graph.tool import as_tool
from nodes.context import Context
from tools.models import get_chat_model
from tools.store_compat import fix_inmemory_store

REPO = Path(__file__).resolve().parents[2]
RENDERER = "py:tests.fakes.slow_renderer:SlowRenderer"
REQUEST = "A poster of the Mid-Autumn pastry"


def load_example(name: str) -> Any:
    """Import examples/NAME.py as a module (registered, so its type hints resolve)."""
    spec = importlib.util.spec_from_file_location(
        f"example_{name}", REPO / "examples" / f"{name}.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def tool_context(spec: str, tmp_path: Path) -> Context:
    return Context(
        llm=spec,
        renderer=RENDERER,
        interactive=False,
        width=64,
        height=64,
        output_dir=str(tmp_path / "outputs"),
    )


def parent_model(tmp_path: Path, args: dict[str, Any]) -> str:
    """A scripted parent model: call generate_image once, then answer."""
    path = tmp_path / "parent.json"
    rules = [
        {"times": 1, "response": "", "tool_calls": [{"name": "generate_image", "args": args}]},
        {"response": "Your poster is ready."},
    ]
    path.write_text(json.dumps({"rules": rules}))
    return f"scripted:{path}"


def test_as_tool_is_a_base_tool_with_a_narrow_schema() -> None:
    tool = as_tool()
    assert tool.name == "generate_image"
    assert set(tool.args) == {"request", "user_id"}
    assert tool.args["request"]["description"]
    assert "image" in tool.description


def test_as_tool_returns_paths_prompt_report_and_artifact(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    tool = as_tool(context=tool_context(script(), tmp_path))
    message = tool.invoke(
        {
            "type": "tool_call",
            "id": "call-1",
            "name": "generate_image",
            "args": {"request": REQUEST, "user_id": "ana"},
        }
    )
    assert isinstance(message, ToolMessage)
    content = json.loads(str(message.content))
    assert "mooncake" in content["final_prompt"]
    assert Path(content["images"][0]).is_file() and Path(content["report"]).is_file()
    assert content["checks_passed"] == "4/4"  # the planner's three and the answer's
    assert message.artifact["checklist"] and message.artifact["images"] == content["images"]
    # the run was remembered for the user the tool was given
    from tools.memory_store import default_store

    assert default_store().search(("users", "ana", "history"))


def test_as_tool_reports_bad_input_to_the_model(tmp_path: Path, script: Callable[..., str]) -> None:
    tool = as_tool(context=tool_context(script(), tmp_path))
    call = {"type": "tool_call", "id": "c", "name": "generate_image", "args": {"request": "  "}}
    message = tool.invoke(call)
    assert isinstance(message, ToolMessage)
    assert "empty" in str(message.content)
    assert not (tmp_path / "outputs").exists()


def test_as_tool_inside_create_agent(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    tool = as_tool(context=tool_context(script(), tmp_path))
    parent = get_chat_model(parent_model(tmp_path, {"request": REQUEST}))
    agent = create_agent(parent, tools=[tool])
    result = agent.invoke({"messages": [{"role": "user", "content": "make me a poster"}]})
    messages = result["messages"]
    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    assert len(tool_messages) == 1 and tool_messages[0].name == "generate_image"
    content = json.loads(str(tool_messages[0].content))
    assert Path(content["images"][0]).is_file()
    assert messages[-1].content == "Your poster is ready."


def test_subgraph_example(
    home: Path,
    tmp_path: Path,
    script: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("IMAGE_AGENT_LLM", script())
    monkeypatch.setenv("IMAGE_AGENT_RENDERER", RENDERER)
    monkeypatch.setenv("IMAGE_AGENT_WIDTH", "64")
    monkeypatch.setenv("IMAGE_AGENT_HEIGHT", "64")
    assert load_example("subgraph_parent").main(["our mooncake", "Mid-Autumn"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["request"].startswith("A poster of our mooncake for Mid-Autumn")
    assert re.fullmatch(r"our mooncake for Mid-Autumn \((\d)/\1 checks\)", result["caption"])
    assert Path(result["images"][0]).is_file() and "mooncake" in result["final_prompt"]


def test_create_agent_example(
    home: Path,
    tmp_path: Path,
    script: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("IMAGE_AGENT_LLM", script())
    monkeypatch.setenv("IMAGE_AGENT_RENDERER", RENDERER)
    parent = tmp_path / "scripted_parent.json"  # a copy: the call log is written beside it
    parent.write_text((REPO / "examples" / "scripted_parent.json").read_text())
    model = f"scripted:{parent}"
    assert load_example("create_agent_app").main(["--model", model, "a poster about gravity"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Done: your poster is ready")
    payload = json.loads(captured.err.split("tool generate_image: ", 1)[1])
    assert Path(payload["images"][0]).is_file()


def test_importing_the_graph_loads_no_model() -> None:
    code = (
        "import sys, graph.agent, graph.tool;"
        "print([m for m in ('torch', 'sentence_transformers', 'xllamacpp', 'transformers',"
        " 'diffusers') if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_dev_server_env_is_offline_whatever_the_caller_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANGGRAPH_CLI_NO_ANALYTICS", "0")
    monkeypatch.delenv("LANGSMITH_TRACING", raising=False)
    env = server_env({"IMAGE_AGENT_LLM": "local"})
    assert env["LANGGRAPH_CLI_NO_ANALYTICS"] == "1"
    assert env["LANGGRAPH_NO_VERSION_CHECK"] == "true"
    assert env["LANGSMITH_TRACING"] == "false" and env["IMAGE_AGENT_LLM"] == "local"
    monkeypatch.setenv("LANGSMITH_TRACING", "true")  # tracing only when asked for
    assert server_env()["LANGSMITH_TRACING"] == "true"


def test_inmemory_store_indexes_a_text_two_puts_share() -> None:
    """langgraph#8822: the server's store failed when one batch indexed a text twice."""
    assert fix_inmemory_store()
    seen: list[list[str]] = []

    def embed(texts: list[str]) -> list[list[float]]:
        seen.append(list(texts))
        return [[1.0, float(len(text))] for text in texts]

    store = InMemoryStore(index={"dims": 2, "embed": embed, "fields": ["$"]})
    store.batch(
        [
            PutOp(("users", "a", "history"), "r1", {"subject": "a cat"}, index=["subject"]),
            PutOp(("users", "b", "history"), "r2", {"subject": "a cat"}, index=["subject"]),
        ]
    )
    assert seen == [["a cat"]]  # embedded once
    for user, key in (("a", "r1"), ("b", "r2")):
        hits = store.search(("users", user, "history"), query="a cat")
        assert [hit.key for hit in hits] == [key] and hits[0].score is not None
