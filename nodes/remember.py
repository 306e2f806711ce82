"""remember: keep what should persist for the user.

- history: this turn's request, final prompt, images and checklist result, one item a run,
  in ("users", USER, "history");
- profile: durable facts the user stated about themselves (identity, pets, preferences,
  things to avoid), extracted by one short call only when the request states something
  about the user, in ("users", USER, "profile"). Facts from search results or the model's
  guesses are never stored: the extractor only sees the user's own words.
"""

from __future__ import annotations

import re
import time
from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore
from pydantic import BaseModel, Field

from nodes.context import Context, chat_model, context_of, emit, store_of, user_of
from nodes.state import State
from tools.structured import StructuredOutputError, ask

STATEMENT_CUES = re.compile(
    r"\b(i am|i'm|i like|i love|i prefer|i hate|i don't like|i do not like|i have|i've|"
    r"i usually|i always|i never|call me|my name|(my|our)( \w+){1,3} (is|are|has|have|looks|was)|"
    r"avoid|no more)\b",
    re.I,
)


class Fact(BaseModel):
    topic: str = Field(max_length=30, description="what the fact is about: style, dog, name")
    fact: str = Field(max_length=90, description="one durable fact, in the third person")
    kind: Literal["identity", "preference", "pet", "family", "avoid", "other"]


class Facts(BaseModel):
    facts: list[Fact] = Field(max_length=4)


SYSTEM = """You extract durable facts a user states about themselves from their request.
Only what the user says about themselves, their pets, family, or their likes and dislikes.
Not the image request itself. Write each fact in the third person, with a short topic
(the same topic for the same thing: "art style", "favourite colour", "dog", "name").
No facts: [].

Examples:
Request: I'm a baker and my dog Rufus is a white poodle; draw him in watercolour, I love watercolour
{"facts":[{"topic":"profession","fact":"The user is a baker","kind":"identity"},{"topic":"dog","fact":"The user's dog Rufus is a white poodle","kind":"pet"},{"topic":"art style","fact":"The user likes watercolour","kind":"preference"}]}

Request: A castle on a hill. I've gone off pastel colours, please no pink
{"facts":[{"topic":"colours to avoid","fact":"The user does not want pink or pastel colours","kind":"avoid"}]}

Request: A red bicycle leaning on a wall
{"facts":[]}
"""

TOPIC_FILLER = {"favourite", "favorite", "preferred", "usual", "user", "user's", "my", "the", "a"}
TOPIC_SYNONYMS = {
    "painting style": "art style",
    "drawing style": "art style",
    "style": "art style",
    "artistic style": "art style",
    "medium": "art style",
    "painting medium": "art style",
    "color": "colour",
    "colors": "colour",
    "colours": "colour",
    "job": "profession",
    "occupation": "profession",
    "work": "profession",
}
SAME_FACT = 0.9  # cosine similarity above which two facts say the same thing


def topic_key(kind: str, topic: str) -> str:
    """One profile slot per kind and topic: a later statement on it replaces the earlier."""
    words = [w for w in re.findall(r"[a-z0-9']+", topic.lower()) if w not in TOPIC_FILLER]
    name = " ".join(words) or "general"
    name = TOPIC_SYNONYMS.get(name, name)
    return f"{kind}:{name.replace(' ', '-')}"[:64]


NOT_A_FACT = re.compile(
    r"\b(wants?|asks?|asked|requests?|requested|would like|is asking)\b.{0,20}\b(draw|paint|"
    r"make|create|generate|see|show|render|an? (image|picture|drawing|poster|painting))\b",
    re.I,
)


def durable(fact: Fact) -> bool:
    """The extractor sometimes restates the image request as a fact ("The user wants to draw
    a sailboat"): that is this turn's request, kept in history, not a fact about the user."""
    return bool(fact.fact.strip()) and not NOT_A_FACT.search(fact.fact)


def update_profile(store: BaseStore, user_id: str, facts: list[Fact], run_id: str) -> list[str]:
    """Write facts into the user's profile: same slot -> replaced, same meaning -> merged."""
    namespace = ("users", user_id, "profile")
    written: list[str] = []
    for fact in facts:
        text = fact.fact.strip()
        if not durable(fact):
            continue
        key = topic_key(fact.kind, fact.topic)
        duplicates = [
            item
            for item in store.search(namespace, query=text, limit=3)
            if item.score is not None and item.score >= SAME_FACT and item.key != key
        ]
        for item in duplicates:
            store.delete(namespace, item.key)
        store.put(
            namespace,
            key,
            {"fact": text, "topic": fact.topic.strip(), "kind": fact.kind, "source_run": run_id},
            index=["fact"],
        )
        written.append(key)
    return written


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
        stored = len(update_profile(store, user_id, facts, state.get("run_id", "")))
    checklist = state.get("checklist", [])
    store.put(
        ("users", user_id, "history"),
        state["run_id"],
        {
            "request": request,
            "subject": state.get("plan", {}).get("subject", ""),
            "final_prompt": state.get("final_prompt", ""),
            "images": list(state.get("images", [])),
            "checklist": [{"item": v["item"], "passed": v["passed"]} for v in checklist],
            "conversation": ctx.conversation,
            "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        },
        index=["request", "subject", "final_prompt"],
    )
    emit("remember", f"saved this turn for user {user_id} ({stored} profile fact(s))")
    return {"errors": errors}
