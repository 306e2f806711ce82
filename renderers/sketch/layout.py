"""The sketch's scene layout: one planned object per layout entry, its box in 0..1 units."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from renderers.sketch.pictograms import Match, match_pictograms

Box = list[float]


@dataclass
class Plan:
    name: str
    box: Box
    match: Match


def normalise_box(box: Any) -> Box:
    """A box [x0, y0, x1, y1] clamped to 0..1 with inverted edges swapped and a minimum size."""
    default = [0.25, 0.2, 0.75, 0.7]
    if not isinstance(box, list | tuple) or len(box) != 4:
        return default
    try:
        x0, y0, x1, y1 = (min(1.0, max(0.0, float(v))) for v in box)
    except (TypeError, ValueError):
        return default
    if not all(np.isfinite([x0, y0, x1, y1])):
        return default
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    min_side = 0.04
    if x1 - x0 < min_side:
        cx = min(1 - min_side / 2, max(min_side / 2, (x0 + x1) / 2))
        x0, x1 = cx - min_side / 2, cx + min_side / 2
    if y1 - y0 < min_side:
        cy = min(1 - min_side / 2, max(min_side / 2, (y0 + y1) / 2))
        y0, y1 = cy - min_side / 2, cy + min_side / 2
    return [round(x0, 4), round(y0, 4), round(x1, 4), round(y1, 4)]


def _fallback_name(prompt: str) -> str:
    words = re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", prompt)
    return " ".join(words[:4]) or "object"


def plan_objects(layout: Any, prompt: str) -> list[Plan]:
    """The objects to draw: the layout's entries (name, normalised box) with their pictograms,
    or, without a layout, the prompt's first words in a centred box."""
    entries = [o for o in layout or [] if isinstance(o, dict)]
    if entries:
        plans_in = [
            (str(o.get("name") or "object").strip() or "object", normalise_box(o.get("box")))
            for o in entries
        ]
    else:
        plans_in = [(_fallback_name(prompt), [0.3, 0.2, 0.7, 0.6])]
    matches = match_pictograms([n for n, _ in plans_in])
    return [Plan(n, b, m) for (n, b), m in zip(plans_in, matches, strict=True)]


def jitter(box: Box, rng: random.Random, amount: float = 0.03) -> Box:
    dx = rng.uniform(-amount, amount)
    dy = rng.uniform(-amount, amount)
    w, h = box[2] - box[0], box[3] - box[1]
    x0 = min(1 - w, max(0.0, box[0] + dx))
    y0 = min(1 - h, max(0.0, box[1] + dy))
    return [round(x0, 4), round(y0, 4), round(x0 + w, 4), round(y0 + h, 4)]
