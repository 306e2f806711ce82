"""The agent graph: plan -> (reason | search | recall | ask_user)* -> compose -> precheck
-> (compose once | render, or one render per panel -> collate) -> evaluate -> (compose ... | remember) -> report.

`graph` is compiled without a checkpointer (LangGraph Server and Studio bring their own);
`build_graph(checkpointer=..., store=...)` compiles one for callers that bring theirs.
Every node is wrapped to record its wall time and model calls into `trace`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime, get_runtime
from langgraph.store.base import BaseStore
from langgraph.types import RetryPolicy, Send

from graph.report import report
from nodes.ask_user import ask_user
from nodes.collate import collate
from nodes.compose import compose
from nodes.context import Context, context_of, emit, user_of
from nodes.evaluate import after_evaluate, evaluate
from nodes.plan import plan
from nodes.precheck import after_precheck, precheck
from nodes.reason import reason
from nodes.recall import recall
from nodes.remember import remember
from nodes.render import after_render, render
from nodes.search import search
from nodes.state import GapTask, InputState, OutputState, State
from tools.crashpoints import reach
from tools.redact import redact, redact_exception, redact_tree
from tools.store_compat import fix_inmemory_store
from tools.usage import track

fix_inmemory_store()  # the dev server's store fails on repeated texts (langgraph#8822)

GROUNDING = {"reason": "reason", "search": "search", "memory": "recall", "ask_user": "ask_user"}
NodeFn = Callable[[Any, Runtime[Context]], dict[str, Any]]


def instrumented(name: str, fn: NodeFn) -> Any:
    """Wrap a node: a start event, then wall time and model calls appended to `trace`."""

    def node(state: Any, runtime: Runtime[Context]) -> dict[str, Any]:
        emit(name, "started", status="start")
        reach(f"start:{name}")
        started = time.perf_counter()
        with track() as usage:
            try:
                update = dict(fn(state, runtime))
            except Exception as exc:  # LangGraph saves its repr with the checkpoint
                redact_exception(exc)
                raise
        reach(f"end:{name}")
        entry = {
            "node": name,
            "seconds": round(time.perf_counter() - started, 3),
            "model_calls": usage.calls,
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
        }
        if isinstance(state, dict) and "gap" in state:
            entry["gap_id"] = state["gap"].get("id", "")
        update["trace"] = [entry]
        if update.get("errors"):  # provider errors may quote a key
            update["errors"] = [{**e, "message": redact(e["message"])} for e in update["errors"]]
        return dict(redact_tree(update))

    node.__name__ = name
    node.__doc__ = fn.__doc__
    return node  # typed Any: LangGraph's node protocols do not cover a generic wrapper


def _send(state: State, runtime: Runtime[Context], gap: dict[str, Any]) -> Send:
    task: GapTask = {"gap": gap, "request": state["request"], "user_id": user_of(state, runtime)}
    return Send(GROUNDING[gap["route"]], task)


def route_after_plan(state: State, runtime: Runtime[Context]) -> list[Send] | Literal["compose"]:
    """One Send per gap to its grounding node, all in parallel (with `sequential`, only the
    first: `route_after_grounding` sends the next); no gaps: the fast path."""
    gaps = state["plan"].get("gaps", [])
    if not gaps:
        return "compose"
    if context_of(runtime).sequential:
        return [_send(state, runtime, gaps[0])]
    return [_send(state, runtime, gap) for gap in gaps]


def route_after_grounding(state: State) -> list[Send] | Literal["compose"]:
    """Parallel grounding: on to compose (once every branch is done). Sequential: the gap
    after the one just grounded (the last trace entry), else compose.

    A state update written as a grounding node (the web UI's corrected answer, an edit in
    Studio) runs this branch outside any run, with no runtime (a `runtime` parameter would
    make LangGraph refuse the update): it corrects an answer already grounded, so it goes
    on to compose, where the fork reruns from."""
    runtime: Runtime[Context] | None = get_runtime(Context)
    if runtime is None or not context_of(runtime).sequential:
        return "compose"
    gaps = state["plan"].get("gaps", [])
    ids = [str(gap.get("id", "")) for gap in gaps]
    last = str((state.get("trace") or [{}])[-1].get("gap_id", ""))
    following = ids.index(last) + 1 if last in ids else len(ids)
    return [_send(state, runtime, gaps[following])] if following < len(gaps) else "compose"


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None, store: BaseStore | None = None
) -> CompiledStateGraph[Any, Any, Any, Any]:
    builder = StateGraph(
        State, context_schema=Context, input_schema=InputState, output_schema=OutputState
    )
    builder.add_node("plan", instrumented("plan", plan))
    builder.add_node("reason", instrumented("reason", reason))
    builder.add_node("search", instrumented("search", search))
    builder.add_node("recall", instrumented("recall", recall))
    builder.add_node("ask_user", instrumented("ask_user", ask_user))
    builder.add_node("compose", instrumented("compose", compose))
    builder.add_node("precheck", instrumented("precheck", precheck))
    builder.add_node(
        "render", instrumented("render", render), retry_policy=RetryPolicy(max_attempts=2)
    )
    builder.add_node("collate", instrumented("collate", collate))
    builder.add_node("evaluate", instrumented("evaluate", evaluate))
    builder.add_node("remember", instrumented("remember", remember))
    builder.add_node("report", instrumented("report", report))
    builder.add_edge(START, "plan")
    builder.add_conditional_edges(
        "plan", route_after_plan, ["reason", "search", "recall", "ask_user", "compose"]
    )
    for name in GROUNDING.values():
        builder.add_conditional_edges(name, route_after_grounding, [*GROUNDING.values(), "compose"])
    builder.add_edge("compose", "precheck")
    builder.add_conditional_edges("precheck", after_precheck, ["compose", "render"])
    builder.add_conditional_edges("render", after_render, ["collate", "evaluate"])
    builder.add_edge("collate", "evaluate")
    builder.add_conditional_edges("evaluate", after_evaluate, ["compose", "remember"])
    builder.add_edge("remember", "report")
    builder.add_edge("report", END)
    return builder.compile(checkpointer=checkpointer, store=store, name="image_agent")


graph = build_graph()
