"""A parent LangGraph graph that uses image-agent as a subgraph.

The parent turns a product and an occasion into a request, runs the agent as one node
(the compiled graph added with `add_node`: the parent's state shares the agent's input keys
`request`, `user_id` and its output keys `images`, `final_prompt`, `report`, `checklist`),
then writes a caption from the result. The parent's `Context` flows into the agent.

    python examples/subgraph_parent.py "our lemon tart" "Mother's Day"

Models, renderer and limits come from the usual IMAGE_AGENT_* variables (see README).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from graph.agent import graph as image_agent
from nodes.context import Context


class Campaign(TypedDict, total=False):
    product: str
    occasion: str
    request: str  # shared with the agent: its input
    user_id: str
    images: list[str]  # shared with the agent: its output
    final_prompt: str
    report: str
    checklist: list[dict[str, Any]]
    caption: str


def brief(state: Campaign) -> dict[str, Any]:
    occasion = state["occasion"]
    return {
        "request": f'A poster of {state["product"]} for {occasion}, with the words "{occasion}"'
    }


def caption(state: Campaign) -> dict[str, Any]:
    passed = sum(1 for verdict in state.get("checklist", []) if verdict.get("passed"))
    total = len(state.get("checklist", []))
    return {"caption": f"{state['product']} for {state['occasion']} ({passed}/{total} checks)"}


def build_parent() -> CompiledStateGraph[Any, Any, Any, Any]:
    builder = StateGraph(Campaign, context_schema=Context)
    builder.add_node("brief", brief)
    builder.add_node("image_agent", image_agent)  # the compiled agent is the node
    builder.add_node("caption", caption)
    builder.add_edge(START, "brief")
    builder.add_edge("brief", "image_agent")
    builder.add_edge("image_agent", "caption")
    builder.add_edge("caption", END)
    return builder.compile()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("product")
    parser.add_argument("occasion")
    parser.add_argument("--user", default="default")
    args = parser.parse_args(argv)
    parent = build_parent()
    result = parent.invoke(
        {"product": args.product, "occasion": args.occasion, "user_id": args.user},
        context=Context(interactive=False),
    )
    keys = ("caption", "request", "final_prompt", "images", "report")
    json.dump({key: result.get(key) for key in keys}, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
