"""The benchmark's judge of checklist items (WISE's own judge: benchmarks/wise.py).

Context-level (no vision model): each checklist item is judged against the final generation
context, i.e. the prompt that was rendered and the scene the renderer reports. Code decides
what it can (exact quoted text, items whose every content word the context names, shared
with `evaluate`); the text model judges the rest, one item a call, and must quote the words
of the context that show the item: a pass whose quote the context does not contain, or that
shares no content word with the item, is not a pass.
Pixel-level (a vision model): the item and the rendered image go to the vision model.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from nodes.context import chat_model
from nodes.evaluate import decided_by_code, describe_scene, judge_items_vision
from nodes.rounds import Verdict
from tools.structured import StructuredOutputError, ask
from tools.wording import GENERIC

CONTEXT_LEVEL = "context-level"
PIXEL_LEVEL = "pixel-level"

_EXTRA_STOP = {
    "refers",
    "refer",
    "should",
    "must",
    "depict",
    "depicts",
    "depicting",
    "showing",
    "image",
    "like",
    "such",
    "so",
    "not",
    "rather",
    "than",
    "also",
    "typically",
    "usually",
    "often",
    "would",
    "will",
    "into",
    "their",
    "they",
    "them",
    "his",
    "her",
    "these",
    "those",
    "other",
    "some",
    "very",
    "more",
    "most",
    "any",
    "all",
    "each",
    "when",
    "while",
    "where",
    "what",
    "how",
    "why",
    "because",
    "due",
    "known",
    "famous",
    "called",
}
STOP = GENERIC | _EXTRA_STOP


def fold(word: str) -> str:
    """One form for a word and its inflections: "rainy" and "rain", "racing" and "races",
    "marked" and "marks", "cities" and "city" fold alike (a light suffix stripper, for
    checking that the judge's quote is the prompt's words)."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix, shortest in (("ing", 6), ("ed", 5), ("y", 5)):
        if len(word) >= shortest and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # "sunn" -> "sun", "runn" -> "run"
    return word


def stems(text: str) -> set[str]:
    """Lower-case content words, folded (`fold`), less the stop words."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'s", ""))
    return {fold(w) for w in words if w not in STOP} - STOP


class ItemJudged(BaseModel):
    quote: str = Field(max_length=100, description="words of the context that show it, or ''")
    passed: bool


ITEM_SYSTEM = """You check whether a planned image shows one checklist item.
You get the prompt the image was made from and the scene that was drawn (a storyboard of
labelled pictograms). Copy in quote the exact words of the prompt or scene that show the
item, then passed true only if those words clearly show it. If nothing there says it,
quote "" and passed false. An item about a specific thing (a name, a number, a colour)
passes only if that specific thing is written there.
"""


def _context_text(prompt: str, scene: dict[str, Any]) -> str:
    return f"Prompt: {prompt}\n{describe_scene(scene)}"


QUOTE_SHARE = 0.8


def quote_supported(quote: str, context: str, wanted: set[str]) -> bool:
    """The judge's quote is the context's own words and those words include one of `wanted`.

    "The context's own words": at least 80% of the quote's content words. The 1.5B judge
    garbles a word or two when it copies a long passage ("national pride in Thai" for
    "Thailand", a stray token at the end); a quote copied from the request or the
    Explanation instead of the prompt still fails."""
    words = stems(quote)
    found = words & stems(context)
    return bool(words) and len(found) >= QUOTE_SHARE * len(words) and bool(found & wanted)


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
    if out.passed and quote_supported(quote, context, stems(item)):
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
