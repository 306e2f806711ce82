"""`image-agent bench`: score the agent (and the direct baseline) on benchmark cases.

graph/cli.py finds this subcommand through the entry point `bench = "benchmarks.cli:register"`
of the group `image_agent.commands` (pyproject.toml); nothing in graph/ imports this package.
How a bench runs: benchmarks/runner.py.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from benchmarks.config import config_from_args
from benchmarks.report import pct
from benchmarks.results import RESULTS
from benchmarks.runner import run_bench
from graph.cli import console


def register(sub: Any) -> Callable[[argparse.Namespace], int]:
    """The `image_agent.commands` entry point: add `bench` to the CLI; its handler."""
    add_parser(sub)
    return cmd_bench


def add_parser(sub: Any) -> None:
    bench = sub.add_parser(
        "bench",
        help="score the agent (and the direct baseline) on benchmark cases or WISE prompts",
    )
    bench.add_argument("cases", nargs="?", help="cases .jsonl file, or a folder of them")
    bench.add_argument("--wise", help="a WISE / WISE-Verified prompt file (.json or .jsonl)")
    bench.add_argument("--corpus", help="folder of documents for search (local:DIR)")
    bench.add_argument("--llm", help="model for the agent (default: local)")
    bench.add_argument("--vlm", help="vision model: the agent's and the bench's judge on pixels")
    bench.add_argument(
        "--judge",
        help="the bench's judge model (default: --vlm when given, pixel-level; else --llm, "
        "context-level)",
    )
    bench.add_argument("--renderer", help="renderer spec (default: sketch)")
    bench.add_argument("--baseline", choices=["direct"], help="also render the raw request")
    bench.add_argument("--max-rounds", type=int, help="the agent's render attempts (default 3)")
    bench.add_argument("--out", default="outputs/bench", help="output folder")
    bench.add_argument("--limit", type=int, help="run only the first N cases (after --stride)")
    bench.add_argument("--stride", type=int, default=1, help="take every K-th case (default 1)")
    bench.add_argument("--resume", action="store_true", help="skip cases already in --out")


def cmd_bench(args: argparse.Namespace) -> int:
    config, cases = config_from_args(args)
    console.print(
        f"bench: {len(cases)} case(s), judge {config.judge} ({config.mode}), out {config.out}"
    )
    try:
        info = run_bench(config, cases, resume=args.resume)
    except KeyboardInterrupt:
        console.print(f"\nbench interrupted; finished cases are in {config.out / RESULTS}")
        console.print("continue with the same command and --resume")
        return 130
    console.print(f"summary: {config.out / 'summary.md'}")
    agent = info["agent"]
    figure = agent["weighted"] if config.kind == "wise" else agent["overall"]["pr"]
    console.print(f"agent: {pct(figure)}% ({config.mode})")
    if "baseline" in info:
        base = info["baseline"]
        figure = base["weighted"] if config.kind == "wise" else base["overall"]["pr"]
        console.print(f"direct: {pct(figure)}% ({config.mode})")
    return 0
