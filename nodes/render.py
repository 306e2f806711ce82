"""render: draw the composed prompt with the configured renderer.

Files go to `{output_dir}/{run_id}/round-{n}.png`; a re-run of the same round overwrites
its own files, so the node is idempotent (resume may run it again). Failures raise after
the graph's retry policy, leaving the checkpoint for `image-agent resume`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from nodes.context import Context, context_of, emit
from nodes.state import State
from renderers.base import RenderJob
from renderers.registry import get_renderer


def run_folder(output_dir: str, run_id: str) -> Path:
    """The run's output folder, refusing ids that would escape `output_dir`."""
    base = Path(output_dir).expanduser().resolve()
    folder = (base / run_id).resolve()
    if folder.parent != base:
        raise ValueError(f"run id {run_id!r} would write outside {base}")
    return folder


def render(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    plan = state["plan"]
    draft = state["draft"]
    number = int(draft["round"])
    job: RenderJob = {
        "prompt": draft["prompt"],
        "negative_prompt": draft.get("negative_prompt", ""),
        "width": ctx.width,
        "height": ctx.height,
        "seed": ctx.seed + number - 1,
        "n_images": int(plan.get("n_images", 1)),
        "style": plan.get("style", ""),
        "setting": plan.get("setting", ""),
        "palette": list(plan.get("palette", [])),
        "layout": list(plan.get("layout", [])),
        "text_to_render": plan.get("text_to_render", ""),
        "steps": ctx.steps,
        "guidance": ctx.guidance,
    }
    renderer = get_renderer(ctx.renderer)
    emit("render", f"rendering round {number} with {renderer.name}", round=number)
    folder = run_folder(ctx.output_dir, state["run_id"])
    folder.mkdir(parents=True, exist_ok=True)
    result = renderer.render(job, folder, f"round-{number}")
    emit("render", f"round {number}: {', '.join(Path(p).name for p in result['images'])}")
    record = {
        "round": number,
        "prompt": draft["prompt"],
        "negative_prompt": job["negative_prompt"],
        "retention": draft.get("retention", []),
        "precheck": draft.get("precheck", {}),
        "renderer": ctx.renderer,
        "seed": job["seed"],
        "images": [str(Path(p).resolve()) for p in result["images"]],
        "scene": result["scene"],
    }
    return {"rounds": [record]}
