"""The phase tool: whether a substance at the request's temperature is solid, liquid or gas.

"A glass of water left outside overnight at minus 20 degrees Celsius" is a glass of ice;
"mercury in a freezer" is still a liquid metal (it freezes at -39 °C); "a bar of chocolate
at 40 °C" has melted. A text-to-image model draws the words ("a glass of water"), and the
small language model guesses; melting and boiling points are a table and a comparison, so
code does it. No model call: the substance and the temperature are read from the request
(the slot model is empty).
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from tools.compute.result import ToolError, ToolResult, _result
from tools.wording import alternation


class PhaseSlots(BaseModel):
    """Nothing for the model to fill: substance and temperature are read from the request."""


# substance: (melting point °C, boiling point °C, what each state looks like)
SUBSTANCES: dict[str, tuple[float, float, tuple[str, str, str]]] = {
    "water": (0, 100, ("frozen solid into ice", "liquid water", "boiling, giving off steam")),
    "sea water": (-2, 101, ("frozen into sea ice", "liquid sea water", "boiling, steaming")),
    "milk": (-0.5, 100, ("frozen solid", "liquid milk", "boiling over, steaming")),
    "mercury": (-38.8, 356.7, ("frozen solid", "a shiny liquid metal", "boiling into vapour")),
    "ethanol": (-114, 78, ("frozen solid", "a clear liquid", "boiling into vapour")),
    "nitrogen": (-210, -196, ("frozen solid", "a clear, smoking liquid", "an invisible gas")),
    "butter": (32, 250, ("a firm solid block", "melted into a yellow liquid", "smoking, burnt")),
    "chocolate": (34, 300, ("a firm solid bar", "melted into a glossy liquid", "burnt")),
    "ice cream": (-3, 100, ("frozen firm", "melted into a runny puddle", "boiling")),
    "wax": (60, 370, ("a firm solid", "melted into a clear liquid pool", "smoking vapour")),
    "cooking oil": (-5, 300, ("a cloudy solid", "a hot shimmering liquid", "boiling, smoking")),
    "tin": (232, 2602, ("a solid grey metal", "molten silvery liquid metal", "metal vapour")),
    "lead": (327, 1749, ("a solid grey metal", "molten silvery liquid metal", "metal vapour")),
    "aluminium": (660, 2470, ("a solid metal", "glowing molten liquid metal", "metal vapour")),
    "gold": (1064, 2856, ("a solid gold metal", "glowing molten liquid gold", "gold vapour")),
    "copper": (1085, 2562, ("a solid copper metal", "glowing molten copper", "copper vapour")),
    "iron": (1538, 2862, ("a solid metal", "glowing white-hot molten iron", "iron vapour")),
    "sulfur": (115, 445, ("a yellow crystalline solid", "molten liquid sulfur", "sulfur vapour")),
}
ALIASES = {
    "ice": "water",
    "seawater": "sea water",
    "sea-water": "sea water",
    "alcohol": "ethanol",
    "liquid nitrogen": "nitrogen",
    "candle wax": "wax",
    "paraffin wax": "wax",
    "candle": "wax",
    "oil": "cooking oil",
    "olive oil": "cooking oil",
    "aluminum": "aluminium",
    "sulphur": "sulfur",
    "steel": "iron",
}
STATES = ("solid", "liquid", "gas")
FREEZER_C = -18.0
ROOM_C = 20.0

_SUBSTANCE = re.compile(rf"\b({alternation([*SUBSTANCES, *ALIASES])})\b", re.I)
_NUMBER = r"(?P<sign>minus |negative |-|−)?(?P<value>\d+(?:\.\d+)?)"
_TEMPERATURE = re.compile(
    rf"(?P<side>above |over |below |under )?{_NUMBER}\s?(?:°\s?|degrees? |deg )"
    r"(?P<zero>below zero ?)?(?P<unit>C\b|F\b|Celsius|centigrade|Fahrenheit)?"
    r"(?P<below> below zero)?",
    re.I,
)
_FREEZER = re.compile(r"\b(freezer|deep[- ]freeze)\b", re.I)
_ROOM = re.compile(r"\broom temperature\b", re.I)


def temperature_c(request: str) -> float | None:
    """The temperature the request puts its subject at, in °C; a bound ("above 170 °C") is
    taken just past it; a freezer is -18 °C and room temperature 20 °C."""
    # a bare "45 degrees" is an angle: a temperature has a unit or is "below zero"
    match = next(
        (
            m
            for m in _TEMPERATURE.finditer(request)
            if m.group("unit") or m.group("zero") or m.group("below")
        ),
        None,
    )
    if match:
        value = float(match.group("value"))
        if match.group("sign") or match.group("zero") or match.group("below"):
            value = -value
        if (match.group("unit") or "c").lower().startswith("f"):
            value = (value - 32) * 5 / 9
        side = (match.group("side") or "").strip().lower()
        return value + 1 if side in ("above", "over") else value - 1 if side else value
    if _FREEZER.search(request):
        return FREEZER_C
    if _ROOM.search(request):
        return ROOM_C
    return None


def substance_in(request: str) -> str | None:
    """The first substance of the table the request names (the canonical name)."""
    match = _SUBSTANCE.search(request)
    if not match:
        return None
    name = match.group(1).lower()
    return ALIASES.get(name, name)


def describes_phase(request: str) -> bool:
    """The request puts a substance of the table at a temperature."""
    return substance_in(request) is not None and temperature_c(request) is not None


def phase(slots: PhaseSlots, request: str) -> ToolResult:
    """The state of the request's substance at the request's temperature."""
    name = substance_in(request)
    celsius = temperature_c(request)
    if name is None or celsius is None:
        raise ToolError("the request names no known substance at a temperature")
    melts, boils, looks = SUBSTANCES[name]
    index = 0 if celsius < melts else 1 if celsius < boils else 2
    state, look = STATES[index], looks[index]
    answer = f"the {name} is {look} at {celsius:g} °C"
    visible = (
        f"{look}: {name} melts at {melts:g} °C and boils at {boils:g} °C, "
        f"so at {celsius:g} °C it is a {state}"
    )
    inputs = {"substance": name, "celsius": round(celsius, 1), "melts": melts, "boils": boils}
    return _result("phase", answer, visible, inputs)
