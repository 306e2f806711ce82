"""Use image-agent running on a LangGraph server (`make dev`) through `RemoteGraph`.

`RemoteGraph` is a graph like any other: `invoke`, `stream`, or `add_node` it into a parent
graph. This script streams the agent's progress (custom events, one per step) to stderr
and prints the result as JSON.

    make dev      # in another terminal; it prints the address it bound
    python examples/remote_graph.py --url http://127.0.0.1:2024 "the bird on the coat of arms of Mexico"
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from langgraph.pregel.remote import RemoteGraph


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("request")
    parser.add_argument("--url", default="http://127.0.0.1:2024")
    parser.add_argument("--user", default="default")
    args = parser.parse_args(argv)
    remote = RemoteGraph("image_agent", url=args.url)
    final: dict[str, Any] = {}
    for part in remote.stream(
        {"request": args.request, "user_id": args.user},
        context={"interactive": False},  # any Context field: llm, renderer, max_rounds, ...
        stream_mode=["custom", "values"],
        version="v2",  # each part: {"type", "ns", "data", "interrupts"}
    ):
        if part["type"] == "custom":
            event = part["data"]
            print(f"[{event['stage']}] {event['message']}", file=sys.stderr, flush=True)
        elif part["type"] == "values":
            final = part["data"]
    keys = ("images", "final_prompt", "report", "checklist")
    json.dump({key: final.get(key) for key in keys}, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
