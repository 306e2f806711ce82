"""Where placed objects go in the layout: a computed order (left to right, front to back,
top to bottom) turned into boxes; the other planned objects stay put."""

from __future__ import annotations

import re
from typing import Any, Literal

Axis = Literal["horizontal", "depth", "vertical"]


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
