"""Place names to IANA time zones: a table of places and landmarks, then zoneinfo's own
zone cities; and finding capitalised known places in free text."""

from __future__ import annotations

import functools
import re
import zoneinfo

from tools.compute.result import ToolError

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


_ACRONYMS = {"uk", "uae", "nyc", "utc", "gmt"}


@functools.cache
def _place_pattern() -> re.Pattern[str]:
    names = set(PLACES) | {c for c in _zone_cities() if c not in _SCAN_BLOCK and len(c) >= 4}
    parts = []
    for name in sorted(names, key=lambda n: (-len(n), n)):
        words = [re.escape(w) for w in name.split()]
        parts.append(r"[\s_.'’-]*".join(words))
    return re.compile(r"(?<![\w-])(" + "|".join(parts) + r")(?![\w-])", re.I)


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
