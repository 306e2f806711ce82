"""The `sketch` renderer: turns a render job into storyboard PNGs and a scene description."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from renderers.base import RenderError, RenderJob, RenderResult
from renderers.sketch.caption import NOTE
from renderers.sketch.colours import background_colours, hex_colour, mix, parse_palette, rgb
from renderers.sketch.draw import draw_scene
from renderers.sketch.fonts import ATTRIBUTION, draw_lock
from renderers.sketch.layout import jitter, plan_objects
from tools.files import save_image

DEFAULT_SIZE = 1024


class SketchRenderer:
    """Draws a job as a pictogram storyboard (see the package docstring)."""

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

        plans = plan_objects(job.get("layout"), prompt)

        top, bottom = (rgb(c) for c in background_colours(setting or prompt))
        palette = parse_palette(job.get("palette"))
        if palette:
            top = mix(top, palette[0], 0.15)
            bottom = mix(bottom, palette[1] if len(palette) > 1 else palette[0], 0.15)

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
                boxes = [p.box if i == 0 else jitter(p.box, rng) for p in plans]
                path = out_dir / f"{stem}-{i}.png"
            with draw_lock:
                image, caption, pixel_boxes = draw_scene(
                    (width, height), top, bottom, palette, plans, boxes, text, prompt
                )
            save_image(image, path, optimize=False)
            images.append(str(path))
            variants.append({"image": str(path), "boxes": boxes, "pixel_boxes": pixel_boxes})

        scene: dict[str, Any] = {
            "renderer": self.name,
            "size": [width, height],
            "setting": setting,
            "background": [hex_colour(top), hex_colour(bottom)],
            "palette": [hex_colour(c) for c in palette],
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
