"""Compose as a declared pipeline: every repair step, its label, and when it runs.

`STEPS` is the one list: compose runs the "plan" steps before the composer's call and the
"prompt" steps after it, in this order, and records each step's changes under its name in
the draft (`repairs`); render carries them into the round and the report prints each with
the label declared here. Adding a step is one function and one line below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from nodes.compose.constraints import drop_contradictions, restore
from nodes.compose.prompt import example_text
from nodes.compose.repairs import (
    drop_example_echo,
    drop_invented_text,
    drop_repeats,
    replace_guess,
)
from nodes.compose.stated import grounded_items, put_back
from nodes.rounds import Constraint, RequestCheck, RetentionCheck
from nodes.state import FOUND_OUTSIDE, Answer
from tools.stated import Stated


@dataclass
class Work:
    """What the steps read and change: the plan before the call, the prompt after it."""

    request: str
    plan: dict[str, Any]
    answers: list[Answer]
    constraints: list[Constraint]
    prompt: str = ""
    context: str = ""  # the composer's input: request, facts, plan, memory, feedback
    negative: str = ""
    spans: list[Stated] = field(default_factory=list)  # what the request states outright
    vision: bool = False  # a vision model judges the rounds
    retention: list[RetentionCheck] = field(default_factory=list)
    request_retention: list[RequestCheck] = field(default_factory=list)

    @property
    def text(self) -> str:
        return str(self.plan.get("text_to_render") or "")

    def found(self) -> str:
        """The words of answers found outside the model (search, memory, the user)."""
        return " | ".join(
            f"{a.get('answer', '')} {a.get('detail', '')}"
            for a in self.answers
            if a.get("provenance") in FOUND_OUTSIDE
        )


def guess_replaced(work: Work) -> list[str]:
    work.plan, changed = replace_guess(work.plan, work.answers, work.request)
    return changed


def grounded_checklist(work: Work) -> list[str]:
    items = grounded_items(work.plan, work.answers, work.spans, vision=work.vision)
    if items:
        work.plan = {**work.plan, "checklist": [*work.plan.get("checklist", []), *items]}
    return items


def stated_kept(work: Work) -> list[str]:
    work.prompt, work.request_retention = put_back(
        work.prompt, work.negative, work.spans, work.constraints, work.plan
    )
    return [c["text"] for c in work.request_retention if c["repaired"]]


def invented_text(work: Work) -> list[str]:
    before = work.prompt
    work.prompt = drop_invented_text(work.prompt, work.text, work.request, work.found())
    return [before] if work.prompt != before else []


def example_echo(work: Work) -> list[str]:
    work.prompt, dropped = drop_example_echo(work.prompt, example_text(), work.context)
    return dropped


def repeats(work: Work) -> list[str]:
    before = work.prompt
    work.prompt = drop_repeats(work.prompt)
    return [f"{len(before) - len(work.prompt)} characters"] if work.prompt != before else []


def contradictions(work: Work) -> list[str]:
    work.prompt, dropped = drop_contradictions(work.prompt, work.constraints)
    return dropped


def restored(work: Work) -> list[str]:
    work.prompt, work.retention = restore(work.prompt, work.constraints, work.text)
    return [check["answer"] for check in work.retention if check["repaired"]]


@dataclass(frozen=True)
class Step:
    name: str
    label: str  # what the report says the step did
    stage: Literal["plan", "prompt"]
    apply: Callable[[Work], list[str]]


STEPS: tuple[Step, ...] = (
    Step(
        "guess_replaced",
        "The planner's guessed subject, replaced by the answer",
        "plan",
        guess_replaced,
    ),
    Step(
        "grounded_checklist",
        "Checklist items added for the request's stated constraints and each grounded answer",
        "plan",
        grounded_checklist,
    ),
    Step("invented_text", "Quoted text nobody asked for, dropped", "prompt", invented_text),
    Step(
        "example_echo",
        "Clauses copied from the composer's worked example, dropped",
        "prompt",
        example_echo,
    ),
    Step("repeats", "Clauses the composer repeated, cut to one", "prompt", repeats),
    Step("contradictions", "What contradicts a grounded answer, dropped", "prompt", contradictions),
    Step("restored", "Grounded answers and text the prompt lost, put back", "prompt", restored),
    Step(
        "stated_kept",
        "What the request states (counts, positions, exclusions...) the prompt lost, put back",
        "prompt",
        stated_kept,
    ),
)
LABELS = {step.name: step.label for step in STEPS}


def run_stage(stage: Literal["plan", "prompt"], work: Work) -> dict[str, list[str]]:
    """Run the stage's steps in order; each step's changes under its name."""
    return {step.name: step.apply(work) for step in STEPS if step.stage == stage}
