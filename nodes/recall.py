"""recall: answer a personal gap from the user's memory: profile facts and earlier turns.

Retrieval only, inside this user's namespaces: the profile facts most similar to the
question (a fact whose topic the question names first), and, when the run belongs to a
conversation or the request points back ("before", "last time", "again"), the earlier
turns most similar to it (in a conversation where nothing matches, the latest turn). Earlier
turns answer with their subject, and carry their final prompt as the detail to reuse.
Every item used is cited. Nothing relevant: unresolved.
"""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore

from nodes.context import Context, context_of, emit, store_of
from nodes.state import GapTask, resolved, unresolved
from tools.text import first_statement, one_line

PROFILE_MIN = 0.3
HISTORY_MIN = 0.3
MAX_ITEMS = 3


EARLIER_CUES = re.compile(
    r"\b(before|last time|previous|previously|earlier|again|same|like the other|as usual)\b", re.I
)
TOPIC_BOOST = 0.25  # a profile fact whose topic the question names is almost surely meant


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2} - {"the", "user"}


def profile_hits(
    store: BaseStore, user_id: str, question: str, query: str
) -> list[tuple[float, str, str, str]]:
    """The user's facts most similar to the question; facts whose slot the question names
    ("usual style" -> the style fact, "at work" -> the profession) rank first."""
    hits = []
    asked = _words(question)
    for item in store.search(("users", user_id, "profile"), query=query, limit=MAX_ITEMS * 2):
        # one statement, invisible chars out: what an item carries after it is not the fact
        fact = first_statement(str(item.value.get("fact") or ""))
        score = float(item.score or 0.0)
        if asked & _words(f"{item.value.get('topic') or ''} {item.value.get('about') or ''}"):
            score += TOPIC_BOOST
        if fact and score >= PROFILE_MIN:
            hits.append((score, f"memory:profile/{item.key}", fact, ""))
    return hits


def history_hits(
    store: BaseStore, user_id: str, conversation: str, query: str
) -> list[tuple[float, str, str, str]]:
    """Earlier turns similar to the question (of this conversation, when there is one); in
    a conversation where nothing matches ("same as before"), the latest turn."""
    where = {"conversation": conversation} if conversation else None
    namespace = ("users", user_id, "history")
    items = [
        item
        for item in store.search(namespace, query=query, filter=where, limit=2)
        if item.score is not None and item.score >= HISTORY_MIN
    ]
    if not items and conversation:
        items = store.search(namespace, filter=where, limit=1)
    hits = []
    for item in items:
        subject = one_line(str(item.value.get("subject") or item.value.get("request") or ""))
        prompt = one_line(str(item.value.get("final_prompt") or ""))
        score = item.score if item.score is not None else HISTORY_MIN
        hits.append((score, f"memory:history/{item.key}", subject, prompt[:300]))
    return hits


def recall(task: GapTask, runtime: Runtime[Context]) -> dict[str, Any]:
    gap = task["gap"]
    user_id = task["user_id"]
    conversation = context_of(runtime).conversation
    emit("recall", f"recalling: {gap['question']}", gap_id=gap["id"])
    store = store_of(runtime)
    query = f"{gap['question']} {task['request']}"
    hits = profile_hits(store, user_id, gap["question"], query)
    if conversation or EARLIER_CUES.search(f"{gap['question']} {task['request']}"):
        hits += history_hits(store, user_id, conversation, query)
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
