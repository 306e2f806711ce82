"""Text on the sketch: measuring, wrapping and truncating, and the exact-text block."""

from __future__ import annotations

from PIL import ImageDraw

from renderers.sketch.fonts import ImageFontT, text_font


def text_size(draw: ImageDraw.ImageDraw, text: str, font: ImageFontT) -> tuple[int, int]:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    return int(right - left), int(bottom - top)


def truncate(draw: ImageDraw.ImageDraw, text: str, font: ImageFontT, max_w: int) -> str:
    if text_size(draw, text, font)[0] <= max_w:
        return text
    while text and text_size(draw, text + "…", font)[0] > max_w:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFontT, max_w: int) -> list[str]:
    """Greedy word wrap to a pixel width (words longer than a line are cut with an ellipsis)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            trial = f"{current} {word}".strip()
            if text_size(draw, trial, font)[0] <= max_w or not current:
                current = trial
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return [truncate(draw, line, font, max_w) for line in lines]


def draw_text_block(
    draw: ImageDraw.ImageDraw,
    odraw: ImageDraw.ImageDraw,
    text: str,
    boxes: list[list[float]],
    width: int,
    scene_h: int,
    unit: int,
    reserved_top: int,
) -> None:
    """Draw `text` wrapped and fitted in the upper or lower third (below `reserved_top`).

    The third with less object area is used; `draw` measures, `odraw` (the overlay) draws.
    """

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
        font = text_font(size, bold=True)
        lines = wrap(draw, text, font, max_w)
        line_h = text_size(draw, "Ag", font)[1] + size // 5
        widest = max(text_size(draw, ln, font)[0] for ln in lines)
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
        lw = text_size(draw, ln, font)[0]
        odraw.text(((width - lw) / 2, y), ln, font=font, fill=(15, 15, 15, 255), anchor="la")
        y += line_h
