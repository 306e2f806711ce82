"""A compute tool, declared once: its name, what it is for, a typed input model, the pure
function that computes, and worked examples for the model that fills the inputs.

The model never computes: it fills the inputs (constrained JSON), code checks them and
computes. Input fields declared with `grounded(...)` must come from the request or the
grounded answers: a place, substance or number that neither contains is rejected
(`UngroundedInputs`), and the gap falls back to reasoning.
"""

from __future__ import annotations

import calendar
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

GroundedKind = Literal["text", "number", "date"]


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
# (validated inputs, sources) -> what the sources do not support, as `path=value`
Ground = Callable[[Any, str], list[str]]


@dataclass(frozen=True)
class ToolSpec:
    """One tool. Adding a tool: a module that defines its SPEC, and a line in the registry."""

    name: str
    purpose: str  # one line: what it computes (shown to the planner and the input filler)
    inputs: type[BaseModel]
    compute: Compute  # (validated inputs, today or None) -> ToolResult; pure
    examples: tuple[Example, ...]
    ground: Ground | None = None  # a check beyond the grounded fields (an expression's numbers)

    def run(self, raw: dict[str, Any], *, sources: str, today: date | None = None) -> ToolResult:
        """Validate `raw`, check its grounded fields against `sources` (the request and the
        answers), and compute. Any failure is a ToolError with a one-line message."""
        try:
            inputs = self.inputs.model_validate(raw)
        except ValidationError as exc:
            raise ToolError(f"{self.name}: {validation_message(exc)}") from exc
        missing = ungrounded(inputs, sources)
        if self.ground is not None:
            missing += self.ground(inputs, sources)
        if missing:
            raise UngroundedInputs(
                f"{self.name}: not in the request or the answers: " + "; ".join(missing)
            )
        result = self.compute(inputs, today)
        # a word the subject itself contains is no other value ("blue litmus paper")
        own = stems(result.subject)
        excludes = tuple(w for w in result.excludes if not content_stems(w) <= own)
        return ToolResult(
            clip(result.answer, MAX_ANSWER),
            clip(result.visible, MAX_VISIBLE),
            result.inputs,
            self.name,
            result.subject,
            result.attribute,
            excludes,
            result.placement,
        )


def validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "inputs"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"


CLOCK_WORDS = {"noon": (12,), "midday": (12,), "midnight": (0, 12, 24)}
AM_PM = re.compile(r"\b(\d{1,2})(?::\d{2})?\s*([ap])\.?m\b", re.I)
LATE = re.compile(
    r"\b(\d{1,2}|[a-z]+)(?::\d{2})?(?: o'clock)? (in the afternoon|in the evening|at night)\b",
    re.I,
)
LATE_HOURS = {"afternoon": (1, 6), "evening": (4, 11), "night": (6, 11)}  # 12-hour ranges
TEENS = ["thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
UNITS = {
    **NUMBER_WORDS,
    "zero": 0,
    "dozen": 12,
    **{word: 13 + i for i, word in enumerate(TEENS)},
    **{word: 30 + 10 * i for i, word in enumerate(TENS)},
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
MONTHS = [name.lower() for name in calendar.month_name[1:]]


def _worded(words: list[str]) -> set[float]:
    """The numbers runs of number words state: "twenty four" 24 (and 20, 4), "two
    hundred" 200, "a dozen" 12."""
    found: set[float] = set()
    total = current = 0
    run = False
    for word in [*words, ""]:
        if word in UNITS:
            found.add(float(UNITS[word]))
            current += UNITS[word]
            run = True
        elif word in SCALES and run:
            current = max(current, 1) * SCALES[word]
            if SCALES[word] >= 1000:
                total, current = total + current, 0
        elif word == "and" and run:
            continue
        else:
            if run:
                found.add(float(total + current))
            total = current = 0
            run = False
    return found


def numbers_in(text: str) -> set[float]:
    """Every number `text` states: digits, number words, clock words, 12-hour times."""
    found = {float(n.replace(",", "")) for n in re.findall(r"\d+(?:[.,]\d+)?", text)}
    words = re.findall(r"[a-z]+", text.lower())
    found |= _worded(words)
    for word in words:
        found |= {float(v) for v in CLOCK_WORDS.get(word, ())}
    for hour, half in AM_PM.findall(text):
        found.add(float(int(hour) % 12 + (12 if half.lower() == "p" else 0)))
    for hour, part in LATE.findall(text):  # "9 in the evening", "ten at night": 21, 22
        value = int(hour) if hour.isdigit() else UNITS.get(hour.lower(), 0)
        first, last = LATE_HOURS[part.split()[-1].lower()]
        if first <= value <= last:
            found.add(float(value + 12))
    return found


def date_grounded(value: str, sources: str, numbers: set[float]) -> bool:
    """An ISO date the sources state: its year and day as numbers, its month as a number
    or a month name ("2031-03-09" in "9 March 2031" or "3/9/2031")."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return False
    words = set(re.findall(r"[a-z]+", sources.lower()))
    name = MONTHS[day.month - 1]
    month = float(day.month) in numbers or name in words or name[:3] in words
    return float(day.year) in numbers and float(day.day) in numbers and month


def _fields(model: BaseModel, prefix: str = "") -> list[tuple[str, Any, str | None]]:
    """(path, value, grounded kind) of every field, nested models and lists included; a
    value equal to its field's default is left out (the model did not fill it)."""
    out: list[tuple[str, Any, str | None]] = []
    for name, info in type(model).model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        kind = extra.get("grounded")
        value = getattr(model, name)
        if not info.is_required() and not isinstance(value, list) and value == info.default:
            continue
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            path = f"{prefix}{name}" + (f"[{index}]" if isinstance(value, list) else "")
            if isinstance(item, BaseModel):
                out += _fields(item, path + ".")
            else:
                out.append((path, item, str(kind) if kind else None))
    return out


def supported(kind: str | None, value: Any, sources: str) -> bool:
    """Whether `sources` contain a grounded value: a text's content words; a number's
    magnitude ("minus 20" states 20); a date as `date_grounded` reads it ("today" is no
    claim about the sources). Fields that are not grounded are always supported."""
    if kind == "text" and isinstance(value, str):
        wanted = content_stems(value)
        return not wanted or wanted <= stems(sources)
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        numbers = numbers_in(sources)
        return abs(float(value)) in numbers or float(value) in numbers
    if kind == "date" and isinstance(value, str):
        if value.strip().lower() in ("", "today"):
            return True
        return date_grounded(value, sources, numbers_in(sources))
    return True


def ungrounded(inputs: BaseModel, sources: str) -> list[str]:
    """The grounded fields whose value `sources` does not contain, as `path=value`."""
    return [
        f"{path}={value!r}"
        for path, value, kind in _fields(inputs)
        if not supported(kind, value, sources)
    ]
