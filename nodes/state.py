"""The agent's shared vocabulary: graph state and the records that flow through it.

State holds JSON-like data only (checkpointers serialise it): pydantic models are stored
as `model_dump()` dicts; images are file paths.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, NotRequired

from pydantic import BaseModel, Field
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12 (server schemas)

from nodes.rounds import Draft, Precheck, Round, Verdict, merge_rounds

Kind = Literal["commonsense", "precise_fact", "dynamic_fact", "personal", "reference", "ambiguous"]
Route = Literal["reason", "search", "memory", "ask_user"]
Provenance = Literal["model", "tool", "search", "memory", "user", "assumed", "none"]
# answers found outside the model: their quotes are sources, not the model's own words
FOUND_OUTSIDE: tuple[Provenance, ...] = ("search", "memory", "user")

MAX_REQUEST_CHARS = 4000


class Gap(BaseModel):
    """Something the request leaves out that the image needs, as an explicit question."""

    id: str
    question: str
    kind: Kind
    route: Route
    why: str = Field(description="why this route was chosen")
    best_guess: str = ""
    tool: str = Field(default="", description="the compute tool that answers it, or ''")
    lookup: str = Field(
        default="", description="a proper name it hinges on, looked up before the model answers"
    )


class LayoutObject(BaseModel):
    name: str
    box: list[float] = Field(description="normalised [x0, y0, x1, y1] in 0..1")


class Panel(BaseModel):
    """One panel (or one image) of a multi-panel plan."""

    title: str = Field(max_length=40, description="short caption of the panel")
    scene: str = Field(max_length=120, description="what this panel shows")


class Plan(BaseModel):
    subject: str
    gaps: list[Gap] = Field(default_factory=list)
    checklist: list[str] = Field(default_factory=list, max_length=10)  # the planner writes up to 8
    text_to_render: str = ""
    layout: list[LayoutObject] = Field(default_factory=list)
    style: str = ""
    setting: str = ""
    palette: list[str] = Field(default_factory=list)
    n_images: int = 1
    panels: list[Panel] = Field(default_factory=list)  # [] for one image
    characters: str = ""  # one shared description of who recurs across panels
    sheet: bool = False  # panels laid out on one sheet (True) or kept as separate images
    source: str = "model"  # "model", or "fallback" when the planner's call failed


class Evidence(TypedDict):
    source: str  # a file#passage, memory item id, "model:SPEC", "user", ...
    quote: str


class Answer(TypedDict):
    gap_id: str
    question: str
    route: str
    answer: str
    evidence: list[Evidence]
    resolved: bool
    provenance: str  # Provenance
    detail: str  # what the image must show because of the answer ("" if nothing more)
    note: str  # why unresolved, or how it was obtained
    # where a tool put the objects (ordering with a layout):
    # {"axis": "horizontal" | "depth" | "vertical", "order": [names]}
    placement: NotRequired[dict[str, Any]]
    constraint: NotRequired[ToolConstraint]  # a tool's answer: what it rules out
    crosscheck: NotRequired[CrossCheck]  # how a model answer was checked against others
    uncertain: NotRequired[bool]  # the candidates disagreed and nothing settled it


class CrossCheck(TypedDict):
    """The candidates a model answer was compared with, and what decided it."""

    candidates: list[dict[str, str]]  # {source: planner|reasoner|sample|search|user, value}
    agreed: bool  # every candidate with a value agreed (embedding similarity)
    decided_by: str  # "agreement", "search", "user" or "majority"
    alternatives: list[str]  # the other values, when they disagreed


class ToolConstraint(TypedDict):
    """What a tool declares about its answer (reason writes it into the Answer)."""

    object: str
    attribute: str
    value: str
    excludes: list[str]
    source: str


class ProfileFact(TypedDict):
    """A fact the user stated about themselves, as `remember` stores it in
    ("users", U, "profile"); the key is its slot (one value) or slot:thing (several)."""

    fact: str  # the slot's template filled in: "The user is a glassblower"
    slot: str  # tools.profile_facts.Slot
    value: str  # in the user's words
    words: str  # the span of the request it comes from
    about: str  # what the slot holds (indexed with the fact, so recall finds it by meaning)
    kind: str  # coarse kind: identity, pet, family, preference, like, avoid
    topic: str  # the slot again (the field older items used)
    source_run: str


def merge_answers(left: list[Answer] | None, right: list[Answer] | None) -> list[Answer]:
    """Reducer: answers add up, one per gap; a later answer to a gap replaces the earlier one
    in its place (a person's correction, written with a state update, replaces the answer)."""
    merged: dict[str, Answer] = {}
    for answer in [*(left or []), *(right or [])]:
        merged[answer["gap_id"]] = answer
    return list(merged.values())


class GapTask(TypedDict):
    """What a grounding node receives through `Send`: one gap and the request around it."""

    gap: dict[str, Any]
    request: str
    user_id: str


# Field descriptions show in LangGraph Studio's input form and in the server's schemas.
class InputState(TypedDict, total=False):
    request: Annotated[str, Field(description="What the image should show, in the user's words.")]
    user_id: Annotated[
        str, Field(description="Whose memory to use (default: the context's user_id).")
    ]


class OutputState(TypedDict, total=False):
    images: Annotated[list[str], Field(description="Paths of the kept round's images.")]
    report: Annotated[str, Field(description="Path of the run's report.md.")]
    final_prompt: Annotated[str, Field(description="The explicit prompt that was rendered.")]
    checklist: Annotated[
        list[Verdict], Field(description="Each checklist item of the kept round and its verdict.")
    ]


class State(InputState, OutputState, total=False):
    run_id: str
    plan: dict[str, Any]  # Plan.model_dump()
    memory: list[dict[str, Any]]  # the user's profile facts, loaded at plan time
    earlier: list[dict[str, Any]]  # earlier turns of the conversation the planner was shown
    answers: Annotated[list[Answer], merge_answers]
    draft: Draft  # the current composed prompt
    rounds: Annotated[list[Round], merge_rounds]
    feedback: list[str]
    precheck: Precheck  # the pre-render check of the current draft
    best_round: int
    negative_prompt: str
    errors: Annotated[list[dict[str, str]], operator.add]
    trace: Annotated[list[dict[str, Any]], operator.add]  # per node call: seconds, model calls


def unresolved(gap: dict[str, Any], why: str, *, guess: bool = False) -> Answer:
    """A gap nobody could answer; with `guess`, the planner's best guess stands in for it."""
    best = str(gap.get("best_guess") or "") if guess else ""
    return {
        "gap_id": gap["id"],
        "question": gap["question"],
        "route": gap["route"],
        "answer": best,
        "evidence": [],
        "resolved": False,
        "provenance": "assumed" if best else "none",
        "detail": "",
        "note": why + (f"; using the planner's best guess {best!r}" if best else ""),
    }


def resolved(
    gap: dict[str, Any],
    answer: str,
    evidence: list[Evidence],
    *,
    provenance: str,
    route: str | None = None,
    detail: str = "",
    note: str = "",
    placement: dict[str, Any] | None = None,
) -> Answer:
    """A gap's answer, with the evidence and where it came from."""
    out: Answer = {
        "gap_id": gap["id"],
        "question": gap["question"],
        "route": route or gap["route"],
        "answer": answer,
        "evidence": evidence,
        "resolved": True,
        "provenance": provenance,
        "detail": detail,
        "note": note,
    }
    if placement:
        out["placement"] = placement
    return out
