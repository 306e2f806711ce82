"""recall: answer a personal gap from the user's memory: profile facts and earlier turns.

Retrieval only, inside this user's namespaces: the profile facts and the earlier turns
(of this conversation when the run belongs to one) most similar to the question; in a
conversation where nothing matches ("same as before"), the latest turn. Earlier
turns answer with their subject, and carry their final prompt as the detail to reuse.
Every item used is cited. Nothing relevant: unresolved.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from nodes.context import Context, context_of, emit, store_of
from nodes.state import GapTask, resolved, unresolved

MIN_SCORE = 0.2
MAX_ITEMS = 3


def recall(task: GapTask, runtime: Runtime[Context]) -> dict[str, Any]:
    gap = task["gap"]
    user_id = task["user_id"]
    conversation = context_of(runtime).conversation
    emit("recall", f"recalling: {gap['question']}", gap_id=gap["id"])
    store = store_of(runtime)
    query = f"{gap['question']} {task['request']}"
    hits: list[tuple[float, str, str, str]] = []  # score, source, text, detail
    for item in store.search(("users", user_id, "profile"), query=query, limit=MAX_ITEMS):
        if item.score is not None and item.score >= MIN_SCORE and item.value.get("fact"):
            hits.append((item.score, f"memory:profile/{item.key}", str(item.value["fact"]), ""))
    history_filter = {"conversation": conversation} if conversation else None
    history = [
        item
        for item in store.search(
            ("users", user_id, "history"), query=query, filter=history_filter, limit=2
        )
        if item.score is not None and item.score >= MIN_SCORE
    ]
    if not history and conversation:
        # "same as before" names nothing to match: in a conversation, the last turn is meant
        history = store.search(("users", user_id, "history"), filter=history_filter, limit=1)
    for item in history:
        subject = str(item.value.get("subject") or item.value.get("request") or "")
        prompt = str(item.value.get("final_prompt") or "")
        score = item.score if item.score is not None else MIN_SCORE
        hits.append((score, f"memory:history/{item.key}", subject, prompt[:300]))
    hits.sort(key=lambda hit: hit[0], reverse=True)
    hits = hits[:MAX_ITEMS]
    if not hits:
        return {"answers": [unresolved(gap, "nothing relevant in this user's memory", guess=True)]}
    answer = "; ".join(text for _score, _source, text, _detail in hits)
    detail = next((d for _s, _src, _t, d in hits if d), "")
    emit("recall", f"{gap['id']}: {answer[:80]}", gap_id=gap["id"])
    result = resolved(
        gap,
        answer[:300],
        [{"source": source, "quote": (d or text)[:300]} for _s, source, text, d in hits],
        provenance="memory",
        route="memory",
        detail=detail,
        note=f"{len(hits)} memory item(s) of user {user_id}"
        + (f", conversation {conversation}" if conversation else ""),
    )
    return {"answers": [result]}
