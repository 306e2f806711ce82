"""reason: answer a commonsense gap with code where code can, else the model's knowledge.

Computable gaps (time zones, arithmetic and counting, orderings, placement by size or
colour, date arithmetic, viewpoints) go to code: the question's wording picks the tool
(`tools.compute.detect_tool`), the model only fills the tool's slots (constrained JSON,
worked examples in a fixed prefix per tool; the viewpoint tool has none to fill), and
code computes the answer; the tool and its inputs are the evidence. Slots that do not
compute fall back to reasoning, and the report says so.
Everything else: one short JSON call (worked examples in a fixed, cacheable prefix) for
the specific answer and what must be visible, marked as the model's own knowledge so the
report tells the reader what to double-check.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from nodes.context import Context, chat_model, context_of, emit
from nodes.state import Answer, GapTask, resolved, unresolved
from tools.compute import EXAMPLES, TOOLS, ToolError, detect_tool, orient_timezone, run_tool
from tools.structured import StructuredOutputError, ask


class Reasoned(BaseModel):
    question: str = Field(max_length=140, description="the question, restated to stand alone")
    answer: str = Field(max_length=80, description="the specific thing or fact, named exactly")
    visible: str = Field(max_length=120, description="what the image must show because of it")


SYSTEM = """You answer one question that an image request leaves implicit.
First restate the question so it stands alone, keeping every clue from the request
(place, culture, time, shape, use). Then name the specific thing: the exact species,
object, dish, building, person or state, never a category. Then say in a few words what
the image must show.

Examples:
Request: A poster of the pastry eaten at the Mid-Autumn Festival
Question: Which pastry is it?
{"question":"Which pastry is traditionally eaten at the Chinese Mid-Autumn Festival?","answer":"mooncake","visible":"round golden-brown mooncakes with a stamped pattern on top"}

Request: The bird on the coat of arms of Mexico, perched on a cactus
Question: Which bird is it?
{"question":"Which bird is shown on the coat of arms of Mexico?","answer":"golden eagle","visible":"a golden eagle holding a snake, perched on a prickly pear cactus"}

Request: A pot of water on a stove at 100 degrees Celsius at sea level
Question: What visible state, colour or change results in 'A pot of water on a stove at 100 degrees Celsius at sea level'? Name it specifically.
{"question":"What happens to water heated to 100 degrees Celsius at sea level?","answer":"boiling water","visible":"bubbling water with steam rising from the pot"}

Request: The instrument a Scottish piper plays at a Highland parade
Question: What exactly does 'The instrument a Scottish piper plays at a Highland parade' refer to? Name it specifically.
{"question":"Which instrument does a Scottish piper play at a Highland parade?","answer":"Great Highland bagpipes","visible":"a tartan bag with three drones over the piper's shoulder and a chanter"}
"""


TOOL_PURPOSE = {
    "timezone": "converts a local time in one place to the local time in another",
    "arithmetic": "evaluates an arithmetic expression (counts, sums, products)",
    "ordering": "sorts things by a measured value or a date",
    "arrange": "places objects left to right or front to back by their usual size or colour",
    "date_math": "adds days, weeks, months or years to a date",
}


def tool_system(tool: str) -> str:
    """The fixed prefix for one tool (identical across calls, so the server caches it)."""
    examples = "\n\n".join(f"Question: {q}\n{slots}" for q, slots in EXAMPLES[tool])
    return (
        f"You fill in the inputs of a calculator that {TOOL_PURPOSE[tool]}.\n"
        "Copy the numbers, places and dates from the request and the question; use what you "
        "know only for facts the calculator needs that they do not state (a place's time "
        "zone, an animal's usual weight, a landmark's year). Never compute the answer "
        "yourself: the calculator does.\n\nExamples:\n" + examples + "\n"
    )


# a tool with an empty slot model (viewpoint) reads the request alone: no prefix, no call
TOOL_SYSTEMS = {tool: tool_system(tool) for tool in TOOLS if TOOLS[tool][0].model_fields}


def computed(task: GapTask, tool: str, ctx: Context) -> tuple[Answer | None, str]:
    """A tool's answer for the gap, or None and why the tool could not give one."""
    gap = task["gap"]
    slots_model = TOOLS[tool][0]
    prompt = f"Request: {task['request']}\nQuestion: {gap['question']}"
    try:
        filled: dict[str, Any] = {}
        if tool in TOOL_SYSTEMS:
            slots = ask(
                chat_model(ctx.llm),
                slots_model,
                [SystemMessage(content=TOOL_SYSTEMS[tool]), HumanMessage(content=prompt)],
            )
            filled = slots.model_dump()
        if tool == "timezone":  # which place holds the clock is read from the request by code
            filled = orient_timezone(filled, task["request"])
        out = run_tool(tool, filled, request=task["request"])
    except (StructuredOutputError, ToolError) as exc:
        return None, f"the {tool} tool could not be used ({str(exc)[:160]})"
    inputs = json.dumps(out.inputs, ensure_ascii=False, default=str)
    answer = resolved(
        gap,
        out.answer,
        [{"source": f"tool:{tool}", "quote": f"{inputs} -> {out.answer}"}],
        provenance="tool",
        route="reason",
        detail=out.visible,
        note=(
            f"computed by the {tool} tool; the model only filled its inputs"
            if tool in TOOL_SYSTEMS
            else f"computed by the {tool} tool from the request's words (no model call)"
        ),
        placement=out.placement,
    )
    return answer, ""


def reason(task: GapTask, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    gap = task["gap"]
    tool = detect_tool(gap["question"], task["request"])
    fallback_note = ""
    if tool:
        emit("reason", f"computing with the {tool} tool: {gap['question']}", gap_id=gap["id"])
        by_tool, fallback_note = computed(task, tool, ctx)
        if by_tool is not None:
            emit("reason", f"{gap['id']}: {by_tool['answer']} ({tool})", gap_id=gap["id"])
            return {"answers": [by_tool]}
    emit("reason", f"reasoning: {gap['question']}", gap_id=gap["id"])
    prompt = f"Request: {task['request']}\nQuestion: {gap['question']}"
    try:
        out = ask(
            chat_model(ctx.llm),
            Reasoned,
            [SystemMessage(content=SYSTEM), HumanMessage(content=prompt)],
        )
    except StructuredOutputError as exc:
        return {"answers": [unresolved(gap, f"reasoning failed: {exc}", guess=True)]}
    answer = out.answer.strip()
    if not answer:
        return {"answers": [unresolved(gap, "the model gave no answer", guess=True)]}
    visible = out.visible.strip()
    emit("reason", f"{gap['id']}: {answer}", gap_id=gap["id"])
    result = resolved(
        gap,
        answer,
        [{"source": f"model:{ctx.llm}", "quote": f"{out.question.strip()} {answer}"}],
        provenance="model",
        route="reason",
        detail=visible,
        note="; ".join(
            n for n in (fallback_note, "from the model's own knowledge; double-check") if n
        ),
    )
    return {"answers": [result]}
