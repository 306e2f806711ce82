"""The caption strip under the sketch (the prompt, wrapped), the attribution and the note."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import ImageDraw

from renderers.sketch.fonts import ATTRIBUTION, ImageFontT, text_font
from renderers.sketch.text import text_size, truncate, wrap

NOTE = "sketch preview, not a diffusion render"


@dataclass(frozen=True)
class Caption:
    """The caption strip's geometry: its wrapped lines, fonts and spacing in pixels."""

    lines: list[str]
    font: ImageFontT
    small_font: ImageFontT
    margin: int
    line_h: int
    small_h: int

    @property
    def strip_h(self) -> int:
        return self.margin * 2 + self.line_h * len(self.lines) + self.small_h

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def layout_caption(
    draw: ImageDraw.ImageDraw, prompt: str, width: int, height: int, unit: int
) -> Caption:
    """Wrap the prompt into at most 3 lines, fewer on short images (the strip stays < ~35%)."""
    cap_font = text_font(max(10, unit // 40))
    small_font = text_font(max(8, unit // 80))
    margin = max(4, unit // 64)
    cap_lines = wrap(draw, prompt or "(no prompt)", cap_font, width - 2 * margin)
    cap_line_h = text_size(draw, "Ag", cap_font)[1] + max(2, unit // 200)
    small_h = text_size(draw, "Ag", small_font)[1] + max(2, unit // 256)
    max_lines = max(1, min(3, int((height * 0.35 - 2 * margin - small_h) // cap_line_h)))
    if len(cap_lines) > max_lines:
        cap_lines = cap_lines[:max_lines]
        last = cap_lines[-1].rstrip(" …") + " …"
        cap_lines[-1] = truncate(draw, last, cap_font, width - 2 * margin)
    return Caption(cap_lines, cap_font, small_font, margin, cap_line_h, small_h)


def note_bottom(draw: ImageDraw.ImageDraw, caption: Caption) -> int:
    """The lowest pixel row the note label (top left) may reach."""
    return caption.margin + text_size(draw, NOTE, caption.small_font)[1] + caption.margin


def draw_caption_strip(
    draw: ImageDraw.ImageDraw,
    odraw: ImageDraw.ImageDraw,
    caption: Caption,
    size: tuple[int, int],
    scene_h: int,
) -> None:
    """Draw the strip with the caption and attribution, and the note label at the top left."""
    width, height = size
    margin, small_font, small_h = caption.margin, caption.small_font, caption.small_h
    odraw.rectangle([0, scene_h, width, height], fill=(28, 28, 32, 235))
    y = scene_h + margin
    for line in caption.lines:
        odraw.text((margin, y), line, font=caption.font, fill=(245, 245, 245, 255), anchor="la")
        y += caption.line_h
    attr = truncate(draw, ATTRIBUTION, small_font, width - 2 * margin)
    aw = text_size(draw, attr, small_font)[0]
    odraw.text(
        (width - margin - aw, height - margin // 2 - small_h + 2),
        attr,
        font=small_font,
        fill=(190, 190, 190, 255),
        anchor="la",
    )
    nw, nh = text_size(draw, NOTE, small_font)
    odraw.rounded_rectangle(
        [margin // 2, margin // 2, margin + nw + margin // 2, margin + nh + margin // 2 + 2],
        radius=4,
        fill=(255, 255, 255, 170),
    )
    odraw.text((margin, margin), NOTE, font=small_font, fill=(60, 60, 60, 255), anchor="la")
