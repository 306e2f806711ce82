"""Deterministic tools for the computable gaps of image requests.

Some gaps are not knowledge but computation: the local time at Big Ben when Singapore
reaches noon, the number of legs on three spiders and two cats, the order of animals by
size, the weekday or season of a date. A 1.5B model gets these wrong often; code gets them
right every time. So computation belongs to code, and the model only fills slots:

1. `detect_tool(question, request)` says, from clear wording cues, which tool fits a gap;
2. the model fills that tool's slot model (`TOOLS[name][0]`) as constrained JSON, guided by
   the short field descriptions and the worked `EXAMPLES`;
3. `run_tool(name, slots)` validates the slots and computes a `ToolResult`: the short
   answer the image must name, what the image must show because of it, and the normalised
   inputs actually used (for the report).

Every tool is a pure function of its slots (today's date is injectable). Invalid or
insufficient slots raise `ToolError` with a one-line message; the caller then falls back
to the model's own reasoning.
"""

from __future__ import annotations

import ast
import calendar
import functools
import math
import operator
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, StringConstraints, ValidationError

__all__ = [
    "EXAMPLES",
    "TOOLS",
    "ArithmeticSlots",
    "DateMathSlots",
    "OrderItem",
    "OrderingSlots",
    "TimezoneSlots",
    "ToolError",
    "ToolResult",
    "arithmetic",
    "date_math",
    "detect_tool",
    "evaluate_expression",
    "light_at",
    "ordering",
    "resolve_zone",
    "run_tool",
    "timezone",
]

MAX_ANSWER = 80
MAX_VISIBLE = 200
_ISO_DATE = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"


class ToolError(ValueError):
    """The slots cannot be used: the caller falls back to the model's own reasoning."""


@dataclass(frozen=True)
class ToolResult:
    """What a tool computed, ready to become a resolved gap."""

    answer: str  # short, what the image must name: "night, 00:00 local time in London"
    visible: str  # what the image must show because of it
    inputs: dict[str, Any] = field(default_factory=dict)  # normalised inputs actually used
    tool: str = ""


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _result(tool: str, answer: str, visible: str, inputs: dict[str, Any]) -> ToolResult:
    return ToolResult(_clip(answer, MAX_ANSWER), _clip(visible, MAX_VISIBLE), inputs, tool)


def _parse_iso(text: str, what: str) -> date:
    text = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ToolError(f"{what} must be an ISO date YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ToolError(f"{what} is not a real date: {text!r}") from exc


# --------------------------------------------------------------------------- timezone

# Places, landmarks and countries that are not zone names (keys are normalised, see _norm).
PLACES: dict[str, str] = {
    "big ben": "Europe/London",
    "london eye": "Europe/London",
    "tower bridge": "Europe/London",
    "buckingham palace": "Europe/London",
    "england": "Europe/London",
    "uk": "Europe/London",
    "united kingdom": "Europe/London",
    "britain": "Europe/London",
    "great britain": "Europe/London",
    "scotland": "Europe/London",
    "edinburgh": "Europe/London",
    "ireland": "Europe/Dublin",
    "eiffel tower": "Europe/Paris",
    "louvre": "Europe/Paris",
    "france": "Europe/Paris",
    "germany": "Europe/Berlin",
    "italy": "Europe/Rome",
    "colosseum": "Europe/Rome",
    "spain": "Europe/Madrid",
    "netherlands": "Europe/Amsterdam",
    "greece": "Europe/Athens",
    "acropolis": "Europe/Athens",
    "turkey": "Europe/Istanbul",
    "istanbul": "Europe/Istanbul",
    "russia": "Europe/Moscow",
    "kremlin": "Europe/Moscow",
    "red square": "Europe/Moscow",
    "statue of liberty": "America/New_York",
    "times square": "America/New_York",
    "empire state building": "America/New_York",
    "central park": "America/New_York",
    "new york city": "America/New_York",
    "nyc": "America/New_York",
    "manhattan": "America/New_York",
    "brooklyn": "America/New_York",
    "washington dc": "America/New_York",
    "washington d c": "America/New_York",
    "white house": "America/New_York",
    "hollywood": "America/Los_Angeles",
    "california": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "golden gate bridge": "America/Los_Angeles",
    "las vegas": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "texas": "America/Chicago",
    "hawaii": "Pacific/Honolulu",
    "mexico": "America/Mexico_City",
    "brazil": "America/Sao_Paulo",
    "rio": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo",
    "christ the redeemer": "America/Sao_Paulo",
    "argentina": "America/Argentina/Buenos_Aires",
    "buenos aires": "America/Argentina/Buenos_Aires",
    "peru": "America/Lima",
    "machu picchu": "America/Lima",
    "japan": "Asia/Tokyo",
    "mount fuji": "Asia/Tokyo",
    "kyoto": "Asia/Tokyo",
    "osaka": "Asia/Tokyo",
    "south korea": "Asia/Seoul",
    "korea": "Asia/Seoul",
    "china": "Asia/Shanghai",
    "beijing": "Asia/Shanghai",
    "great wall": "Asia/Shanghai",
    "forbidden city": "Asia/Shanghai",
    "india": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "taj mahal": "Asia/Kolkata",
    "thailand": "Asia/Bangkok",
    "uae": "Asia/Dubai",
    "united arab emirates": "Asia/Dubai",
    "burj khalifa": "Asia/Dubai",
    "saudi arabia": "Asia/Riyadh",
    "mecca": "Asia/Riyadh",
    "israel": "Asia/Jerusalem",
    "iran": "Asia/Tehran",
    "egypt": "Africa/Cairo",
    "pyramids": "Africa/Cairo",
    "giza": "Africa/Cairo",
    "kenya": "Africa/Nairobi",
    "south africa": "Africa/Johannesburg",
    "cape town": "Africa/Johannesburg",
    "australia": "Australia/Sydney",
    "sydney opera house": "Australia/Sydney",
    "new zealand": "Pacific/Auckland",
    "iceland": "Atlantic/Reykjavik",
    "utc": "Etc/UTC",
    "gmt": "Etc/UTC",
    # cities that are not zone names, in the zone their country keeps
    "hangzhou": "Asia/Shanghai",
    "west lake": "Asia/Shanghai",
    "xi'an": "Asia/Shanghai",
    "xian": "Asia/Shanghai",
    "guangzhou": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "chengdu": "Asia/Shanghai",
    "nara": "Asia/Tokyo",
    "hiroshima": "Asia/Tokyo",
    "sapporo": "Asia/Tokyo",
    "busan": "Asia/Seoul",
    "agra": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "chiang mai": "Asia/Bangkok",
    "hanoi": "Asia/Bangkok",
    "venice": "Europe/Rome",
    "florence": "Europe/Rome",
    "milan": "Europe/Rome",
    "barcelona": "Europe/Madrid",
    "seville": "Europe/Madrid",
    "munich": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "fernsehturm": "Europe/Berlin",
    "brandenburg gate": "Europe/Berlin",
    "marseille": "Europe/Paris",
    "nice": "Europe/Paris",
    "st petersburg": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "philadelphia": "America/New_York",
    "atlanta": "America/New_York",
    "montreal": "America/Toronto",
    "houston": "America/Chicago",
    "dallas": "America/Chicago",
    "new orleans": "America/Chicago",
    "san diego": "America/Los_Angeles",
    "portland": "America/Los_Angeles",
    "melbourne": "Australia/Melbourne",
    "canberra": "Australia/Sydney",
    "brisbane": "Australia/Brisbane",
    "marrakech": "Africa/Casablanca",
    "morocco": "Africa/Casablanca",
    "nigeria": "Africa/Lagos",
}

# Table keys that are buildings or sights ("at Big Ben"), not areas ("in London").
LANDMARKS = {
    "big ben",
    "london eye",
    "tower bridge",
    "buckingham palace",
    "eiffel tower",
    "louvre",
    "colosseum",
    "acropolis",
    "kremlin",
    "red square",
    "statue of liberty",
    "times square",
    "empire state building",
    "central park",
    "white house",
    "golden gate bridge",
    "christ the redeemer",
    "machu picchu",
    "mount fuji",
    "great wall",
    "forbidden city",
    "taj mahal",
    "burj khalifa",
    "pyramids",
    "sydney opera house",
}

# Regions whose zone names are real places; others are legacy aliases ("US/Pacific").
_REGIONS = {
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
}
# Zone cities that are also common words or names: never found inside free text.
_SCAN_BLOCK = {
    "north",
    "south",
    "west",
    "east",
    "center",
    "easter",
    "wake",
    "midway",
    "christmas",
    "reunion",
    "jersey",
    "darwin",
    "phoenix",
    "stanley",
    "victoria",
    "chihuahua",
    "cayenne",
    "resolute",
    "virgin",
    "casey",
    "davis",
    "palmer",
    "troll",
    "knox",
    "mahe",
    "marengo",
    "monticello",
    "beulah",
    "creston",
    "guernsey",
    "norfolk",
    "cordoba",
    "santiago",
    "johnston",
    "dawson",
}


def _norm(text: str) -> str:
    """Lower case, '_' and '-' as spaces, no dots or apostrophes, no leading 'the'."""
    text = text.lower().replace("_", " ").replace("-", " ")
    text = re.sub(r"[.'’]", "", text)
    text = re.sub(r"[^\w/ ]+", " ", text)
    text = " ".join(text.split())
    return text[4:] if text.startswith("the ") else text


@functools.cache
def _zones() -> dict[str, str]:
    """Lower-cased full zone name -> zone name, for every zone zoneinfo knows."""
    return {z.lower(): z for z in zoneinfo.available_timezones() if z != "localtime"}


@functools.cache
def _zone_cities() -> dict[str, str]:
    """Normalised last component -> zone, for zones in the real regions."""
    candidates: dict[str, list[str]] = {}
    for zone in _zones().values():
        parts = zone.split("/")
        if len(parts) < 2 or parts[0] not in _REGIONS:
            continue
        candidates.setdefault(_norm(parts[-1]), []).append(zone)
    return {
        city: sorted(zones, key=lambda z: (z.count("/"), z))[0]
        for city, zones in candidates.items()
    }


def _lookup(place: str) -> str | None:
    """The deterministic zone of a place name, or None."""
    key = _norm(place)
    if not key:
        return None
    if "/" in key or key in {"utc", "gmt"}:
        full = _zones().get(place.strip().lower())
        if full:
            return full
    if key in PLACES:
        return PLACES[key]
    if key in _zone_cities():
        return _zone_cities()[key]
    # A longer name that contains a known place: "Big Ben, London", "Marina Bay, Singapore".
    for table in (PLACES, _zone_cities()):
        hits = [k for k in table if re.search(rf"\b{re.escape(k)}\b", key)]
        hits = [k for k in hits if table is PLACES or k not in _SCAN_BLOCK]
        if hits:
            return table[max(hits, key=lambda k: (len(k), k))]
    return None


def resolve_zone(place: str, zone: str = "") -> tuple[str, str]:
    """(IANA zone, how it was found) for a place: table or zone name first, then `zone`."""
    found = _lookup(place)
    if found:
        return found, "lookup"
    model_zone = _zones().get(zone.strip().lower()) if zone.strip() else None
    if model_zone:
        return model_zone, "model"
    if not place.strip() and not zone.strip():
        raise ToolError("no place or zone given")
    raise ToolError(f"unknown place {place.strip()!r} and no valid zone {zone.strip()!r}")


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


# --------------------------------------------------------------------------- arithmetic

MAX_VALUE = 1e12
MAX_EXPONENT = 64

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


def _checked(value: Any) -> int | float:
    if isinstance(value, complex) or not isinstance(value, int | float):
        raise ToolError("the expression has no real result")
    if isinstance(value, float) and not math.isfinite(value):
        raise ToolError("the result is not finite")
    if abs(value) > MAX_VALUE:
        raise ToolError(f"a value exceeds {MAX_VALUE:.0e}")
    return value


def _eval(node: ast.AST) -> int | float:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ToolError(f"not a number: {node.value!r}")
        return _checked(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise ToolError(f"exponent {right} is too large")
        try:
            return _checked(_BINARY[type(node.op)](left, right))
        except ZeroDivisionError as exc:
            raise ToolError("division by zero") from exc
        except OverflowError as exc:
            raise ToolError("the result is too large") from exc
    raise ToolError(f"not allowed in an expression: {type(node).__name__}")


def _normalise_expression(text: str) -> str:
    text = text.strip().rstrip("=").strip()
    text = text.replace("×", "*").replace("÷", "/").replace("−", "-").replace("^", "**")
    text = re.sub(r"\b(\d{1,3}(?:,\d{3})+)\b", lambda m: m.group(1).replace(",", ""), text)
    return text


def evaluate_expression(expression: str) -> int | float:
    """Evaluate + - * / // % ** and parentheses over numbers, safely (no names, no calls)."""
    text = _normalise_expression(expression)
    if not text:
        raise ToolError("empty expression")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise ToolError(f"not an arithmetic expression: {expression.strip()!r}") from exc
    value = _eval(tree)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _format_number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


class ArithmeticSlots(BaseModel):
    """An arithmetic expression whose value the image must show, and what is counted."""

    expression: str = Field(
        max_length=80, description="numbers with + - * / ( ) only, e.g. 3*8+2*4"
    )
    unit: str = Field(default="", max_length=30, description="what is counted, e.g. legs, or ''")


def arithmetic(slots: ArithmeticSlots) -> ToolResult:
    """The value of the expression, as a count of `unit`."""
    value = evaluate_expression(slots.expression)
    number = _format_number(value)
    unit = " ".join(slots.unit.split())
    answer = f"{number} {unit}".strip()
    if unit and isinstance(value, int) and value >= 0:
        visible = f"exactly {number} {unit}, each clearly visible and countable"
    elif unit:
        visible = f"{number} {unit}"
    else:
        visible = f"the number {number}"
    inputs: dict[str, Any] = {
        "expression": _normalise_expression(slots.expression),
        "unit": unit,
        "value": value if isinstance(value, int) else round(value, 2),
    }
    return _result("arithmetic", answer, visible, inputs)


# --------------------------------------------------------------------------- ordering


def _unit_table() -> dict[str, tuple[str, float]]:
    groups: list[tuple[str, float, tuple[str, ...]]] = [
        ("length", 0.001, ("mm", "millimeter", "millimetre")),
        ("length", 0.01, ("cm", "centimeter", "centimetre")),
        ("length", 1.0, ("m", "meter", "metre")),
        ("length", 1000.0, ("km", "kilometer", "kilometre")),
        ("length", 0.0254, ("in", "inch", "inches")),
        ("length", 0.3048, ("ft", "foot", "feet")),
        ("length", 0.9144, ("yd", "yard")),
        ("length", 1609.344, ("mi", "mile")),
        ("mass", 1e-6, ("mg", "milligram", "milligramme")),
        ("mass", 0.001, ("g", "gram", "gramme")),
        ("mass", 1.0, ("kg", "kilogram", "kilogramme", "kilo")),
        ("mass", 1000.0, ("t", "tonne", "metric ton")),
        ("mass", 0.45359237, ("lb", "lbs", "pound")),
        ("mass", 0.028349523125, ("oz", "ounce")),
        ("time", 1.0, ("s", "sec", "second")),
        ("time", 60.0, ("min", "minute")),
        ("time", 3600.0, ("h", "hr", "hour")),
        ("time", 86400.0, ("d", "day")),
        ("time", 604800.0, ("wk", "week")),
        ("time", 31557600.0, ("yr", "year")),
        ("speed", 1.0, ("m/s", "meters per second", "metres per second")),
        ("speed", 1 / 3.6, ("km/h", "kmh", "kph", "kilometers per hour", "kilometres per hour")),
        ("speed", 0.44704, ("mph", "miles per hour")),
    ]
    table: dict[str, tuple[str, float]] = {}
    for dimension, factor, names in groups:
        for name in names:
            table[name] = (dimension, factor)
            if len(name) > 3 and " " not in name and not name.endswith("s"):
                table[name + "s"] = (dimension, factor)
    return table


UNITS = _unit_table()


def _unit_key(unit: str) -> str:
    return " ".join(unit.lower().replace(".", "").split())


class OrderItem(BaseModel):
    """One thing to order and its value."""

    name: str = Field(max_length=30, description="the thing, e.g. elephant")
    value: float | Annotated[str, StringConstraints(max_length=16)] = Field(
        description="a number, or a date as YYYY or YYYY-MM-DD"
    )
    unit: str = Field(default="", max_length=12, description="unit of value, e.g. kg, or ''")


class OrderingSlots(BaseModel):
    """Things to put in order by a value (size, height, age, date)."""

    items: list[OrderItem] = Field(min_length=2, max_length=8, description="2 to 8 things")
    order: Literal["ascending", "descending"] = Field(
        description="ascending: smallest or earliest first"
    )
    pick: Literal["all", "first", "last"] = Field(
        default="all", description="all, or only the first or last after sorting"
    )


_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _bare_year(value: float | str) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{4}", value.strip()) is not None


def _item_value(value: float | str) -> tuple[str, float, float | str]:
    """(kind, sort key, normalised value) of one item's value: a number or an ISO date."""
    if isinstance(value, bool):
        raise ToolError("a value is true/false, not a number or date")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ToolError("a value is not finite")
        return "number", float(value), value
    text = value.strip()
    day: date | None = None
    if re.fullmatch(r"\d{4}", text):
        day = _parse_iso(text + "-01-01", "value")
    elif re.fullmatch(r"\d{4}-\d{2}", text):
        day = _parse_iso(text + "-01", "value")
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = _parse_iso(text, "value")
    if day is not None:
        return "date", float(day.toordinal()), text
    if _NUMBER_TEXT.fullmatch(text.replace(",", "")):
        number = float(text.replace(",", ""))
        if math.isfinite(number):
            return "number", number, number
    raise ToolError(f"not a number or ISO date: {value!r}")


def _common_units(units: list[str]) -> list[float]:
    """A factor per item that converts its value to one shared unit."""
    distinct = {u for u in units if u}
    if len(distinct) <= 1:
        return [1.0] * len(units)
    known = [UNITS.get(u) for u in units]
    dimensions = {k[0] for k in known if k}
    if any(k is None for k in known) or len(dimensions) != 1:
        raise ToolError(f"cannot compare values in {', '.join(sorted(distinct))}")
    return [k[1] for k in known if k]


def ordering(slots: OrderingSlots) -> ToolResult:
    """The items sorted by value (stable: ties by name, then as given)."""
    parsed = [_item_value(item.value) for item in slots.items]
    # A bare "1889" is a year among dates or when all are bare, and a number among numbers.
    sure = {
        kind
        for (kind, _, _), item in zip(parsed, slots.items, strict=True)
        if not _bare_year(item.value)
    }
    if len(sure) > 1:
        raise ToolError("values mix numbers and dates")
    kind = sure.pop() if sure else "date"
    if kind == "number":
        parsed = [
            ("number", float(item.value), float(item.value)) if _bare_year(item.value) else p
            for p, item in zip(parsed, slots.items, strict=True)
        ]
    names = [" ".join(item.name.split()) for item in slots.items]
    if not all(names):
        raise ToolError("an item has no name")
    keys = [key for _, key, _ in parsed]
    if kind == "date":
        labels = ("earliest", "latest")
    else:
        factors = _common_units([_unit_key(item.unit) for item in slots.items])
        keys = [key * factor for key, factor in zip(keys, factors, strict=True)]
        labels = ("smallest", "largest")
    descending = slots.order == "descending"
    index = sorted(range(len(names)), key=lambda i: (names[i].casefold(), i))
    index.sort(key=lambda i: keys[i], reverse=descending)
    ordered = [names[i] for i in index]
    first, last = (labels[1], labels[0]) if descending else labels
    inputs: dict[str, Any] = {
        "items": [
            {
                "name": names[i],
                "value": value,
                "unit": " ".join(slots.items[i].unit.split()),
            }
            for i, (_, _, value) in enumerate(parsed)
        ],
        "kind": kind,
        "order": slots.order,
        "pick": slots.pick,
        "sorted": ordered,
    }
    if slots.pick == "all":
        answer = f"{first} to {last}: {', '.join(ordered)}"
        visible = f"{', '.join(ordered)}, in this order ({first} to {last})"
    else:
        name, label = (ordered[0], first) if slots.pick == "first" else (ordered[-1], last)
        answer = f"{name} ({label})"
        visible = f"{name}, the {label} of {', '.join(names)}"
    return _result("ordering", answer, visible, inputs)


# --------------------------------------------------------------------------- date math

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


# --------------------------------------------------------------------------- registry

M = TypeVar("M", bound=BaseModel)
Runner = Callable[[BaseModel, date | None], ToolResult]


def _runner(model: type[M], fn: Callable[[M], ToolResult]) -> Runner:
    def run(slots: BaseModel, today: date | None) -> ToolResult:
        if not isinstance(slots, model):
            raise ToolError(f"expected {model.__name__}, got {type(slots).__name__}")
        return fn(slots)

    return run


def _dated_runner(model: type[M], fn: Callable[..., ToolResult]) -> Runner:
    def run(slots: BaseModel, today: date | None) -> ToolResult:
        if not isinstance(slots, model):
            raise ToolError(f"expected {model.__name__}, got {type(slots).__name__}")
        result: ToolResult = fn(slots, today=today)
        return result

    return run


_RUNNERS: dict[str, tuple[type[BaseModel], Runner]] = {
    "timezone": (TimezoneSlots, _dated_runner(TimezoneSlots, timezone)),
    "arithmetic": (ArithmeticSlots, _runner(ArithmeticSlots, arithmetic)),
    "ordering": (OrderingSlots, _runner(OrderingSlots, ordering)),
    "date_math": (DateMathSlots, _dated_runner(DateMathSlots, date_math)),
}


def _today_now(run: Runner) -> Callable[[BaseModel], ToolResult]:
    return lambda slots: run(slots, None)


TOOLS: dict[str, tuple[type[BaseModel], Callable[[BaseModel], ToolResult]]] = {
    name: (model, _today_now(run)) for name, (model, run) in _RUNNERS.items()
}


def _validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "slots"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"


def run_tool(name: str, slots: dict[str, Any], *, today: date | None = None) -> ToolResult:
    """Validate `slots` with the tool's slot model and compute; any failure is a ToolError."""
    if name not in _RUNNERS:
        raise ToolError(f"unknown tool {name!r}")
    model, run = _RUNNERS[name]
    try:
        validated = model.model_validate(slots)
    except ValidationError as exc:
        raise ToolError(f"{name}: {_validation_message(exc)}") from exc
    return run(validated, today)


# Worked examples for the reason node's few-shot prefix: (question, slots as JSON).
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "timezone": [
        (
            "Big Ben when Singapore reaches noon: what time is it at Big Ben?",
            '{"from_place":"Singapore","from_zone":"Asia/Singapore","hour":12,"minute":0,'
            '"to_place":"Big Ben","to_zone":"Europe/London","date":""}',
        ),
        (
            "The Sydney Opera House when it is 9pm in New York: what time is it in Sydney?",
            '{"from_place":"New York","from_zone":"America/New_York","hour":21,"minute":0,'
            '"to_place":"Sydney Opera House","to_zone":"Australia/Sydney","date":""}',
        ),
    ],
    "arithmetic": [
        (
            "How many legs do 3 spiders and 2 cats have in total?",
            '{"expression":"3*8+2*4","unit":"legs"}',
        ),
        (
            "Five apples in a bowl, then two are eaten: how many apples are left?",
            '{"expression":"5-2","unit":"apples"}',
        ),
    ],
    "ordering": [
        (
            "An elephant, a cat and a horse, from largest to smallest: what is the order?",
            '{"items":[{"name":"elephant","value":6000,"unit":"kg"},'
            '{"name":"cat","value":4,"unit":"kg"},{"name":"horse","value":500,"unit":"kg"}],'
            '"order":"descending","pick":"all"}',
        ),
        (
            "Which is older, the Eiffel Tower or Big Ben?",
            '{"items":[{"name":"Eiffel Tower","value":"1889","unit":""},'
            '{"name":"Big Ben","value":"1859","unit":""}],"order":"ascending","pick":"first"}',
        ),
    ],
    "date_math": [
        (
            "What day of the week is 100 days after 2026-08-27?",
            '{"start":"2026-08-27","days":100,"weeks":0,"months":0,"years":0,"ask":"weekday"}',
        ),
        (
            "Sydney six months after 2026-01-15: which season is it there?",
            '{"start":"2026-01-15","days":0,"weeks":0,"months":6,"years":0,"ask":"season_south"}',
        ),
    ],
}


# --------------------------------------------------------------------------- detector

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    "eighty|ninety|hundred|thousand|dozen|half|twice|double|triple"
)
_QUANTITY = re.compile(rf"(?<![\w-])(\d+(?:[.,]\d+)?|{_NUMBER_WORDS})(?![\w-])", re.I)

_TIME_OF_DAY = re.compile(
    r"\b(noon|midday|midnight|dawn|sunrise|sunset|dusk|"
    r"(the|early|late) (morning|afternoon|evening|night))\b"
    r"|\b([01]?\d|2[0-3]):[0-5]\d\b"
    r"|\b(1[0-2]|0?[1-9])(:[0-5]\d)?\s*(am|pm|a\.m\.|p\.m\.)(?!\w)"
    r"|\b(1[0-2]|0?[1-9]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r" o['’]?clock\b",
    re.I,
)
_TZ_LINK = re.compile(
    r"\b(when|while|whenever|as soon as|same (time|moment|instant)|simultaneous(ly)?|"
    r"reach(es|ing)?|hits?|strikes?|it['’]s|it is|local time|time in|time ?zones?|utc|gmt)\b",
    re.I,
)

_ARITH_OPERATOR = re.compile(
    r"(?<![\w:.])\d+(\.\d+)?\s*[+*×÷]\s*\d|(?<![\w:.])\d+(\.\d+)?\s+[-−/]\s+\d+(?![\d:])"
    rf"|(?<![\w-])(\d+|{_NUMBER_WORDS})\s+(plus|minus|times|multiplied by|divided by)\s+"
    rf"(\d+|{_NUMBER_WORDS})(?![\w-])",
    re.I,
)
_ARITH_ASK = re.compile(
    r"\b(how many|how much|what number|the number of|the total|the sum|the product|"
    r"the difference)\b",
    re.I,
)
_ARITH_AGGREGATE = re.compile(
    r"\b(in total|in all|altogether|all together|combined|total|each|per|every|left|remain|"
    r"remaining|more|fewer|less|plus|minus|times|twice|double|triple|half)\b",
    re.I,
)

_SUPERLATIVES = (
    "largest|smallest|biggest|tallest|shortest|longest|oldest|youngest|newest|earliest|"
    "latest|heaviest|lightest|fastest|slowest|highest|lowest|deepest|hottest|coldest|"
    "closest|farthest|furthest|nearest"
)
_COMPARATIVES = (
    "larger|smaller|bigger|taller|shorter|longer|older|younger|newer|earlier|later|heavier|"
    "lighter|faster|slower|higher|lower|deeper|hotter|colder|closer|farther|further|first"
)
_ORDERING = re.compile(
    rf"\bfrom (the )?({_SUPERLATIVES})\b.{{0,30}}?\bto (the )?({_SUPERLATIVES})\b"
    r"|\bin (ascending|descending|chronological|reverse) order\b"
    r"|\bin order of\b|\bchronologically\b"
    r"|\b(sorted|ordered|ranked|arranged|lined up) (by|according to)\b"
    r"|\b(order|rank|sort) (them|these|the \w+) by\b"
    rf"|\bwhich (one |of (them|these|the \w+) )?(is|was|are|were|came|comes) (the )?"
    rf"({_COMPARATIVES})\b[^?]*\bor\b",
    re.I,
)

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_EXPLICIT_DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b"
    rf"|\b({_MONTHS})\.? \d{{1,2}}(st|nd|rd|th)?\b"
    rf"|\b\d{{1,2}}(st|nd|rd|th)? (of )?({_MONTHS})\b",
    re.I,
)
_DATE_OFFSET = re.compile(
    rf"(?<![\w-])(\d+|a|an|{_NUMBER_WORDS}) (days?|weeks?|fortnights?|months?|years?)"
    r"( and \w+ (days?|weeks?|months?))? (from|after|before|since|ago|later|earlier|hence)\b",
    re.I,
)
_DATE_ASK = re.compile(
    r"\b(what|which) (date|day|weekday|season|month|year)\b|\bday of the week\b",
    re.I,
)
_CALENDAR_ASK = re.compile(
    r"\b(what|which) (day|weekday|season)\b|\bday of the week\b|\bweekday\b", re.I
)


_ACRONYMS = {"uk", "uae", "nyc", "utc", "gmt"}


@functools.cache
def _place_pattern() -> re.Pattern[str]:
    names = set(PLACES) | {c for c in _zone_cities() if c not in _SCAN_BLOCK and len(c) >= 4}
    parts = []
    for name in sorted(names, key=lambda n: (-len(n), n)):
        words = [re.escape(w) for w in name.split()]
        parts.append(r"[\s_.'’-]*".join(words))
    return re.compile(r"(?<![\w-])(" + "|".join(parts) + r")(?![\w-])", re.I)


def _zones_in(text: str) -> set[str]:
    """Zones of the capitalised place names in free text ("Big Ben", "Singapore", "UK")."""
    return {zone for place in places_in(text) if (zone := _lookup(place))}


def detect_tool(question: str, request: str) -> str | None:
    """The tool that should answer a gap when its wording clearly calls for one, else None.

    Cues (question and request read together):
    - timezone: a clock time (noon, midnight, 9pm, 21:00), two capitalised places in
      different zones (Big Ben, Singapore, UTC) and a link word (when, while, reaches,
      it's, local time, time zone);
    - date_math: a date offset ("100 days after", "3 weeks from", "two years ago") with a
      date question (what date/day/season, day of the week), or a weekday/season question about an
      explicit date (2026-12-25, July 4);
    - ordering: "from largest to smallest", "in order of", "sorted by", "in chronological
      order", "which is older, X or Y";
    - arithmetic: an operator between numbers (3 + 4, 6 × 7, 10 minus 3), or a quantity
      question (how many, the total) with two quantities, or one quantity and an
      aggregating word (in total, each, per, left).
    """
    text = f"{question}\n{request}"
    if _TIME_OF_DAY.search(text):
        zones = _zones_in(text)
        if len(zones) >= 2 and _TZ_LINK.search(text):
            return "timezone"
    if (_DATE_OFFSET.search(text) and _DATE_ASK.search(text)) or (
        _CALENDAR_ASK.search(text) and _EXPLICIT_DATE.search(text)
    ):
        return "date_math"
    if _ORDERING.search(text):
        return "ordering"
    if _ARITH_OPERATOR.search(text):
        return "arithmetic"
    if _ARITH_ASK.search(text):
        quantities = len(_QUANTITY.findall(text))
        if quantities >= 2 or (quantities == 1 and _ARITH_AGGREGATE.search(text)):
            return "arithmetic"
    return None


# --- reading a time-zone request deterministically --------------------------------------
# Requests say "<the place shown> when <the other place> <reaches a time>": the clause after
# the link word holds the clock; the place before it is what the image shows. The small
# model often swaps the two when it fills the slots, so code orients them when it can.

_CLOCK_LINK = re.compile(r"\b(when|while|whenever|as soon as|at the (same )?(time|moment))\b", re.I)
_CLOCK_WORDS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"\b(noon|midday)\b", re.I), 12),
    (re.compile(r"\bmidnight\b", re.I), 0),
    (re.compile(r"\b(dawn|sunrise|first light)\b", re.I), 6),
    (re.compile(r"\bmorning\b", re.I), 9),
    (re.compile(r"\bafternoon\b", re.I), 13),
    (re.compile(r"\b(sunset)\b", re.I), 18),
    (re.compile(r"\b(dusk|evening)\b", re.I), 19),
    (re.compile(r"\bnight\b", re.I), 22),
]
_CLOCK_DIGITS = re.compile(
    r"\b(?:(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)|(?P<h12>1[0-2]|0?[1-9])(?::(?P<m12>[0-5]\d))?"
    r"\s*(?P<ampm>am|pm|a\.m\.|p\.m\.))(?!\w)",
    re.I,
)


def places_in(text: str) -> list[str]:
    """Capitalised known places in `text`, in order ("Big Ben", "Singapore", "UK")."""
    found = []
    for match in _place_pattern().finditer(text):
        name = match.group(0)
        if not name[0].isupper() or (_norm(name) in _ACRONYMS and not name.isupper()):
            continue
        if _lookup(name):
            found.append(name)
    return found


def clock_in(text: str) -> tuple[int, int] | None:
    """The local time a phrase gives (noon, 9pm, 21:30, "approaching midnight"), or None."""
    digits = _CLOCK_DIGITS.search(text)
    if digits:
        if digits.group("h24") is not None:
            hour, minute = int(digits.group("h24")), int(digits.group("m24"))
        else:
            hour, minute = int(digits.group("h12")) % 12, int(digits.group("m12") or 0)
            hour += 12 if digits.group("ampm").lower().startswith("p") else 0
    else:
        words = [(m.start(), h) for pattern, h in _CLOCK_WORDS for m in pattern.finditer(text)]
        if not words:
            return None
        hour, minute = min(words)[1], 0
    total = hour * 60 + minute
    if re.search(r"\b(approaching|nearly|almost|about to|before)\b", text, re.I):
        total -= 30
    elif re.search(r"\b(just (passed|after|past)|past|after)\b", text, re.I):
        total += 15
    total %= 24 * 60
    return total // 60, total % 60


def clock_places(request: str) -> list[str]:
    """The places of the request's clock clause: "The harbor in Vancouver when Tokyo is just
    entering midnight" -> ["Tokyo"]; [] when it has none."""
    link = _CLOCK_LINK.search(request)
    return places_in(request[link.end() :]) if link else []


def orient_timezone(slots: dict[str, Any], request: str) -> dict[str, Any]:
    """Slots with the request's own reading put first: the place after the link word and
    its clock are `from`, the place shown before it is `to` (the model's zones are kept
    only for places code does not know)."""
    link = _CLOCK_LINK.search(request)
    if not link:
        return slots
    head, tail = request[: link.start()], request[link.end() :]
    shown, clock_places, clock = places_in(head), places_in(tail), clock_in(tail)
    out = dict(slots)
    if clock_places:
        out["from_place"], out["from_zone"] = clock_places[0], ""
    if shown:
        out["to_place"], out["to_zone"] = shown[-1], ""
    if clock is not None:
        out["hour"], out["minute"] = clock
    return out
