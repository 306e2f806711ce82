"""The phase tool: whether a substance at a temperature is solid, liquid or gas.

Melting and boiling points at sea-level pressure come from `data/substances.json`; the
model names the substance and the temperature as the request states them (or a setting:
a freezer, room temperature), and code compares.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from tools.compute import knowledge
from tools.compute.spec import Example, ToolError, ToolResult, ToolSpec, grounded

STATES = ("solid", "liquid", "gas")
# words that say a state; a prompt about one state must not use the others'
STATE_WORDS = {
    "solid": ("solid", "frozen", "ice", "icy", "solidified"),
    "liquid": ("liquid", "melted", "melting", "molten", "runny", "dripping", "puddle", "liquefied"),
    "gas": ("gas", "gaseous", "vapour", "vapor", "steam", "steaming", "boiling", "evaporating"),
}
# conventional temperatures of common settings, °C, and how the answer says them
SETTINGS = {
    "freezer": (-18.0, "in a freezer"),
    "fridge": (4.0, "in a fridge"),
    "room temperature": (20.0, "at room temperature"),
    "body temperature": (37.0, "at body temperature"),
}


class PhaseInputs(BaseModel):
    """A substance at a temperature."""

    substance: str = Field(
        max_length=40, description="the substance, e.g. butter", json_schema_extra=grounded("text")
    )
    temperature: float | None = Field(
        default=None,
        ge=-500,
        le=10000,
        description="the stated temperature (minus 5 is -5), or null",
        json_schema_extra=grounded("number"),
    )
    unit: Literal["C", "F", "K"] = Field(default="C", description="C, F or K")
    bound: Literal["at", "above", "below"] = Field(
        default="at", description="at, or above/below when the request gives a bound"
    )
    setting: Literal["", "freezer", "fridge", "room temperature", "body temperature"] = Field(
        default="",
        description="a setting instead of a number, or ''",
        json_schema_extra=grounded("text"),
    )

    @model_validator(mode="after")
    def _one(self) -> PhaseInputs:
        if (self.temperature is None) == (not self.setting):
            raise ValueError("give either a temperature or a setting")
        return self


def celsius(value: float, unit: str) -> float:
    if unit == "F":
        return (value - 32) * 5 / 9
    return value - 273.15 if unit == "K" else value


def state_of(row: knowledge.Substance, temp_c: float, bound: str) -> str:
    """The state at `temp_c`; "above" a point is past it, "below" short of it. Equal points:
    the substance sublimes (solid, then gas); no boiling point: it stays liquid."""
    temp = temp_c + (1e-6 if bound == "above" else -1e-6 if bound == "below" else 0.0)
    if temp < row.melts_c:
        return "solid"
    if row.boils_c is None or (temp < row.boils_c and row.boils_c > row.melts_c):
        return "liquid"
    return "gas"


def excludes_for(state: str) -> tuple[str, ...]:
    own = set(STATE_WORDS[state])
    return tuple(w for s in STATES if s != state for w in STATE_WORDS[s] if w not in own)


def compute(inputs: PhaseInputs, today: date | None) -> ToolResult:
    row = knowledge.find(knowledge.substances(), inputs.substance)
    if row is None:
        raise ToolError(f"no melting and boiling points for {inputs.substance!r}")
    if inputs.temperature is not None:
        temp_c = celsius(inputs.temperature, inputs.unit)
        said = f"{inputs.bound} {inputs.temperature:g} °{inputs.unit}"
    else:
        temp_c, said = SETTINGS[inputs.setting]
    if temp_c < -273.15:
        raise ToolError(f"{temp_c:g} °C is below absolute zero")
    state = state_of(row, temp_c, inputs.bound)
    look = getattr(row, state) or f"{state} {row.name}"
    boils = f"boils at {row.boils_c:g} °C" if row.boils_c is not None else "does not boil"
    sublimes = row.boils_c == row.melts_c
    points = (
        f"turns to gas at {row.melts_c:g} °C"
        if sublimes
        else f"melts at {row.melts_c:g} °C and {boils}"
    )
    subject = " ".join(inputs.substance.split())
    used: dict[str, Any] = {
        **inputs.model_dump(),
        "matched": row.name,
        "celsius": round(temp_c, 2),
        "melts_c": row.melts_c,
        "boils_c": row.boils_c,
        "state": state,
    }
    return ToolResult(
        answer=f"{state}: {look} {said}",
        visible=f"{look}: {row.name} {points}, so at {round(temp_c, 1):g} °C it is a {state}",
        inputs=used,
        subject=subject,
        attribute="state",
        excludes=excludes_for(state),
    )


SPEC = ToolSpec(
    name="phase",
    purpose="whether a substance is solid, liquid or gas at the request's temperature",
    inputs=PhaseInputs,
    compute=compute,
    examples=(
        Example(
            "A bowl of olive oil on a balcony at minus 10 degrees Celsius: is the oil liquid?",
            '{"substance":"olive oil","temperature":-10,"unit":"C","bound":"at","setting":""}',
        ),
        Example(
            "A tin soldier dropped into a kiln hotter than 500 °F: what state is the tin in?",
            '{"substance":"tin","temperature":500,"unit":"F","bound":"above","setting":""}',
        ),
    ),
)
