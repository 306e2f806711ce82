"""A compute tool, declared once: its name, what it is for, a typed input model, the pure
function that computes, and worked examples for the model that fills the inputs.

The model never computes: it fills the inputs (constrained JSON), code checks them and
computes. Input fields declared with `grounded(...)` must come from the request or the
grounded answers: a place, substance or number that neither contains is rejected
(`UngroundedInputs`), and the gap falls back to reasoning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from tools.wording import NUMBER_WORDS, content_stems, stems

MAX_ANSWER = 80
MAX_VISIBLE = 200
ISO_DATE = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"

GroundedKind = Literal["text", "number"]


def grounded(kind: GroundedKind) -> dict[str, Any]:
    """`json_schema_extra` for an input field the request or the answers must contain."""
    return {"grounded": kind}


class ToolError(ValueError):
    """The inputs cannot be used: the caller falls back to the model's own reasoning."""


class UngroundedInputs(ToolError):
    """An input names something neither the request nor the answers contain."""


@dataclass(frozen=True)
class ToolResult:
    """What a tool computed, ready to become a resolved gap and a constraint on the prompt.

    `subject`, `attribute` and `answer` are the constraint (object, attribute, value);
    `excludes` lists the other values of that attribute, which the prompt must not state.
    """

    answer: str  # short, what the image must name: "night, 00:00 local time in Lima"
    visible: str  # what the image must show because of it
    inputs: dict[str, Any] = field(default_factory=dict)  # normalised inputs actually used
    tool: str = ""
    subject: str = ""  # what the answer is about: "Lima", "the iron bar"
    attribute: str = ""  # which of its properties: "time of day", "state", "count"
    excludes: tuple[str, ...] = ()  # words for the attribute's other values
    placement: dict[str, Any] | None = None  # {"axis", "order"}: where objects go


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def parse_iso(text: str, what: str) -> date:
    text = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ToolError(f"{what} must be an ISO date YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ToolError(f"{what} is not a real date: {text!r}") from exc


@dataclass(frozen=True)
class Example:
    """A worked example for the input-filling prompt: a question and its inputs."""

    question: str
    inputs: str  # the inputs as compact JSON, exactly as the model should write them


Compute = Callable[[Any, date | None], ToolResult]


@dataclass(frozen=True)
class ToolSpec:
    """One tool. Adding a tool: a module that defines its SPEC, and a line in the registry."""

    name: str
    purpose: str  # one line: what it computes (shown to the planner and the input filler)
    inputs: type[BaseModel]
    compute: Compute  # (validated inputs, today or None) -> ToolResult; pure
    examples: tuple[Example, ...]

    def run(self, raw: dict[str, Any], *, sources: str, today: date | None = None) -> ToolResult:
        """Validate `raw`, check its grounded fields against `sources` (the request and the
        answers), and compute. Any failure is a ToolError with a one-line message."""
        try:
            inputs = self.inputs.model_validate(raw)
        except ValidationError as exc:
            raise ToolError(f"{self.name}: {validation_message(exc)}") from exc
        missing = ungrounded(inputs, sources)
        if missing:
            raise UngroundedInputs(
                f"{self.name}: not in the request or the answers: " + "; ".join(missing)
            )
        result = self.compute(inputs, today)
        return ToolResult(
            clip(result.answer, MAX_ANSWER),
            clip(result.visible, MAX_VISIBLE),
            result.inputs,
            self.name,
            result.subject,
            result.attribute,
            result.excludes,
            result.placement,
        )


def validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "inputs"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"


CLOCK_WORDS = {"noon": (12,), "midday": (12,), "midnight": (0, 12, 24)}
AM_PM = re.compile(r"\b(\d{1,2})(?::\d{2})?\s*([ap])\.?m\b", re.I)


def numbers_in(text: str) -> set[float]:
    """Every number `text` states: digits, number words, clock words, 12-hour times."""
    found = {float(n.replace(",", "")) for n in re.findall(r"\d+(?:[.,]\d+)?", text)}
    words = re.findall(r"[a-z]+", text.lower())
    found |= {float(NUMBER_WORDS[w]) for w in words if w in NUMBER_WORDS}
    for word in words:
        found |= {float(v) for v in CLOCK_WORDS.get(word, ())}
    for hour, half in AM_PM.findall(text):
        found.add(float(int(hour) % 12 + (12 if half.lower() == "p" else 0)))
    return found


def _fields(model: BaseModel, prefix: str = "") -> list[tuple[str, Any, str | None]]:
    """(path, value, grounded kind) of every field, nested models and lists included."""
    out: list[tuple[str, Any, str | None]] = []
    for name, info in type(model).model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        kind = extra.get("grounded")
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            path = f"{prefix}{name}" + (f"[{index}]" if isinstance(value, list) else "")
            if isinstance(item, BaseModel):
                out += _fields(item, path + ".")
            else:
                out.append((path, item, str(kind) if kind else None))
    return out


def ungrounded(inputs: BaseModel, sources: str) -> list[str]:
    """The grounded fields whose value `sources` does not contain, as `path=value`."""
    words = stems(sources)
    numbers = numbers_in(sources)
    missing: list[str] = []
    for path, value, kind in _fields(inputs):
        if kind == "text" and isinstance(value, str) and value.strip():
            wanted = content_stems(value)
            if wanted and not wanted <= words:
                missing.append(f"{path}={value!r}")
        elif (
            kind == "number"
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and float(value) not in numbers
        ):
            missing.append(f"{path}={value!r}")
    return missing
