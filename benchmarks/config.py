"""The bench's settings, from its command line and checked before any model loads."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.case_file import Case, read_cases
from benchmarks.judge import CONTEXT_LEVEL, PIXEL_LEVEL
from benchmarks.wise import read_wise
from graph.validate import validate_context
from nodes.context import Context
from tools.errors import UserError
from tools.models import validate_model_spec
from tools.search import resolve_search_spec


@dataclass
class BenchConfig:
    kind: str  # "ia" or "wise"
    source: str
    out: Path
    llm: str
    vlm: str
    judge: str
    mode: str  # context-level | pixel-level
    renderer: str
    search: str
    baseline: bool
    max_rounds: int

    def meta(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "mode": self.mode,
            "judge": self.judge,
            "llm": self.llm,
            "vlm": self.vlm,
            "renderer": self.renderer,
            "search": self.search,
            "baseline": "direct" if self.baseline else "",
            "max_rounds": self.max_rounds,
        }


def config_from_args(args: argparse.Namespace) -> tuple[BenchConfig, list[Case]]:
    """The bench's settings and its cases, all checked before any model loads."""
    if bool(args.cases) == bool(args.wise):
        raise UserError("bench: give a cases file (or folder), or --wise FILE, not both")
    if args.limit is not None and args.limit < 1:
        raise UserError(f"--limit {args.limit}: use 1 or more")
    if args.stride < 1:
        raise UserError(f"--stride {args.stride}: use 1 or more")
    if args.corpus and not Path(args.corpus).is_dir():
        raise UserError(f"--corpus {args.corpus}: no such folder")
    cases = read_wise(Path(args.wise)) if args.wise else read_cases(Path(args.cases))
    cases = cases[:: args.stride][: args.limit]
    ctx = Context()
    for name, value in (("llm", args.llm), ("vlm", args.vlm), ("renderer", args.renderer)):
        if value:
            setattr(ctx, name, value.strip())
    if args.max_rounds is not None:
        ctx.max_rounds = args.max_rounds
    if args.corpus:
        ctx.search = f"local:{Path(args.corpus).resolve()}"
    validate_context(ctx)
    mode = PIXEL_LEVEL if ctx.vlm else CONTEXT_LEVEL
    judge = (args.judge or ctx.vlm or ctx.llm).strip()
    validate_model_spec(judge, "vlm" if mode == PIXEL_LEVEL else "judge")
    config = BenchConfig(
        kind="wise" if args.wise else "ia",
        source=str(Path(args.wise or args.cases).resolve()),
        out=Path(args.out).expanduser().resolve(),
        llm=ctx.llm,
        vlm=ctx.vlm,
        judge=judge,
        mode=mode,
        renderer=ctx.renderer,
        search=resolve_search_spec(ctx.search),
        baseline=args.baseline == "direct",
        max_rounds=ctx.max_rounds,
    )
    return config, cases
