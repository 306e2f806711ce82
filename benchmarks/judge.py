"""The benchmark's judge of checklist items (WISE's own judge: benchmarks/wise.py).

Context-level (no vision model): each checklist item is judged against the final generation
context, i.e. the prompt that was rendered and the scene the renderer reports. Code decides
what it can, with the rules `evaluate` uses (tools/judging.py): exact quoted text; an item
a key word of which the prompt does not name fails (the sketch's labels come from the
plan's layout, so they never stand in for the prompt); one whose key words a clause of the
prompt names passes. The text model judges the rest, one item a call, and must quote the
words of the prompt that show the item: a pass whose quote is not a span of the prompt (the
item's own words found scattered there are not), or that names no key word of the item, is
not a pass.
Pixel-level (a vision model): the item and the rendered image go to the vision model.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from nodes.context import chat_model
from nodes.evaluate import decided_by_code, describe_scene, judge_items_vision, named_text
from nodes.rounds import Verdict
from tools.judging import key_words, quote_supported
from tools.structured import StructuredOutputError, ask

CONTEXT_LEVEL = "context-level"
PIXEL_LEVEL = "pixel-level"


def stems(text: str) -> set[str]:
    """The content words of `text`, folded (tools.wording.fold), less checklist phrasing."""
    return set(key_words(text))


class ItemJudged(BaseModel):
    quote: str = Field(max_length=100, description="words of the context that show it, or ''")
    passed: bool


ITEM_SYSTEM = """You check whether a planned image shows one checklist item.
You get the prompt the image was made from and the scene that was drawn (a storyboard of
labelled pictograms). Copy in quote the exact words of the prompt that show the item, then
passed true only if those words clearly show it. If nothing there says it,
quote "" and passed false. An item about a specific thing (a name, a number, a colour)
passes only if that specific thing is written there.
"""


def _context_text(prompt: str, scene: dict[str, Any]) -> str:
    return f"Prompt: {prompt}\n{describe_scene(scene)}"


def judge_item_text(item: str, prompt: str, scene: dict[str, Any], judge: str) -> Verdict:
    decided = decided_by_code(item, scene, prompt)
    if decided is not None:
        return {**decided, "reason": f"code: {decided['reason']}"}
    context = _context_text(prompt, scene)
    try:
        out = ask(
            chat_model(judge),
            ItemJudged,
            [
                SystemMessage(content=ITEM_SYSTEM),
                HumanMessage(content=f"{context}\nItem: {item}"),
            ],
        )
    except StructuredOutputError as exc:
        return {"item": item, "passed": False, "reason": f"not judged (judge failed: {exc})"}
    quote = out.quote.strip()
    if out.passed and quote_supported(quote, named_text(prompt, scene), stems(item)):
        return {"item": item, "passed": True, "reason": f"model: {quote!r}"}
    if out.passed:
        return {"item": item, "passed": False, "reason": f"model quote unsupported: {quote!r}"}
    return {"item": item, "passed": False, "reason": "model: not in the context"}


def judge_items(
    items: list[str],
    prompt: str,
    scene: dict[str, Any],
    images: list[str],
    judge: str,
    mode: str,
) -> list[Verdict]:
    """Every item, judged context-level (text) or pixel-level (vision), never mixed."""
    if mode == CONTEXT_LEVEL:
        return [judge_item_text(item, prompt, scene, judge) for item in items]
    decided = {i: decided_by_code(item, scene) for i, item in enumerate(items)}
    open_items = [item for i, item in enumerate(items) if decided[i] is None]
    errors: list[dict[str, str]] = []
    judged = judge_items_vision(open_items, {"prompt": prompt, "images": images}, judge, errors)
    if judged is None:
        why = errors[-1]["message"] if errors else "vision judge failed"
        judged = [
            {"item": item, "passed": False, "reason": f"not judged: {why}"} for item in open_items
        ]
    return [decided[i] or judged.pop(0) for i in range(len(items))]
