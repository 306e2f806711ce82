"""render: draw the composed prompt with the configured renderer.

Files go to `{output_dir}/{run_id}/round-{n}.png`; a re-run of the same round overwrites
its own files, so the node is idempotent (resume may run it again). Failures raise after
the graph's retry policy, leaving the checkpoint for `image-agent resume`. A renderer that
degraded (its scene's `degraded`: say, a smaller size after running out of memory) is
recorded in `errors`, so the report lists it under Problems.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, cast

from langgraph.runtime import Runtime

from nodes.context import Context, context_of, emit, run_folder
from nodes.rounds import PanelTask
from nodes.state import State
from renderers.base import LayoutBox, RenderJob, step_reporter
from renderers.placement import place_layout
from renderers.registry import get_renderer


def render(state: State | PanelTask, runtime: Runtime[Context]) -> dict[str, Any]:
    """Render the round's draft, or one panel of it when called through `Send`."""
    ctx = context_of(runtime)
    plan = state["plan"]
    draft = state["draft"]
    number = int(draft["round"])
    panel: dict[str, Any] | None = state.get("panel")  # type: ignore[assignment]
    job: RenderJob = {
        "prompt": panel["prompt"] if panel else draft["prompt"],
        "negative_prompt": draft.get("negative_prompt", ""),
        "width": ctx.width,
        "height": ctx.height,
        "seed": ctx.seed + number - 1,
        "n_images": 1 if panel else int(plan.get("n_images", 1)),
        "style": plan.get("style", ""),
        "setting": plan.get("setting", ""),
        "palette": list(plan.get("palette", [])),
        "layout": (
            panel_layout(plan.get("layout", []), panel)
            if panel
            else arranged_layout(plan.get("layout", []), state.get("answers", []))
        ),
        "text_to_render": "" if panel else plan.get("text_to_render", ""),
        "steps": ctx.steps,
        "guidance": ctx.guidance,
    }
    renderer = get_renderer(ctx.renderer)
    which = f"round {number}" + (f", panel {panel['panel']}" if panel else "")
    emit("render", f"rendering {which} with {renderer.name}", round=number)
    folder = run_folder(ctx.output_dir, state["run_id"])
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"round-{number}" + (f"-panel-{panel['panel']}" if panel else "")

    def on_step(done: int, total: int) -> None:
        of = f"/{total}" if total else ""
        emit("render", f"{which}: step {done}{of}", round=number, step=done, steps=total)

    token = step_reporter.set(on_step)
    try:
        result = renderer.render(job, folder, stem)
    finally:
        step_reporter.reset(token)
    emit("render", f"{which}: {', '.join(Path(p).name for p in result['images'])}")
    images = [str(Path(p).resolve()) for p in result["images"]]
    record: dict[str, Any] = {
        "round": number,
        "prompt": draft["prompt"],
        "negative_prompt": job["negative_prompt"],
        "retention": draft.get("retention", []),
        "request_retention": draft.get("request_retention", []),
        "prompt_source": draft.get("prompt_source", "composer"),
        "rejected": draft.get("rejected", []),
        "repairs": draft.get("repairs", {}),
        "precheck": draft.get("precheck", {}),
        "renderer": ctx.renderer,
        "seed": job["seed"],
    }
    if panel:
        record["panel_results"] = [
            {
                "panel": panel["panel"],
                "title": panel.get("title", ""),
                "prompt": panel["prompt"],
                "images": images,
                "scene": result["scene"],
            }
        ]
    else:
        record.update({"images": images, "scene": result["scene"]})
    update: dict[str, Any] = {"rounds": [record]}
    if result["scene"].get("degraded"):  # the renderer fell back (a smaller size, ...)
        update["errors"] = [
            {"node": "render", "message": f"{which}: {result['scene']['degraded']}"}
        ]
    return update


def arranged_layout(layout: list[LayoutBox], answers: Any) -> list[LayoutBox]:
    """The planned layout, with the objects a tool placed (an ordering along an axis) moved."""
    out: list[dict[str, Any]] = [dict(obj) for obj in layout]
    for answer in answers or []:
        placement = answer.get("placement") if answer.get("resolved") else None
        if placement:
            out = place_layout(
                out, placement["axis"], list(placement["order"]), placement.get("scale")
            )
    return cast(list[LayoutBox], out)


def panel_layout(layout: list[LayoutBox], panel: dict[str, Any]) -> list[LayoutBox]:
    """The planned objects that a panel's scene names (all of them when it names none)."""
    scene = " ".join(re.findall(r"[a-z]+", str(panel.get("scene", "")).lower()))
    named = [
        obj
        for obj in layout
        if any(
            re.search(rf"\b{re.escape(w)}", scene) for w in str(obj.get("name", "")).lower().split()
        )
    ]
    return list(named or layout) or [
        {"name": panel.get("title") or "panel", "box": [0.2, 0.2, 0.8, 0.8]}
    ]


def after_render(state: State) -> Literal["collate", "evaluate"]:
    """A round rendered as panels is collated into one result before it is judged."""
    current = state["rounds"][-1]
    return "collate" if current.get("panel_results") else "evaluate"
