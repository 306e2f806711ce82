"""The compass tool: where things go on a map or grid the request describes by directions.

"A map where the lake lies north of the village and the forest lies east of the lake",
"from the start go north two cells, then east three cells", "the exit is on the side
opposite the entrance, with the entrance on the south side": the picture needs positions
(north is up on a map), and a small language model gets them wrong ("the star at the
bottom-right corner" for two cells north and three east). Directions add up by rule, so
code works the positions out. No model call: the relations are read from the request.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from tools.compute.result import ToolError, ToolResult, _result
from tools.wording import NUMBER_WORDS


class CompassSlots(BaseModel):
    """Nothing for the model to fill: the directions are read from the request."""


# (east, north) unit steps; north is up and east is right on a map
DIRECTIONS: dict[str, tuple[int, int]] = {
    "north": (0, 1),
    "south": (0, -1),
    "east": (1, 0),
    "west": (-1, 0),
    "northeast": (1, 1),
    "northwest": (-1, 1),
    "southeast": (1, -1),
    "southwest": (-1, -1),
}
OPPOSITE = {
    "north": "south",
    "south": "north",
    "east": "west",
    "west": "east",
    "northeast": "southwest",
    "southwest": "northeast",
    "northwest": "southeast",
    "southeast": "northwest",
}
SCREEN = {"north": "top", "south": "bottom", "east": "right", "west": "left"}
COUNTS = {"a": 1} | {word: n for word, n in NUMBER_WORDS.items() if n <= 10}

_DIR = r"(?P<dir>north[- ]?east|north[- ]?west|south[- ]?east|south[- ]?west|north|south|east|west)"
_N = r"(?P<n>\d{1,2}|" + "|".join(COUNTS) + r")"
_UNIT = r"(?:cells?|steps?|squares?|blocks?|spaces?|paces?|tiles?|miles?|km|kilometres?|metres?|meters?)"
_NAME = r"(?P<{}>[a-z][a-z'-]*(?: [a-z][a-z'-]*){{0,3}}?)"
_END = r"(?=\s*(?:[,.;:!?]|$|\b(?:and|then|with|while|where|but|in|on|at|to|for)\b))"
_RELATION = re.compile(
    _NAME.format("a")
    + r" (?:lies|is|stands|sits|lie|are|stand|sit|was|grows|rises|rise|can be found) "
    + rf"(?:{_N} {_UNIT} )?(?:to the |due |directly |just )?{_DIR}(?:ern)? of (?:the |a |an )?"
    + _NAME.format("b")
    + _END,
    re.I,
)
_MOVE = re.compile(
    rf"\b(?:go|walk|move|head|step|travel|turn|then|and)?,? ?(?:{_DIR} {_N} {_UNIT}|"
    rf"{_N.replace('<n>', '<n2>')} {_UNIT} {_DIR.replace('<dir>', '<dir2>')})\b",
    re.I,
)
_SIDE = re.compile(
    _NAME.format("a") + rf" on the {_DIR}(?:ern)? (?P<edge>bank|side|shore|edge|end|coast|wall)\b",
    re.I,
)
_OPPOSITE = re.compile(
    r"\b(?P<a>exit|entrance|door|gate|way out|way in)s? (?:is |lies |sits )?on the (?:side |wall |end )?"
    r"opposite (?:to )?(?:the |its )?(?P<b>exit|entrance|door|gate|way out|way in)\b",
    re.I,
)
_FLOW = re.compile(
    r"\b(?P<a>river|road|railway|path|wall|canal|stream|trail|street)\b[^,.]{0,30}? "
    rf"(?:running|flowing|runs|flows|going|goes|stretching|stretches) (?:from )?(?:the )?"
    rf"{_DIR}(?:ern)? to (?:the )?{_DIR.replace('<dir>', '<dir2>')}\b",
    re.I,
)
_LEAD = re.compile(r"^(?:(?:where|that|which|while|with|and|then|so|a|an|the|map|of|in)\s+)+", re.I)


def _name(text: str) -> str:
    """The place's name without the clause before it: "map where the lake" -> "lake",
    "middle and a castle" -> "castle"; a single letter keeps its capital ("X")."""
    text = re.split(r"\b(?:and|then|with|while|where|but)\b|[,:;]", text, flags=re.I)[-1]
    name = _LEAD.sub("", " ".join(text.split())).strip()
    return name.upper() if len(name) == 1 else name.lower()


def _direction(text: str) -> str:
    return re.sub(r"[- ]", "", text.lower())


def _count(text: str | None) -> int:
    if not text:
        return 1
    text = text.lower()
    return int(text) if text.isdigit() else COUNTS.get(text, 1)


def _screen(direction: str) -> str:
    """north -> "top", northeast -> "top right"."""
    parts = [p for p in ("north", "south") if p in direction] + [
        p for p in ("east", "west") if p in direction
    ]
    return " ".join(SCREEN[p] for p in parts)


def _relative(direction: str) -> str:
    """north -> "above", southwest -> "below and to the left of"."""
    vertical = "above" if "north" in direction else "below" if "south" in direction else ""
    side = "right" if "east" in direction else "left" if "west" in direction else ""
    across = f"to the {side} of" if side else ""
    return " and ".join(p for p in (vertical, across) if p)


def compass_facts(request: str) -> dict[str, Any]:
    """The direction facts the request states: relations between places, grid moves,
    sides, opposite sides and which way a river or road runs."""
    facts: dict[str, Any] = {}
    relations = []
    taken: list[tuple[int, int]] = []  # "three steps south of the palm tree" is no grid move
    for match in _RELATION.finditer(request):
        taken.append(match.span())
        a, b = _name(match.group("a")), _name(match.group("b"))
        if a and b and a != b:
            relations.append((a, _direction(match.group("dir")), _count(match.group("n")), b))
    if relations:
        facts["relations"] = relations
    moves = [
        (_direction(m.group("dir") or m.group("dir2")), _count(m.group("n") or m.group("n2")))
        for m in _MOVE.finditer(request)
        if not any(start <= m.start() < end for start, end in taken)
    ]
    if moves:
        facts["moves"] = moves
    sides = [
        (_name(m.group("a")), _direction(m.group("dir")), m.group("edge").lower())
        for m in _SIDE.finditer(request)
    ]
    if sides:
        facts["sides"] = [s for s in sides if s[0]]
    if opposite := _OPPOSITE.search(request):
        facts["opposite"] = (opposite.group("a").lower(), opposite.group("b").lower())
    if flow := _FLOW.search(request):
        facts["flow"] = (
            flow.group("a").lower(),
            _direction(flow.group("dir")),
            _direction(flow.group("dir2")),
        )
    return {k: v for k, v in facts.items() if v}


def describes_directions(request: str) -> bool:
    return bool(compass_facts(request))


def _positions(relations: list[tuple[str, str, int, str]]) -> dict[str, tuple[int, int]]:
    """Grid positions from "A is DIR of B" relations, the first place named at the origin."""
    where: dict[str, tuple[int, int]] = {}
    pending = list(relations)
    while pending:
        progressed = False
        for relation in list(pending):
            a, direction, steps, b = relation
            dx, dy = DIRECTIONS[direction]
            if not where:
                where[b] = (0, 0)
            if b in where and a not in where:
                where[a] = (where[b][0] + dx * steps, where[b][1] + dy * steps)
            elif a in where and b not in where:
                where[b] = (where[a][0] - dx * steps, where[a][1] - dy * steps)
            elif a in where and b in where:
                pass  # both placed: a later relation cannot move them
            else:
                continue
            pending.remove(relation)
            progressed = True
        if not progressed:  # a relation between two places not linked to the rest
            b = pending[0][3]
            offset = max((x for x, _ in where.values()), default=0) + 2
            where[b] = (offset, 0)
    return where


def _grid_word(value: int, low: int, high: int, words: tuple[str, str, str]) -> str:
    if low == high:
        return words[1]
    if value == low:
        return words[0]
    return words[2] if value == high else words[1]


_END_MARKER = re.compile(
    r"\bmark\w*\b[^.;]*?\b(?:end|finish|stop|arrive|land)\w*\b[^.;]*?\bwith an? ([a-z]+)\b",
    re.I,
)


def _layout(where: dict[str, tuple[int, int]]) -> str:
    xs = [x for x, _ in where.values()]
    ys = [y for _, y in where.values()]
    parts = []
    for name, (x, y) in where.items():
        row = _grid_word(y, min(ys), max(ys), ("bottom", "middle", "top"))
        col = _grid_word(x, min(xs), max(xs), ("left", "centre", "right"))
        spot = "centre" if row == "middle" and col == "centre" else f"{row} {col}"
        parts.append(f"{name} {spot.replace('middle ', '')}")
    return ", ".join(parts)


def compass(slots: CompassSlots, request: str) -> ToolResult:
    """Positions on the picture (north up) for the request's direction facts."""
    facts = compass_facts(request)
    if not facts:
        raise ToolError("the request states no directions")
    answers: list[str] = []
    visible: list[str] = []
    inputs: dict[str, Any] = {}
    if relations := facts.get("relations"):
        where = _positions(relations)
        answers.append(f"north up: {_layout(where)}")
        visible.append("; ".join(f"the {a} {_relative(d)} the {b}" for a, d, _n, b in relations))
        inputs["relations"] = [
            f"{a} {d} of {b}" + (f" ({n})" if n > 1 else "") for a, d, n, b in relations
        ]
    if moves := facts.get("moves"):
        east = sum(DIRECTIONS[d][0] * n for d, n in moves)
        north = sum(DIRECTIONS[d][1] * n for d, n in moves)
        offsets = [
            f"{abs(north)} up" if north > 0 else f"{abs(north)} down" if north < 0 else "",
            f"{abs(east)} right" if east > 0 else f"{abs(east)} left" if east < 0 else "",
        ]
        offset = " and ".join(o for o in offsets if o)
        end = f"{offset} of the start" if offset else "back at the start"
        path = " then ".join(f"{d} {n}" for d, n in moves)
        marker = _END_MARKER.search(request)
        if marker:  # "mark the cell where you end with a star"
            answers.append(f"path {path}; a {marker.group(1).lower()} marks the end, {end}")
        else:
            answers.append(f"path {path}; the end is {end}")
        visible.append(
            f"the path drawn from the start {path.replace(' then ', ', then ')} cells, "
            f"ending {end} (north up)"
        )
        inputs["moves"] = [f"{d} {n}" for d, n in moves]
    if opposite := facts.get("opposite"):
        a, b = opposite
        known = [d for name, d, _edge in facts.get("sides", []) if name.endswith(b)]
        if not known:
            raise ToolError(f"the request does not say on which side the {b} is")
        answers.append(f"{a} on the {OPPOSITE[known[0]]} side, {b} on the {known[0]} side")
        visible.append(
            f"the {b} at the {_screen(known[0])} edge and the {a} at the "
            f"{_screen(OPPOSITE[known[0]])} edge, straight across from it"
        )
        inputs["opposite"] = f"{a} opposite {b} ({b}: {known[0]})"
    elif sides := facts.get("sides"):
        answers.append(", ".join(f"{a} on the {d} {edge} ({_screen(d)})" for a, d, edge in sides))
        visible.append(
            "; ".join(f"the {a} at the {_screen(d)} of its {edge}" for a, d, edge in sides)
        )
        inputs["sides"] = [f"{a}: {d} {edge}" for a, d, edge in sides]
    if flow := facts.get("flow"):
        a, start, end = flow
        answers.append(f"{a} from {_screen(start)} to {_screen(end)}")
        visible.append(
            f"the {a} running across the picture from {_screen(start)} to {_screen(end)}"
        )
        inputs["flow"] = f"{a} {start} to {end}"
    return _result("compass", "; ".join(answers), "; ".join(visible), inputs)
