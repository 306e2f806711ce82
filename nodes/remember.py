"""remember: keep what should persist for the user.

- history: this turn's request, final prompt, images and checklist result, one item a run,
  in ("users", USER, "history");
- profile: durable facts the user stated about themselves (identity, pets, preferences,
  things to avoid), extracted by one short call only when the request states something
  about the user, in ("users", USER, "profile"). Facts from search results or the model's
  guesses are never stored: the extractor only sees the user's own words.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from nodes.context import Context, chat_model, context_of, emit, store_of, user_of
from nodes.state import State
from tools.structured import StructuredOutputError, ask

STATEMENT_CUES = re.compile(
    r"\b(i am|i'm|i like|i love|i prefer|i hate|i don't like|i do not like|i have|i've|"
    r"i usually|i always|i never|call me|my name|my \w+ (is|has|are|looks)|our \w+ (is|has)|"
    r"avoid|no more)\b",
    re.I,
)


class Fact(BaseModel):
    fact: str = Field(max_length=90, description="one durable fact, in the third person")
    kind: Literal["identity", "preference", "pet", "family", "avoid", "other"]


class Facts(BaseModel):
    facts: list[Fact] = Field(max_length=4)


SYSTEM = """You extract durable facts a user states about themselves from their request.
Only what the user says about themselves, their pets, family, or their likes and dislikes.
Not the image request itself. Write each fact in the third person. No facts: [].

Example:
Request: I'm a baker and my dog Rufus is a white poodle; draw him in watercolour, I love watercolour
{"facts":[{"fact":"The user is a baker","kind":"identity"},{"fact":"The user's dog Rufus is a white poodle","kind":"pet"},{"fact":"The user likes watercolour","kind":"preference"}]}
"""


def fact_key(fact: str) -> str:
    return hashlib.sha256(" ".join(fact.lower().split()).encode()).hexdigest()[:16]


def remember(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    user_id = user_of(state, runtime)
    store = store_of(runtime)
    request = state["request"]
    errors: list[dict[str, str]] = []
    stored = 0
    if STATEMENT_CUES.search(request):
        emit("remember", "extracting what the user said about themselves")
        try:
            facts = ask(
                chat_model(ctx.llm),
                Facts,
                [SystemMessage(content=SYSTEM), HumanMessage(content=f"Request: {request}")],
            ).facts
        except StructuredOutputError as exc:
            facts = []
            errors.append({"node": "remember", "message": f"profile not updated: {exc}"})
        for fact in facts:
            text = fact.fact.strip()
            if text:
                value = {"fact": text, "kind": fact.kind, "source_run": state.get("run_id", "")}
                store.put(("users", user_id, "profile"), fact_key(text), value)
                stored += 1
    checklist = state.get("checklist", [])
    store.put(
        ("users", user_id, "history"),
        state.get("run_id") or fact_key(request + str(time.time())),
        {
            "request": request,
            "final_prompt": state.get("final_prompt", ""),
            "images": list(state.get("images", [])),
            "passed": sum(1 for v in checklist if v["passed"]),
            "total": len(checklist),
            "conversation": ctx.conversation,
            "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        },
        index=["request", "final_prompt"],
    )
    emit("remember", f"saved this turn for user {user_id} ({stored} profile fact(s))")
    return {"errors": errors}
