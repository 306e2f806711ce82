"""Multi-panel plans: one prompt and one render per panel, in parallel, a shared description
of the recurring characters, and the panels laid out on one sheet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from benchmarks.judge import judge_item_text
from nodes.evaluate import decided_by_code, panel_count_check
from nodes.plan.routing import cue
from renderers.sheet import grid, make_sheet
from tests.conftest import plan_with
from tests.unit.test_graph import calls, make_context, nodes_run, run

FOX = "a small red fox wearing a blue striped scarf"
PANELS = {
    "characters": FOX,
    "panels": [
        {"title": "Windy day", "scene": "the fox walks through a snowy forest"},
        {"title": "Scarf gone", "scene": "the scarf flies into a tree"},
        {"title": "Found it", "scene": "the fox climbs the tree and takes the scarf back"},
    ],
}
CHECKS = ["A fox is shown", "The fox wears a scarf", "A snowy forest"]


def fox_script(script: Callable[..., str], **extra: Any) -> str:
    return script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([], checklist=CHECKS, text="")},
            {"schema": "PanelDraft", "response": {**PANELS, **extra}},
            {
                "schema": "Composed",
                "response": {
                    "prompt": "A red fox in a blue scarf in a snowy forest, cartoon",
                    "negative_prompt": "",
                },
            },
        ]
    )


def test_cues_for_panels() -> None:
    for request in [
        "A three-panel comic strip of a fox",
        "the steps of making tea",
        "before and after pictures of a garden",
        "4 images of a lighthouse",
    ]:
        assert cue("panels", request), request
    for request in ["a house with solar panels", "three black cats on a sofa", "a steep step"]:
        assert not cue("panels", request), request


def test_comic_strip_renders_each_panel_in_parallel_on_one_sheet(
    home: Path, tmp_path: Path, script: Callable[..., str], monkeypatch: Any
) -> None:
    log = tmp_path / "renders.jsonl"
    monkeypatch.setenv("IMAGE_AGENT_TEST_RENDER_LOG", str(log))
    monkeypatch.setenv("IMAGE_AGENT_TEST_RENDER_DELAY", "0.4")
    spec = fox_script(script)
    state = run(
        make_context(spec, tmp_path, max_rounds=1),
        "A three-panel comic strip of a fox who loses his scarf",
    )
    assert nodes_run(state).count("render") == 3 and "collate" in nodes_run(state)
    plan = state["plan"]
    assert plan["sheet"] is True and plan["characters"] == FOX and len(plan["panels"]) == 3
    (round_,) = state["rounds"]
    prompts = [p["prompt"] for p in round_["panel_results"]]
    assert [p["panel"] for p in round_["panel_results"]] == [1, 2, 3]
    assert all(FOX in prompt for prompt in prompts)  # one shared description
    assert prompts[1].startswith("Panel 2 of 3: the scarf flies into a tree")
    # the three renders overlapped in time (parallel Send)
    import json

    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(e["stem"] for e in entries) == [f"round-1-panel-{i}" for i in (1, 2, 3)]
    starts = sorted(e["t"] for e in entries)
    assert starts[-1] - starts[0] < 0.4, "the panels were rendered one after another"
    # one sheet: 3 panels side by side
    (sheet,) = state["images"]
    assert Path(sheet).name == "round-1.png"
    with Image.open(sheet) as image:
        assert image.width > 3 * 64 and image.height < 2 * 64 + 200
    assert [p["title"] for p in round_["scene"]["panels"]] == [
        "Windy day",
        "Scarf gone",
        "Found it",
    ]
    assert "PanelDraft" in [c["schema"] for c in calls(spec)]


def test_separate_images_are_kept_apart(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = fox_script(script)
    state = run(make_context(spec, tmp_path, max_rounds=1), "Three separate images of a fox's day")
    assert state["plan"]["sheet"] is False and state["plan"]["n_images"] == 3
    assert [Path(p).name for p in state["images"]] == [f"round-1-panel-{i}.png" for i in (1, 2, 3)]


def test_a_single_image_request_makes_no_panel_call(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = fox_script(script)
    state = run(make_context(spec, tmp_path, max_rounds=1), "A fox in a scarf in the snow")
    assert state["plan"]["panels"] == [] and "collate" not in nodes_run(state)
    assert "PanelDraft" not in [c["schema"] for c in calls(spec)]


def test_sheet_grid_and_size(tmp_path: Path) -> None:
    assert [grid(n) for n in (1, 2, 3, 4, 5, 6)] == [(1, 1), (2, 1), (3, 1), (2, 2), (3, 2), (3, 2)]
    paths = []
    for i in range(4):
        path = tmp_path / f"p{i}.png"
        Image.new("RGB", (100, 80), (60 * i, 0, 0)).save(path)
        paths.append(str(path))
    out = make_sheet(paths, ["a", "b", "c", "d"], tmp_path / "sheet.png", title="Title")
    with Image.open(out) as sheet:
        assert sheet.size == (2 * 100 + 3 * 16, 64 + 2 * (80 + 44) + 3 * 16)
        assert sheet.getpixel((16 + 50, 64 + 16 + 40)) == (0, 0, 0)  # panel 1 in the top left
        assert sheet.getpixel((16 + 100 + 16 + 50, 64 + 16 + 40)) == (60, 0, 0)  # panel 2


def test_each_panel_draws_the_planned_objects_its_scene_names() -> None:
    from nodes.render import panel_layout

    layout: Any = [
        {"name": "red fox", "box": [0.1, 0.1, 0.5, 0.5]},
        {"name": "tree", "box": [0.5, 0.1, 0.9, 0.9]},
    ]
    assert panel_layout(layout, {"scene": "the scarf flies into a tree"}) == [layout[1]]
    assert panel_layout(layout, {"scene": "the foxes climb the tree"}) == layout
    assert panel_layout(layout, {"scene": "snow falls"}) == layout  # names none: all
    assert panel_layout([], {"scene": "snow", "title": "Snow"})[0]["name"] == "Snow"


def test_a_panel_count_item_is_decided_by_the_panels_laid_out() -> None:
    scene = {"objects": [], "panels": [{"panel": i} for i in (1, 2, 3)], "text": ""}
    assert panel_count_check("Three panels", scene) == {
        "item": "Three panels",
        "passed": True,
        "reason": "3 panel(s) laid out",
    }
    assert panel_count_check("A 4-panel comic", scene)["passed"] is False  # type: ignore[index]
    # more than a count, or no panels reported: left to the judge
    assert panel_count_check("Three panels of a melting snowman", scene) is None
    assert panel_count_check("Three panels", {"objects": []}) is None
    assert decided_by_code("Two panels", scene, "a prompt")["passed"] is False  # type: ignore[index]
    # the bench's text judge decides it by code too: no judge model is built for it
    verdict = judge_item_text("Three panels", "a strip", scene, "scripted:/nonexistent.json")
    assert verdict["passed"] and verdict["reason"] == "code: 3 panel(s) laid out"
