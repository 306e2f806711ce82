"""The tools by name: slot models, runners, validation, and worked examples for the prompt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tools.compute.arithmetic import ArithmeticSlots, arithmetic
from tools.compute.arrange import ArrangeSlots, arrange
from tools.compute.compass import CompassSlots, compass
from tools.compute.date_math import DateMathSlots, date_math
from tools.compute.indicator import IndicatorSlots, indicator
from tools.compute.ordering import OrderingSlots, ordering
from tools.compute.phase import PhaseSlots, phase
from tools.compute.result import ToolError, ToolResult
from tools.compute.shape import ShapeSlots, shape
from tools.compute.timezone import TimezoneSlots, timezone
from tools.compute.viewpoint import ViewpointSlots, viewpoint

M = TypeVar("M", bound=BaseModel)
# (slots, today, request) -> result: a tool takes today's date or the request's own words
# (code reads the arrangement rules from the request, not from the model's slots)
Runner = Callable[[BaseModel, date | None, str], ToolResult]


def _checked(model: type[M], slots: BaseModel) -> M:
    if not isinstance(slots, model):
        raise ToolError(f"expected {model.__name__}, got {type(slots).__name__}")
    return slots


def _runner(model: type[M], fn: Callable[[M], ToolResult]) -> Runner:
    return lambda slots, today, request: fn(_checked(model, slots))


def _dated_runner(model: type[M], fn: Callable[..., ToolResult]) -> Runner:
    def run(slots: BaseModel, today: date | None, request: str) -> ToolResult:
        result: ToolResult = fn(_checked(model, slots), today=today)
        return result

    return run


def _worded_runner(model: type[M], fn: Callable[[M, str], ToolResult]) -> Runner:
    return lambda slots, today, request: fn(_checked(model, slots), request)


_RUNNERS: dict[str, tuple[type[BaseModel], Runner]] = {
    "timezone": (TimezoneSlots, _dated_runner(TimezoneSlots, timezone)),
    "arithmetic": (ArithmeticSlots, _runner(ArithmeticSlots, arithmetic)),
    "ordering": (OrderingSlots, _runner(OrderingSlots, ordering)),
    "arrange": (ArrangeSlots, _worded_runner(ArrangeSlots, arrange)),
    "date_math": (DateMathSlots, _dated_runner(DateMathSlots, date_math)),
    "viewpoint": (ViewpointSlots, _worded_runner(ViewpointSlots, viewpoint)),
    "shape": (ShapeSlots, _worded_runner(ShapeSlots, shape)),
    "compass": (CompassSlots, _worded_runner(CompassSlots, compass)),
    "phase": (PhaseSlots, _worded_runner(PhaseSlots, phase)),
    "indicator": (IndicatorSlots, _worded_runner(IndicatorSlots, indicator)),
}


def _today_now(run: Runner) -> Callable[[BaseModel], ToolResult]:
    return lambda slots: run(slots, None, "")


TOOLS: dict[str, tuple[type[BaseModel], Callable[[BaseModel], ToolResult]]] = {
    name: (model, _today_now(run)) for name, (model, run) in _RUNNERS.items()
}


def _validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "slots"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"


def run_tool(
    name: str, slots: dict[str, Any], *, today: date | None = None, request: str = ""
) -> ToolResult:
    """Validate `slots` with the tool's slot model and compute; any failure is a ToolError.
    `request` is the user's request, for tools that read their rules from it (arrange)."""
    if name not in _RUNNERS:
        raise ToolError(f"unknown tool {name!r}")
    model, run = _RUNNERS[name]
    try:
        validated = model.model_validate(slots)
    except ValidationError as exc:
        raise ToolError(f"{name}: {_validation_message(exc)}") from exc
    return run(validated, today, request)


# Worked examples for the reason node's few-shot prefix: (question, slots as JSON). A tool
# whose slot model is empty (viewpoint, shape, compass, phase, indicator) needs none: the model is not asked.
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "timezone": [
        (
            "Big Ben when Singapore reaches noon: what time is it at Big Ben?",
            '{"from_place":"Singapore","from_zone":"Asia/Singapore","hour":12,"minute":0,'
            '"to_place":"Big Ben","to_zone":"Europe/London","date":""}',
        ),
        (
            "The Sydney Opera House when it is 9pm in New York: what time is it in Sydney?",
            '{"from_place":"New York","from_zone":"America/New_York","hour":21,"minute":0,'
            '"to_place":"Sydney Opera House","to_zone":"Australia/Sydney","date":""}',
        ),
    ],
    "arithmetic": [
        (
            "How many legs do 3 spiders and 2 cats have in total?",
            '{"expression":"3*8+2*4","unit":"legs"}',
        ),
        (
            "Five apples in a bowl, then two are eaten: how many apples are left?",
            '{"expression":"5-2","unit":"apples"}',
        ),
    ],
    "ordering": [
        (
            "An elephant, a cat and a horse, from largest to smallest: what is the order?",
            '{"items":[{"name":"elephant","value":6000,"unit":"kg"},'
            '{"name":"cat","value":4,"unit":"kg"},{"name":"horse","value":500,"unit":"kg"}],'
            '"order":"descending","pick":"all"}',
        ),
        (
            "Which is older, the Eiffel Tower or Big Ben?",
            '{"items":[{"name":"Eiffel Tower","value":"1889","unit":""},'
            '{"name":"Big Ben","value":"1859","unit":""}],"order":"ascending","pick":"first"}',
        ),
    ],
    "arrange": [
        (
            "An elephant, a mouse and a dog, with the largest animal on the left: which goes "
            "where?",
            '{"items":[{"name":"elephant","size":3.2,"unit":"m","colour":"grey"},'
            '{"name":"mouse","size":8,"unit":"cm","colour":"grey"},'
            '{"name":"dog","size":70,"unit":"cm","colour":"brown"}]}',
        ),
        (
            "A lemon, a lime and a plum, with the green fruit on the right: which goes where?",
            '{"items":[{"name":"lemon","size":8,"unit":"cm","colour":"yellow"},'
            '{"name":"lime","size":5,"unit":"cm","colour":"green"},'
            '{"name":"plum","size":5,"unit":"cm","colour":"purple"}]}',
        ),
    ],
    "date_math": [
        (
            "What day of the week is 100 days after 2026-08-27?",
            '{"start":"2026-08-27","days":100,"weeks":0,"months":0,"years":0,"ask":"weekday"}',
        ),
        (
            "Sydney six months after 2026-01-15: which season is it there?",
            '{"start":"2026-01-15","days":0,"weeks":0,"months":6,"years":0,"ask":"season_south"}',
        ),
    ],
}
