"""reason: answer a commonsense gap with the model's own knowledge.

One short JSON call (worked examples in a fixed, cacheable prefix): the specific answer
and what must be visible. The answer is marked as coming from the model's knowledge,
so the report tells the reader what to double-check.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from nodes.context import Context, chat_model, context_of, emit
from nodes.state import GapTask, resolved, unresolved
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
Question: What state is the water in?
{"question":"What happens to water heated to 100 degrees Celsius at sea level?","answer":"boiling water","visible":"bubbling water with steam rising from the pot"}

Request: A large striped cat, the national animal of India, in tall grass
Question: Which animal is it?
{"question":"Which large striped cat is the national animal of India?","answer":"Bengal tiger","visible":"an orange Bengal tiger with black stripes in tall grass"}
"""


def reason(task: GapTask, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    gap = task["gap"]
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
        note="from the model's own knowledge; double-check",
    )
    return {"answers": [result]}
