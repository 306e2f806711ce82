"""The tool path of reason: the model fills a compute tool's typed inputs, code computes.

Inputs that do not validate, or that name something the request does not say, are asked
for once more; then the caller falls back to reasoning and the answer's note says why.
"""

from __future__ import annotations

import json

from langchain_core.messages import HumanMessage, SystemMessage

from nodes.context import Context, chat_model
from nodes.reason.prompts import regrounding, tool_system
from nodes.state import Answer, GapTask, resolved
from tools.compute.spec import ToolError, ToolSpec, UngroundedInputs
from tools.structured import StructuredOutputError, ask


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
