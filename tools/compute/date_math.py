"""The date tool: a date moved by days, weeks, months and years; its weekday or season."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.compute.spec import Example, ToolError, ToolResult, ToolSpec, grounded, parse_iso

SEASON_HINTS = {
    "winter": "bare trees, frost or snow, people in warm coats",
    "spring": "fresh green leaves and blossoming flowers",
    "summer": "lush green trees, bright strong sun, people in light clothes",
    "autumn": "orange, red and yellow leaves, fallen leaves on the ground",
}
SEASON_WORDS = {
    "winter": ("winter", "wintry", "snowy"),
    "spring": ("spring", "springtime", "blossom"),
    "summer": ("summer", "summertime"),
    "autumn": ("autumn", "fall", "autumnal"),
}
_NORTH = ["winter", "spring", "summer", "autumn"]


def season(day: date, hemisphere: Literal["north", "south"] = "north") -> str:
    """Meteorological season: Dec-Feb winter in the north (summer in the south), etc."""
    index = (day.month % 12) // 3
    return _NORTH[index] if hemisphere == "north" else _NORTH[(index + 2) % 4]


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months; the day is clamped to the month's end."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    if not 1 <= year <= 9999:
        raise ToolError("the date is out of range")
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


class DateMathInputs(BaseModel):
    """A date moved by days, weeks, months or years; asks its date, weekday or season."""

    start: str = Field(
        default="today",
        max_length=10,
        pattern=r"^(today|[0-9]{4}-[0-9]{2}-[0-9]{2})?$",
        description="YYYY-MM-DD as the request states it, or today",
        json_schema_extra=grounded("date"),
    )
    days: int = Field(default=0, ge=-36600, le=36600, description="days to add, may be < 0")
    weeks: int = Field(default=0, ge=-5300, le=5300, description="weeks to add")
    months: int = Field(default=0, ge=-12000, le=12000, description="months to add")
    years: int = Field(default=0, ge=-1000, le=1000, description="years to add")
    ask: Literal["date", "weekday", "season_north", "season_south"] = Field(
        default="date", description="what to answer"
    )


def compute(inputs: DateMathInputs, today: date | None) -> ToolResult:
    dated = inputs.start.strip() not in ("", "today")
    start = parse_iso(inputs.start, "start") if dated else (today or date.today())
    moved = add_months(start, inputs.years * 12 + inputs.months)
    try:
        day = moved + timedelta(weeks=inputs.weeks, days=inputs.days)
    except OverflowError as exc:
        raise ToolError("the date is out of range") from exc
    weekday = calendar.day_name[day.weekday()]
    long = f"{weekday}, {day.day} {calendar.month_name[day.month]} {day.year}"
    used: dict[str, Any] = {
        **inputs.model_dump(),
        "start": start.isoformat(),
        "date": day.isoformat(),
        "weekday": weekday,
    }
    if inputs.ask == "date":
        return ToolResult(
            f"{weekday} {day.isoformat()}",
            f"the date {long} wherever a date shows",
            used,
            subject="the date",
            attribute="date",
        )
    if inputs.ask == "weekday":
        others = tuple(name for name in calendar.day_name if name != weekday)
        return ToolResult(
            weekday,
            f"{weekday} wherever the day of the week shows",
            used,
            subject="the day",
            attribute="weekday",
            excludes=others,
        )
    hemisphere: Literal["north", "south"] = "north" if inputs.ask == "season_north" else "south"
    name = season(day, hemisphere)
    used["season"] = name
    excludes = tuple(w for other, words in SEASON_WORDS.items() if other != name for w in words)
    return ToolResult(
        f"{name} ({day.isoformat()}, {hemisphere}ern hemisphere)",
        SEASON_HINTS[name],
        used,
        subject="the season",
        attribute="season",
        excludes=excludes,
    )


SPEC = ToolSpec(
    name="date_math",
    purpose="a date moved by days, weeks, months or years, and its weekday or season",
    inputs=DateMathInputs,
    compute=compute,
    examples=(
        Example(
            "A wedding cake for a party held 45 days after 12 September 2027: which weekday "
            "is the party?",
            '{"start":"2027-09-12","days":45,"weeks":0,"months":0,"years":0,"ask":"weekday"}',
        ),
        Example(
            "A garden in Cape Town three months from today: which season is it there?",
            '{"start":"today","days":0,"weeks":0,"months":3,"years":0,"ask":"season_south"}',
        ),
    ),
)
