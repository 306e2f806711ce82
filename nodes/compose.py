"""compose: merge the request, the grounded answers, the user's memory and earlier feedback
into one explicit generation prompt and a negative prompt.

The small model sometimes drops a correct answer while writing, so after the call every
answer is checked against the prompt (normalised match) and put back when missing; the
check's result travels with the draft into the report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from nodes.context import Context, chat_model, context_of, emit
from nodes.state import Answer, State
from tools.appearance import looks, with_looks
from tools.colours import settle_colours
from tools.compute import clock_places
from tools.display_text import answer_text, found_texts, work_title
from tools.figures import data_figures, data_trend, with_figures, with_trend
from tools.sides import settle_sides
from tools.structured import StructuredOutputError, ask
from tools.wording import QUOTED, content_stems, stems


class Composed(BaseModel):
    prompt: str = Field(max_length=450, description="the explicit generation prompt")
    negative_prompt: str = Field(max_length=120, description="what must not appear")


SYSTEM = """You write prompts for a text-to-image model.
Turn the request and the facts found for it into one explicit description: name the
specific subject (use the facts, never the vague words of the request), its look, the
setting, composition, style and colours, and any exact text in double quotes.
Fix every problem listed under Feedback. Keep it under 80 words.

Example:
Request: A poster of the pastry eaten at the Mid-Autumn Festival, with the words "Happy Mid-Autumn"
Facts:
- Which pastry is eaten at the Mid-Autumn Festival? mooncake (round golden-brown pastries with a stamped top)
Style: festive poster. Setting: night sky with a full moon. Colours: red, gold.
Text: "Happy Mid-Autumn"
{"prompt":"Festive poster of round golden-brown mooncakes with stamped tops on a red plate, a full moon in the night sky behind them, red and gold lanterns, the words \\"Happy Mid-Autumn\\" in bold gold letters at the top","negative_prompt":"blurry, misspelled text, extra words"}
"""


def normalise(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


STOPWORDS = {"a", "an", "the", "and", "or", "of", "with", "in", "on", "at", "to", "for", "its"}
# memory answers are sentences about the user ("The user's dog Rufus is a white poodle"):
# their content is the dog, not the phrasing
STOPWORDS |= {"user", "users", "s", "is", "are", "was", "has", "likes", "like", "prefers"}


def contains(prompt: str, answer: str) -> bool:
    """The answer's words all appear in the prompt (order, articles and "and" aside)."""
    if normalise(answer) in normalise(prompt):
        return True
    wanted = set(normalise(answer).split()) - STOPWORDS
    return bool(wanted) and wanted <= set(normalise(prompt).split())


def retain_answers(
    prompt: str, answers: Sequence[Answer], text: str
) -> tuple[str, list[dict[str, Any]]]:
    """Put back every answer (and the exact text) the prompt lost; report what was checked."""
    checks: list[dict[str, Any]] = []
    for answer in answers:
        value = str(answer.get("answer") or "").strip()
        if not value:
            continue
        # a placement is its order: the same words in another order ("a bat, a key ...
        # from left to right") do not keep it, only the answer's own sequence does
        if answer.get("placement"):
            present = normalise(value) in normalise(prompt)
        else:
            present = contains(prompt, value)
        if not present:
            prompt = f"{prompt.rstrip(' .')}, {value}"
        checks.append(
            {
                "gap_id": answer["gap_id"],
                "answer": value,
                "present": present,
                "repaired": not present,
            }
        )
    if text and not contains(prompt, text):
        prompt = f'{prompt.rstrip(" .")}, with the text "{text}"'
        checks.append({"gap_id": "text", "answer": text, "present": False, "repaired": True})
    return prompt, checks


def _facts(answers: Sequence[Answer]) -> list[str]:
    lines: list[str] = []
    seen: set[str] = set()
    for answer in answers:
        if not answer.get("answer") or normalise(answer["answer"]) in seen:
            continue  # several questions with one answer: say it once
        seen.add(normalise(answer["answer"]))
        detail = f" ({answer['detail']})" if answer.get("detail") else ""
        guess = " [a guess]" if answer.get("provenance") == "assumed" else ""
        lines.append(f"- {answer['question']} {answer['answer']}{detail}{guess}")
    return lines


def drop_repeats(prompt: str) -> str:
    """The prompt without clauses it repeats word for word: the small composer sometimes
    loops ("red balloon inflated with air, red balloon inflated with air, ...") until the
    length limit cuts it."""
    kept: list[str] = []
    seen: set[str] = set()
    for clause in re.split(r"\s*,\s*", prompt.strip()):
        key = normalise(clause)
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(clause)
    return ", ".join(kept)


INVENTED_TEXT = re.compile(
    r"(?:,\s*|\s+)(?:with\s+)?(?:the\s+)?(?:words?|text|title|caption|slogan)\s+"
    r"[\"“]([^\"”]*)[\"”](?:\s+in\s+[^,.]*)?",
    re.I,
)


def drop_invented_text(prompt: str, text: str, request: str, known: str = "") -> str:
    """Remove quoted text the composer wrote that neither the plan nor the request asks for
    (small models copy it from the worked example); text an answer holds (`known`, the
    answers' words: a bakery name recalled from the user's last poster) stays."""

    def keep(match: re.Match[str]) -> str:
        quoted = match.group(1).strip().lower()
        asked = {q.strip().lower() for q in QUOTED.findall(request)}
        wanted = (text and quoted == text.strip().lower()) or quoted in asked
        wanted = wanted or (bool(normalise(quoted)) and normalise(quoted) in normalise(known))
        return match.group(0) if wanted else ""

    return INVENTED_TEXT.sub(keep, prompt).strip()


TIME_OF_DAY = re.compile(
    r"\s*\b(?:(?:at|around|near|by|into|in the|during the|at the)\s+)?"
    r"(midnight|noon|midday|lunch ?hour|lunchtime|night(?:time)?|morning|afternoon|evening|"
    r"dawn|dusk|sunrise|sunset|twilight)\b",
    re.I,
)


def drop_other_clock(prompt: str, answers: Sequence[Answer], request: str) -> tuple[str, list[str]]:
    """When the time-zone tool computed the shown place's time, the request's clock belongs
    to another place ("when Tokyo is entering midnight"): drop the prompt's phrases that
    name that place, and time-of-day words the computed answer does not use, so the prompt
    does not say "midnight" next to the computed afternoon. Returns the prompt and what
    was dropped."""
    computed = computed_by("timezone", answers)
    if not computed:
        return prompt, []
    places = clock_places(request)
    allowed = set(
        normalise(" ".join(f"{a['answer']} {a.get('detail', '')}" for a in computed)).split()
    )
    dropped: list[str] = []
    kept: list[str] = []

    def other_time(match: re.Match[str]) -> str:
        word = match.group(1).lower()
        if set(normalise(word).split()) <= allowed:
            return match.group(0)
        dropped.append(word)
        return ""

    for segment in re.split(r"\s*[,;]\s*|\.\s+", prompt.strip().rstrip(".")):
        if any(re.search(rf"\b{re.escape(place)}\b", segment, re.I) for place in places):
            dropped.append(segment)
            continue
        segment = " ".join(TIME_OF_DAY.sub(other_time, segment).split())
        if segment:
            kept.append(segment)
    if not dropped:
        return prompt, []
    joined = ", ".join(kept)
    return joined[:1].upper() + joined[1:], dropped


ARTICLE = re.compile(r"^(a|an|the|some)\s+", re.I)


def replace_guess(
    plan: dict[str, Any], answers: Sequence[Answer], request: str
) -> tuple[dict[str, Any], list[str]]:
    """The plan with the planner's guessed subject replaced by the answer that resolved it.

    The planner writes the subject, checklist and layout before any gap is answered; when
    the request does not name its subject, the small model guesses ("a kangaroo" for "a
    fluffy, tree-dwelling marsupial native to Australia"). Once one answer names the
    subject ("koala"), a checklist still asking for a kangaroo would send the prompt back
    to compose for the wrong animal. So when the subject is a short phrase none of whose
    words the request says, and exactly one resolved answer (not a tool's) names something
    new, the guess is replaced by that answer in the subject, the checklist and the layout.
    """
    guess = ARTICLE.sub("", str(plan.get("subject", "")).strip())
    guessed = content_stems(guess)
    if not guessed or len(guess.split()) > 3 or guessed & stems(request):
        return plan, []
    named = [
        str(a["answer"]).strip()
        for a in answers
        if a.get("resolved")
        and a.get("provenance") != "tool"
        and 0 < len(str(a.get("answer", "")).split()) <= 4
        and not content_stems(str(a["answer"])) <= stems(request)
    ]
    if len(named) != 1 or content_stems(named[0]) & guessed:
        return plan, []
    answer = named[0]
    pattern = re.compile(rf"\b{re.escape(guess)}\b", re.I)
    new = dict(plan)
    new["subject"] = answer
    new["checklist"] = [pattern.sub(answer, item) for item in plan.get("checklist", [])]
    new["layout"] = [
        {**obj, "name": pattern.sub(answer, str(obj.get("name", "")))}
        for obj in plan.get("layout", [])
    ]
    return new, [f"{guess} -> {answer}"]


def computed_by(tool: str, answers: Sequence[Answer]) -> list[Answer]:
    """The answers the named tool computed (their evidence cites `tool:NAME`)."""
    return [
        a for a in answers if any(e.get("source") == f"tool:{tool}" for e in a.get("evidence", []))
    ]


def add_figures(
    plan: dict[str, Any], answers: Sequence[Answer], request: str
) -> tuple[dict[str, Any], list[str]]:
    """The plan with the figures of a data display (a price, a forecast's temperatures) that
    search found added to the text to draw; the planner wrote that text before search
    answered. Returns the plan and the figures added."""
    sources = found_texts(answers, ("search",))
    figures = data_figures(request, sources) if sources else []
    text = str(plan.get("text_to_render") or "")
    new_text = with_figures(text, figures)
    if new_text == text:  # added by an earlier compose of this run, or nothing to add
        return plan, list(plan.get("text_figures", []))
    added = [f for f in figures if f not in text]
    return {**plan, "text_to_render": new_text, "text_figures": added}, added


def add_title(
    plan: dict[str, Any], answers: Sequence[Answer], request: str
) -> tuple[dict[str, Any], str]:
    """The plan with the searched title of the work a poster shows put first in the text to
    draw (the planner could not know it); and the title added, or ""."""
    title = work_title(request, answers)
    text = str(plan.get("text_to_render") or "")
    if not title or normalise(title) in normalise(text):
        return plan, ""
    new = {**plan, "text_to_render": f"{title} {text}".strip()}
    return {**new, "text_added": [*plan.get("text_added", []), title]}, title


def fallback_prompt(plan: dict[str, Any], answers: Sequence[Answer]) -> str:
    parts = [plan.get("subject", "")]
    parts += [a["answer"] for a in answers if a.get("answer")]
    parts += [plan.get("setting", ""), plan.get("style", "")]
    return ", ".join(p for p in parts if p)


def compose(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    answers = list(state.get("answers", []))
    plan, guess_replaced = replace_guess(state["plan"], answers, state["request"])
    plan, text_figures = add_figures(plan, answers, state["request"])
    plan, title = add_title(plan, answers, state["request"])
    number = len(state.get("rounds", [])) + 1
    emit("compose", f"composing the prompt (round {number})", round=number)
    lines = [f"Request: {state['request']}", "Facts:", *(_facts(answers) or ["- none needed"])]
    # Standing preferences apply to every image; pets, family and identity only come in
    # through a memory gap (recall) when the request refers to them.
    memory = [
        str(m["fact"])
        for m in state.get("memory", [])
        if m.get("fact") and m.get("kind") in ("preference", "avoid")
    ]
    if memory:
        lines.append("About the user: " + "; ".join(memory[:6]))
    lines.append(
        f"Style: {plan.get('style') or 'any'}. Setting: {plan.get('setting') or 'any'}. "
        f"Colours: {', '.join(plan.get('palette', [])) or 'any'}."
    )
    text = plan.get("text_to_render", "")
    lines.append(f'Text: "{text}"' if text else "Text: none")
    feedback = state.get("feedback", [])
    if feedback:
        lines.append("Feedback:\n" + "\n".join(f"- {item}" for item in feedback))
    errors: list[dict[str, str]] = []
    try:
        out = ask(
            chat_model(ctx.llm),
            Composed,
            [SystemMessage(content=SYSTEM), HumanMessage(content="\n".join(lines))],
        )
        prompt, negative = out.prompt.strip(), out.negative_prompt.strip()
    except StructuredOutputError as exc:
        prompt, negative = fallback_prompt(plan, answers), ""
        errors.append({"node": "compose", "message": f"composer failed, used a template: {exc}"})
    prompt = drop_invented_text(prompt, text, state["request"], " | ".join(found_texts(answers)))
    prompt = drop_repeats(prompt)
    if not prompt:
        prompt = fallback_prompt(plan, answers)
    prompt, clock_dropped = drop_other_clock(prompt, answers, state["request"])
    # a side a tool settled (a mirror swaps left and right) wins over the composer's copy
    # of the request's side, so putting the answer back cannot leave both in the prompt
    tool_answers = [str(a["answer"]) for a in answers if a.get("provenance") == "tool"]
    prompt, sides_settled = settle_sides(prompt, tool_answers)
    indicator_answers = [str(a["answer"]) for a in computed_by("indicator", answers)]
    prompt, colours_dropped = settle_colours(prompt, indicator_answers)
    quoted = "" if text else answer_text(prompt, answers)
    if quoted:  # text the composer quoted from an answer is drawn, not only described
        text = quoted
        plan = {
            **plan,
            "text_to_render": quoted,
            "text_added": [*plan.get("text_added", []), quoted],
        }
    prompt, retention = retain_answers(prompt, answers, text)
    prompt, trend = with_trend(
        prompt, data_trend(state["request"], found_texts(answers, ("search",)))
    )
    prompt, looks_added = with_looks(prompt, looks(state["request"], answers))
    repaired = sum(1 for check in retention if check["repaired"])
    emit("compose", f"prompt ready ({len(prompt)} chars, {repaired} answer(s) put back)")
    draft = {
        "round": number,
        "prompt": prompt,
        "negative_prompt": negative,
        "retention": retention,
        "clock_dropped": clock_dropped,
        "guess_replaced": guess_replaced,
        "sides_settled": sides_settled,
        "text_figures": text_figures,
        "text_added": list(plan.get("text_added", [])),  # by this compose or an earlier one
        "trend_added": [trend] if trend else [],
        "looks_added": looks_added,
        "colours_dropped": colours_dropped,
        "panels": panel_prompts(plan, prompt),
    }
    update: dict[str, Any] = {"draft": draft, "errors": errors}
    if guess_replaced or text_figures or title or quoted:  # later nodes read the new plan
        update["plan"] = plan
    return update


def panel_prompts(plan: dict[str, Any], prompt: str) -> list[dict[str, Any]]:
    """One prompt per planned panel: the panel's own scene, then the shared description of
    the recurring characters and the composed prompt (the subject, facts and style every
    panel shares), so each panel draws the same characters the same way."""
    panels = plan.get("panels") or []
    characters = str(plan.get("characters") or "").strip()
    out = []
    for index, panel in enumerate(panels, 1):
        parts = [f"Panel {index} of {len(panels)}: {panel['scene'].strip().rstrip('.')}"]
        if characters:
            parts.append(f"Characters: {characters.rstrip('.')}")
        parts.append(f"Context: {prompt}")
        out.append(
            {
                "panel": index,
                "title": panel.get("title", ""),
                "scene": panel["scene"],
                "prompt": ". ".join(parts),
            }
        )
    return out
