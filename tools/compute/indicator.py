"""The indicator tool: the colour an acid-base indicator shows in a liquid.

The liquid's pH comes from `data/liquids.json`, or from the model when the table does not
know the liquid; the indicator's colour ranges from `data/indicators.json`. An indicator
named with its colour ("blue litmus paper") starts in that colour and keeps it while the
pH is in a middle range (litmus paper does not change in a neutral liquid).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from tools.compute import knowledge
from tools.compute.knowledge import normalise
from tools.compute.spec import Example, ToolError, ToolResult, ToolSpec, grounded


class IndicatorInputs(BaseModel):
    """An acid-base indicator put in a liquid."""

    indicator: str = Field(
        max_length=40,
        description="the indicator as named, e.g. red litmus paper",
        json_schema_extra=grounded("text"),
    )
    liquid: str = Field(
        max_length=40,
        description="the liquid, e.g. tomato juice",
        json_schema_extra=grounded("text"),
    )
    ph: float | None = Field(
        default=None, ge=0, le=14, description="the liquid's pH if you know it, or null"
    )


def colour_at(row: knowledge.Indicator, ph: float) -> tuple[int, knowledge.ColourRange]:
    """(index, range) of the colour range `ph` falls in."""
    for index, band in enumerate(row.ranges):
        if band.up_to is None or ph < band.up_to:
            return index, band
    raise ToolError(f"no colour range of {row.name} holds pH {ph:g}")  # unreachable: validated


def named_start(row: knowledge.Indicator, text: str) -> str | None:
    """The colour the text gives the indicator besides its name ("red litmus paper": red;
    "methyl orange": none), else the indicator's own starting colour."""
    words = f" {normalise(text)} ".replace(f" {normalise(row.name)} ", " ")
    for band in row.ranges:
        if f" {normalise(band.colour)} " in words:
            return band.colour
    return row.start


def nature(ph: float) -> str:
    return "acidic" if ph < 6.5 else "alkaline" if ph > 7.5 else "neutral"


def compute(inputs: IndicatorInputs, today: date | None) -> ToolResult:
    row = knowledge.find(knowledge.indicators(), inputs.indicator)
    if row is None:
        raise ToolError(f"no colour table for the indicator {inputs.indicator!r}")
    liquid = knowledge.find(knowledge.liquids(), inputs.liquid)
    if liquid is not None:
        ph, source = liquid.ph, f"table: {liquid.name}"
    elif inputs.ph is not None:
        ph, source = inputs.ph, "the model"
    else:
        raise ToolError(f"no pH for {inputs.liquid!r}: not in the table and none given")
    index, band = colour_at(row, ph)
    start = named_start(row, inputs.indicator)
    colour = band.colour
    if start and start != colour and 0 < index < len(row.ranges) - 1:
        # a colour-named paper keeps its colour through the middle ranges
        start_band = next(b for b in row.ranges if b.colour == start)
        if start_band is row.ranges[0] or start_band is row.ranges[-1]:
            colour = start
    chosen = next(b for b in row.ranges if b.colour == colour)
    own = {colour, *chosen.words}
    excludes = tuple(
        dict.fromkeys(
            w for b in row.ranges if b is not chosen for w in (b.colour, *b.words) if w not in own
        )
    )
    verb = "stays" if start == colour else "turns"
    thing = " ".join(inputs.indicator.split())
    where = " ".join(inputs.liquid.split())
    used: dict[str, Any] = {
        **inputs.model_dump(),
        "matched_indicator": row.name,
        "ph": ph,
        "ph_source": source,
        "colour": colour,
    }
    return ToolResult(
        answer=f"the {thing} {verb} {colour} in {where}",
        visible=f"the {thing} {verb} {colour}: {where} is {nature(ph)} (pH about {ph:g})",
        inputs=used,
        subject=thing,
        attribute="colour",
        excludes=excludes,
    )


SPEC = ToolSpec(
    name="indicator",
    purpose="the colour an acid-base indicator (litmus, phenolphthalein...) shows in a liquid",
    inputs=IndicatorInputs,
    compute=compute,
    examples=(
        Example(
            "A test tube of tomato juice with a few drops of bromothymol blue: what colour "
            "is the liquid?",
            '{"indicator":"bromothymol blue","liquid":"tomato juice","ph":4.2}',
        ),
        Example(
            "A strip of red litmus paper dipped into a bowl of washing soda solution: what "
            "colour is the strip?",
            '{"indicator":"red litmus paper","liquid":"washing soda solution","ph":11.5}',
        ),
    ),
)
