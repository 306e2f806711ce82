"""The direct baseline: the raw request rendered as is (no plan, grounding or composing),
judged the same way as the agent in the same run."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from benchmarks.case_file import Case
from benchmarks.config import BenchConfig
from nodes.context import Context
from renderers.base import RenderJob
from renderers.registry import get_renderer


def render_direct(
    request: str, renderer: str, folder: Path, *, width: int, height: int, seed: int
) -> dict[str, Any]:
    """The baseline: the raw request rendered as is (no plan, grounding or composing)."""
    job: RenderJob = {
        "prompt": request,
        "negative_prompt": "",
        "width": width,
        "height": height,
        "seed": seed,
        "n_images": 1,
        "layout": [],
        # what a text-to-image model would be asked to write: the request's quoted text
        "text_to_render": " ".join(re.findall(r"[\"“]([^\"”]+)[\"”]", request)),
    }
    folder.mkdir(parents=True, exist_ok=True)
    result = get_renderer(renderer).render(job, folder, "direct")
    return {"images": [str(Path(p).resolve()) for p in result["images"]], "scene": result["scene"]}


def run_baseline(config: BenchConfig, case: Case) -> dict[str, Any]:
    size = Context()
    started = time.perf_counter()
    out = render_direct(
        case["prompt"],
        config.renderer,
        config.out / "runs" / f"{case['id']}-direct",
        width=size.width,
        height=size.height,
        seed=size.seed,
    )
    return {
        "final_prompt": case["prompt"],
        **out,
        "rounds": 1,
        "wall_s": round(time.perf_counter() - started, 3),
        "model_calls": 0,
    }
