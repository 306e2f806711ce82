"""Sections 2 and 3, parallel grounding.

2: four gaps through the whole graph with a scripted model whose reason calls take a fixed
   1 s: the grounding wall time (plan's update to the last grounding update) divided by the
   slowest gap's node time, beside the same run with `sequential` (gaps one after another).
3: the embedded model: four gap questions asked at once (as the grounding branches ask
   them) against the same four one after another.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from pathlib import Path
from typing import Any

from benchmarks.perf.common import context, isolated_home, script

GROUNDING = ("reason", "search", "recall", "ask_user")
# invented gap questions, each about a subject of its own
QUESTIONS = [
    ("A stamp showing the metal a lightning rod is usually made of", "Which metal is it?"),
    ("A poster of the planet with the longest day", "Which planet has the longest day?"),
    ("A diagram of the gas plants take in to make sugar", "Which gas do plants take in?"),
    ("A sticker of the animal a bezoar stone is found in", "Which animal is it found in?"),
]


def _grounding_wall(app: Any, ctx: Any, thread: str) -> dict[str, float]:
    config: Any = {"configurable": {"thread_id": thread}, "recursion_limit": 100}
    planned = last = 0.0
    for update in app.stream({"request": "A field guide page of four birds"}, config, context=ctx):
        now = time.perf_counter()
        node = next(iter(update), "")
        if node == "plan":
            planned = now
        elif node in GROUNDING:
            last = now
    trace = app.get_state(config).values.get("trace", [])
    gaps = [float(e["seconds"]) for e in trace if e["node"] in GROUNDING]
    wall = last - planned
    slowest = max(gaps, default=0.0)
    return {
        "gaps": len(gaps),
        "grounding_wall_s": round(wall, 3),
        "slowest_gap_s": round(slowest, 3),
        "wall_over_slowest": round(wall / slowest, 2) if slowest else 0.0,
    }


def fake_model(folder: Path, delay: float = 1.0) -> dict[str, Any]:
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.store.memory import InMemoryStore

    from graph.agent import build_graph
    from nodes.context import Context

    with isolated_home(folder / "parallel"):
        spec = script(folder / "parallel", gaps=4, reason_delay=delay)
        out: dict[str, Any] = {"model_latency_s": delay}
        app = build_graph(checkpointer=InMemorySaver(), store=InMemoryStore())
        out["parallel"] = _grounding_wall(app, context(spec, folder / "parallel"), "par")
        if "sequential" in {f.name for f in fields(Context)}:
            ctx = context(spec, folder / "parallel", sequential=True)
            out["sequential"] = _grounding_wall(app, ctx, "seq")
            seq = out["sequential"]["grounding_wall_s"]
            out["parallel_over_sequential"] = (
                round(out["parallel"]["grounding_wall_s"] / seq, 2) if seq else 0.0
            )
        else:
            out["sequential"] = "this commit has no sequential setting"
    return out


def _ask(question: tuple[str, str]) -> dict[str, Any]:
    from langchain_core.messages import HumanMessage, SystemMessage

    from nodes.reason.prompts import SYSTEM, Reasoned
    from tools.models import get_chat_model
    from tools.structured import ask
    from tools.usage import track

    request, asked = question
    messages = [
        SystemMessage(content=SYSTEM),
        HumanMessage(f"Request: {request}\nQuestion: {asked}"),
    ]
    started = time.perf_counter()
    with track() as usage:
        ask(get_chat_model("local"), Reasoned, messages)
    return {
        "seconds": time.perf_counter() - started,
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
    }


def embedded_model(questions: int = 4) -> dict[str, Any]:
    """Four gap calls at once against the same four in a row (model loaded and warmed
    first, so neither side pays the load or the shared prefix's first evaluation)."""
    chosen = QUESTIONS[:questions]
    _ask(("A postcard of a quiet harbour", "Which boats are moored there?"))  # load, warm
    started = time.perf_counter()
    in_a_row = [_ask(q) for q in chosen]
    sequential = time.perf_counter() - started
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(chosen)) as pool:
        at_once = list(pool.map(_ask, chosen))
    concurrent = time.perf_counter() - started
    return {
        "calls": len(chosen),
        "sequential_s": round(sequential, 2),
        "concurrent_s": round(concurrent, 2),
        "concurrent_over_sequential": round(concurrent / sequential, 2) if sequential else 0.0,
        "output_tokens_sequential": sum(r["output_tokens"] for r in in_a_row),
        "output_tokens_concurrent": sum(r["output_tokens"] for r in at_once),
    }
