"""WISE / WISE-Verified: its prompt files, its judge and its category-weighted score.

A prompt passes when the context names what its Explanation says the image must show:
strictly, the prompt must contain a content word of the Explanation that the request itself
did not say (the context made it explicit), and the judge must quote where it names it
(pixel-level: the vision model judges the image). The overall figure weights the categories
as WISE does (WISE_WEIGHTS).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage

from benchmarks.case_file import Case
from benchmarks.judge import PIXEL_LEVEL, ItemJudged, judge_items, stems
from benchmarks.scoring import case_score, mean
from nodes.context import chat_model
from nodes.rounds import Verdict
from tools.errors import UserError
from tools.judging import quote_supported
from tools.structured import StructuredOutputError, ask

# WISE's six categories and their weights in the overall WiScore (WISE README: "Overall
# WiScore = 0.4 Cultural + 0.167 Time + 0.133 Space + 0.1 Biology + 0.1 Physics + 0.1
# Chemistry", the share of each category among WISE's 1000 prompts).
WISE_WEIGHTS: dict[str, float] = {
    "Cultural": 0.4,
    "Time": 0.167,
    "Space": 0.133,
    "Biology": 0.1,
    "Physics": 0.1,
    "Chemistry": 0.1,
}
_WISE_CATEGORY = (
    ("cultur", "Cultural"),
    ("time", "Time"),
    ("space", "Space"),
    ("biolog", "Biology"),
    ("physic", "Physics"),
    ("chemi", "Chemistry"),
)
WISE_REQUIRED = ("Prompt", "Explanation", "Category", "prompt_id")


def wise_category(name: str) -> str | None:
    lowered = name.lower()
    return next((cat for key, cat in _WISE_CATEGORY if key in lowered), None)


def _wise_item(obj: Any, where: str) -> Case:
    if not isinstance(obj, dict):
        raise UserError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    missing = [name for name in WISE_REQUIRED if name not in obj]
    if missing:
        raise UserError(f"{where}: missing field(s) {', '.join(missing)}")
    category = wise_category(str(obj["Category"]))
    if category is None:
        raise UserError(
            f"{where}: unknown WISE category {obj['Category']!r} "
            f"(use one of {', '.join(WISE_WEIGHTS)})"
        )
    prompt, explanation = str(obj["Prompt"]).strip(), str(obj["Explanation"]).strip()
    if not prompt or not explanation:
        raise UserError(f"{where}: 'Prompt' and 'Explanation' must be non-empty")
    pid = str(obj["prompt_id"]).strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", pid):
        raise UserError(f"{where}: prompt_id {pid!r} is not a plain id")
    return {
        "id": f"wise-{pid}",
        "capability": "wise",
        "subtask": str(obj.get("Subcategory") or "").strip() or category,
        "user": "wise",
        "turns": [],
        "prompt": prompt,
        "expected_routes": [],
        "checklist": [],
        "explanation": explanation,
        "category": category,
    }


def read_wise(path: Path) -> list[Case]:
    """WISE / WISE-Verified prompts: a JSON list (the benchmark's own files) or JSON lines."""
    file = Path(path)
    if not file.is_file():
        raise UserError(f"{file}: no such file")
    text = file.read_text(encoding="utf-8")
    items: list[Case] = []
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"{file}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        items = [_wise_item(obj, f"{file}: item {i}") for i, obj in enumerate(data, 1)]
    else:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UserError(f"{file}:{number}: not valid JSON ({exc.msg})") from None
            items.append(_wise_item(obj, f"{file}:{number}"))
    ids = [item["id"] for item in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise UserError(f"{file}: duplicate prompt_id(s) {', '.join(duplicates[:5])}")
    if not items:
        raise UserError(f"{file}: no prompts")
    return items


WISE_SYSTEM = """You check whether an image prompt names what a request really means.
You get the request, what it refers to (the explanation), and the prompt that was drawn.
passed is true only if the prompt explicitly names the explanation's key thing or state,
at its level of detail (a "bald eagle", not "a bird"; "rusted iron", not "old metal").
Copy in quote the exact words of the prompt that name it, or "" when it does not.
"""


def new_words(explanation: str, request: str) -> set[str]:
    """Content words of the Explanation that the request itself does not say."""
    return stems(explanation) - stems(request)


def judge_wise(
    request: str,
    explanation: str,
    prompt: str,
    scene: dict[str, Any],
    images: list[str],
    judge: str,
    mode: str,
) -> Verdict:
    """Whether the context (or, pixel-level, the image) makes the Explanation explicit."""
    item = f"Shows: {explanation}"
    if mode == PIXEL_LEVEL:
        return judge_items([item], prompt, scene, images, judge, mode)[0]
    added = new_words(explanation, request) & stems(prompt)
    if not added:
        return {"item": item, "passed": False, "reason": "code: the prompt adds no word of it"}
    message = f"Request: {request}\nExplanation: {explanation}\nPrompt: {prompt}"
    try:
        out = ask(
            chat_model(judge),
            ItemJudged,
            [SystemMessage(content=WISE_SYSTEM), HumanMessage(content=message)],
        )
    except StructuredOutputError as exc:
        return {"item": item, "passed": False, "reason": f"not judged (judge failed: {exc})"}
    quote = out.quote.strip()
    if out.passed and quote_supported(quote, prompt, added):
        return {"item": item, "passed": True, "reason": f"model: names {quote!r}"}
    if out.passed:
        return {"item": item, "passed": False, "reason": f"model quote unsupported: {quote!r}"}
    return {"item": item, "passed": False, "reason": "model: not named"}


def wise_aggregate(results: Sequence[Mapping[str, Any]], side: str) -> dict[str, Any]:
    """Share of WISE prompts whose Explanation the judged context makes explicit, per
    category, and the WISE-weighted overall. With only some categories present, the weights
    of those present are renormalised (`complete` says whether all six were there)."""
    rows = [r for r in results if isinstance(r.get(side), Mapping)]
    by_cat: dict[str, list[float]] = {}
    for row in rows:
        by_cat.setdefault(row["category"], []).append(case_score(row[side].get("verdicts", []))[0])
    categories = {
        cat: {"n": len(by_cat[cat]), "score": mean(by_cat[cat])}
        for cat in WISE_WEIGHTS
        if cat in by_cat
    }
    total_weight = sum(WISE_WEIGHTS[cat] for cat in categories)
    overall = (
        sum(WISE_WEIGHTS[cat] * g["score"] for cat, g in categories.items()) / total_weight
        if total_weight
        else 0.0
    )
    return {
        "n": len(rows),
        "category": categories,
        "weighted": overall,
        "unweighted": mean([s for scores in by_cat.values() for s in scores]),
        "complete": set(categories) == set(WISE_WEIGHTS),
    }
