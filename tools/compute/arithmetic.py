"""The arithmetic tool: a safe `ast` evaluation of the model's expression.

Every number in the expression must be stated by the request or the answers, or be one of
the facts the model adds from its own knowledge (`known`: a spider has 8 legs). With a
`start` clock the value is a duration added to it ("a 45-minute walk from 9:30 am").
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from tools.compute.spec import (
    Example,
    ToolError,
    ToolResult,
    ToolSpec,
    grounded,
    numbers_in,
)
from tools.compute.units import quantity

MAX_VALUE = 1e12
MAX_EXPONENT = 64

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


def _checked(value: Any) -> int | float:
    if isinstance(value, complex) or not isinstance(value, int | float):
        raise ToolError("the expression has no real result")
    if isinstance(value, float) and not math.isfinite(value):
        raise ToolError("the result is not finite")
    if abs(value) > MAX_VALUE:
        raise ToolError(f"a value exceeds {MAX_VALUE:.0e}")
    return value


def _eval(node: ast.AST) -> int | float:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ToolError(f"not a number: {node.value!r}")
        return _checked(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise ToolError(f"exponent {right} is too large")
        try:
            return _checked(_BINARY[type(node.op)](left, right))
        except ZeroDivisionError as exc:
            raise ToolError("division by zero") from exc
        except OverflowError as exc:
            raise ToolError("the result is too large") from exc
    raise ToolError(f"not allowed in an expression: {type(node).__name__}")


def normalise_expression(text: str) -> str:
    text = text.strip().rstrip("=").strip()
    text = text.replace("×", "*").replace("÷", "/").replace("−", "-").replace("^", "**")
    return re.sub(r"\b(\d{1,3}(?:,\d{3})+)\b", lambda m: m.group(1).replace(",", ""), text)


def parse_expression(expression: str) -> ast.Expression:
    text = normalise_expression(expression)
    if not text:
        raise ToolError("empty expression")
    try:
        return ast.parse(text, mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise ToolError(f"not an arithmetic expression: {expression.strip()!r}") from exc


def constants(tree: ast.AST) -> list[float]:
    """The numbers an expression is built from."""
    return [
        float(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float)
    ]


def evaluate_expression(expression: str) -> int | float:
    """Evaluate + - * / // % ** and parentheses over numbers, safely (no names, no calls)."""
    value = _eval(parse_expression(expression))
    return int(value) if isinstance(value, float) and value.is_integer() else value


def format_number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


class Fact(BaseModel):
    """A number the model knows that the request does not state."""

    name: str = Field(max_length=40, description="what it is, e.g. legs of a spider")
    value: float = Field(description="its value, e.g. 8")


class Clock(BaseModel):
    """A time of day on a 24-hour clock."""

    hour: int = Field(ge=0, le=23, description="0-23", json_schema_extra=grounded("number"))
    minute: int = Field(default=0, ge=0, le=59, description="0-59")


class ArithmeticInputs(BaseModel):
    """An arithmetic expression whose value the image must show."""

    expression: str = Field(max_length=80, description="numbers with + - * / ( ), e.g. 3*8+2*4")
    unit: str = Field(default="", max_length=30, description="what is counted, e.g. legs, or ''")
    known: list[Fact] = Field(
        default_factory=list, max_length=8, description="numbers from your own knowledge"
    )
    start: Clock | None = Field(
        default=None, description="a clock the value (a duration in unit) is added to, or null"
    )


def _clock_sum(start: Clock, value: float, unit: str) -> tuple[str, dict[str, Any]]:
    minutes = quantity(value, unit or "minute", "a duration").to("minute").magnitude
    moment = start.hour * 60 + start.minute + minutes
    if not math.isfinite(moment) or abs(moment) > 1e7:
        raise ToolError("the duration is too long")
    days, of_day = divmod(round(moment), 24 * 60)
    clock = f"{of_day // 60:02d}:{of_day % 60:02d}"
    return clock, {
        "start": f"{start.hour:02d}:{start.minute:02d}",
        "clock": clock,
        "day_shift": days,
    }


def compute(inputs: ArithmeticInputs, today: date | None) -> ToolResult:
    value = evaluate_expression(inputs.expression)
    unit = " ".join(inputs.unit.split())
    used: dict[str, Any] = {
        "expression": normalise_expression(inputs.expression),
        "unit": unit,
        "known": [fact.model_dump() for fact in inputs.known],
        "value": value if isinstance(value, int) else round(value, 2),
    }
    number = format_number(value)
    if inputs.start is not None:
        clock, extra = _clock_sum(inputs.start, float(value), unit)
        used |= extra
        later = "the next day" if extra["day_shift"] == 1 else ""
        answer = f"{clock}{' ' + later if later else ''}, {number} {unit or 'minutes'} after {extra['start']}"
        return ToolResult(
            answer, f"a clock showing {clock}", used, subject="the clock", attribute="time"
        )
    answer = f"{number} {unit}".strip()
    if unit and isinstance(value, int) and value >= 0:
        visible = f"exactly {number} {unit}, each clearly visible and countable"
    else:
        visible = f"{number} {unit}" if unit else f"the number {number}"
    return ToolResult(answer, visible, used, subject=unit or "the result", attribute="count")


def ground(inputs: ArithmeticInputs, sources: str) -> list[str]:
    """The expression's numbers that neither the sources state nor a known fact gives."""
    known = {fact.value for fact in inputs.known}
    stated = numbers_in(sources)
    return [
        f"expression number {format_number(n)}"
        for n in constants(parse_expression(inputs.expression))
        if n not in stated and n not in known
    ]


SPEC = ToolSpec(
    name="arithmetic",
    purpose="a count or amount that follows from the request's numbers by + - * /",
    inputs=ArithmeticInputs,
    compute=compute,
    examples=(
        Example(
            "Four tricycles and two bicycles are parked in a row: how many wheels are there?",
            '{"expression":"4*3+2*2","unit":"wheels","known":[{"name":"wheels of a tricycle",'
            '"value":3},{"name":"wheels of a bicycle","value":2}],"start":null}',
        ),
        Example(
            "A ferry leaves at 10:15 and the crossing takes 95 minutes: what does the clock "
            "on the pier show when it arrives?",
            '{"expression":"95","unit":"minutes","known":[],"start":{"hour":10,"minute":15}}',
        ),
    ),
    ground=ground,
)
