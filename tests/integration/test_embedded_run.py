"""One full `image-agent run` on the real embedded models (GGUF chat model, MiniLM, sketch)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from PIL import Image
from pydantic import BaseModel, Field

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data dir for the module: the model file is joined and verified once."""
    return tmp_path_factory.mktemp("home")


def test_local_model_answers_under_a_schema_concurrently(
    shared_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAGE_AGENT_HOME", str(shared_home))
    from tools.local_llm import LocalChatModel, model_path
    from tools.structured import ask

    class Capital(BaseModel):
        city: str = Field(max_length=40)

    assert model_path().stat().st_size > 1_000_000_000
    model = LocalChatModel()
    results: dict[str, str] = {}
    spans: list[tuple[float, float]] = []

    def go(country: str) -> None:
        start = time.time()
        out = ask(model, Capital, [HumanMessage(content=f"Capital of {country}? JSON.")])
        spans.append((start, time.time()))
        results[country] = out.city

    ask(model, Capital, [HumanMessage(content="Capital of Peru? JSON.")])  # load once
    threads = [threading.Thread(target=go, args=(c,)) for c in ("France", "Japan", "Italy")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results) == {"France", "Japan", "Italy"}
    assert all(isinstance(city, str) and city for city in results.values())
    assert max(s for s, _ in spans) < min(e for _, e in spans)  # served concurrently


def test_full_run_on_embedded_models(shared_home: Path, tmp_path: Path) -> None:
    env = dict(os.environ, IMAGE_AGENT_HOME=str(shared_home), PYTHONPATH=str(ROOT))
    request = (
        'A greeting card of the flower the Netherlands is famous for, with the words "Groeten"'
    )
    started = time.time()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "graph.cli",
            "run",
            request,
            "--no-input",
            "--json",
            "--max-rounds",
            "2",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    elapsed = time.time() - started
    assert out.returncode == 0, out.stderr[-2000:]
    info = json.loads(out.stdout)
    print(f"\nfull embedded run: {elapsed:.1f}s, timings {info['timings']}")
    folder = tmp_path / "outputs" / info["run_id"]
    image = Image.open(info["images"][0])
    assert image.size == (1024, 1024)
    assert Path(info["images"][0]).parent == folder
    report = (folder / "report.md").read_text()
    context = json.loads((folder / "context.json").read_text())
    reasoned = [g for g in info["gaps"] if g["route"] == "reason" and g["resolved"]]
    assert reasoned, f"no gap resolved by reasoning: {info['gaps']}"
    assert reasoned[0]["answer"] in info["final_prompt"] or "put back" in report
    assert len(info["checklist"]) >= 3
    assert all(set(v) == {"item", "passed", "reason", "asked"} for v in info["checklist"])
    assert "route **reason**" in report and "| item | verdict | reason |" in report
    assert "context-level" in report
    assert context["summary"]["run_id"] == info["run_id"]
    assert info["model_calls"]["total"] >= 3  # plan, reason, compose (+ judge when needed)


@pytest.mark.parametrize(
    ("tool", "request_text", "question"),
    [
        (
            "timezone",
            "A street cafe in Lisbon when it is 7 pm in Tokyo",
            "What time is it in Lisbon when it is 7 pm in Tokyo?",
        ),
        (
            "arithmetic",
            "A sign showing how many legs 3 spiders and 2 cats have in total",
            "How many legs do 3 spiders and 2 cats have in total?",
        ),
    ],
)
def test_the_embedded_model_fills_a_tools_slots(
    shared_home: Path, monkeypatch: pytest.MonkeyPatch, tool: str, request_text: str, question: str
) -> None:
    """The real model under the tool's JSON schema: inputs that pass the grounding check and
    compute (the exact words are not asserted; temperature 0 is not reproducible across
    processes)."""
    monkeypatch.setenv("IMAGE_AGENT_HOME", str(shared_home))
    from nodes.context import Context
    from nodes.reason.tool import computed
    from tools.compute.registry import TOOLS

    gap = {"id": "g1", "question": question, "kind": "commonsense", "route": "reason", "why": ""}
    answer, why = computed(
        {"gap": gap, "request": request_text, "user_id": "default"},
        TOOLS[tool],
        Context(llm="local"),
    )
    assert answer is not None, why
    assert answer["provenance"] == "tool" and answer["evidence"][0]["source"] == f"tool:{tool}"
    assert answer["answer"]


PREFIX_PROBE = """
import json, sys
from langchain_core.messages import HumanMessage, SystemMessage
from tools.local_llm import LocalChatModel, prefix_counts
system = "You name capitals. " + " ".join(f"Rule {i}: answer with the city's name only." for i in range(40))
reply = LocalChatModel(max_tokens=8).invoke([SystemMessage(content=system), HumanMessage(content=sys.argv[1])])
print(json.dumps({**reply.usage_metadata, "prefix": prefix_counts()}))
"""


def _probe(home: Path, question: str) -> dict[str, object]:
    env = dict(os.environ, IMAGE_AGENT_HOME=str(home), PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", PREFIX_PROBE, question],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_new_process_restores_the_saved_prefix_and_survives_a_broken_file(
    shared_home: Path,
) -> None:
    folder = shared_home / "models" / "prefixes"
    earlier = set(folder.rglob("*.bin"))  # other tests' runs saved theirs in this data dir
    first = _probe(shared_home, "Capital of France?")
    files = sorted(set(folder.rglob("*.bin")) - earlier)
    assert files, "the first process saved no prefix state"
    second = _probe(shared_home, "Capital of Spain?")
    assert first["prefix"] == {"evaluated": 1, "saved": 1}, first
    # the second process restored the 40 rules and evaluated only the request's own tokens
    assert second["prefix"] == {"restored": 1}, second
    assert second["input_token_details"]["cache_read"] > 300, second  # type: ignore[index]

    for path in files:  # a torn file: deleted, evaluated again, and the answer still comes
        path.write_bytes(b"\0" * 64)
    third = _probe(shared_home, "Capital of Italy?")
    assert third["prefix"] == {"broken": 1, "evaluated": 1, "saved": 1}, third
    assert third["output_tokens"] > 0  # type: ignore[operator]
    assert all(p.stat().st_size > 64 for p in files)


def test_the_model_host_serves_two_cli_processes_with_one_load(
    shared_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `image-agent run` processes with the model host on (the CLI's default): the first
    starts the host, the second finds it warm; the host loaded the chat model once, and a
    call through it answers as this process's own model does. (Not always token for token:
    llama.cpp's greedy decoding depends on what else its slots hold, so the question has one
    short answer.)"""
    env = {**os.environ, "IMAGE_AGENT_HOME": str(shared_home), "PYTHONPATH": str(ROOT)}
    env.pop("IMAGE_AGENT_MODEL_HOST", None)
    request = "A sticker of the bird on the flag of Mexico"
    try:
        for i in range(2):
            done = subprocess.run(
                [sys.executable, "-m", "graph.cli", "run", request, "--no-input", "--json",
                 "--max-rounds", "1", "--search", "none", "--out", str(tmp_path / f"o{i}")],
                env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr[-2000:]
            assert ("stays loaded in process" in done.stderr) is (i == 0)
        status = subprocess.run(
            [sys.executable, "-m", "graph.cli", "host", "status", "--json"],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        figures = json.loads(status.stdout)
        assert figures["loads"].get("local-llm") == 1 and figures["calls"] >= 4
        from tools import model_host
        from tools.local_llm import send_here

        monkeypatch.setenv("IMAGE_AGENT_HOME", str(shared_home))
        question = {
            "messages": [{"role": "user", "content": "What is 2 + 3? Answer with the digit only."}],
            "temperature": 0.0,
            "max_tokens": 12,
        }
        host = model_host.read_host()
        assert host is not None
        via_host = host.call("/chat", question)["choices"][0]["message"]["content"]
        here = send_here(question)
        here = json.loads(here) if isinstance(here, str) else here
        assert via_host.strip() == here["choices"][0]["message"]["content"].strip() == "5"
    finally:
        subprocess.run(
            [sys.executable, "-m", "graph.cli", "host", "stop"], env=env, timeout=60,
            capture_output=True,
        )  # fmt: skip
