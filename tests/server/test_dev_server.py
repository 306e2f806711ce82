"""The agent behind the real `langgraph dev` server, driven with langgraph-sdk and RemoteGraph.

One server per module (started by `graph.dev.start`, the code behind `make dev`), on a free
loopback port, from a copy of the project's langgraph.json with its paths made absolute
(tests/server/dev_config.py). The chat
model is scripted (`IMAGE_AGENT_LLM` for the server's default, `context.llm` per run) and the
renderer is the test plugin; the store and its embedding index are the server's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from langgraph.pregel.remote import RemoteGraph
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient

from graph.dev import DevServer, start
from nodes.context import Context
from tests.conftest import default_rules, plan_with
from tests.server.dev_config import REPO, absolute_config, free_port

RENDERER = "py:tests.fakes.slow_renderer:SlowRenderer"
STEPS = [
    "plan",
    "reason",
    "search",
    "recall",
    "ask_user",
    "compose",
    "precheck",
    "render",
    "evaluate",
]
NODES = {*STEPS, "collate", "remember", "report"}
OUTPUT_KEYS = {"images", "report", "final_prompt", "checklist"}


class Env:
    """The running server and a way to write per-test scripted models."""

    def __init__(self, server: DevServer, root: Path) -> None:
        self.server = server
        self.root = root
        self.url = server.url
        self.client: SyncLangGraphClient = get_sync_client(url=server.url)
        self._n = 0

    def script(self, first: list[dict[str, Any]] | None = None) -> str:
        self._n += 1
        path = self.root / f"script-{self._n}.json"
        path.write_text(json.dumps({"rules": [*(first or []), *default_rules()]}))
        return f"scripted:{path}"

    def calls(self, spec: str) -> list[dict[str, Any]]:
        log = Path(spec.split(":", 1)[1] + ".calls.jsonl")
        return [json.loads(line) for line in log.read_text().splitlines()]

    def assistant(self) -> str:
        return str(self.client.assistants.search(graph_id="image_agent")[0]["assistant_id"])


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    root = tmp_path_factory.mktemp("server")
    (root / "default.json").write_text(json.dumps({"rules": default_rules()}))
    variables = {
        "IMAGE_AGENT_LLM": f"scripted:{root / 'default.json'}",
        "IMAGE_AGENT_RENDERER": RENDERER,
        "IMAGE_AGENT_INTERACTIVE": "0",
        "IMAGE_AGENT_HOME": str(root / "home"),
        "IMAGE_AGENT_OUTPUT_DIR": str(root / "outputs"),
        "IMAGE_AGENT_WIDTH": "64",
        "IMAGE_AGENT_HEIGHT": "64",
        "IMAGE_AGENT_SCRIPT_LOG": "1",
        "PYTHONPATH": str(REPO),  # the test renderer plugin lives in tests/
    }
    # beside the agent, a graph that blocks the event loop: proof the detector is armed
    config = absolute_config(root, {"blocking_probe": "tests/fakes/blocking_probe.py:graph"})
    server = start(port=free_port(), config=config, cwd=root, env=variables, jobs=4)
    try:
        yield Env(server, root)
    finally:
        server.stop()


def test_server_is_offline_and_found(env: Env) -> None:
    assert env.server.url.startswith("http://127.0.0.1:")
    assert env.server.studio_url.endswith(f"baseUrl={env.server.url}")
    assistants = env.client.assistants.search(graph_id="image_agent")
    assert [a["graph_id"] for a in assistants] == ["image_agent"]


@pytest.mark.parametrize("xray", [False, True])
def test_graph_endpoint_lists_every_node_and_conditional_edge(env: Env, xray: bool) -> None:
    drawn = env.client.assistants.get_graph(env.assistant(), xray=xray)
    nodes = [node["id"] for node in drawn["nodes"]]
    assert set(nodes) >= NODES
    assert set(nodes) - NODES == {"__start__", "__end__"}
    edges = {(e["source"], e["target"]): bool(e.get("conditional")) for e in drawn["edges"]}
    for target in ("reason", "search", "recall", "ask_user", "compose"):
        assert edges[("plan", target)] is True, f"plan -> {target} is not conditional"
    assert edges[("evaluate", "compose")] is True and edges[("evaluate", "remember")] is True
    assert edges[("precheck", "compose")] is True and edges[("precheck", "render")] is True
    assert edges[("render", "collate")] is True and edges[("render", "evaluate")] is True
    for plain in [("compose", "precheck"), ("collate", "evaluate"), ("remember", "report")]:
        assert edges[plain] is False
    for step in ("reason", "search", "recall", "ask_user"):
        assert (step, "compose") in edges


def test_schemas_context_form_and_narrow_io(env: Env) -> None:
    schemas = env.client.assistants.get_schemas(env.assistant())
    context = schemas["context_schema"]["properties"]
    assert set(context) == {f.name for f in fields(Context)}
    assert all(prop.get("description") for prop in context.values()), context
    assert set(schemas["input_schema"]["properties"]) == {"request", "user_id"}
    assert set(schemas["output_schema"]["properties"]) == OUTPUT_KEYS
    for io in ("input_schema", "output_schema"):
        assert all(p.get("description") for p in schemas[io]["properties"].values()), io


def test_runs_wait_returns_the_output_schema(env: Env) -> None:
    thread = env.client.threads.create()
    output = env.client.runs.wait(
        thread["thread_id"],
        "image_agent",
        input={"request": "A poster of the Mid-Autumn pastry", "user_id": "wait-user"},
    )
    assert isinstance(output, dict)
    assert set(output) == OUTPUT_KEYS
    assert "mooncake" in output["final_prompt"]
    assert Path(output["images"][0]).is_file()
    folder = Path(output["report"]).parent
    assert folder.parent == env.root / "outputs"
    assert (folder / "context.json").is_file()
    assert all(v["passed"] for v in output["checklist"])


def test_stream_yields_custom_events_for_every_node_in_order(env: Env) -> None:
    spec = env.script()
    thread = env.client.threads.create()
    updates: list[str] = []
    custom: list[dict[str, Any]] = []
    for part in env.client.runs.stream(
        thread["thread_id"],
        "image_agent",
        input={"request": "A poster of the Mid-Autumn pastry"},
        context={"llm": spec},
        stream_mode=["updates", "custom"],
    ):
        if part.event == "custom":
            custom.append(part.data)
        elif part.event == "updates":
            updates.extend(part.data)
    order = ["plan", "reason", "compose", "precheck", "render", "evaluate", "remember", "report"]
    started = [e["stage"] for e in custom if e.get("status") == "start"]
    assert started == order
    assert updates == order
    assert all(e["message"] and e["stage"] in NODES for e in custom)
    assert len(custom) > len(order)  # each node also says what it did


def test_ask_user_interrupts_and_resumes_through_the_api(env: Env) -> None:
    gaps = [
        {"question": "What is your bakery called?", "kind": "ambiguous", "best_guess": "Bakery"}
    ]
    spec = env.script([{"schema": "PlanDraft", "response": plan_with(gaps)}])
    context = {"llm": spec, "interactive": True}
    thread = env.client.threads.create()["thread_id"]
    first = env.client.runs.wait(
        thread, "image_agent", input={"request": "A logo for the bakery"}, context=context
    )
    assert isinstance(first, dict)
    assert first["__interrupt__"][0]["value"]["question"] == "What is your bakery called?"
    state = env.client.threads.get_state(thread)
    assert state["next"] == ["ask_user"]
    assert env.client.threads.get(thread)["status"] == "interrupted"
    resumed = env.client.runs.wait(
        thread, "image_agent", command={"resume": "Crumb & Co"}, context=context
    )
    assert isinstance(resumed, dict)
    assert "Crumb & Co" in resumed["final_prompt"]
    values = env.client.threads.get_state(thread)["values"]
    answer = values["answers"][0]
    assert answer["provenance"] == "user" and answer["answer"] == "Crumb & Co"
    assert env.client.threads.get(thread)["status"] == "idle"


def test_parallel_questions_are_resumed_by_interrupt_id(env: Env) -> None:
    gaps = [
        {"question": "What is your bakery called?", "kind": "ambiguous", "best_guess": "Bakery"},
        {"question": "Which colour should the logo be?", "kind": "ambiguous", "best_guess": "red"},
    ]
    spec = env.script([{"schema": "PlanDraft", "response": plan_with(gaps)}])
    context = {"llm": spec, "interactive": True}
    thread = env.client.threads.create()["thread_id"]
    out = env.client.runs.wait(
        thread, "image_agent", input={"request": "A logo for the bakery"}, context=context
    )
    assert isinstance(out, dict)
    pending = {q["value"]["question"]: q["id"] for q in out["__interrupt__"]}
    assert set(pending) == {gap["question"] for gap in gaps}
    answers = {
        pending["What is your bakery called?"]: "Crumb & Co",
        pending["Which colour should the logo be?"]: "teal",
    }
    out = env.client.runs.wait(thread, "image_agent", command={"resume": answers}, context=context)
    assert isinstance(out, dict) and "__interrupt__" not in out
    assert "Crumb & Co" in out["final_prompt"] and "teal" in out["final_prompt"]
    values = env.client.threads.get_state(thread)["values"]
    assert {a["answer"] for a in values["answers"]} == {"Crumb & Co", "teal"}


def test_remember_writes_the_servers_store_and_search_finds_it(env: Env) -> None:
    user = f"store-{uuid.uuid4().hex[:6]}"
    spec = env.script(
        [
            {
                "schema": "Facts",
                "response": {
                    "facts": [
                        {"words": "I love watercolour", "slot": "style", "value": "watercolour"}
                    ]
                },
            }
        ]
    )
    thread = env.client.threads.create()["thread_id"]
    env.client.runs.wait(
        thread,
        "image_agent",
        input={"request": "I love watercolour; the Mid-Autumn pastry, please", "user_id": user},
        context={"llm": spec},
    )
    history = env.client.store.search_items(
        ("users", user, "history"), query="a festival pastry poster"
    )["items"]
    assert len(history) == 1
    assert history[0]["key"] == thread  # run id = thread id under the server
    assert "mooncake" in history[0]["value"]["final_prompt"]
    assert history[0]["score"] is not None  # ranked by the store's embedding index
    profile = env.client.store.search_items(("users", user, "profile"), query="painting style")
    facts = [i["value"]["fact"] for i in profile["items"]]
    assert facts == ["The user's preferred style: watercolour"]
    other = env.client.store.search_items(("users", "someone-else"), query="watercolour")
    assert other["items"] == []


def test_remote_graph_invoke_and_stream(env: Env) -> None:
    remote = RemoteGraph("image_agent", url=env.url)
    output = remote.invoke({"request": "A poster of the Mid-Autumn pastry"})
    assert set(output) == OUTPUT_KEYS and Path(output["images"][0]).is_file()
    stages = [
        chunk["stage"]
        for chunk in remote.stream(
            {"request": "A poster of the Mid-Autumn pastry"},
            context={"llm": env.script(), "max_rounds": 1},
            stream_mode="custom",
        )
        if chunk.get("status") == "start"
    ]
    assert stages == [
        "plan",
        "reason",
        "compose",
        "precheck",
        "render",
        "evaluate",
        "remember",
        "report",
    ]


def test_four_concurrent_runs_on_four_threads(env: Env) -> None:
    words = ["kite", "lantern", "teapot", "violin"]
    first = [
        {
            "schema": "Composed",
            "match": f"Request: A poster of a {word}",
            "delay": 1.0,
            "response": {"prompt": f"A single {word} on a plain background", "negative_prompt": ""},
        }
        for word in words
    ]
    checks = ["The background is plain", "A plain background", "It is on a background"]
    planned = plan_with([], subject="a single object", checklist=checks)
    spec = env.script([{"schema": "PlanDraft", "response": planned}, *first])
    results: dict[str, Any] = {}

    def one(word: str) -> None:
        client = get_sync_client(url=env.url)
        thread = client.threads.create()["thread_id"]
        out = client.runs.wait(
            thread,
            "image_agent",
            input={"request": f"A poster of a {word}", "user_id": f"user-{word}"},
            context={"llm": spec, "max_rounds": 1},
        )
        results[word] = (thread, out)

    workers = [threading.Thread(target=one, args=(word,)) for word in words]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert set(results) == set(words)
    for word, (thread, out) in results.items():
        assert out["final_prompt"].startswith(f"A single {word} on a plain background")
        assert not any(other in out["final_prompt"] for other in set(words) - {word})
        assert Path(out["images"][0]).parent.name == thread
    assert len({out["images"][0] for _, out in results.values()}) == 4
    spans = [(c["start"], c["end"]) for c in env.calls(spec) if c["schema"] == "Composed"]
    assert len(spans) == 4
    assert max(s for s, _ in spans) < min(e for _, e in spans), "the runs did not overlap"


def test_remote_graph_example(env: Env) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "examples" / "remote_graph.py"),
            "--url",
            env.url,
            "--user",
            "example-user",
            "A poster of the Mid-Autumn pastry",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert Path(result["images"][0]).is_file()
    assert "[plan]" in done.stderr and "[report]" in done.stderr


def test_no_blocking_call_was_reported(env: Env) -> None:
    """The agent's runs above passed without `--allow-blocking`; the detector is armed."""
    log = "\n".join(env.server.log).lower()
    assert "blockingerror" not in log and "blocking call" not in log
    with pytest.raises(Exception, match="BlockingError"):
        env.client.runs.wait(None, "blocking_probe", input={})
    deadline = time.monotonic() + 10
    while "blocking call to time.sleep" not in "\n".join(env.server.log).lower():
        assert time.monotonic() < deadline, "the probe's blocking call was not logged"
        time.sleep(0.1)
    assert env.server.process.poll() is None
