"""ask_user: a gap only the user can fill. Interrupts the run with the question.

Resumed with `Command(resume="the answer")`. When the run is not interactive
(`--no-input`, no TTY, `Context.interactive=False`), the planner's best guess is taken
and the answer is marked as assumed.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from nodes.context import Context, context_of, emit
from nodes.state import GapTask, resolved, unresolved
from tools.text import one_line


def ask_user(task: GapTask, runtime: Runtime[Context]) -> dict[str, Any]:
    gap = task["gap"]
    if not context_of(runtime).interactive:
        emit("ask_user", f"not interactive; guessing: {gap['question']}", gap_id=gap["id"])
        return {"answers": [unresolved(gap, "not asked (no input allowed)", guess=True)]}
    reply = interrupt(
        {"gap_id": gap["id"], "question": gap["question"], "best_guess": gap.get("best_guess", "")}
    )
    # the user's reply: one line, without invisible or control characters
    text = one_line(str(reply if not isinstance(reply, dict) else reply.get("answer", "")))
    if not text:
        return {"answers": [unresolved(gap, "the user gave no answer", guess=True)]}
    emit("ask_user", f"{gap['id']}: {text[:80]}", gap_id=gap["id"])
    result = resolved(
        gap,
        text[:300],
        [{"source": "user", "quote": text[:300]}],
        provenance="user",
        route="ask_user",
        note="answered by the user",
    )
    return {"answers": [result]}
