"""plan: find what the request leaves out, and what the image must show.

One structured call (worked examples in a fixed, cacheable prefix) proposes the subject,
the gaps as explicit questions with a kind, the objects, text, style and a checklist.
Routing does not rest on the small model alone: deterministic cues add or re-route gaps
(first person and "usual"/"last time" -> memory; "latest", "today", forecasts, prices ->
search), questions whose answer the request already states are dropped, and each gap's
route records why it was chosen.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.config import get_config
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from nodes.context import Context, chat_model, context_of, emit, store_of, user_of
from nodes.state import Gap, Kind, LayoutObject, Panel, Plan, Route, State
from tools.compute import detect_tool
from tools.structured import StructuredOutputError, ask
from tools.wording import content_stems, stems

Position = Literal[
    "left",
    "center",
    "right",
    "top",
    "bottom",
    "top-left",
    "top-right",
    "bottom-left",
    "bottom-right",
    "background",
]


class DraftGap(BaseModel):
    question: str = Field(max_length=100)
    kind: Kind
    best_guess: str = Field(max_length=60)


class DraftObject(BaseModel):
    name: str = Field(max_length=30)
    position: Position
    size: Literal["small", "medium", "large"]


class PlanDraft(BaseModel):
    subject: str = Field(max_length=80)
    gaps: list[DraftGap] = Field(max_length=4)
    objects: list[DraftObject] = Field(min_length=1, max_length=4)
    setting: str = Field(max_length=50)
    style: str = Field(max_length=30)
    palette: list[str] = Field(max_length=3)
    text: str = Field(max_length=60)
    checklist: list[str] = Field(min_length=3, max_length=5)
    n_images: int = Field(ge=1, le=4)


SYSTEM = """You plan images. Read the request and find what it leaves unsaid.
A gap is a fact the image needs that the request does not state, asked as one short question.
Gap kinds: commonsense (knowledge, logic, science, what a description refers to),
precise_fact (exact names, numbers, dates), dynamic_fact (news, weather, prices, results,
anything that changes), personal (about the user: "my", "usual", "last time"),
reference (what a specific real thing looks like), ambiguous (only the user can say).
Never ask about details the request already states. No gaps when nothing is missing.
When earlier turns are given, "same", "again" and "as before" refer to them.
subject names the main thing to show, as specifically as you can.
objects are what to draw, with a position and size. text is the exact text to write in the
image ("" if none). checklist: 3 to 5 short yes/no checks of what the image must show.

Examples:
Request: A poster of the pastry eaten at the Mid-Autumn Festival, with the words "Happy Mid-Autumn"
{"subject":"a mooncake","gaps":[{"question":"Which pastry is eaten at the Mid-Autumn Festival?","kind":"commonsense","best_guess":"mooncake"}],"objects":[{"name":"mooncake","position":"center","size":"large"},{"name":"lantern","position":"top-right","size":"small"}],"setting":"night sky with a full moon","style":"festive poster","palette":["red","gold"],"text":"Happy Mid-Autumn","checklist":["A mooncake is the main subject","The text \\"Happy Mid-Autumn\\" is visible","A full moon is in the sky"],"n_images":1}

Request: This week's weather forecast for Lisbon as a poster
{"subject":"Lisbon weather forecast","gaps":[{"question":"What is this week's weather forecast for Lisbon?","kind":"dynamic_fact","best_guess":"sunny, about 20 C"}],"objects":[{"name":"sun","position":"top-right","size":"medium"},{"name":"city skyline","position":"bottom","size":"large"}],"setting":"Lisbon skyline","style":"clean poster","palette":["blue","yellow"],"text":"Lisbon this week","checklist":["Weather symbols for the week are shown","The text \\"Lisbon this week\\" is visible","A Lisbon cityscape is shown"],"n_images":1}

Request: My dog running on a beach, in my usual style
{"subject":"the user's dog on a beach","gaps":[{"question":"What does the user's dog look like?","kind":"personal","best_guess":"a brown dog"},{"question":"What is the user's usual art style?","kind":"personal","best_guess":"illustration"}],"objects":[{"name":"dog","position":"center","size":"large"},{"name":"waves","position":"bottom","size":"medium"}],"setting":"sandy beach","style":"user's usual style","palette":["sand","blue"],"text":"","checklist":["A dog is running","The scene is a beach","The dog matches the user's dog"],"n_images":1}

Request: Three black cats sitting on a red sofa
{"subject":"three black cats on a red sofa","gaps":[],"objects":[{"name":"black cat","position":"left","size":"small"},{"name":"black cat","position":"center","size":"small"},{"name":"black cat","position":"right","size":"small"},{"name":"red sofa","position":"bottom","size":"large"}],"setting":"living room","style":"photo","palette":["red","black"],"text":"","checklist":["Exactly three cats are visible","All cats are black","The sofa is red"],"n_images":1}

Request: The bird on the coat of arms of Mexico, perched on a cactus
{"subject":"a golden eagle on a cactus","gaps":[{"question":"Which bird is on the coat of arms of Mexico?","kind":"commonsense","best_guess":"golden eagle"}],"objects":[{"name":"eagle","position":"center","size":"large"},{"name":"cactus","position":"bottom","size":"medium"}],"setting":"desert","style":"illustration","palette":["green","brown"],"text":"","checklist":["An eagle is the main subject","The eagle is perched on a cactus","A desert setting is visible"],"n_images":1}
"""


class PanelDraft(BaseModel):
    characters: str = Field(max_length=120)
    panels: list[Panel] = Field(min_length=2, max_length=6)


PANEL_SYSTEM = """You split an image request into panels: a comic strip, the steps of a
process, before and after, or several separate images. Give the panels in order, each with a
short title and what it shows. If the same character or object appears in several panels,
describe it once in characters (looks, colours, clothes) so every panel draws it the same
way; "" when nothing recurs. Use the number of panels the request asks for.

Examples:
Request: A three-panel comic strip of a fox who loses his scarf and finds it
{"characters":"a small red fox with a white-tipped tail wearing a blue striped scarf","panels":[{"title":"Windy day","scene":"the fox walks through a snowy forest as the wind blows"},{"title":"Scarf gone","scene":"the fox looks up as his scarf flies into a tree"},{"title":"Found it","scene":"the fox climbs the tree and wraps the scarf around his neck"}]}

Request: Before and after pictures of a garden cleaned up
{"characters":"","panels":[{"title":"Before","scene":"an overgrown garden with weeds, litter and a broken fence"},{"title":"After","scene":"a tidy garden with mown grass, flower beds and a repaired fence"}]}
"""

PANEL_CUES = re.compile(
    r"\b(comic|comics|comic strip|storyboard|step[- ]by[- ]step|steps (of|to|for)|stages of|"
    r"before and after|before/after|life cycle|multi-panel|panel by panel|"
    r"separate (images|pictures|illustrations)|"
    r"(\d|two|three|four|five|six)[- ](panels?|frames?|images|pictures|illustrations|steps|"
    r"stages|scenes))\b",
    re.I,
)
SEPARATE_CUES = re.compile(
    r"\b(separate|(\d|two|three|four|five|six) (images|pictures|illustrations))\b", re.I
)


def plan_panels(request: str, llm: str) -> tuple[PanelDraft | None, str]:
    """Panels for a request that asks for several (one call, only when cues ask for it)."""
    if not PANEL_CUES.search(request):
        return None, ""
    try:
        draft = ask(
            chat_model(llm),
            PanelDraft,
            [SystemMessage(content=PANEL_SYSTEM), HumanMessage(content=f"Request: {request}")],
        )
    except StructuredOutputError as exc:
        return None, f"panel planner failed, one image instead: {exc}"
    panels = [p for p in draft.panels if p.scene.strip()]
    if len(panels) < 2:
        return None, "the panel planner gave fewer than two panels; one image instead"
    return PanelDraft(characters=draft.characters.strip(), panels=panels), ""


MEMORY_CUES = re.compile(
    r"\b(my|mine|me|our|ours|as usual|as before|last time|like before|same as before|"
    r"as always|the same)\b|\b(draw|make|paint|show|render|do)\b[^.]{0,40}?\bagain\b",
    re.I,
)
SEARCH_CUES = re.compile(
    r"\b(latest|current|currently|today|today's|tonight|yesterday|tomorrow|"
    r"this (week|weekend|month|year|season)|next week|forecast|weather|price|prices|stock|"
    r"stocks|score|scores|results?|winners?|won|release|released|news|recent|recently|"
    r"right now|upcoming)\b",
    re.I,
)
IMPLICIT_CUES = re.compile(
    r"\b(that|which|who|whose|used (for|to|in)|eaten|worn|drunk|known (as|for)|associated|"
    r"traditionally|traditional|famous|symbol|typical|typically|invented|named after|"
    r"national|representing|represents|of the (festival|country|city|holiday)|"
    r"when|after|before|during)\b",
    re.I,
)
# Something the image depends on that only a source can say: a named work, character,
# person or ticker ("the anime Kiriboshi Station", "the chef Mirela Kostadin", "VRNH shares").
NAMED_CUES = re.compile(
    r"\b(?:video game|game|film|movie|anime|manga|cartoon|series|tv show|show|novel|book|"
    r"album|song|band|singer|rapper|chef|actor|actress|athlete|player|skateboarder|"
    r"violinist|pianist|painter|artist|author|director|youtuber|streamer|ticker|brand|company)"
    r"\s+((?:[A-Z][\w'’-]*)(?:\s+(?:and|of|the|de|von)?\s*[A-Z][\w'’-]*)*)"
    r"|\b([A-Z]{2,5})\s+(?:shares|stock)\b"
)
# A request whose content is worked out, not named: space, shape, logic, cause and effect.
REASON_CUES = re.compile(
    r"\b(shaped like|polygon|equal sides|interior angles?|(north|south|east|west) of|"
    r"(north|south|east|west) to (north|south|east|west)|"
    r"(north|south|east|west)(ern)? (bank|side|shore|edge|end)|"
    r"turns? (left|right)|opposite|as many \w+ as|half of|a (third|quarter) of|dozens?|"
    r"what (people|you|one|we)|turns? into|becomes?|after (a|an|one|two|three|\d+) "
    r"(minutes?|hours?|days?|weeks?|months?|years?)|left (outside|out)|overnight|"
    r"(minus|below) \d+ degrees|dipped in|mixed with|maze)\b",
    re.I,
)
# A request that sets up a situation whose visible outcome is the point: a substance
# heated, burnt, dissolved or left out; a thing grown up, tipped or stacked; "highlighting
# the state/colour". The image must show the result, which the request never names.
OUTCOME_CUES = re.compile(
    r"\b(highlighting (the |its |their )?(state|colou?rs?|shape|position|appearance)|"
    r"added to|dropped into|poured (into|onto|over)|burning|burnt|burned|heated|cooled|"
    r"frozen|melted|dissolved|dissolving|submerged|immersed|rubbed|stacked|soaked|"
    r"left (in|on|out|outside|for|overnight)|placed (in|on|into|inside|beside|near)|"
    r"exposed to|after (being|it has|it's|growing|\w+ing)\b|growing up|grown in|"
    r"(both|either|opposite) (sides?|ends?) of|connected to|mixed with|in a freezer|"
    r"(-|minus )?\d+ ?(°|degrees) ?(c|f|celsius|fahrenheit)?)",
    re.I,
)
# "What is dry ice?", "What is the instrument's long neck?": a question that only restates
# words of the request. The small model asks these instead of what the request implies.
RESTATING_QUESTION = re.compile(
    r"^\s*(what|which) (is|are|was|were) (the |a |an )?(state of (the )?)?"
    r"(?P<thing>[\w'’ -]{2,40}?)\s*\??\s*$",
    re.I,
)
REASONED_KINDS = ("commonsense", "precise_fact", "reference")
TOOL_QUESTIONS = {
    "timezone": "What local time is it at the place shown, and what light and sky go with it?",
    "arithmetic": "What number does the request work out to?",
    "ordering": "In what order do the things in the request go?",
    "arrange": "Which object goes where, given the sizes or colours the request compares?",
    "viewpoint": "From where is the scene seen, and what does that change in the picture?",
    "date_math": "What date, weekday or season does the request work out to?",
    "compass": "Where does each place go on the picture, given the directions (north up)?",
    "shape": "Which shape, by its name, do the request's sides, angles or faces describe?",
    "phase": "Is the substance solid, liquid or gas at the request's temperature?",
    "indicator": "What colour does the indicator show in the request's liquid?",
}
KIND_ROUTE: dict[str, Route] = {
    "commonsense": "reason",
    "precise_fact": "search",
    "dynamic_fact": "search",
    "personal": "memory",
    "reference": "search",
    "ambiguous": "ask_user",
}
SIZES = {"small": 0.22, "medium": 0.38, "large": 0.6}
CENTRES = {
    "left": (0.22, 0.5),
    "center": (0.5, 0.5),
    "right": (0.78, 0.5),
    "top": (0.5, 0.22),
    "bottom": (0.5, 0.75),
    "top-left": (0.22, 0.22),
    "top-right": (0.78, 0.22),
    "bottom-left": (0.22, 0.75),
    "bottom-right": (0.78, 0.75),
}


def box_for(position: str, size: str) -> list[float]:
    """A planned position and size as a normalised box [x0, y0, x1, y1]."""
    if position == "background":
        return [0.0, 0.0, 1.0, 1.0]
    cx, cy = CENTRES.get(position, (0.5, 0.5))
    half = SIZES.get(size, 0.38) / 2
    return [
        round(max(0.0, cx - half), 3),
        round(max(0.0, cy - half), 3),
        round(min(1.0, cx + half), 3),
        round(min(1.0, cy + half), 3),
    ]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9']+", text.lower()) if len(w) > 2}


def _answered_by_request(gap: DraftGap, request: str) -> bool:
    """A question whose best guess the request already states verbatim (not asked of the
    user: only they know whether the words they used are the answer)."""
    guess = gap.best_guess.strip().lower()
    if gap.kind == "ambiguous" or len(guess) < 3:
        return False
    if gap.kind == "personal" and MEMORY_CUES.search(request):
        return False
    return re.search(r"\b" + re.escape(guess) + r"\b", request.lower()) is not None


def restates_request(question: str, request: str) -> bool:
    """A question ("What is dry ice?") whose subject is only words the request already says."""
    match = RESTATING_QUESTION.match(question)
    if not match or len(match.group("thing").split()) > 4:
        return False
    thing = content_stems(match.group("thing").replace("’", "'"))
    return bool(thing) and thing <= stems(request.replace("’", "'"))


def refer_question(request: str) -> str:
    return f"What exactly does {request[:90]!r} refer to? Name it specifically."


OUTCOME_WHY = "cue: the request sets up a situation"


def outcome_question(request: str) -> str:
    return (
        f"What visible state, colour or change results in {request[:90]!r}? Name it specifically."
    )


def route_gaps(
    draft_gaps: list[DraftGap], request: str, *, search_enabled: bool, memory_empty: bool
) -> list[Gap]:
    """Turn the model's questions into routed gaps, corrected by deterministic cues."""
    gaps: list[Gap] = []
    asked: set[str] = set()
    restated = False
    for item in draft_gaps:
        if not item.question.strip() or _answered_by_request(item, request):
            continue
        if item.kind in REASONED_KINDS and restates_request(item.question, request):
            restated = True  # replaced below by a question about what the request implies
            continue
        key = " ".join(re.findall(r"[a-z0-9]+", item.question.lower()))
        if key in asked:  # the small model repeats a question: ask it once
            continue
        asked.add(key)
        kind: str = item.kind
        why = f"planner: {kind}"
        if kind in REASONED_KINDS and SEARCH_CUES.search(item.question):
            kind, why = "dynamic_fact", "cue: the question asks about something that changes"
        if kind == "personal" and not MEMORY_CUES.search(request):
            kind, why = "commonsense", "no first-person cue in the request: not personal"
        gaps.append(_gap(len(gaps), item.question, kind, why, item.best_guess))
    outcome = OUTCOME_CUES.search(request)
    if (restated or outcome) and not any(g.route == "reason" for g in gaps):
        why = (
            f"{OUTCOME_WHY}; the image must show its outcome"
            if outcome
            else "the planner's question only restated the request"
        )
        question = outcome_question(request) if outcome else refer_question(request)
        gaps.append(_gap(len(gaps), question, "commonsense", why, ""))
    if MEMORY_CUES.search(request) and not any(g.kind == "personal" for g in gaps):
        gaps.append(
            _gap(
                len(gaps),
                f"What do we know about the user that this request refers to: {request[:80]!r}?",
                "personal",
                "cue: first person / 'usual' / 'last time'",
                "",
            )
        )
    if SEARCH_CUES.search(request) and not any(g.kind == "dynamic_fact" for g in gaps):
        gaps.append(
            _gap(
                len(gaps),
                f"What is the current information needed for: {request[:80]!r}?",
                "dynamic_fact",
                "cue: the request names something that changes",
                "",
            )
        )
    named = NAMED_CUES.search(request)
    if named:
        name = named.group(1) or named.group(2)
        for gap in gaps:  # facts about a named work or person are precise facts: search
            if gap.route == "reason" and gap.kind in REASONED_KINDS:
                gap.kind, gap.route = "precise_fact", "search"
                gap.why = f"cue: a fact about {name}, which the request names"
        if not any(g.route == "search" for g in gaps):
            gaps.append(
                _gap(
                    len(gaps),
                    f"For the image {request[:120]!r}: what do the sources say about {name}?",
                    "reference",
                    f"cue: the request depends on a named work, person or ticker ({name})",
                    "",
                )
            )
    for gap in gaps:
        # the outcome question is ours, and its "results in" is not a search cue
        ours = gap.why.startswith(OUTCOME_WHY)
        if gap.kind in ("personal", "ambiguous") or (SEARCH_CUES.search(gap.question) and not ours):
            continue
        tool = detect_tool(gap.question, request)
        if tool:
            gap.route, gap.why = "reason", f"cue: computable by the {tool} tool (code, not model)"
    computable = detect_tool("", request)
    if computable and not any(g.why.startswith("cue: computable") for g in gaps):
        why = f"cue: computable by the {computable} tool (code, not model)"
        gaps.append(_gap(len(gaps), TOOL_QUESTIONS[computable], "commonsense", why, ""))
    if REASON_CUES.search(request) and not any(g.route == "reason" for g in gaps):
        gaps.append(
            _gap(
                len(gaps),
                f"What does {request[:90]!r} imply the image must show? Name it specifically.",
                "commonsense",
                "cue: the request's content is worked out (space, shape, logic, cause)",
                "",
            )
        )
    if not gaps and IMPLICIT_CUES.search(request):
        gaps.append(
            _gap(
                0,
                refer_question(request),
                "commonsense",
                "cue: the request describes its subject instead of naming it",
                "",
            )
        )
    for gap in gaps:
        if gap.route == "memory" and memory_empty:
            gap.route, gap.why = "ask_user", gap.why + "; memory is empty for this user"
        if gap.route == "search" and not search_enabled and gap.kind != "dynamic_fact":
            gap.route, gap.why = "reason", gap.why + "; no search provider: model knowledge"
    return gaps


def _gap(index: int, question: str, kind: str, why: str, guess: str) -> Gap:
    return Gap.model_validate(
        {
            "id": f"g{index + 1}",
            "question": question,
            "kind": kind,
            "route": KIND_ROUTE[kind],
            "why": why,
            "best_guess": guess,
        }
    )


def finish_checklist(items: list[str], subject: str, text: str, setting: str) -> list[str]:
    """3 to 8 distinct, non-empty checks; deterministic ones fill a short list."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        clean = item.strip()
        quoted = _quoted_text(clean)
        if quoted and quoted.lower() != text.lower():
            continue  # a check for text the plan no longer renders
        if clean and clean.lower() not in seen:
            seen.add(clean.lower())
            out.append(clean)
    fillers = [f"{subject} is clearly shown"]
    if text:
        fillers.append(f'The text "{text}" is visible')
    if setting:
        fillers.append(f"The setting is {setting}")
    fillers.append("The image is a single coherent scene")
    for filler in fillers:
        if len(out) >= 3:
            break
        if filler.lower() not in seen:
            seen.add(filler.lower())
            out.append(filler)
    if text and not any(text.lower() in item.lower() for item in out):
        out.append(f'The text "{text}" is visible')
    return out[:8]


QUOTED = re.compile(r'"([^"]{1,80})"|“([^”]{1,80})”|(?:^|\s)\'([^\']{1,80})\'(?=$|[\s.,!?;:])')


def _quoted_text(request: str) -> str:
    match = QUOTED.search(request)
    return next((group for group in match.groups() if group), "") if match else ""


TEXT_CUES = re.compile(
    r"\b(text|words?|saying|says|titled?|caption|label|lettering|slogan|headline|poster|card|"
    r"infographic|sign|logo|banner|cover|menu|flyer|invitation|chart|calendar|forecast)\b",
    re.I,
)


def planned_text(proposed: str, request: str) -> str:
    """Exact text to render: quoted text wins; model-proposed text only where text belongs."""
    quoted = _quoted_text(request)
    if quoted:
        return quoted
    return proposed.strip() if TEXT_CUES.search(request) else ""


def fallback_draft(request: str) -> PlanDraft:
    """What we plan when the model's call fails: the request itself, no model gaps."""
    subject = request.strip()[:80]
    return PlanDraft(
        subject=subject,
        gaps=[],
        objects=[
            DraftObject(
                name=" ".join(subject.split()[:3])[:30] or "subject",
                position="center",
                size="large",
            )
        ],
        setting="",
        style="",
        palette=[],
        text=_quoted_text(request)[:60],
        checklist=[
            f"{subject} is shown",
            "The image is a single coherent scene",
            "Nothing contradicts the request",
        ],
        n_images=1,
    )


def safe_run_id(candidate: str) -> str:
    """The thread id when it can name a folder safely, else a fresh id."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", candidate):
        return candidate
    return uuid.uuid4().hex[:12]


def load_profile(runtime: Runtime[Context], user_id: str) -> list[dict[str, Any]]:
    store = store_of(runtime)
    items = store.search(("users", user_id, "profile"), limit=50)
    return [{"id": item.key, **item.value} for item in items]


def has_history(runtime: Runtime[Context], user_id: str) -> bool:
    return bool(store_of(runtime).search(("users", user_id, "history"), limit=1))


EARLIER_TURNS = 2
EARLIER_CHARS = 240


def earlier_turns(
    runtime: Runtime[Context], user_id: str, conversation: str, request: str
) -> list[dict[str, Any]]:
    """The earlier turns of this conversation the request needs: the latest one and the most
    relevant others, at most EARLIER_TURNS, each cut to EARLIER_CHARS (the context does not
    grow with the conversation)."""
    if not conversation:
        return []
    store = store_of(runtime)
    namespace, where = ("users", user_id, "history"), {"conversation": conversation}
    latest = store.search(namespace, filter=where, limit=1)
    relevant = store.search(namespace, query=request, filter=where, limit=EARLIER_TURNS)
    items = latest + [i for i in relevant if not latest or i.key != latest[0].key]
    return [
        {
            "id": item.key,
            "request": str(item.value.get("request", ""))[:EARLIER_CHARS],
            "prompt": str(item.value.get("final_prompt", ""))[:EARLIER_CHARS],
            "score": round(float(item.score or 0.0), 3),
        }
        for item in items[:EARLIER_TURNS]
    ]


def plan(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    request = state["request"].strip()
    user_id = user_of(state, runtime)
    config = get_config()
    run_id = safe_run_id(
        state.get("run_id") or str(config.get("configurable", {}).get("thread_id") or "")
    )
    emit("plan", "planning what the request leaves out")
    profile = load_profile(runtime, user_id)
    earlier = earlier_turns(runtime, user_id, ctx.conversation, request)
    lines = [f"Earlier turn: {t['request']} -> drawn as: {t['prompt']}" for t in earlier]
    message = "\n".join([*lines, f"Request: {request}"])
    errors: list[dict[str, str]] = []
    source = "model"
    try:
        draft = ask(
            chat_model(ctx.llm),
            PlanDraft,
            [SystemMessage(content=SYSTEM), HumanMessage(content=message)],
        )
    except StructuredOutputError as exc:
        draft, source = fallback_draft(request), "fallback"
        errors.append({"node": "plan", "message": f"planner failed, planned from cues: {exc}"})
    gaps = route_gaps(
        draft.gaps,
        request,
        search_enabled=ctx.search.strip() not in ("", "none"),
        memory_empty=not profile and not has_history(runtime, user_id),
    )
    text = planned_text(draft.text, request)
    panels, panel_error = plan_panels(request, ctx.llm)
    if panel_error:
        errors.append({"node": "plan", "message": panel_error})
    sheet = bool(panels) and not SEPARATE_CUES.search(request)
    result = Plan(
        subject=draft.subject.strip() or request[:80],
        gaps=gaps,
        checklist=finish_checklist(draft.checklist, draft.subject, text, draft.setting),
        text_to_render=text,
        layout=[LayoutObject(name=o.name, box=box_for(o.position, o.size)) for o in draft.objects],
        style=draft.style.strip(),
        setting=draft.setting.strip(),
        palette=[p.strip() for p in draft.palette if p.strip()],
        n_images=len(panels.panels) if panels and not sheet else draft.n_images,
        panels=panels.panels if panels else [],
        characters=panels.characters if panels else "",
        sheet=sheet,
        source=source,
    )
    routes = ", ".join(f"{g.route}" for g in gaps) or "none (fast path)"
    shape = f"; {len(result.panels)} panel(s)" if result.panels else ""
    emit("plan", f"{len(gaps)} gap(s): {routes}; {len(result.checklist)} checks{shape}")
    update: dict[str, Any] = {
        "run_id": run_id,
        "plan": json.loads(result.model_dump_json()),
        "memory": profile,
        "earlier": earlier,
        "user_id": user_id,
        "errors": errors,
    }
    return update
