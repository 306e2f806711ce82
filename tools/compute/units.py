"""Physical units by `pint`: one registry, loaded once."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from tools.compute.spec import ToolError


@cache
def registry() -> Any:
    import pint

    return pint.UnitRegistry(autoconvert_offset_to_baseunit=True)


def quantity(value: float, unit: str, what: str = "a value") -> Any:
    """`value` in `unit` as a pint quantity; an unknown unit is a ToolError."""
    import pint

    units = registry()
    text = " ".join(unit.split()).replace(" per ", "/")
    # "kg m" multiplies, "metric ton" and "light-years" are one unit: try both readings
    for spelled in (text, re.sub(r"[ -]", "_", text)):
        try:
            return units.Quantity(value, units.parse_units(spelled))
        except (pint.errors.PintError, AttributeError, ValueError, TypeError, SyntaxError):
            continue
    raise ToolError(f"unknown unit for {what}: {unit!r}")
