"""The ordering tool: things sorted by a value (size, weight, speed, age, date), and where
they go in the picture when the request lays them out in that order.

Values in different units are compared through `pint` (3 ft against 1 m); dates are ISO
strings (a year, a year-month or a full date). The model supplies the values from its own
knowledge; the names must be the request's.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from tools.compute.spec import Example, ToolError, ToolResult, ToolSpec, grounded, parse_iso
from tools.compute.units import quantity

AXES = {"left_to_right": "horizontal", "front_to_back": "depth", "top_to_bottom": "vertical"}
DATE = re.compile(r"(-?)(\d{1,4})(?:-(\d{2}))?(?:-(\d{2}))?")


class Item(BaseModel):
    """One thing to order and its value."""

    name: str = Field(
        max_length=30,
        description="the thing, as the request names it",
        json_schema_extra=grounded("text"),
    )
    value: float | Annotated[str, StringConstraints(max_length=10)] = Field(
        description="a number, or a date as YYYY, YYYY-MM or YYYY-MM-DD (-YYYY: BCE)"
    )
    unit: str = Field(default="", max_length=20, description="unit of a number, e.g. kg, or ''")


class OrderingInputs(BaseModel):
    """Things to put in order by a value."""

    items: list[Item] = Field(min_length=2, max_length=8, description="2 to 8 things")
    order: Literal["ascending", "descending"] = Field(
        description="ascending: smallest or earliest first"
    )
    pick: Literal["all", "first", "last"] = Field(
        default="all", description="all, or only the first or last after sorting"
    )
    layout: Literal["none", "left_to_right", "front_to_back", "top_to_bottom"] = Field(
        default="none", description="how the sorted order is laid out in the picture"
    )


def _date_key(text: str) -> float | None:
    """A sortable key for a year, year-month or date; a leading minus is BCE ("-2560")."""
    match = DATE.fullmatch(text.strip())
    if not match:
        return None
    sign, year, month, day = match.groups()
    month, day = int(month or 1), int(day or 1)
    if int(year) >= 1 and not sign:
        parse_iso(f"{int(year):04d}-{month:02d}-{day:02d}", "value")
    elif not (1 <= month <= 12 and 1 <= day <= 31):
        raise ToolError(f"not a real date: {text!r}")
    return (-1 if sign else 1) * int(year) * 10_000 + month * 100 + day


def sort_keys(items: list[Item]) -> tuple[str, list[float]]:
    """("date" or the values' dimension, a comparable key per item)."""
    texts = [item.value for item in items if isinstance(item.value, str)]
    if texts and len(texts) < len(items):
        raise ToolError("values mix numbers and dates")
    if texts:
        keys = [_date_key(text) for text in texts]
        if any(key is None for key in keys):
            raise ToolError(f"not an ISO date: {texts[keys.index(None)]!r}")
        return "date", [key for key in keys if key is not None]
    numbers = [float(item.value) for item in items]
    if not all(math.isfinite(n) for n in numbers):
        raise ToolError("a value is not finite")
    units = [" ".join(item.unit.split()) for item in items]
    if len(set(units)) == 1:
        return units[0] or "number", numbers
    if "" in units:
        raise ToolError("some values have a unit and some do not")
    quantities = [
        quantity(n, u, item.name) for n, u, item in zip(numbers, units, items, strict=True)
    ]
    dimensions = {str(q.dimensionality) for q in quantities}
    if len(dimensions) > 1:
        raise ToolError(f"cannot compare {', '.join(sorted(set(units)))}")
    return dimensions.pop(), [float(q.to_base_units().magnitude) for q in quantities]


def compute(inputs: OrderingInputs, today: date | None) -> ToolResult:
    names = [" ".join(item.name.split()) for item in inputs.items]
    if not all(names):
        raise ToolError("an item has no name")
    if len({n.casefold() for n in names}) < len(names):
        raise ToolError("two items have the same name")
    kind, keys = sort_keys(inputs.items)
    labels = ("earliest", "latest") if kind == "date" else ("smallest", "largest")
    descending = inputs.order == "descending"
    index = sorted(
        range(len(names)), key=lambda i: (keys[i], names[i].casefold()), reverse=descending
    )
    ordered = [names[i] for i in index]
    first, last = (labels[1], labels[0]) if descending else labels
    used: dict[str, Any] = {
        "items": [item.model_dump() for item in inputs.items],
        "compared_as": kind,
        "order": inputs.order,
        "pick": inputs.pick,
        "sorted": ordered,
    }
    placement = None
    if inputs.layout != "none":
        placement = {"axis": AXES[inputs.layout], "order": ordered}
        used["layout"] = inputs.layout
    where = inputs.layout.replace("_", " ") if placement else ""
    if inputs.pick == "all":
        answer = f"{first} to {last}: {', '.join(ordered)}"
        visible = (
            f"{', '.join(ordered)}, in this order{' ' + where if where else ''} ({first} to {last})"
        )
        subject, attribute = ", ".join(names), "order"
    else:
        name, label = (ordered[0], first) if inputs.pick == "first" else (ordered[-1], last)
        answer = f"{name} ({label})"
        visible = f"{name}, the {label} of {', '.join(names)}"
        subject, attribute = ", ".join(names), label
    return ToolResult(
        answer, visible, used, subject=subject, attribute=attribute, placement=placement
    )


SPEC = ToolSpec(
    name="ordering",
    purpose="things put in order by size, weight, speed, age or date, and laid out in that order",
    inputs=OrderingInputs,
    compute=compute,
    examples=(
        Example(
            "A giraffe, a rabbit and a horse stand in a row, tallest on the left: in what "
            "order do they stand?",
            '{"items":[{"name":"giraffe","value":5.5,"unit":"m"},{"name":"rabbit","value":40,'
            '"unit":"cm"},{"name":"horse","value":1.6,"unit":"m"}],"order":"descending",'
            '"pick":"all","layout":"left_to_right"}',
        ),
        Example(
            "Which is older, the Colosseum or the Taj Mahal?",
            '{"items":[{"name":"Colosseum","value":"80","unit":""},{"name":"Taj Mahal",'
            '"value":"1653","unit":""}],"order":"ascending","pick":"first","layout":"none"}',
        ),
    ),
)
