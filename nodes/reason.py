"""reason: answer a commonsense gap with code where code can, else the model's knowledge.

A gap the planner (or the embedding suggestion) gave a tool goes to that tool: the model
fills the tool's typed inputs (constrained JSON; the tool's purpose, field descriptions and
worked examples in a fixed prefix per tool), code checks every grounded input against the
request and computes. Inputs that do not validate or name something the request does not
say fall back to reasoning, and the answer's note says which happened.
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
from tools.compute.registry import TOOLS
from tools.compute.spec import ToolError, ToolSpec, UngroundedInputs
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
Request: A small bowl of the spice that gives paella its golden colour
Question: Which spice is it?
{"question":"Which spice gives Spanish paella its golden-yellow colour?","answer":"saffron","visible":"a small bowl of thin red-orange saffron threads"}

Request: An iron nail left in a glass of salty water for a month
Question: What happens to the nail?
{"question":"What happens to an iron nail kept in salty water for a month?","answer":"the nail rusts","visible":"a nail covered in flaky orange-brown rust, the water tinted brown"}

Request: The instrument a Scottish piper plays at a Highland parade
Question: What exactly does 'The instrument a Scottish piper plays at a Highland parade' refer to? Name it specifically.
{"question":"Which instrument does a Scottish piper play at a Highland parade?","answer":"Great Highland bagpipes","visible":"a tartan bag with three drones over the piper's shoulder and a chanter"}
"""


def tool_system(spec: ToolSpec) -> str:
    """The fixed prefix for one tool (identical across calls, so the server caches it)."""
    examples = "\n\n".join(f"Question: {e.question}\n{e.inputs}" for e in spec.examples)
    return (
        f"You fill in the inputs of a calculator that {spec.purpose}.\n"
        "Copy the numbers, places, names and dates from the request exactly as it writes "
        "them; use what you know only for facts the calculator needs that the request does "
        "not state (a place's time zone, an animal's usual weight, how many legs an insect "
        "has). Never compute the answer yourself: the calculator does.\n\nExamples:\n"
        + examples
        + "\n"
    )


def regrounding(error: str, filled: BaseModel) -> str:
    """The follow-up that asks for the inputs again, copied from the request's words."""
    return (
        f"Your inputs were {filled.model_dump_json()}. Rejected: {error}. Write them again: "
        "copy every place, name and number exactly as the request writes it; put what you "
        "know yourself only in the other fields."
    )


def computed(task: GapTask, spec: ToolSpec, ctx: Context) -> tuple[Answer | None, str]:
    """The tool's answer for the gap, or None and why the tool could not give one."""
    gap = task["gap"]
    prompt = f"Request: {task['request']}\nQuestion: {gap['question']}"
    messages = [SystemMessage(content=tool_system(spec)), HumanMessage(content=prompt)]
    try:
        for attempt in range(2):  # inputs the request does not state: asked again, once
            filled = ask(chat_model(ctx.llm), spec.inputs, messages)
            try:
                out = spec.run(filled.model_dump(), sources=task["request"])
                break
            except UngroundedInputs as exc:
                if attempt:
                    raise
                messages = [*messages, HumanMessage(content=regrounding(str(exc), filled))]
    except UngroundedInputs as exc:
        return None, f"the {spec.name} tool's inputs were rejected twice ({str(exc)[:160]})"
    except (StructuredOutputError, ToolError) as exc:
        return None, f"the {spec.name} tool could not be used ({str(exc)[:160]})"
    inputs = json.dumps(out.inputs, ensure_ascii=False, default=str)
    answer = resolved(
        gap,
        out.answer,
        [{"source": f"tool:{spec.name}", "quote": f"{inputs} -> {out.answer}"}],
        provenance="tool",
        route="reason",
        detail=out.visible,
        note=f"computed by the {spec.name} tool; the model only filled its inputs",
        placement=out.placement,
    )
    answer["constraint"] = {
        "object": out.subject or gap["question"],
        "attribute": out.attribute or "answer",
        "value": out.answer,
        "excludes": list(out.excludes),
        "source": f"tool:{spec.name}",
    }
    return answer, ""


def reason(task: GapTask, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    gap = task["gap"]
    tool = str(gap.get("tool") or "")
    fallback_note = ""
    if tool in TOOLS:
        emit("reason", f"computing with the {tool} tool: {gap['question']}", gap_id=gap["id"])
        by_tool, fallback_note = computed(task, TOOLS[tool], ctx)
        if by_tool is not None:
            emit("reason", f"{gap['id']}: {by_tool['answer']} ({tool})", gap_id=gap["id"])
            return {"answers": [by_tool]}
        emit("reason", f"{gap['id']}: {fallback_note}; reasoning instead", gap_id=gap["id"])
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
