"""The ordering tool: items by size, weight, distance, time or date, in common units."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from tools.compute.result import ToolError, ToolResult, _parse_iso, _result


def _unit_table() -> dict[str, tuple[str, float]]:
    groups: list[tuple[str, float, tuple[str, ...]]] = [
        ("length", 0.001, ("mm", "millimeter", "millimetre")),
        ("length", 0.01, ("cm", "centimeter", "centimetre")),
        ("length", 1.0, ("m", "meter", "metre")),
        ("length", 1000.0, ("km", "kilometer", "kilometre")),
        ("length", 0.0254, ("in", "inch", "inches")),
        ("length", 0.3048, ("ft", "foot", "feet")),
        ("length", 0.9144, ("yd", "yard")),
        ("length", 1609.344, ("mi", "mile")),
        ("mass", 1e-6, ("mg", "milligram", "milligramme")),
        ("mass", 0.001, ("g", "gram", "gramme")),
        ("mass", 1.0, ("kg", "kilogram", "kilogramme", "kilo")),
        ("mass", 1000.0, ("t", "tonne", "metric ton")),
        ("mass", 0.45359237, ("lb", "lbs", "pound")),
        ("mass", 0.028349523125, ("oz", "ounce")),
        ("time", 1.0, ("s", "sec", "second")),
        ("time", 60.0, ("min", "minute")),
        ("time", 3600.0, ("h", "hr", "hour")),
        ("time", 86400.0, ("d", "day")),
        ("time", 604800.0, ("wk", "week")),
        ("time", 31557600.0, ("yr", "year")),
        ("speed", 1.0, ("m/s", "meters per second", "metres per second")),
        ("speed", 1 / 3.6, ("km/h", "kmh", "kph", "kilometers per hour", "kilometres per hour")),
        ("speed", 0.44704, ("mph", "miles per hour")),
    ]
    table: dict[str, tuple[str, float]] = {}
    for dimension, factor, names in groups:
        for name in names:
            table[name] = (dimension, factor)
            if len(name) > 3 and " " not in name and not name.endswith("s"):
                table[name + "s"] = (dimension, factor)
    return table


UNITS = _unit_table()


def _unit_key(unit: str) -> str:
    return " ".join(unit.lower().replace(".", "").split())


class OrderItem(BaseModel):
    """One thing to order and its value."""

    name: str = Field(max_length=30, description="the thing, e.g. elephant")
    value: float | Annotated[str, StringConstraints(max_length=16)] = Field(
        description="a number, or a date as YYYY or YYYY-MM-DD"
    )
    unit: str = Field(default="", max_length=12, description="unit of value, e.g. kg, or ''")


class OrderingSlots(BaseModel):
    """Things to put in order by a value (size, height, age, date)."""

    items: list[OrderItem] = Field(min_length=2, max_length=8, description="2 to 8 things")
    order: Literal["ascending", "descending"] = Field(
        description="ascending: smallest or earliest first"
    )
    pick: Literal["all", "first", "last"] = Field(
        default="all", description="all, or only the first or last after sorting"
    )


_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _bare_year(value: float | str) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{4}", value.strip()) is not None


def _item_value(value: float | str) -> tuple[str, float, float | str]:
    """(kind, sort key, normalised value) of one item's value: a number or an ISO date."""
    if isinstance(value, bool):
        raise ToolError("a value is true/false, not a number or date")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ToolError("a value is not finite")
        return "number", float(value), value
    text = value.strip()
    day: date | None = None
    if re.fullmatch(r"\d{4}", text):
        day = _parse_iso(text + "-01-01", "value")
    elif re.fullmatch(r"\d{4}-\d{2}", text):
        day = _parse_iso(text + "-01", "value")
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = _parse_iso(text, "value")
    if day is not None:
        return "date", float(day.toordinal()), text
    if _NUMBER_TEXT.fullmatch(text.replace(",", "")):
        number = float(text.replace(",", ""))
        if math.isfinite(number):
            return "number", number, number
    raise ToolError(f"not a number or ISO date: {value!r}")


def _common_units(units: list[str]) -> list[float]:
    """A factor per item that converts its value to one shared unit."""
    distinct = {u for u in units if u}
    if len(distinct) <= 1:
        return [1.0] * len(units)
    known = [UNITS.get(u) for u in units]
    dimensions = {k[0] for k in known if k}
    if any(k is None for k in known) or len(dimensions) != 1:
        raise ToolError(f"cannot compare values in {', '.join(sorted(distinct))}")
    return [k[1] for k in known if k]


def ordering(slots: OrderingSlots) -> ToolResult:
    """The items sorted by value (stable: ties by name, then as given)."""
    parsed = [_item_value(item.value) for item in slots.items]
    # A bare "1889" is a year among dates or when all are bare, and a number among numbers.
    sure = {
        kind
        for (kind, _, _), item in zip(parsed, slots.items, strict=True)
        if not _bare_year(item.value)
    }
    if len(sure) > 1:
        raise ToolError("values mix numbers and dates")
    kind = sure.pop() if sure else "date"
    if kind == "number":
        parsed = [
            ("number", float(item.value), float(item.value)) if _bare_year(item.value) else p
            for p, item in zip(parsed, slots.items, strict=True)
        ]
    names = [" ".join(item.name.split()) for item in slots.items]
    if not all(names):
        raise ToolError("an item has no name")
    keys = [key for _, key, _ in parsed]
    if kind == "date":
        labels = ("earliest", "latest")
    else:
        factors = _common_units([_unit_key(item.unit) for item in slots.items])
        keys = [key * factor for key, factor in zip(keys, factors, strict=True)]
        labels = ("smallest", "largest")
    descending = slots.order == "descending"
    index = sorted(range(len(names)), key=lambda i: (names[i].casefold(), i))
    index.sort(key=lambda i: keys[i], reverse=descending)
    ordered = [names[i] for i in index]
    first, last = (labels[1], labels[0]) if descending else labels
    inputs: dict[str, Any] = {
        "items": [
            {
                "name": names[i],
                "value": value,
                "unit": " ".join(slots.items[i].unit.split()),
            }
            for i, (_, _, value) in enumerate(parsed)
        ],
        "kind": kind,
        "order": slots.order,
        "pick": slots.pick,
        "sorted": ordered,
    }
    if slots.pick == "all":
        answer = f"{first} to {last}: {', '.join(ordered)}"
        visible = f"{', '.join(ordered)}, in this order ({first} to {last})"
    else:
        name, label = (ordered[0], first) if slots.pick == "first" else (ordered[-1], last)
        answer = f"{name} ({label})"
        visible = f"{name}, the {label} of {', '.join(names)}"
    return _result("ordering", answer, visible, inputs)
