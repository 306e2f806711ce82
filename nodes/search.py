"""search: answer a factual or changing gap from a search provider, citing its sources.

The provider returns passages; the model reads them (`tools/search/reader.py`: as quoted
data, never as instructions) and states the answer they support, or says they do not
answer it. Web results (Tavily) cite their URLs; for gaps of kind `reference` the
provider's image results are kept as candidate reference images: evidence whose quote
starts with `[reference image]`.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from nodes.context import Context, chat_model, context_of, emit
from nodes.state import Answer, GapTask, unresolved
from tools.names import proper_names
from tools.search.reader import read, reference_evidence


def search(task: GapTask, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    gap = task["gap"]
    if ctx.search.strip() in ("", "none"):
        why = "no search provider configured (use --search tavily or local:DIR)"
        return {"answers": [unresolved(gap, why, guess=True)]}
    emit("search", f"searching: {gap['question']}", gap_id=gap["id"])
    # a passage about another place, person or ticker cannot answer for this one
    names = proper_names(gap["question"]) or proper_names(task.get("request", ""))
    reading, why = read(
        chat_model(ctx.llm),
        ctx.search,
        gap["question"],
        names=names,
        images=gap.get("kind") == "reference",
    )
    if reading is None:
        return {"answers": [unresolved(gap, why, guess=True)]}
    emit("search", f"{gap['id']}: {reading['answer']}", gap_id=gap["id"])
    result: Answer = {
        "gap_id": gap["id"],
        "question": gap["question"],
        "route": "search",
        "answer": reading["answer"],
        "evidence": reading["evidence"],
        "resolved": True,
        "provenance": "search",
        "detail": reading["detail"],
        "note": f"from {ctx.search}, cited passage {reading['source']}",
    }
    if reading["images"]:
        result["evidence"] += reference_evidence(reading)
        result["note"] += f"; {len(reading['images'])} candidate reference image(s)"
    return {"answers": [result]}
