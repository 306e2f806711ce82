"""Lay out the panels of a multi-panel plan (a comic strip, the steps of a process,
before/after) on one sheet, whatever renderer drew them.

Panels go in reading order on a grid (2 panels side by side, 3 in a row, 4 as 2x2, 5-6 as
3x2), each with its caption underneath; the plan's exact text, if any, is the sheet's
title. The sheet has the size of one panel image times the grid, scaled to fit
`max_side`. Pillow only; the file is overwritten on a re-run (idempotent).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from tools.files import save_image

GAP = 16
CAPTION_H = 44
TITLE_H = 64


def grid(n: int) -> tuple[int, int]:
    """Columns and rows for n panels, in reading order."""
    if n <= 3:
        return max(1, n), 1
    if n == 4:
        return 2, 2
    return 3, (n + 2) // 3


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _fit(draw: ImageDraw.ImageDraw, text: str, font: object, width: int) -> str:
    while text and draw.textlength(text, font=font) > width:  # type: ignore[arg-type]
        text = text[:-2] + "…" if len(text) > 2 else ""
    return text


def make_sheet(
    images: list[str],
    captions: list[str],
    out_path: Path,
    *,
    title: str = "",
    max_side: int = 2048,
) -> Path:
    """Compose the panel images into one sheet at `out_path`; returns the path."""
    if not images:
        raise ValueError("a sheet needs at least one panel image")
    opened = []
    for path in images:
        with Image.open(path) as source:
            opened.append(source.convert("RGB"))
    cols, rows = grid(len(opened))
    cell_w = max(image.width for image in opened)
    cell_h = max(image.height for image in opened)
    scale = min(1.0, max_side / max(cols * cell_w, rows * cell_h))
    cell_w, cell_h = max(1, int(cell_w * scale)), max(1, int(cell_h * scale))
    top = TITLE_H if title else 0
    width = cols * cell_w + (cols + 1) * GAP
    height = top + rows * (cell_h + CAPTION_H) + (rows + 1) * GAP
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    if title:
        font = _font(36)
        text = _fit(draw, title, font, width - 2 * GAP)
        draw.text((width / 2, GAP + TITLE_H / 2), text, fill="black", font=font, anchor="mm")
    caption_font = _font(22)
    for index, image in enumerate(opened):
        col, row = index % cols, index // cols
        x = GAP + col * (cell_w + GAP)
        y = top + GAP + row * (cell_h + CAPTION_H + GAP)
        sheet.paste(image.resize((cell_w, cell_h)), (x, y))
        draw.rectangle((x - 1, y - 1, x + cell_w, y + cell_h), outline="black", width=2)
        caption = captions[index] if index < len(captions) else ""
        label = _fit(draw, f"{index + 1}. {caption}".strip(), caption_font, cell_w)
        draw.text(
            (x + cell_w / 2, y + cell_h + CAPTION_H / 2),
            label,
            fill="black",
            font=caption_font,
            anchor="mm",
        )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    save_image(sheet, out_path)
    return out_path
