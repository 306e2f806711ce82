"""What one fresh process measures, for cold.py (run as `python -m benchmarks.perf.probe
WHAT`; prints one JSON object): `import` (graph.agent), `llm` (the embedded model's load,
its first planner call, a second one), `loads` (two scripted runs, sketch renderer)."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()
# invented planner requests: the first and a second call of a process
REQUESTS = [
    "A woodcut of the tool a cooper uses to tighten barrel hoops",
    "A travel poster of the island where the dodo lived, with the word Mauritius",
]


def probe_import() -> dict[str, Any]:
    from benchmarks.perf.common import loads, runtimes_imported

    started = time.perf_counter()
    import graph.agent  # noqa: F401

    return {
        "import_s": round(time.perf_counter() - started, 3),
        "loads": loads(),
        "runtimes_imported": runtimes_imported(),
    }


def plan_call(request: str) -> dict[str, Any]:
    from langchain_core.messages import HumanMessage, SystemMessage

    from nodes.plan.prompt import SYSTEM, PlanDraft
    from tools.models import get_chat_model
    from tools.structured import ask
    from tools.usage import track

    started = time.perf_counter()
    with track() as usage:
        ask(
            get_chat_model("local"),
            PlanDraft,
            [SystemMessage(SYSTEM), HumanMessage(f"Request: {request}")],
        )
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
    }


def probe_llm(second: bool) -> dict[str, Any]:
    from tools import local_llm

    started = time.perf_counter()
    local_llm.server()
    out: dict[str, Any] = {"model_load_s": round(time.perf_counter() - started, 2)}
    out["first_call"] = plan_call(REQUESTS[0])
    if second:
        out["second_call"] = plan_call(REQUESTS[1])
    return out


def probe_loads() -> dict[str, Any]:
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.store.memory import InMemoryStore

    from benchmarks.perf.common import context, isolated_home, loads, script
    from graph.agent import build_graph

    folder = Path(tempfile.mkdtemp(prefix="perf-loads-"))
    runs = []
    with isolated_home(folder):
        spec = script(folder, gaps=1)
        ctx = context(spec, folder / "outputs", renderer="sketch")
        app = build_graph(checkpointer=InMemorySaver(), store=InMemoryStore())
        for i in range(2):
            before = loads()
            started = time.perf_counter()
            app.invoke(
                {"request": REQUESTS[0]}, {"configurable": {"thread_id": f"r{i}"}}, context=ctx
            )
            after = loads()
            runs.append(
                {
                    "seconds": round(time.perf_counter() - started, 2),
                    "loads": {
                        k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)
                    },
                }
            )
    return {"first_run": runs[0], "second_run": runs[1]}


def main() -> None:
    what = sys.argv[1]
    if what == "import":
        out = probe_import()
    elif what == "llm":
        out = probe_llm(second="--second" in sys.argv)
    elif what == "loads":
        out = probe_loads()
    else:
        raise SystemExit(f"probe: unknown {what!r}")
    out["process_s"] = round(time.perf_counter() - STARTED, 3)
    print("PROBE " + json.dumps(out))


if __name__ == "__main__":
    main()
