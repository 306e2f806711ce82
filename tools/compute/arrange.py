"""The arrangement tool: which object goes where when the request places them by a property.

"A rabbit, a cat and a tiger, with the smallest animal on the left, the largest on the
right and the remaining one between them" names no position for any animal: a text-to-
image model cannot resolve "the smallest", and a small language model swaps them. So the
request's rules are read by code (`arrangement_rules`), the model only fills each object's
usual size and colour (`ArrangeSlots`), and code sorts and places: "the rabbit on the
left, the cat in the middle, the tiger on the right".

Rules: a size word (smallest, larger, longest, tallest, heaviest...) or a colour word
("the yellow fruit") followed within a few words by an end of one axis: left/right
(leftmost, on the far left), front/back (nearest the viewer, in the foreground, at the
back) or top/bottom. "From left to right from shortest to longest" is a rule too. The
objects not pinned by a rule fill the positions between, in the request's order.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.compute.ordering import _common_units, _unit_key
from tools.compute.result import MAX_ANSWER, ToolError, ToolResult, _result

Axis = Literal["horizontal", "depth", "vertical"]

# size words: low end (smallest) or high end (largest) of the objects' usual size
_LOW = "smallest|smaller|shortest|shorter|lightest|lighter|tiniest|tinier|littlest|lowest"
_HIGH = "largest|larger|biggest|bigger|longest|longer|tallest|taller|heaviest|heavier|highest"
COLOURS = (
    "red|orange|yellow|green|blue|purple|violet|pink|brown|black|white|grey|gray|golden|silver"
)
# (pattern, axis, end): end 0 is left / front / top, end 1 right / back / bottom
_ENDS: list[tuple[str, Axis, int]] = [
    (
        r"(?:on |at |to )?the (?:far |extreme )?left(?: side| end)?|leftmost|left-most",
        "horizontal",
        0,
    ),
    (
        r"(?:on |at |to )?the (?:far |extreme )?right(?: side| end)?|rightmost|right-most",
        "horizontal",
        1,
    ),
    (
        r"(?:nearest|closest) (?:to )?the (?:viewer|camera)|(?:in )?the foreground|"
        r"in (?:the )?front|at the front",
        "depth",
        0,
    ),
    (
        r"(?:farthest|furthest) (?:from|back|away)(?: the (?:viewer|camera))?|"
        r"(?:in |at )?the (?:back|background|rear)",
        "depth",
        1,
    ),
    (r"(?:on |at )?(?:the )?top", "vertical", 0),
    (r"(?:on |at )?(?:the )?bottom", "vertical", 1),
]
_END_PATTERN = "|".join(f"(?P<end{i}>{pattern})" for i, (pattern, _, _) in enumerate(_ENDS))
_ANY_END = "|".join(f"(?:{pattern})" for pattern, _, _ in _ENDS)
_RULE = re.compile(
    rf"\b(?P<word>{_LOW}|{_HIGH}|{COLOURS})\b(?P<noun>(?:\s+(?!(?:{_ANY_END})\b)[\w-]+){{0,4}}?)"
    rf"\s+(?:(?:is|stays|sits|goes|should be|placed|appears|standing|sitting)\s+)?(?:{_END_PATTERN})\b",
    re.I,
)
_SEQUENCE = re.compile(
    rf"\bfrom (?P<a>left|right|front|back|top|bottom) to (?P<b>left|right|front|back|top|bottom)"
    rf",? (?:from |by |ordered )?(?:the )?(?P<first>{_LOW}|{_HIGH}) to (?:the )?(?:{_LOW}|{_HIGH})\b"
    rf"|\bfrom (?:the )?(?P<first2>{_LOW}|{_HIGH}) to (?:the )?(?:{_LOW}|{_HIGH}),? "
    r"(?:from )?(?P<a2>left|right|front|back|top|bottom) to (?:the )?"
    r"(?:left|right|front|back|top|bottom)\b",
    re.I,
)
_SEQUENCE_END: dict[str, tuple[Axis, int]] = {
    "left": ("horizontal", 0),
    "right": ("horizontal", 1),
    "front": ("depth", 0),
    "back": ("depth", 1),
    "top": ("vertical", 0),
    "bottom": ("vertical", 1),
}
_LOW_WORDS = set(_LOW.split("|"))
_COLOUR_WORDS = set(COLOURS.split("|"))


@dataclass(frozen=True)
class Rule:
    """One placement rule of the request: by size ("low"/"high") or by a colour word."""

    by: Literal["size", "colour"]
    value: str  # "low" / "high", or the colour word
    axis: Axis
    end: int  # 0: left / front / top; 1: right / back / bottom
    noun: str  # what the rule calls the object ("animal", "fruit", "" for none)
    text: str  # the words of the request the rule was read from


def arrangement_rules(request: str) -> list[Rule]:
    """The placement rules a request states by size or colour ([] when it states none).

    A colour word counts only when it names a category ("the yellow fruit"), not when it
    describes a named object ("a yellow taxi on the left" already says where the taxi goes).
    """
    rules: list[Rule] = []
    for match in _SEQUENCE.finditer(request):
        side = (match.group("a") or match.group("a2")).lower()
        word = (match.group("first") or match.group("first2")).lower()
        axis, end = _SEQUENCE_END[side]
        value = "low" if word in _LOW_WORDS else "high"
        rules.append(Rule("size", value, axis, end, "", match.group(0)))
    if rules:
        return rules
    for match in _RULE.finditer(request):
        word = match.group("word").lower()
        noun = " ".join(match.group("noun").split()).lower()
        noun = re.sub(r"^(one|ones)$", "", noun)
        index = next(i for i in range(len(_ENDS)) if match.group(f"end{i}"))
        _, axis, end = _ENDS[index]
        if word in _COLOUR_WORDS:
            if not noun or noun in _listed_words(request):
                continue  # "a yellow taxi on the left": the object is named, nothing to work out
            rules.append(Rule("colour", word, axis, end, noun, match.group(0)))
        else:
            value = "low" if word in _LOW_WORDS else "high"
            rules.append(Rule("size", value, axis, end, noun, match.group(0)))
    return rules


_LIST_END = re.compile(
    r",?\s+(?:with|where|arranged|placed|positioned|lined up|set|standing|sitting|so)\b|[.;:]",
    re.I,
)


def _listed_words(request: str) -> set[str]:
    """Content words of the objects the request lists before its first rule clause."""
    head = _LIST_END.split(request, maxsplit=1)[0]
    words = re.findall(r"[a-z]+", head.lower())
    return {w for w in words if w not in {"a", "an", "the", "and", "of", "bunch", "pair"}}


class ArrangeItem(BaseModel):
    """One object of the request, with what the rules compare."""

    name: str = Field(max_length=30, description="the object, as the request names it")
    size: float = Field(ge=0, description="its usual size (length, height or weight)")
    unit: str = Field(default="", max_length=12, description="unit of size, e.g. cm, m, kg")
    colour: str = Field(default="", max_length=20, description="its usual main colour")


class ArrangeSlots(BaseModel):
    """The objects to place, with their usual sizes and colours."""

    items: list[ArrangeItem] = Field(min_length=2, max_length=6, description="2 to 6 objects")


_LABELS: dict[Axis, dict[int, list[str]]] = {
    "horizontal": {
        2: ["on the left", "on the right"],
        3: ["on the left", "in the middle", "on the right"],
    },
    "depth": {
        2: ["in the foreground", "in the background"],
        3: ["in the foreground", "in the middle distance", "in the background"],
    },
    "vertical": {
        2: ["at the top", "at the bottom"],
        3: ["at the top", "in the middle", "at the bottom"],
    },
}
_SPAN = {"horizontal": "left to right", "depth": "front to back", "vertical": "top to bottom"}
_FROM = {"horizontal": "the left", "depth": "the front", "vertical": "the top"}
_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth"]
_SHORT_ENDS: dict[Axis, tuple[str, str]] = {
    "horizontal": ("far left", "far right"),
    "depth": ("nearest", "farthest back"),
    "vertical": ("at the top", "at the bottom"),
}


def position_labels(axis: Axis, n: int) -> list[str]:
    """Words for n positions along an axis, from its first end to its last."""
    if n in _LABELS[axis]:
        return list(_LABELS[axis][n])
    first, last = _LABELS[axis][2]
    middle = [f"{_ORDINALS[i]} from {_FROM[axis]}" for i in range(1, n - 1)]
    if axis == "horizontal":
        first, last = "on the far left", "on the far right"
    return [first, *middle, last]


def _sizes(items: list[ArrangeItem]) -> list[float]:
    """Each item's size in one shared unit (ToolError when units cannot be compared)."""
    factors = _common_units([_unit_key(item.unit) for item in items])
    return [item.size * factor for item, factor in zip(items, factors, strict=True)]


def _size_order(sizes: list[float], rules: list[Rule]) -> list[int]:
    """Item indices from the axis's first end to its last, by size (smallest first when
    a rule puts the smallest at the first end or the largest at the last)."""
    ascending = {(r.value == "low") == (r.end == 0) for r in rules}
    if len(ascending) > 1:
        raise ToolError("the size rules contradict each other")
    if len(set(sizes)) < len(sizes) or not all(sizes):
        raise ToolError("the sizes given do not tell the objects apart")
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    return order if ascending.pop() else order[::-1]


def _colour_order(items: list[ArrangeItem], rules: list[Rule]) -> list[int]:
    """Item indices from the first end to the last: colour rules pin ends, the rest keep
    the request's order between them."""
    slots: list[int | None] = [None] * len(items)
    for rule in rules:
        matches = [i for i, item in enumerate(items) if rule.value in item.colour.lower().split()]
        if len(matches) != 1:
            raise ToolError(f"{len(matches)} objects are {rule.value}; the rule needs one")
        where = 0 if rule.end == 0 else len(items) - 1
        if slots[where] not in (None, matches[0]) or matches[0] in slots:
            raise ToolError("the colour rules contradict each other")
        slots[where] = matches[0]
    rest = iter(i for i in range(len(items)) if i not in slots)
    return [i if i is not None else next(rest) for i in slots]


def arrange(slots: ArrangeSlots, request: str) -> ToolResult:
    """Where each object goes, from the request's rules and the objects' sizes/colours."""
    rules = arrangement_rules(request)
    if not rules:
        raise ToolError("the request states no placement by size or colour")
    axes = {rule.axis for rule in rules}
    if len(axes) > 1:
        raise ToolError("the rules place objects along two axes")
    axis = axes.pop()
    items = slots.items
    names = [" ".join(item.name.split()) for item in items]
    if not all(names) or len({n.casefold() for n in names}) < len(names):
        raise ToolError("the objects need distinct names")
    by_size = [r for r in rules if r.by == "size"]
    sizes = _sizes(items) if by_size else []
    if by_size:
        order = _size_order(sizes, by_size)
        colour_rules = [r for r in rules if r.by == "colour"]
        if colour_rules and _colour_order(items, colour_rules) != order:
            raise ToolError("the size and colour rules disagree")
    else:
        order = _colour_order(items, rules)
    labels = position_labels(axis, len(items))
    placed = [f"{names[i]} {label}" for i, label in zip(order, labels, strict=True)]
    answer = ", ".join(placed)  # no articles: the answer must stay short (MAX_ANSWER)
    if len(answer) > MAX_ANSWER:  # four or more: the ends named, the rest by rank
        short = [f"{names[order[0]]} {_SHORT_ENDS[axis][0]}"]
        short += [f"{names[i]} {_ORDINALS[k]}" for k, i in enumerate(order[1:-1], 1)]
        short.append(f"{names[order[-1]]} {_SHORT_ENDS[axis][1]}")
        answer = ", ".join(short)
    if len(answer) > MAX_ANSWER:
        answer = f"{_SPAN[axis]}: " + ", ".join(names[i] for i in order)
    visible = ", ".join(f"the {place}" for place in placed)
    scale = [1.0] * len(order)
    if by_size:
        # drawn sizes follow the real ones (square root, so a mouse beside an elephant
        # still shows): the largest at full size, none below 45%
        scale = [round(max(0.45, math.sqrt(sizes[i] / max(sizes))), 2) for i in order]
        small = min(range(len(items)), key=sizes.__getitem__)
        large = max(range(len(items)), key=sizes.__getitem__)
        less, more = ("smaller", "larger") if len(items) == 2 else ("smallest", "largest")
        visible += f"; true to scale, the {names[small]} {less}, the {names[large]} {more}"
    inputs: dict[str, Any] = {
        "rules": [rule.text for rule in rules],
        "axis": axis,
        "items": [item.model_dump() for item in items],
        "placed": [names[i] for i in order],
        "scale": scale,
    }
    placement = {"axis": axis, "order": inputs["placed"], "scale": scale}
    return replace(_result("arrange", answer, visible, inputs), placement=placement)


def _matches(name: str, item: str) -> bool:
    """A planned object's name and an arranged item name the same thing ("grapes" and
    "bunch of grapes")."""
    return bool(_object_words(name) & _object_words(item))


def _object_words(text: str) -> set[str]:
    words = {w.rstrip("s") for w in re.findall(r"[a-z]+", text.lower())}
    return words - {"a", "an", "the", "of", "bunch", "pair", "set"}


def _box(axis: Axis, index: int, n: int) -> list[float]:
    """A normalised [x0, y0, x1, y1] box for position `index` of n along the axis."""
    if axis == "horizontal":
        width = 0.84 / n
        x0 = 0.08 + index * width
        return [round(x0 + 0.02, 3), 0.35, round(x0 + width - 0.02, 3), 0.75]
    if axis == "vertical":
        height = 0.84 / n
        y0 = 0.08 + index * height
        return [0.3, round(y0 + 0.02, 3), 0.7, round(y0 + height - 0.02, 3)]
    # depth: the front object low and large, each one further back higher and smaller
    size = 0.42 * 0.72**index
    centre_x = 0.5 + (0.0 if index == 0 else (0.22 if index % 2 else -0.22))
    bottom = 0.95 - 0.5 * index / max(n - 1, 1)
    return [
        round(centre_x - size / 2, 3),
        round(bottom - size, 3),
        round(centre_x + size / 2, 3),
        round(bottom, 3),
    ]


def _scaled(box: list[float], factor: float) -> list[float]:
    """The box shrunk by `factor` about its bottom centre (things stand on the ground)."""
    x0, y0, x1, y1 = box
    half = (x1 - x0) * factor / 2
    centre = (x0 + x1) / 2
    return [round(centre - half, 3), round(y1 - (y1 - y0) * factor, 3), round(centre + half, 3), y1]


def place_layout(
    layout: list[dict[str, Any]],
    axis: Axis,
    order: list[str],
    scale: list[float] | None = None,
) -> list[dict[str, Any]]:
    """The planned layout with the arranged objects moved to their computed positions (an
    arranged object the plan lacks is added), each drawn at its relative `scale` along a
    row or column (depth has its own perspective); the other planned objects stay put."""
    rest = list(layout)
    placed: list[dict[str, Any]] = []
    for index, item in enumerate(order):
        match = next((obj for obj in rest if _matches(str(obj.get("name", "")), item)), None)
        if match is not None:
            rest.remove(match)
        name = str(match.get("name")) if match else item
        box = _box(axis, index, len(order))
        if scale and axis != "depth":
            box = _scaled(box, min(1.0, max(0.1, float(scale[index]))))
        placed.append({"name": name, "box": box})
    # drawn in list order: the front object last, so it covers the ones behind it
    return rest + (placed[::-1] if axis == "depth" else placed)
