"""recall: answer a personal gap from the user's memory (profile facts and past turns).

Retrieval only: the most relevant memory items for the question, by embedding similarity,
within this user's namespaces. Each item used is cited. Nothing found: unresolved.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from nodes.context import Context, emit, store_of
from nodes.state import Answer, GapTask, unresolved

MIN_SCORE = 0.2
MAX_ITEMS = 3


def recall(task: GapTask, runtime: Runtime[Context]) -> dict[str, Any]:
    gap = task["gap"]
    user_id = task["user_id"]
    emit("recall", f"recalling: {gap['question']}", gap_id=gap["id"])
    store = store_of(runtime)
    query = f"{gap['question']} {task['request']}"
    hits: list[tuple[float, str, str]] = []
    for kind in ("profile", "history"):
        for item in store.search(("users", user_id, kind), query=query, limit=MAX_ITEMS):
            text = str(item.value.get("fact") or item.value.get("final_prompt") or "")
            score = item.score if item.score is not None else 0.0
            if text and score >= MIN_SCORE:
                hits.append((score, f"memory:{kind}/{item.key}", text))
    hits.sort(reverse=True)
    hits = hits[:MAX_ITEMS]
    if not hits:
        return {"answers": [unresolved(gap, "nothing in this user's memory", guess=True)]}
    answer = "; ".join(text for _score, _source, text in hits)
    emit("recall", f"{gap['id']}: {answer[:80]}", gap_id=gap["id"])
    result: Answer = {
        "gap_id": gap["id"],
        "question": gap["question"],
        "route": "memory",
        "answer": answer[:300],
        "evidence": [{"source": source, "quote": text[:300]} for _s, source, text in hits],
        "resolved": True,
        "provenance": "memory",
        "detail": "",
        "note": f"{len(hits)} memory item(s) of user {user_id}",
    }
    return {"answers": [result]}
