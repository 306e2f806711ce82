"""The time-zone tool: the local time and light at one place when another shows a time."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from tools.compute.places import LANDMARKS, _norm, resolve_zone
from tools.compute.result import _ISO_DATE, ToolError, ToolResult, _parse_iso, _result

# (first hour, last hour, period, what the light and sky look like)
_NIGHT = "night-time: a dark sky with stars or the moon, street and window lights on"
LIGHT: list[tuple[int, int, str, str]] = [
    (0, 4, "night", _NIGHT),
    (5, 5, "pre-dawn twilight", "first light: a deep blue pre-dawn sky, a faint glow low down"),
    (6, 7, "sunrise", "early morning: a low rising sun, an orange-pink sky, long soft shadows"),
    (8, 10, "morning", "daytime: clear morning daylight, a fairly low sun and long shadows"),
    (11, 13, "midday", "broad daytime: the sun high in a bright sky, short shadows"),
    (14, 16, "afternoon", "daytime: warm afternoon daylight and medium-length shadows"),
    (17, 18, "golden hour", "late afternoon: a low sun near sunset, golden-orange light"),
    (19, 19, "dusk", "evening twilight after sunset: a deep blue sky, lights coming on"),
    (20, 23, "night", _NIGHT),
]


def light_at(hour: int) -> tuple[str, str]:
    """(period, light and sky) for a local hour 0-23; a fixed table, not astronomy."""
    for first, last, period, sky in LIGHT:
        if first <= hour <= last:
            return period, sky
    raise ToolError(f"hour must be 0-23, got {hour}")


def _offset(moment: datetime) -> str:
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def _display(place: str, zone: str) -> str:
    return " ".join(place.split()) or zone.rsplit("/", 1)[-1].replace("_", " ")


class TimezoneSlots(BaseModel):
    """A local time given at one place, asked at another place."""

    from_place: str = Field(max_length=40, description="place whose local time is given")
    from_zone: str = Field(
        default="", max_length=40, description="its IANA zone, e.g. Asia/Singapore, or ''"
    )
    hour: int = Field(ge=0, le=23, description="given hour, 0-23 (noon 12, 9pm 21)")
    minute: int = Field(default=0, ge=0, le=59, description="given minute, 0-59")
    to_place: str = Field(max_length=40, description="place whose local time is asked")
    to_zone: str = Field(
        default="", max_length=40, description="its IANA zone, e.g. Europe/London, or ''"
    )
    date: str = Field(
        default="", max_length=10, pattern=_ISO_DATE, description="YYYY-MM-DD, or '' for today"
    )


def timezone(slots: TimezoneSlots, *, today: date | None = None) -> ToolResult:
    """The local time and light at `to_place` when `from_place` shows hour:minute."""
    src_name, src_how = resolve_zone(slots.from_place, slots.from_zone)
    src = zoneinfo.ZoneInfo(src_name)
    dst_name, dst_how = resolve_zone(slots.to_place, slots.to_zone)
    dst = zoneinfo.ZoneInfo(dst_name)
    if slots.date.strip():
        day = _parse_iso(slots.date, "date")
    else:
        day = today or datetime.now(src).date()
    start = datetime(day.year, day.month, day.day, slots.hour, slots.minute, tzinfo=src)
    end = start.astimezone(dst)
    period, sky = light_at(end.hour)
    where = _display(slots.to_place, dst_name)
    at = "at" if _norm(slots.to_place) in LANDMARKS else "in"
    inputs: dict[str, Any] = {
        "from_place": _display(slots.from_place, src_name),
        "from_zone": src_name,
        "from_zone_source": src_how,
        "from_time": start.isoformat(timespec="minutes"),
        "from_utc_offset": _offset(start),
        "to_place": where,
        "to_zone": dst_name,
        "to_zone_source": dst_how,
        "to_time": end.isoformat(timespec="minutes"),
        "to_utc_offset": _offset(end),
        "day_shift": (end.date() - start.date()).days,
        "period": period,
    }
    answer = f"{period}, {end:%H:%M} local time {at} {where}"
    return _result("timezone", answer, sky, inputs)
