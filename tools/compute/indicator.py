"""The indicator tool: the colour an acid-base indicator shows in a named liquid.

"A strip of blue litmus paper just after it was dipped in lemon juice" is a red strip;
"hydrochloric acid after phenolphthalein has been added" stays colourless; "vinegar with
a few drops of litmus" turns red. The colour follows from the liquid's pH and the
indicator's colour ranges, a table and a comparison, so code does it. No model call: the
indicator and the liquid are read from the request (the slot model is empty).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel

from tools.compute.result import ToolError, ToolResult, _result
from tools.wording import alternation


class IndicatorSlots(BaseModel):
    """Nothing for the model to fill: indicator and liquid are read from the request."""


# typical pH of everyday and laboratory liquids
PH: dict[str, float] = {
    "hydrochloric acid": 1.0,
    "sulfuric acid": 1.0,
    "nitric acid": 1.0,
    "stomach acid": 1.5,
    "lemon juice": 2.2,
    "lime juice": 2.2,
    "cola": 2.5,
    "vinegar": 2.8,
    "orange juice": 3.5,
    "wine": 3.5,
    "tomato juice": 4.2,
    "beer": 4.3,
    "black coffee": 5.0,
    "coffee": 5.0,
    "rainwater": 5.6,
    "milk": 6.7,
    "distilled water": 7.0,
    "pure water": 7.0,
    "tap water": 7.0,
    "water": 7.0,
    "salt water": 7.0,
    "blood": 7.4,
    "egg white": 8.0,
    "sea water": 8.1,
    "seawater": 8.1,
    "baking soda": 8.3,
    "toothpaste": 9.0,
    "soapy water": 10.0,
    "soap": 10.0,
    "ammonia": 11.5,
    "limewater": 12.4,
    "bleach": 12.5,
    "sodium hydroxide": 14.0,
    "caustic soda": 14.0,
    "lye": 14.0,
}


def _litmus(ph: float) -> str:
    return "red" if ph < 4.5 else "blue" if ph > 8.3 else "purple"


def _phenolphthalein(ph: float) -> str:
    return "colorless" if ph < 8.2 else "pink" if ph < 10 else "deep magenta pink"


def _methyl_orange(ph: float) -> str:
    return "red" if ph < 3.1 else "orange" if ph <= 4.4 else "yellow"


def _bromothymol_blue(ph: float) -> str:
    return "yellow" if ph < 6 else "green" if ph <= 7.6 else "blue"


def _universal(ph: float) -> str:
    for limit, colour in ((3, "red"), (5, "orange"), (6.5, "yellow"), (7.5, "green")):
        if ph < limit:
            return colour
    return "blue" if ph < 11 else "purple"


def _red_cabbage(ph: float) -> str:
    for limit, colour in ((3, "red"), (5, "pink"), (7.5, "purple"), (10, "blue")):
        if ph < limit:
            return colour
    return "greenish yellow"


INDICATORS: dict[str, Callable[[float], str]] = {
    "litmus": _litmus,
    "phenolphthalein": _phenolphthalein,
    "methyl orange": _methyl_orange,
    "bromothymol blue": _bromothymol_blue,
    "universal indicator": _universal,
    "red cabbage": _red_cabbage,
}


_INDICATOR = re.compile(rf"\b({alternation(INDICATORS)})\b", re.I)
_LIQUID = re.compile(rf"\b({alternation(PH)})\b", re.I)
_PAPER = re.compile(r"\b(blue|red) litmus\b", re.I)


def indicator_and_liquid(request: str) -> tuple[str, str] | None:
    """The indicator and the liquid the request puts it in, or None."""
    indicator, liquid = _INDICATOR.search(request), _LIQUID.search(request)
    if not indicator or not liquid:
        return None
    return indicator.group(1).lower(), liquid.group(1).lower()


def describes_indicator(request: str) -> bool:
    return indicator_and_liquid(request) is not None


def indicator(slots: IndicatorSlots, request: str) -> ToolResult:
    """The indicator's colour in the request's liquid."""
    found = indicator_and_liquid(request)
    if found is None:
        raise ToolError("the request names no known indicator in a known liquid")
    name, liquid = found
    ph = PH[liquid]
    colour = INDICATORS[name](ph)
    nature = "acidic" if ph < 6.5 else "alkaline" if ph > 7.5 else "neutral"
    paper = _PAPER.search(request)
    if paper and name == "litmus":
        was = paper.group(1).lower()
        thing = f"{was} litmus paper"
    else:
        was = "colorless" if name == "phenolphthalein" else ""
        thing = f"{liquid} with {name}"
    verb = "stays" if was == colour else "turns"
    answer = f"the {thing} {verb} {colour}"
    visible = f"the {thing} {verb} {colour}: {liquid} is {nature} (pH about {ph:g})"
    inputs = {"indicator": name, "liquid": liquid, "ph": ph, "colour": colour}
    return _result("indicator", answer, visible, inputs)
