"""Which tool a gap calls for, from clear wording cues in the question and the request."""

from __future__ import annotations

import re

from tools.compute.arrange import arrangement_rules
from tools.compute.compass import describes_directions
from tools.compute.indicator import describes_indicator
from tools.compute.phase import describes_phase
from tools.compute.places import _lookup, places_in
from tools.compute.shape import describes_shape
from tools.compute.viewpoint import viewpoints_in

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    "eighty|ninety|hundred|thousand|dozen|half|twice|double|triple"
)
_QUANTITY = re.compile(rf"(?<![\w-])(\d+(?:[.,]\d+)?|{_NUMBER_WORDS})(?![\w-])", re.I)

_TIME_OF_DAY = re.compile(
    r"\b(noon|midday|midnight|dawn|sunrise|sunset|dusk|lunch ?(hour|time)|lunchtime|"
    r"breakfast ?time|(dinner|supper) ?time|"
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


def _zones_in(text: str) -> set[str]:
    """Zones of the capitalised place names in free text ("Big Ben", "Singapore", "UK")."""
    return {zone for place in places_in(text) if (zone := _lookup(place))}


_PLACEMENT_ASK = re.compile(
    r"\b(where|which goes|left|right|positions?|order|arrange\w*|place\w*|front|back|"
    r"foreground|background)\b",
    re.I,
)
_VIEW_ASK = re.compile(
    r"\b(where|view\w*|seen|mirror|reflect\w*|camera|angle|perspective|"
    r"from (inside|below|behind))\b",
    re.I,
)

_SHAPE_ASK = re.compile(
    r"\b(shape\w*|polygon|sides?|angles?|faces?|form|outline|geometr\w*|what (is|does)|"
    r"which)\b",
    re.I,
)

_COMPASS_ASK = re.compile(
    r"\b(where|which (side|way|direction)|directions?|positions?|located|map|path|route|end|"
    r"sides?|north|south|east|west|layout|what does)\b",
    re.I,
)

# what a phase or indicator gap asks: the state, colour or look the substance ends up in
_STATE_ASK = re.compile(
    r"\b(state|solid|liquid|gas|frozen|freez\w*|melt\w*|boil\w*|molten|temperature|"
    r"colou?rs?|turns?|change\w*|look\w*|appear\w*|shows?|what (is|does|happens))\b",
    re.I,
)


def detect_tool(question: str, request: str) -> str | None:
    """The tool that should answer a gap when its wording clearly calls for one, else None.

    Cues (question and request read together):
    - timezone: a clock time (noon, midnight, 9pm, 21:00), two capitalised places in
      different zones (Big Ben, Singapore, UTC) and a link word (when, while, reaches,
      it's, local time, time zone);
    - date_math: a date offset ("100 days after", "3 weeks from", "two years ago") with a
      date question (what date/day/season, day of the week), or a weekday/season question about an
      explicit date (2026-12-25, July 4);
    - arrange: objects placed by a size or colour the request only compares ("the smallest
      animal on the left", "the yellow fruit on the right", "from left to right from
      shortest to longest"), read by `arrangement_rules` from the request;
    - viewpoint: a camera position that changes the picture (seen in a mirror, through a
      peephole, from inside, from below, from behind a person, a low angle);
    - compass: places on a map or grid placed by directions ("the lake lies north of the
      village", "go north two cells, then east three", "the exit opposite the entrance,
      the entrance on the south side", "a castle on the north bank");
    - shape: a polygon or solid described by its counts ("a polygon with six equal
      sides", "four interior angles of 90 degrees", "six square faces");
    - indicator: an acid-base indicator in a liquid of known pH ("blue litmus paper dipped
      in lemon juice", "hydrochloric acid after phenolphthalein");
    - phase: a substance of known melting and boiling points at a temperature ("water
      left outside at minus 20 degrees Celsius", "mercury in a freezer");
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
    # arrange and viewpoint read the request alone: a gap that asks something else (which
    # fruit is yellow?) stays with the model, and the planner adds the tool's own question
    if arrangement_rules(request) and (not question or _PLACEMENT_ASK.search(question)):
        return "arrange"
    if viewpoints_in(request) and (not question or _VIEW_ASK.search(question)):
        return "viewpoint"
    if describes_directions(request) and (not question or _COMPASS_ASK.search(question)):
        return "compass"
    if describes_shape(request) and (not question or _SHAPE_ASK.search(question)):
        return "shape"
    if describes_indicator(request) and (not question or _STATE_ASK.search(question)):
        return "indicator"
    if describes_phase(request) and (not question or _STATE_ASK.search(question)):
        return "phase"
    if _ORDERING.search(text):
        return "ordering"
    if _ARITH_OPERATOR.search(text):
        return "arithmetic"
    if _ARITH_ASK.search(text):
        quantities = len(_QUANTITY.findall(text))
        if quantities >= 2 or (quantities == 1 and _ARITH_AGGREGATE.search(text)):
            return "arithmetic"
    return None
