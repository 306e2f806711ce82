"""A renderer plugin for tests (`py:tests.fakes.slow_renderer:SlowRenderer`).

It draws the prompt as text with Pillow, after sleeping IMAGE_AGENT_TEST_RENDER_DELAY
seconds, and appends each call to IMAGE_AGENT_TEST_RENDER_LOG: slow enough to kill a run
mid-render, and it tells the test how many times rendering ran. It can fail on purpose
the first N calls (IMAGE_AGENT_TEST_RENDER_FAILS) to exercise the retry policy.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from PIL import Image, ImageDraw

from renderers.base import RenderError, RenderJob, RenderResult


class SlowRenderer:
    name = "slow-test"

    def __init__(self) -> None:
        self.calls = 0

    def render(self, job: RenderJob, out_dir: Path, stem: str) -> RenderResult:
        self.calls += 1
        log = os.environ.get("IMAGE_AGENT_TEST_RENDER_LOG")
        if log:
            with open(log, "a") as handle:
                handle.write(
                    json.dumps({"stem": stem, "pid": os.getpid(), "t": time.time()}) + "\n"
                )
        if self.calls <= int(os.environ.get("IMAGE_AGENT_TEST_RENDER_FAILS", "0")):
            raise RenderError(f"planned failure {self.calls}")
        time.sleep(float(os.environ.get("IMAGE_AGENT_TEST_RENDER_DELAY", "0")))
        image = Image.new("RGB", (job.get("width", 64), job.get("height", 64)), "white")
        ImageDraw.Draw(image).text((4, 4), job["prompt"][:40], fill="black")
        path = out_dir / f"{stem}.png"
        image.save(path)
        objects = [
            {"name": o.get("name", ""), "box": o.get("box", [])} for o in job.get("layout", [])
        ]
        return {
            "images": [str(path)],
            "scene": {"objects": objects, "text": job.get("text_to_render", "")},
        }
