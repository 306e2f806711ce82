"""Drawing one sketch image: background, palette band, pictograms with labels, text, caption."""

from __future__ import annotations

from PIL import Image, ImageDraw

from renderers.sketch.caption import draw_caption_strip, layout_caption, note_bottom
from renderers.sketch.colours import RGB, gradient
from renderers.sketch.fonts import REFERENCE_SIZE, ImageFontT, emoji_font, text_font
from renderers.sketch.layout import Box, Plan
from renderers.sketch.text import draw_text_block, text_size, truncate


def draw_scene(
    size: tuple[int, int],
    top: RGB,
    bottom: RGB,
    palette: list[RGB],
    plans: list[Plan],
    boxes: list[Box],
    text: str,
    prompt: str,
) -> tuple[Image.Image, str, list[list[int]]]:
    """The RGB image, its caption text and each object's pixel box [x0, y0, x1, y1]."""
    width, height = size
    unit = min(width, height)
    image = gradient(size, top, bottom)
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    # Caption strip geometry first: objects are laid out in the area above it.
    caption = layout_caption(draw, prompt, width, height, unit)
    scene_h = height - caption.strip_h

    # Background tint swatches (palette) as a thin band above the caption strip.
    if palette:
        band = max(3, unit // 128)
        sw = width / len(palette)
        for k, c in enumerate(palette):
            draw.rectangle(
                [round(k * sw), scene_h - band, round((k + 1) * sw) - 1, scene_h - 1], fill=c
            )

    pixel_boxes = _draw_objects(image, draw, ImageDraw.Draw(overlay), plans, boxes, scene_h)
    image.alpha_composite(overlay)
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    odraw = ImageDraw.Draw(overlay)

    # The exact text to render, in the emptier of the upper and lower thirds.
    if text:
        reserved = note_bottom(draw, caption)
        draw_text_block(draw, odraw, text, boxes, width, scene_h, unit, reserved)

    draw_caption_strip(draw, odraw, caption, size, scene_h)
    image.alpha_composite(overlay)
    return image.convert("RGB"), caption.text, pixel_boxes


def _draw_objects(
    image: Image.Image,
    draw: ImageDraw.ImageDraw,
    odraw: ImageDraw.ImageDraw,
    plans: list[Plan],
    boxes: list[Box],
    scene_h: int,
) -> list[list[int]]:
    """Draw each plan's pictogram on `image` and its label on the overlay; the pixel boxes."""
    width = image.width
    unit = min(image.width, image.height)
    label_font_cache: dict[int, ImageFontT] = {}
    pixel_boxes: list[list[int]] = []
    for plan, box in zip(plans, boxes, strict=True):
        x0, y0 = box[0] * width, box[1] * scene_h
        x1, y1 = box[2] * width, box[3] * scene_h
        pixel_boxes.append([round(x0), round(y0), round(x1), round(y1)])
        bw, bh = x1 - x0, y1 - y0
        label_px = int(max(10, min(unit // 28, bh * 0.14)))
        label_font = label_font_cache.setdefault(label_px, text_font(label_px))
        label_h = text_size(draw, "Ag", label_font)[1] + 6
        glyph_h = max(8.0, bh - label_h - 4)
        glyph_bottom = draw_glyph(image, plan.match.emoji, (x0, y0, x1, y0 + glyph_h))
        label = truncate(draw, plan.name, label_font, int(max(bw, unit * 0.2)))
        lw, lh = text_size(draw, label, label_font)
        cx = (x0 + x1) / 2
        lx = min(max(2.0, cx - lw / 2), width - lw - 2)
        ly = min(glyph_bottom + 4, scene_h - lh - 6)
        odraw.rounded_rectangle(
            [lx - 6, ly - 3, lx + lw + 6, ly + lh + 6], radius=6, fill=(255, 255, 255, 190)
        )
        odraw.text((lx, ly), label, font=label_font, fill=(20, 20, 20, 255), anchor="lt")
    return pixel_boxes


def draw_glyph(image: Image.Image, char: str, area: tuple[float, float, float, float]) -> float:
    """Draw one colour pictogram centred and scaled into `area`; return its bottom edge."""
    x0, y0, x1, y1 = area
    ref = emoji_font(REFERENCE_SIZE)
    left, top, right, bottom = ref.getbbox(char)
    gw, gh = max(1, right - left), max(1, bottom - top)
    scale = min((x1 - x0) / gw, (y1 - y0) / gh) * 0.95
    size = max(6, min(2048, int(REFERENCE_SIZE * scale)))
    font = emoji_font(size)
    left, top, right, bottom = font.getbbox(char)
    gx = (x0 + x1) / 2 - (left + right) / 2
    gy = (y0 + y1) / 2 - (top + bottom) / 2
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((round(gx), round(gy)), char, font=font, embedded_color=True)
    image.alpha_composite(layer)
    return round(gy) + bottom
