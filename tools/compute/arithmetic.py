"""The arithmetic tool: a safe `ast` evaluator for the model's expression."""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from tools.compute.result import ToolError, ToolResult, _result

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


def _normalise_expression(text: str) -> str:
    text = text.strip().rstrip("=").strip()
    text = text.replace("×", "*").replace("÷", "/").replace("−", "-").replace("^", "**")
    text = re.sub(r"\b(\d{1,3}(?:,\d{3})+)\b", lambda m: m.group(1).replace(",", ""), text)
    return text


def evaluate_expression(expression: str) -> int | float:
    """Evaluate + - * / // % ** and parentheses over numbers, safely (no names, no calls)."""
    text = _normalise_expression(expression)
    if not text:
        raise ToolError("empty expression")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise ToolError(f"not an arithmetic expression: {expression.strip()!r}") from exc
    value = _eval(tree)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _format_number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


class ArithmeticSlots(BaseModel):
    """An arithmetic expression whose value the image must show, and what is counted."""

    expression: str = Field(
        max_length=80, description="numbers with + - * / ( ) only, e.g. 3*8+2*4"
    )
    unit: str = Field(default="", max_length=30, description="what is counted, e.g. legs, or ''")


def arithmetic(slots: ArithmeticSlots) -> ToolResult:
    """The value of the expression, as a count of `unit`."""
    value = evaluate_expression(slots.expression)
    number = _format_number(value)
    unit = " ".join(slots.unit.split())
    answer = f"{number} {unit}".strip()
    if unit and isinstance(value, int) and value >= 0:
        visible = f"exactly {number} {unit}, each clearly visible and countable"
    elif unit:
        visible = f"{number} {unit}"
    else:
        visible = f"the number {number}"
    inputs: dict[str, Any] = {
        "expression": _normalise_expression(slots.expression),
        "unit": unit,
        "value": value if isinstance(value, int) else round(value, 2),
    }
    return _result("arithmetic", answer, visible, inputs)
