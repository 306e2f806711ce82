"""Routing: the planner's questions become routed gaps, checked by general cues.

The cues are data (`cues.json`, validated when loaded): first person and "as usual" mean
memory, deixis of time ("today", "this week's") means search. One check drops a gap the
request already settles: its answer is written in the request, or its question only
restates the request. `implied.py` adds what the planner missed: things the request
describes without naming (a parse of definite descriptions) and names to look up.
The tool a gap is computed by is chosen by the planner among the registered tools, or
suggested by embedding similarity when the planner named none; code never re-reads the
request to pick a tool. Each gap records why it was routed as it was.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from nodes.plan.implied import (
    REASONED_KINDS,
    description_why,
    look_up_names,
    refer_question,
    unnamed,
)
from nodes.plan.prompt import DraftGap
from nodes.state import Gap, Route
from tools.compute.choose import suggest_tool
from tools.compute.registry import TOOLS
from tools.wording import alternation, content_stems, stems

CUES_FILE = Path(__file__).with_name("cues.json")


class Cues(BaseModel):
    """The routing vocabulary; every list non-empty, every phrase lower case."""

    memory: list[str] = Field(min_length=1)
    earlier: list[str] = Field(min_length=1)
    search: list[str] = Field(min_length=1)
    panels: list[str] = Field(min_length=1)
    panel_counts: list[str] = Field(min_length=1)
    separate: list[str] = Field(min_length=1)


@functools.cache
def cues(path: Path = CUES_FILE) -> dict[str, re.Pattern[str]]:
    """The cue lists of `path` as whole-word patterns (a bad file fails with its name)."""
    try:
        data = Cues.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: invalid routing cues: {exc}") from exc
    words = data.model_dump()
    out = {
        name: re.compile(rf"(?<![\w'’])({alternation(v)})(?![\w'’])", re.I)
        for name, v in words.items()
    }
    numbers = r"\d+|two|three|four|five|six|seven|eight|nine|ten"
    counted = rf"(?<!\w)({numbers})[- ]({alternation(data.panel_counts)})(?!\w)"
    out["panels"] = re.compile(rf"{out['panels'].pattern}|{counted}", re.I)
    return out


def cue(name: str, text: str) -> re.Match[str] | None:
    return cues()[name].search(text)


KIND_ROUTE: dict[str, Route] = {
    "commonsense": "reason",
    "precise_fact": "search",
    "dynamic_fact": "search",
    "personal": "memory",
    "reference": "search",
    "ambiguous": "ask_user",
}
# "What is dry ice?": a question that only restates words of the request
RESTATING = re.compile(
    r"^\s*(what|which) (is|are|was|were) (the |a |an )?(?P<thing>[\w'’ -]{2,40}?)\s*\??\s*$", re.I
)


def settled_by_request(gap: DraftGap, request: str, back: bool = False) -> str:
    """Why the request already settles the gap, or "" when it does not.

    Its best guess is written in the request: the request states the answer ("What colour
    is the cat?" for "three black cats"), for a question to the user too, unless the
    guess only repeats the question's own words ("What is the shop called?" "shop").
    Or a reasoning question only restates the request's words ("What is dry ice?").
    A personal question with a first-person cue is kept: memory knows what "my" means.
    """
    if gap.kind == "personal" and (back or cue("memory", request)):
        return ""
    guess = gap.best_guess.strip().lower()
    written = len(guess) >= 3 and re.search(r"\b" + re.escape(guess) + r"\b", request.lower())
    if written and (gap.kind != "ambiguous" or content_stems(guess) - stems(gap.question)):
        return "the request states its answer"
    if gap.kind in REASONED_KINDS and restates_request(gap.question, request):
        return "the question only restates the request"
    return ""


def restates_request(question: str, request: str) -> bool:
    """A question ("What is the red bicycle?") whose subject is only the request's words."""
    match = RESTATING.match(question)
    if not match or len(match.group("thing").split()) > 4:
        return False
    thing = content_stems(match.group("thing").replace("’", "'"))
    return bool(thing) and thing <= stems(request.replace("’", "'"))


def implied_subject(subject: str, request: str) -> bool:
    """The planner named a subject the request only describes: most of its words are new."""
    named = content_stems(subject)
    new = named - stems(request)
    return bool(named) and len(new) * 2 >= len(named)


def make_gap(
    index: int, question: str, kind: str, why: str, guess: str, tool: str = "", lookup: str = ""
) -> Gap:
    return Gap.model_validate(
        {
            "id": f"g{index + 1}",
            "question": question,
            "kind": kind,
            "route": "reason" if tool else KIND_ROUTE[kind],
            "why": why,
            "best_guess": guess,
            "tool": tool,
            "lookup": lookup,
        }
    )


def _model_gaps(draft_gaps: list[DraftGap], request: str, back: bool) -> tuple[list[Gap], bool]:
    """The planner's own questions, routed; and whether one only restated the request."""
    gaps: list[Gap] = []
    asked: set[str] = set()
    restated = False
    for item in draft_gaps:
        if not item.question.strip():
            continue
        settled = settled_by_request(item, request, back)
        if settled:
            restated = restated or settled.startswith("the question only restates")
            continue
        key = " ".join(re.findall(r"[a-z0-9]+", item.question.lower()))
        if key in asked:
            continue
        asked.add(key)
        kind: str = item.kind
        why = f"planner: {kind}"
        if kind in REASONED_KINDS and cue("search", item.question):
            kind, why = "dynamic_fact", "cue: the question asks about something that changes"
        if kind == "personal" and not (cue("memory", request) or back):
            kind, why = "commonsense", "no first-person cue in the request: not personal"
        tool = item.tool if item.tool in TOOLS and kind not in ("personal", "ambiguous") else ""
        if tool:
            why = f"planner: computable by the {tool} tool (code, not model)"
        elif kind == "commonsense":
            tool = suggest_tool(item.question)
            if tool:
                why = f"{why}; nearest tool by meaning: {tool} (code, not model)"
        gaps.append(make_gap(len(gaps), item.question, kind, why, item.best_guess, tool))
    return gaps, restated


def route_gaps(
    draft_gaps: list[DraftGap],
    request: str,
    *,
    subject: str = "",
    described: Sequence[str] = (),
    names: Sequence[str] = (),
    search_enabled: bool,
    memory_empty: bool,
    has_earlier: bool = False,
) -> list[Gap]:
    """Turn the model's questions into routed gaps, completed by the general cues, the
    descriptions the request does not name and (with search) the names it hinges on."""
    back = has_earlier and bool(cue("earlier", request))
    gaps, restated = _model_gaps(draft_gaps, request, back)
    found = unnamed(request, list(described), gaps)
    guess = subject if len(found) == 1 and implied_subject(subject, request) else ""
    for description in found:
        why = description_why(description)
        gaps.append(
            make_gap(len(gaps), refer_question(description.text), "commonsense", why, guess)
        )
    if restated and not any(g.route == "reason" for g in gaps):
        why = "the planner's question only restated the request"
        gaps.append(make_gap(len(gaps), refer_question(request), "commonsense", why, subject))
    if (cue("memory", request) or back) and not any(g.kind == "personal" for g in gaps):
        question = f"What do we know about the user that this request refers to: {request[:80]!r}?"
        why = (
            "cue: first person / 'usual' / 'last time'"
            if cue("memory", request)
            else "cue: the request points back to an earlier turn of this conversation"
        )
        gaps.append(make_gap(len(gaps), question, "personal", why, ""))
    if cue("search", request) and not any(g.kind == "dynamic_fact" for g in gaps):
        question = f"What is the current information needed for: {request[:80]!r}?"
        why = "cue: the request depends on when it is asked"
        gaps.append(make_gap(len(gaps), question, "dynamic_fact", why, ""))
    if search_enabled:  # names the small model may not know are looked up, not recalled
        for name in look_up_names(gaps, request, list(names)):
            question = f"For the image {request[:120]!r}: what do the sources say about {name}?"
            why = f"the request hinges on {name}, which it does not describe: searched first"
            gap = make_gap(len(gaps), question, "reference", why, "", lookup=name)
            gaps.append(gap.model_copy(update={"route": "reason"}))
    if not gaps and implied_subject(subject, request):
        why = "the planner named a subject the request only describes"
        gaps.append(make_gap(0, refer_question(request), "commonsense", why, subject))
    for gap in gaps:
        if gap.route == "memory" and memory_empty:
            gap.route, gap.why = "ask_user", gap.why + "; memory is empty for this user"
        if gap.route == "search" and not search_enabled and gap.kind != "dynamic_fact":
            gap.route, gap.why = "reason", gap.why + "; no search provider: model knowledge"
    return gaps
