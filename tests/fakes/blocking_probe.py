"""A graph that blocks the event loop on purpose (an async node calling `time.sleep`).

The server tests serve it beside the agent to prove the dev server's blocking-call detector
is armed: this run must fail, while the agent's runs (sync nodes, run in worker threads)
pass on the same server.
"""

from __future__ import annotations

import time
from typing import Any

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class ProbeState(TypedDict, total=False):
    done: bool


async def block(state: ProbeState) -> dict[str, Any]:
    time.sleep(0.05)  # a blocking call inside the event loop
    return {"done": True}


builder = StateGraph(ProbeState)
builder.add_node("block", block)
builder.add_edge(START, "block")
builder.add_edge("block", END)
graph = builder.compile()
