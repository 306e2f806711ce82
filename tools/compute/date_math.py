"""The date tool: a date moved by days, weeks, months, years; its weekday or season."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.compute.result import _ISO_DATE, ToolError, ToolResult, _parse_iso, _result

SEASON_HINTS = {
    "winter": "bare trees, frost or snow, people in warm coats",
    "spring": "fresh green leaves and blossoming flowers",
    "summer": "lush green trees, bright strong sun, people in light clothes",
    "autumn": "orange, red and yellow leaves, fallen leaves on the ground",
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


class DateMathSlots(BaseModel):
    """A date moved by days, weeks, months or years; asks its date, weekday or season."""

    start: str = Field(
        default="", max_length=10, pattern=_ISO_DATE, description="YYYY-MM-DD, or '' for today"
    )
    days: int = Field(default=0, ge=-36600, le=36600, description="days to add, may be < 0")
    weeks: int = Field(default=0, ge=-5300, le=5300, description="weeks to add")
    months: int = Field(default=0, ge=-12000, le=12000, description="months to add")
    years: int = Field(default=0, ge=-1000, le=1000, description="years to add")
    ask: Literal["date", "weekday", "season_north", "season_south"] = Field(
        default="date", description="what to answer"
    )


def date_math(slots: DateMathSlots, *, today: date | None = None) -> ToolResult:
    """The moved date, its weekday, or its season in either hemisphere."""
    start = _parse_iso(slots.start, "start") if slots.start.strip() else (today or date.today())
    moved = add_months(start, slots.years * 12 + slots.months)
    try:
        day = moved + timedelta(weeks=slots.weeks, days=slots.days)
    except OverflowError as exc:
        raise ToolError("the date is out of range") from exc
    weekday = calendar.day_name[day.weekday()]
    long = f"{weekday}, {day.day} {calendar.month_name[day.month]} {day.year}"
    inputs: dict[str, Any] = {
        "start": start.isoformat(),
        "days": slots.days,
        "weeks": slots.weeks,
        "months": slots.months,
        "years": slots.years,
        "ask": slots.ask,
        "date": day.isoformat(),
        "weekday": weekday,
    }
    if slots.ask == "date":
        answer, visible = f"{weekday} {day.isoformat()}", f"the date {long} wherever a date shows"
    elif slots.ask == "weekday":
        answer, visible = weekday, f"{weekday} wherever the day of the week shows"
    else:
        hemisphere: Literal["north", "south"] = "north" if slots.ask == "season_north" else "south"
        name = season(day, hemisphere)
        inputs["season"] = name
        answer = f"{name} ({day.isoformat()}, {hemisphere}ern hemisphere)"
        visible = SEASON_HINTS[name]
    return _result("date_math", answer, visible, inputs)
