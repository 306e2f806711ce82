"""remember: keep what should persist for the user.

- history: this turn's request, final prompt, images and checklist result, one item a run,
  in ("users", USER, "history");
- profile: the facts the user stated about themselves, each in its slot (name, profession,
  pet, style, dislike, ...: tools/profile_facts.py), in ("users", USER, "profile"). One short
  call, made only when the request holds a first-person statement, proposes each fact with
  the user's own words it comes from; code keeps only the facts those words prove and
  writes each from its slot's template. A later statement on a slot replaces the earlier.
  Facts from search results or the model's guesses are never stored: the extractor only
  sees the request.
"""

from __future__ import annotations

import re
import time
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore
from pydantic import BaseModel, Field

from nodes.context import Context, chat_model, context_of, emit, store_of, user_of
from nodes.state import ProfileFact, State
from tools.crashpoints import reach
from tools.profile_facts import (
    OPPOSED,
    SLOTS,
    Slot,
    content_words,
    fact_text,
    key_word,
    own_words,
    rejection,
    slot_of,
    stated_value,
    statement_clauses,
)
from tools.structured import StructuredOutputError, ask


class Fact(BaseModel):
    words: str = Field(max_length=160, description="the user's words, copied from the request")
    slot: Slot
    value: str = Field(max_length=80, description="the fact itself, in the user's words")


class Facts(BaseModel):
    facts: list[Fact] = Field(max_length=5)


# The fields whose text each kind of memory item is searched by (`store.put(..., index=)`);
# `memory import` re-indexes an item with its kind's fields.
INDEXED: dict[str, tuple[str, ...]] = {
    "profile": ("fact", "about"),
    "history": ("request", "subject", "final_prompt"),
}
SLOT_LINES = """- name: what the user is called
- profession: the user's job, a person's trade (a welder, a pharmacist)
- home: the town, country or place the user lives in or comes from
- looks: the user's own looks: hair, face, build, what they wear
- pet: the user's animal, with its name and looks
- family: the user's relatives, partner or children, with their names
- style: the art style or medium the user works in or prefers (ink, oils, pixel art)
- colour: the user's favourite colour
- like: a thing the user says they like or love
- dislike: a thing the user dislikes or does not want"""
SYSTEM = f"""You find the facts a user states about themselves in their image request.
A fact is something the user says about who they are, what they have, or what they like:
"I am ...", "my ... is ...", "I love ...", "I can't stand ...". The picture they ask for is
not a fact: a scene, a setting, a style asked for this image, or what to draw ("draw me as
a pilot", "a poster of a harbour") is never stored. Nothing the user did not say.
For each fact give: words (the user's exact words, copied), slot, value (short, the user's
own words, copied). Only the user's own likes, not those of their family. Slots:
{SLOT_LINES}
No facts: {{"facts":[]}}.

Examples:
Request: I'm a ferry captain and my rabbit Clover is grey with floppy ears. Paint a harbour at dawn, I love gouache
{{"facts":[{{"words":"I'm a ferry captain","slot":"profession","value":"ferry captain"}},{{"words":"my rabbit Clover is grey with floppy ears","slot":"pet","value":"Clover, a grey rabbit with floppy ears"}},{{"words":"I love gouache","slot":"style","value":"gouache"}}]}}

Request: Call me Tobias. My son Ilya is nine and loves trains. No more purple please, I'm tired of it. A tram stop in the rain
{{"facts":[{{"words":"Call me Tobias","slot":"name","value":"Tobias"}},{{"words":"My son Ilya is nine","slot":"family","value":"son Ilya, nine"}},{{"words":"No more purple please, I'm tired of it","slot":"dislike","value":"purple"}}]}}

Request: My sister Noor and I live in Tromsø; our aunt Rosa was a seamstress. Draw me skiing in a red jacket
{{"facts":[{{"words":"My sister Noor and I live in Tromsø","slot":"family","value":"sister Noor"}},{{"words":"My sister Noor and I live in Tromsø","slot":"home","value":"Tromsø"}},{{"words":"our aunt Rosa was a seamstress","slot":"family","value":"aunt Rosa, a seamstress"}}]}}
"""


def extract(llm: str, request: str) -> tuple[list[Fact], list[dict[str, str]]]:
    """The facts the request proves, and each proposed fact it does not prove, with why.
    No first-person statement in the request: no call, no facts."""
    if not statement_clauses(request):
        return [], []
    proposed = ask(
        chat_model(llm),
        Facts,
        [SystemMessage(content=SYSTEM), HumanMessage(content=f"Request: {request}")],
    ).facts
    kept: list[Fact] = []
    rejected: list[dict[str, str]] = []
    for fact in proposed:
        words = own_words(fact.words, fact.value, request)
        fact = fact.model_copy(update={"slot": slot_of(fact.slot, fact.value), "words": words})
        why = rejection(fact.slot, fact.value, fact.words, request)
        if why:
            rejected.append({**fact.model_dump(), "why": why})
        else:
            kept.append(fact)
    return kept, rejected


def profile_item(fact: Fact, request: str, run_id: str) -> tuple[str, ProfileFact]:
    """The store key and value of a kept fact: a one-value slot is its own key; a slot that
    holds several things (pets, relatives, likes) is keyed by the thing's first word."""
    spec = SLOTS[fact.slot]
    value = stated_value(fact.value, request)
    thing = key_word(value)
    key = fact.slot if spec.single or not thing else f"{fact.slot}:{thing}"
    return re.sub(r"[^a-z0-9:_-]", "-", key.lower())[:64], {
        "fact": fact_text(fact.slot, value),
        "slot": fact.slot,
        "value": value,
        "words": fact.words.strip(),
        "about": spec.about,
        "kind": spec.kind,
        "topic": fact.slot,
        "source_run": run_id,
    }


def update_profile(
    store: BaseStore, user_id: str, facts: list[Fact], request: str, run_id: str
) -> list[str]:
    """Write the facts: a one-value slot is replaced; in a slot of several things, the item
    about the same thing (a shared word) is replaced; an item of an opposed slot about the
    same thing ("I love figs" after "I can't stand figs") is dropped. A restatement that
    says less than the stored value ("my dog" after "my dog Rufus, a white poodle") keeps
    the stored one."""
    namespace = ("users", user_id, "profile")
    written: list[str] = []
    for fact in facts:
        key, value = profile_item(fact, request, run_id)
        items = store.search(namespace, limit=500)
        new = content_words(value["value"])
        if any(
            i.value.get("slot") == fact.slot and new <= content_words(str(i.value.get("value")))
            for i in items
        ):
            continue
        for item in items:
            slot = item.value.get("slot")
            same = bool(new & content_words(str(item.value.get("value", ""))))
            if item.key != key and (
                (slot == fact.slot and (SLOTS[fact.slot].single or same))
                or (slot in OPPOSED.get(fact.slot, ()) and same)
            ):
                store.delete(namespace, item.key)
        store.put(namespace, key, dict(value), index=list(INDEXED["profile"]))
        written.append(key)
    return written


def remember(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    user_id = user_of(state, runtime)
    store = store_of(runtime)
    request = state["request"]
    errors: list[dict[str, str]] = []
    stored = 0
    if statement_clauses(request):
        emit("remember", "extracting what the user said about themselves")
        try:
            facts, rejected = extract(ctx.llm, request)
        except StructuredOutputError as exc:
            facts, rejected = [], []
            errors.append({"node": "remember", "message": f"profile not updated: {exc}"})
        for item in rejected:
            emit("remember", f"not stored ({item['why']}): {item['slot']} {item['value']!r}")
        stored = len(update_profile(store, user_id, facts, request, state.get("run_id", "")))
        reach("remember:profile-written")
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
        index=list(INDEXED["history"]),
    )
    emit("remember", f"saved this turn for user {user_id} ({stored} profile fact(s))")
    return {"errors": errors}
