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
from nodes.state import Answer, GapTask, unresolved
from tools.structured import StructuredOutputError, ask


class Reasoned(BaseModel):
    answer: str = Field(max_length=80, description="the specific thing or fact, named exactly")
    visible: str = Field(max_length=120, description="what the image must show because of it")


SYSTEM = """You answer one question that an image request leaves implicit.
Name the specific thing (the exact species, object, dish, person, place or state), not a
category. Then say in a few words what the image must show. Be concrete and visual.

Examples:
Request: A poster of the pastry eaten at the Mid-Autumn Festival
Question: Which pastry is eaten at the Mid-Autumn Festival?
{"answer":"mooncake","visible":"round golden-brown mooncakes with a stamped pattern on top"}

Request: The bird on the coat of arms of Mexico, perched on a cactus
Question: Which bird is on the coat of arms of Mexico?
{"answer":"golden eagle","visible":"a golden eagle holding a snake, perched on a prickly pear cactus"}

Request: Water in a pot on a stove at 100 degrees Celsius at sea level
Question: What state is the water in?
{"answer":"boiling water","visible":"bubbling water with steam rising from the pot"}

Request: The instrument Jimi Hendrix is most famous for playing
Question: Which instrument is Jimi Hendrix famous for?
{"answer":"electric guitar","visible":"a white Fender Stratocaster electric guitar"}
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
    result: Answer = {
        "gap_id": gap["id"],
        "question": gap["question"],
        "route": "reason",
        "answer": answer,
        "evidence": [{"source": f"model:{ctx.llm}", "quote": visible or answer}],
        "resolved": True,
        "provenance": "model",
        "detail": visible,
        "note": "from the model's own knowledge; double-check",
    }
    return {"answers": [result]}
