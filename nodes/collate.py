"""collate: gather the panels of a round rendered in parallel into one result to judge.

A multi-panel plan (a comic strip, steps, before/after) rendered each panel on its own;
here they become the round's images: laid out on one sheet (`plan.sheet`, the default for
panels) or kept as separate images, and one scene for the judge that lists every panel's
drawn objects and titles. The sheet overwrites its own file on a re-run (idempotent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langgraph.runtime import Runtime

from nodes.context import Context, context_of, emit, run_folder
from nodes.state import State
from renderers.sheet import make_sheet


def merged_scene(plan: dict[str, Any], panels: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One scene for the judge: every panel's objects (prefixed by panel), titles, text."""
    objects = []
    for panel in panels:
        for obj in panel.get("scene", {}).get("objects", []):
            objects.append({**obj, "panel": panel["panel"]})
    scene: dict[str, Any] = {
        "panels": [
            {"panel": p["panel"], "title": p.get("title", ""), "prompt": p["prompt"]}
            for p in panels
        ],
        "setting": plan.get("setting", ""),
    }
    if any("objects" in p.get("scene", {}) for p in panels):
        scene["objects"] = objects
        scene["text"] = str(plan.get("text_to_render", ""))
    attribution = {str(p.get("scene", {}).get("attribution", "")) for p in panels} - {""}
    if attribution:
        scene["attribution"] = sorted(attribution)[0]
    return scene


def collate(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    plan = state["plan"]
    current = state["rounds"][-1]
    number = int(current["round"])
    panels = sorted(current.get("panel_results", []), key=lambda p: p["panel"])
    images = [image for panel in panels for image in panel.get("images", [])[:1]]
    if plan.get("sheet") and images:
        ctx = context_of(runtime)
        out = make_sheet(
            images,
            [p.get("title", "") for p in panels],
            run_folder(ctx.output_dir, state["run_id"]) / f"round-{number}.png",
            title=str(plan.get("text_to_render", "")),
        )
        images = [str(out.resolve())]
    emit("collate", f"round {number}: {len(panels)} panel(s) -> {len(images)} image(s)")
    record = {"round": number, "images": images, "scene": merged_scene(plan, panels)}
    return {"rounds": [record]}
