"""evaluate: judge every checklist item against what was rendered; route the loop.

Without a vision model the judge is text-only: it reads the scene the renderer reports
(objects drawn, text written) and the prompt, so its verdicts are context-level, not
pixel-level; the report says so. Exact text is checked by code, not by the model.
With a vision model (`vlm`), every item the code cannot decide exactly goes to it with the
rendered image (a base64 image content block): pixel-level verdicts. When the vision call
fails, the round falls back to the text judge and records why.
Failed items become feedback for the next compose; after `max_rounds` attempts the best
round (most items passed, earliest on ties) is kept.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field, create_model

from nodes.context import Context, chat_model, context_of, emit
from nodes.rounds import Round, Verdict, asked, grounded_words, stalled
from nodes.state import State
from tools.judging import rule_verdict
from tools.structured import StructuredOutputError, ask
from tools.wording import NUMBER_WORDS, QUOTED

JUDGE_MODE = (
    "context-level: code and a text model judged the renderer's scene and the prompt, not pixels"
)
VISION_MODE = "pixel-level: a vision model looked at the rendered image"
VISION_MAX_SIDE = 1024  # images are sent at most this large (long side)
VISION_MAX_IMAGES = 4


class ItemVerdict(BaseModel):
    item: str = Field(max_length=90, description="the checklist item, copied")
    passed: bool
    reason: str = Field(max_length=60)


SYSTEM = """You check a planned image against a checklist.
You get the prompt the image was made from and the scene that was drawn: a storyboard of
pictograms labelled from the plan's layout. The prompt is what the image is made from: an
item passes only when the prompt says it; a drawn label may confirm it, never replace it.
For each numbered item, in order: copy the item, then passed true if the prompt shows it,
else false, with a short reason about that item only.
"""


def judged_schema(n: int) -> type[BaseModel]:
    """A schema with exactly n verdicts (the model cannot skip or add items)."""
    return create_model(
        "Judged",
        verdicts=(list[ItemVerdict], Field(min_length=n, max_length=n)),
    )


def describe_scene(scene: dict[str, Any]) -> str:
    if "objects" not in scene:  # a pixel renderer (diffusers, an image API) reports no scene
        return "Drawn scene: not reported by this renderer; judge from the prompt alone."
    objects = ", ".join(
        f"{o.get('name')} (pictogram: {o.get('emoji_name') or o.get('emoji') or '?'})"
        for o in scene.get("objects", [])
    )
    lines = [f"Labelled objects drawn: {objects or 'none reported'}"]
    if scene.get("panels"):
        titles = "; ".join(f"{p['panel']}. {p.get('title', '')}" for p in scene["panels"])
        lines.append(f"Panels drawn: {len(scene['panels'])} ({titles})")
    if scene.get("setting"):
        lines.append(f"Setting: {scene['setting']}")
    lines.append(f'Written text: "{scene.get("text", "")}"')
    return "\n".join(lines)


def quoted_text_check(item: str, scene: dict[str, Any]) -> Verdict | None:
    """Items about exact text are decided by comparing strings, not by the model."""
    match = QUOTED.search(item)
    if not match or ("text" not in item.lower() and "word" not in item.lower()):
        return None
    if "text" not in scene:  # the renderer does not report what it wrote: not decidable here
        return None
    wanted = match.group(1).strip().lower()
    drawn = str(scene.get("text", "")).lower()
    passed = bool(wanted) and wanted in drawn
    reason = "the exact text is drawn" if passed else f"the text drawn is {drawn!r}"
    return {"item": item, "passed": passed, "reason": reason}


PANEL_COUNT = re.compile(
    r"(?:an? |the )?(?:image (?:with|in) )?(?P<n>\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
    r"[ -]panels?(?: comic| strip| layout| image| sheet)?\.?",
    re.I,
)


def panel_count_check(item: str, scene: dict[str, Any]) -> Verdict | None:
    """An item that is only a count of panels ("Four panels") is decided by the panels the
    renderer laid out, not by the model (which tends to quote the request instead)."""
    match = PANEL_COUNT.fullmatch(item.strip())
    if not match or not scene.get("panels"):
        return None
    word = match.group("n").lower()
    wanted = int(word) if word.isdigit() else NUMBER_WORDS[word]
    drawn = len(scene["panels"])
    passed = drawn == wanted
    return {"item": item, "passed": passed, "reason": f"{drawn} panel(s) laid out"}


def named_text(prompt: str, scene: Mapping[str, Any]) -> str:
    """What the image is made from, in words: the prompt, each panel's prompt and title, the
    written text. Not the sketch's labels or setting: the planner's layout names those, so
    they may support a verdict (the model judge sees them) but never stand in for the prompt."""
    panels = [f"{p.get('title', '')}. {p.get('prompt', '')}" for p in scene.get("panels", [])]
    return "\n".join([prompt, *panels, str(scene.get("text", ""))])


def decided_by_code(
    item: str,
    scene: dict[str, Any],
    prompt: str | None = None,
    constraints: Sequence[Mapping[str, Any]] = (),
) -> Verdict | None:
    """What code can decide about an item without a model: exact text and the panel count
    from what the renderer reports, an item a grounded answer contradicts, and (judging the
    text, `prompt` given) the key words the prompt names or lacks (tools/judging.py). None
    leaves it to the judge."""
    decided = quoted_text_check(item, scene) or panel_count_check(item, scene)
    if decided is None:
        labels = " ".join(str(o.get("name", "")) for o in scene.get("objects", []))
        text = None if prompt is None else named_text(prompt, scene)
        rule = rule_verdict(item, constraints, text, labels)
        decided = None if rule is None else {"item": item, "passed": rule[0], "reason": rule[1]}
    return decided


def evaluate(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    checklist: list[str] = list(state["plan"].get("checklist", []))
    current = state["rounds"][-1]
    number = int(current["round"])
    emit("evaluate", f"checking {len(checklist)} item(s) for round {number}", round=number)
    scene = current.get("scene", {})
    errors: list[dict[str, str]] = []
    vlm = ctx.vlm.strip()
    constraints = list(state.get("draft", {}).get("constraints", []))
    judge, mode = (vlm, VISION_MODE) if vlm else (ctx.llm, JUDGE_MODE)
    judged: list[Verdict] | None = None
    if vlm:  # pixels: only exact text the renderer reports is left to code
        decided = {
            i: decided_by_code(item, scene, None, constraints) for i, item in enumerate(checklist)
        }
        open_items = [item for index, item in enumerate(checklist) if decided[index] is None]
        judged = judge_items_vision(open_items, current, vlm, errors)
        if judged is None:  # the vision call failed: judge this round as text instead
            judge, mode = ctx.llm, JUDGE_MODE
    if judged is None:
        decided = {
            index: decided_by_code(item, scene, current["prompt"], constraints)
            for index, item in enumerate(checklist)
        }
        open_items = [item for index, item in enumerate(checklist) if decided[index] is None]
        judged = judge_items(open_items, current["prompt"], scene, ctx.llm, errors)
    verdicts: list[Verdict] = [decided[i] or judged.pop(0) for i in range(len(checklist))]
    grounded = grounded_words(state)
    verdicts = [{**v, "asked": asked(v["item"], grounded)} for v in verdicts]
    passed_count = sum(1 for v in verdicts if v["passed"])
    record: Round = {
        "round": number,
        "verdicts": verdicts,
        "passed": passed_count,
        "total": len(verdicts),
        "judge": judge,
        "judge_mode": mode,
    }
    rounds: list[Round] = [*state["rounds"][:-1], {**current, **record}]
    best = max(rounds, key=lambda r: (r.get("passed", -1), -int(r["round"])))
    feedback = [f"{v['item']}: {v['reason']}" for v in verdicts if not v["passed"]]
    unasked = [v for v in verdicts if not v["passed"] and not v["asked"]]
    tail = f" ({len(unasked)} failed item(s) only the planner asked for)" if unasked else ""
    emit("evaluate", f"round {number}: {passed_count}/{len(verdicts)} passed{tail}", round=number)
    return {
        "rounds": [record],
        "feedback": feedback,
        "best_round": int(best["round"]),
        "images": list(best.get("images", [])),
        "final_prompt": best["prompt"],
        "negative_prompt": best.get("negative_prompt", ""),
        "checklist": list(best.get("verdicts", verdicts)),
        "errors": errors,
    }


def judge_items(
    items: list[str], prompt: str, scene: dict[str, Any], judge: str, errors: list[dict[str, str]]
) -> list[Verdict]:
    """One model call for the items code could not decide (none: no call)."""
    if not items:
        return []
    numbered = "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
    content = f"Prompt: {prompt}\n{describe_scene(scene)}\nChecklist:\n{numbered}"
    try:
        out: Any = ask(
            chat_model(judge),
            judged_schema(len(items)),
            [SystemMessage(content=SYSTEM), HumanMessage(content=content)],
        )
        return [
            {"item": item, "passed": v.passed, "reason": v.reason.strip()}
            for item, v in zip(items, out.verdicts, strict=True)
        ]
    except StructuredOutputError as exc:
        errors.append({"node": "evaluate", "message": f"judge failed, items unchecked: {exc}"})
        return [
            {"item": item, "passed": False, "reason": "not judged (the judge failed)"}
            for item in items
        ]


VISION_SYSTEM = """You check a generated image against a checklist.
Look at the image. For each numbered item, in order: copy the item, then passed true only
if the image clearly shows it, else false, with a short reason about that item only.
The prompt the image was made from is context; judge what the image shows, not the prompt.
"""


def image_block(path: str) -> dict[str, Any]:
    """An OpenAI image content block: the image as a base64 PNG data URL (long side capped)."""
    from PIL import Image

    with Image.open(path) as opened:
        image = opened.convert("RGB")
    if max(image.size) > VISION_MAX_SIDE:
        image.thumbnail((VISION_MAX_SIDE, VISION_MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}}


def judge_items_vision(
    items: list[str], current: Mapping[str, Any], vlm: str, errors: list[dict[str, str]]
) -> list[Verdict] | None:
    """One vision call with the round's images; None when it fails (the caller falls back)."""
    if not items:
        return []
    numbered = "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
    text = f"Prompt: {current['prompt']}\nChecklist:\n{numbered}"
    try:
        images = [p for p in current.get("images", []) if Path(p).is_file()]
        if not images:
            raise FileNotFoundError("the round has no image file to show")
        blocks = [image_block(p) for p in images[:VISION_MAX_IMAGES]]
        out: Any = ask(
            chat_model(vlm),
            judged_schema(len(items)),
            [
                SystemMessage(content=VISION_SYSTEM),
                HumanMessage(content=[{"type": "text", "text": text}, *blocks]),
            ],
        )
    except Exception as exc:  # a server error, a timeout, bad JSON: degrade, never crash
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        errors.append(
            {
                "node": "evaluate",
                "message": f"vision judge {vlm} failed ({detail}); text judge used",
            }
        )
        return None
    return [
        {"item": item, "passed": v.passed, "reason": v.reason.strip()}
        for item, v in zip(items, out.verdicts, strict=True)
    ]


def after_evaluate(state: State, runtime: Runtime[Context]) -> Literal["compose", "remember"]:
    """Loop to compose while items fail, attempts remain and feedback still changes things.
    Items only the planner asked for (words of neither the request, an answer nor memory)
    are reported when they fail but start no new round on their own."""
    rounds = state["rounds"]
    current = rounds[-1]
    failed = [v for v in current.get("verdicts", []) if not v["passed"]]
    if all(v.get("asked") is False for v in failed):
        return "remember"
    if len(rounds) >= max(1, context_of(runtime).max_rounds) or stalled(rounds):
        return "remember"
    return "compose"
