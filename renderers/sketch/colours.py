"""Colours for the sketch: a background gradient from the setting's keywords, and the palette."""

from __future__ import annotations

import re

import numpy as np
from PIL import Image, ImageColor

RGB = tuple[int, int, int]

_SETTINGS: list[tuple[tuple[str, ...], tuple[str, str]]] = [
    (("sunset", "dusk", "twilight", "sunrise", "dawn"), ("#f28c38", "#6b3fa0")),
    (
        ("night", "space", "midnight", "starry", "stars", "galaxy", "moonlit", "moonlight"),
        ("#0b1a3a", "#1f3b73"),
    ),
    (("snow", "winter", "snowy", "ice", "icy", "arctic"), ("#f7fbff", "#b9d7f0")),
    (("beach", "sea", "ocean", "coast", "shore", "seaside", "lake"), ("#7ec8e3", "#f1dca7")),
    (
        ("forest", "park", "garden", "jungle", "woods", "meadow", "field", "grass"),
        ("#b9e4a8", "#3f7d3a"),
    ),
    (
        (
            *("indoor", "indoors", "kitchen", "room", "bedroom", "living", "house", "home"),
            *("cafe", "restaurant", "office", "classroom", "studio", "table"),
        ),
        ("#f6e7d0", "#dcc2a0"),
    ),
]
_DEFAULT_BG = ("#eeeeee", "#d6d6d6")


def background_colours(setting: str) -> tuple[str, str]:
    """(top, bottom) colours for a setting, from the first keyword family it mentions."""
    words = set(re.findall(r"[a-z]+", setting.lower()))
    for keywords, colours in _SETTINGS:
        if words & set(keywords):
            return colours
    return _DEFAULT_BG


def parse_palette(palette: list[str] | None) -> list[RGB]:
    """Colours PIL understands (names or #hex); unknown entries are ignored."""
    colours: list[RGB] = []
    for raw in palette or []:
        if not isinstance(raw, str):
            continue
        name = raw.strip().lower()
        for candidate in (name, name.replace(" ", ""), *name.split()):
            if not candidate:
                continue
            try:
                rgb = ImageColor.getrgb(candidate)
            except ValueError:
                continue
            colours.append((rgb[0], rgb[1], rgb[2]))
            break
    return colours


def rgb(colour: str) -> RGB:
    r, g, b = ImageColor.getrgb(colour)[:3]
    return (r, g, b)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def hex_colour(c: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*c)


def gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    w, h = size
    t = np.linspace(0.0, 1.0, h, dtype=np.float64)[:, None]
    column = np.asarray(top, dtype=np.float64) * (1 - t) + np.asarray(bottom, dtype=np.float64) * t
    arr = np.repeat(np.round(column).astype(np.uint8)[:, None, :], w, axis=1)
    return Image.fromarray(arr, "RGB").convert("RGBA")
